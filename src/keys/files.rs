//! Writing key files so that nothing is ever lost or half-written.
//!
//! Each file is written in full to a temporary name in its destination folder, flushed to disk,
//! then renamed into place. Without `replace`, the rename refuses to clobber anything that is
//! already there (a file, or a symlink planted where the key should go), and files written
//! earlier in the same call are removed again, so the caller gets all files or none.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One file to write.
pub struct FileToWrite<'a> {
    pub path: PathBuf,
    pub contents: &'a [u8],
    /// Unix permission bits, e.g. 0o600 for a private key.
    pub mode: u32,
}

/// Where writing failed, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("'{}' already exists", .0.display())]
    Exists(PathBuf),
    #[error("cannot create folder '{}': {}", path.display(), describe(cause))]
    Folder {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("cannot write '{}': {}; nothing was written", path.display(), describe(cause))]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// Creates `dir` (and its parents) with mode 0700 when it is missing. Returns true when it
/// was created.
pub fn create_private_dir(dir: &Path) -> Result<bool, WriteError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(false);
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|cause| WriteError::Folder {
        path: dir.to_path_buf(),
        cause,
    })?;
    Ok(true)
}

/// Writes every file atomically; all or nothing when `replace` is false.
pub fn write_files(files: &[FileToWrite<'_>], replace: bool) -> Result<(), WriteError> {
    if !replace && let Some(existing) = files.iter().find(|f| f.path.symlink_metadata().is_ok()) {
        return Err(WriteError::Exists(existing.path.clone()));
    }
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        staged.push(stage(file)?);
    }
    let mut written: Vec<&Path> = Vec::new();
    for (temp, file) in staged.into_iter().zip(files) {
        let result = if replace {
            temp.persist(&file.path).map(|_| ())
        } else {
            temp.persist_noclobber(&file.path).map(|_| ())
        };
        if let Err(err) = result {
            if !replace {
                for path in &written {
                    let _ = fs::remove_file(path);
                }
            }
            return Err(if err.error.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists(file.path.clone())
            } else {
                WriteError::Write {
                    path: file.path.clone(),
                    cause: err.error,
                }
            });
        }
        written.push(&file.path);
    }
    if let Some(dir) = files.first().and_then(|f| parent(&f.path)) {
        // Make the renames durable; a failure here loses nothing already renamed.
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// The operating system's reason, without the temporary file's name that tempfile adds.
fn describe(err: &std::io::Error) -> String {
    let kind = err.kind().to_string();
    if err.kind() == std::io::ErrorKind::Other || kind.starts_with("uncategorized") {
        err.to_string()
    } else {
        kind
    }
}

fn parent(path: &Path) -> Option<&Path> {
    match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Some(Path::new(".")),
        other => other,
    }
}

fn stage(file: &FileToWrite<'_>) -> Result<tempfile::NamedTempFile, WriteError> {
    let fail = |cause| WriteError::Write {
        path: file.path.clone(),
        cause,
    };
    let dir = parent(&file.path).unwrap_or(Path::new("."));
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // tempfile creates the file with O_EXCL and mode 0600 before anything is written.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(file.mode))
            .map_err(fail)?;
    }
    temp.write_all(file.contents).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    Ok(temp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_replace_and_leaves_everything_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&b, "old").unwrap();
        let files = [
            FileToWrite {
                path: a.clone(),
                contents: b"new a",
                mode: 0o600,
            },
            FileToWrite {
                path: b.clone(),
                contents: b"new b",
                mode: 0o644,
            },
        ];
        let err = write_files(&files, false).unwrap_err();
        assert!(matches!(err, WriteError::Exists(ref p) if *p == b), "{err}");
        assert!(!a.exists());
        assert_eq!(fs::read(&b).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp left");
        write_files(&files, true).unwrap();
        assert_eq!(fs::read(&b).unwrap(), b"new b");
    }
}

//! Writing key files so that nothing is ever lost or half-written.
//!
//! Each file is written in full to a temporary name in its destination folder, flushed to disk,
//! then renamed into place. Without `replace`, the rename refuses to clobber anything that is
//! already there (a file, or a symlink planted where the key should go), and files written
//! earlier in the same call are removed again, so the caller gets all files or none. With
//! `replace`, everything in the way is checked before the first rename, and a failure after
//! one says which files were replaced.

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
    #[error("cannot create folder '{}': a file of that name is in the way", .0.display())]
    FolderIsAFile(PathBuf),
    #[error("'{}' is a folder, not a file: it cannot be replaced by a key; nothing was written", .0.display())]
    NotAFile(PathBuf),
    #[error("cannot write '{}': {}; nothing was written", path.display(), describe(cause))]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A later file failed after earlier ones had replaced what was there (only with `replace`).
    #[error(
        "cannot write '{}': {}; {} already replaced, so the key files no longer match: \
         run the command again",
        path.display(),
        describe(cause),
        list(replaced)
    )]
    Partial {
        path: PathBuf,
        cause: std::io::Error,
        replaced: Vec<PathBuf>,
    },
}

fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| format!("'{}'", p.display())).collect();
    let verb = if names.len() == 1 { "was" } else { "were" };
    format!("{} {verb}", names.join(" and "))
}

/// Creates `dir` (and its parents) with mode 0700 when it is missing. Returns true when it
/// was created.
pub fn create_private_dir(dir: &Path) -> Result<bool, WriteError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(false);
    }
    if dir.symlink_metadata().is_ok() {
        return Err(WriteError::FolderIsAFile(dir.to_path_buf()));
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
    for file in files {
        match file.path.symlink_metadata() {
            Ok(_) if !replace => return Err(WriteError::Exists(file.path.clone())),
            Ok(meta) if meta.is_dir() => return Err(WriteError::NotAFile(file.path.clone())),
            _ => {}
        }
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
            } else if replace && !written.is_empty() {
                WriteError::Partial {
                    path: file.path.clone(),
                    cause: err.error,
                    replaced: written.iter().map(|p| p.to_path_buf()).collect(),
                }
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

    /// "new a" for `a` (mode 0600) and "new b" for `b` (mode 0644).
    fn new_a_and_b(a: &Path, b: &Path) -> [FileToWrite<'static>; 2] {
        [
            FileToWrite {
                path: a.to_path_buf(),
                contents: b"new a",
                mode: 0o600,
            },
            FileToWrite {
                path: b.to_path_buf(),
                contents: b"new b",
                mode: 0o644,
            },
        ]
    }

    #[test]
    fn refuses_to_replace_and_leaves_everything_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&b, "old").unwrap();
        let files = new_a_and_b(&a, &b);
        let err = write_files(&files, false).unwrap_err();
        assert!(matches!(err, WriteError::Exists(ref p) if *p == b), "{err}");
        assert!(!a.exists());
        assert_eq!(fs::read(&b).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp left");
        write_files(&files, true).unwrap();
        assert_eq!(fs::read(&b).unwrap(), b"new b");
    }

    #[test]
    fn a_folder_in_the_way_is_found_before_anything_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&a, "old a").unwrap();
        fs::create_dir(&b).unwrap();
        let files = new_a_and_b(&a, &b);
        let err = write_files(&files, true).unwrap_err();
        assert!(
            matches!(err, WriteError::NotAFile(ref p) if *p == b),
            "{err}"
        );
        assert_eq!(fs::read(&a).unwrap(), b"old a", "untouched");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "no temp left");
    }

    #[test]
    fn a_partial_replacement_says_which_file_was_replaced() {
        let err = WriteError::Partial {
            path: PathBuf::from("k/public-key.pem"),
            cause: std::io::Error::from(std::io::ErrorKind::StorageFull),
            replaced: vec![PathBuf::from("k/private-key.pem")],
        };
        let shown = err.to_string();
        assert!(
            shown.contains("'k/private-key.pem' was already replaced"),
            "{shown}"
        );
        assert!(!shown.contains("nothing was written"), "{shown}");
    }
}

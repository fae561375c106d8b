//! Writing key files so that a crash never leaves a secret under a stray name, half a file, or
//! a pair whose halves do not match.
//!
//! Each file is first written in full, with its mode, to an unnamed file in its destination
//! folder (Linux's `O_TMPFILE`) and flushed to disk: a crash until then leaves nothing, since a
//! file without a name is gone with the process. Only then are names changed, one step at a
//! time, each made durable before the next:
//!
//! 1. with `replace`, what is in the way is checked first (a folder, or a file this process may
//!    not remove, stops everything), then removed, **the first file of the list first**;
//! 2. the files are linked into place, never replacing anything, **the first file last**.
//!
//! The first file is the one that completes the set (the private key): whenever it exists, the
//! files beside it are the ones written with it. A crash in between leaves some of the others
//! (public keys) without it — never the first file without them, and never a mix of old and
//! new. Without `replace`, nothing that exists is touched, and a failure removes what this call
//! linked, so the caller gets all files or none.
//!
//! Where unnamed files are not available (another system, or a filesystem without
//! `O_TMPFILE`), each file is written to a hidden temporary name in its folder instead, which
//! a crash before the link can leave behind.

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
    /// Found before anything was changed (only with `replace`).
    #[error("'{}' cannot be replaced: {reason}; nothing was written", path.display())]
    CannotReplace { path: PathBuf, reason: String },
    #[error("cannot write '{}': {}; nothing was written", path.display(), describe(cause))]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A step failed after files that were there had been removed (only with `replace`).
    #[error(
        "cannot replace '{}': {}; {} already removed, so no complete pair is left: run the \
         command again",
        path.display(),
        describe(cause),
        list(removed)
    )]
    Partial {
        path: PathBuf,
        cause: std::io::Error,
        removed: Vec<PathBuf>,
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

/// Writes every file, the first one last (see the module's documentation); all or nothing
/// when `replace` is false.
pub fn write_files(files: &[FileToWrite<'_>], replace: bool) -> Result<(), WriteError> {
    let mut in_the_way = Vec::new();
    for file in files {
        match file.path.symlink_metadata() {
            Ok(_) if !replace => return Err(WriteError::Exists(file.path.clone())),
            Ok(meta) if meta.is_dir() => return Err(WriteError::NotAFile(file.path.clone())),
            Ok(meta) => {
                check_removable(&file.path, &meta)?;
                in_the_way.push(&file.path);
            }
            Err(_) => {}
        }
    }
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        staged.push(stage(file)?);
    }

    let mut removed = Vec::new();
    for path in in_the_way {
        if let Err(cause) = fs::remove_file(path) {
            return Err(match removed.is_empty() {
                true => WriteError::Write {
                    path: path.clone(),
                    cause,
                },
                false => WriteError::Partial {
                    path: path.clone(),
                    cause,
                    removed,
                },
            });
        }
        sync_folder(path);
        removed.push(path.clone());
    }

    let mut linked: Vec<&Path> = Vec::new();
    for (temp, file) in staged.iter().zip(files).rev() {
        if let Err(cause) = temp.link(&file.path) {
            // Back to no file of the set: the first one is not there, so the others alone
            // would only look like an interrupted run.
            for path in &linked {
                let _ = fs::remove_file(path);
                sync_folder(path);
            }
            return Err(if !removed.is_empty() {
                WriteError::Partial {
                    path: file.path.clone(),
                    cause,
                    removed,
                }
            } else if cause.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists(file.path.clone())
            } else {
                WriteError::Write {
                    path: file.path.clone(),
                    cause,
                }
            });
        }
        sync_folder(&file.path);
        linked.push(&file.path);
    }
    Ok(())
}

/// Whether this process may remove `path` (`meta`, not followed): in a folder with the sticky
/// bit (`/tmp`, shared folders), only the owner of the file or of the folder may, and root.
fn check_removable(path: &Path, meta: &fs::Metadata) -> Result<(), WriteError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(folder) = fs::metadata(parent(path)) else {
            return Ok(());
        };
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        let sticky = folder.mode() & 0o1000 != 0; // S_ISVTX
        if sticky && me != 0 && meta.uid() != me && folder.uid() != me {
            return Err(WriteError::CannotReplace {
                path: path.to_path_buf(),
                reason: format!(
                    "it belongs to another user (uid {}), and in this folder (sticky, mode \
                     {:o}) only its owner can remove it; remove it as that user, or write \
                     the key pair to another folder",
                    meta.uid(),
                    folder.mode() & 0o7777
                ),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
    Ok(())
}

/// The operating system's reason, without the temporary file's name that tempfile adds.
/// What the system said, as `mkdir` or `cp` would print it: `No such file or directory`, without
/// the `(os error 2)` that Rust adds.
fn describe(err: &std::io::Error) -> String {
    let text = err.to_string();
    match (err.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => text[..at].to_string(),
        _ => text,
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a change of names in the folder of `path` durable; a failure loses nothing.
fn sync_folder(path: &Path) {
    if let Ok(dir) = File::open(parent(path)) {
        let _ = dir.sync_all();
    }
}

/// A file's contents, written and flushed, waiting for its name.
enum Staged {
    /// Made with `O_TMPFILE`: no name until linked.
    #[cfg(target_os = "linux")]
    Unnamed(File),
    /// Where that is not available: a hidden temporary name, removed when dropped.
    Named(tempfile::NamedTempFile),
}

impl Staged {
    /// Gives the file the name `to`; fails if anything is there already.
    fn link(&self, to: &Path) -> std::io::Result<()> {
        match self {
            #[cfg(target_os = "linux")]
            Staged::Unnamed(file) => {
                use std::os::unix::ffi::OsStrExt;
                use std::os::unix::io::AsRawFd;
                let from = format!("/proc/self/fd/{}\0", file.as_raw_fd());
                let mut to = to.as_os_str().as_bytes().to_vec();
                to.push(0);
                if to[..to.len() - 1].contains(&0) {
                    return Err(std::io::ErrorKind::InvalidInput.into());
                }
                // SAFETY: both paths are NUL-terminated byte strings that outlive the call.
                let linked = unsafe {
                    libc::linkat(
                        libc::AT_FDCWD,
                        from.as_ptr().cast(),
                        libc::AT_FDCWD,
                        to.as_ptr().cast(),
                        libc::AT_SYMLINK_FOLLOW,
                    )
                };
                match linked {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            }
            Staged::Named(temp) => fs::hard_link(temp.path(), to),
        }
    }
}

fn stage(file: &FileToWrite<'_>) -> Result<Staged, WriteError> {
    let fail = |cause| WriteError::Write {
        path: file.path.clone(),
        cause,
    };
    let dir = parent(&file.path);
    #[cfg(target_os = "linux")]
    if Path::new("/proc/self/fd").is_dir() {
        use std::os::unix::fs::OpenOptionsExt;
        let unnamed = fs::OpenOptions::new()
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_TMPFILE)
            .open(dir);
        match unnamed {
            Ok(mut unnamed) => {
                fill(&mut unnamed, file).map_err(fail)?;
                return Ok(Staged::Unnamed(unnamed));
            }
            // A filesystem, or a kernel, without O_TMPFILE.
            Err(err) if matches!(err.raw_os_error(), Some(libc::EOPNOTSUPP | libc::EISDIR)) => {}
            Err(err) => return Err(fail(err)),
        }
    }
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
    fill(temp.as_file_mut(), file).map_err(fail)?;
    Ok(Staged::Named(temp))
}

fn fill(to: &mut File, file: &FileToWrite<'_>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        to.set_permissions(fs::Permissions::from_mode(file.mode))?;
    }
    to.write_all(file.contents)?;
    to.sync_all()
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

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
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
        assert_eq!(names(dir.path()), ["b"], "no temp left");
        write_files(&files, true).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"new a");
        assert_eq!(fs::read(&b).unwrap(), b"new b");
        assert_eq!(names(dir.path()), ["a", "b"]);
    }

    #[test]
    fn files_get_their_modes_whatever_the_umask_allows() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        write_files(&new_a_and_b(&a, &b), false).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&a), mode(&b)), (0o600, 0o644));
    }

    #[test]
    fn staged_contents_have_no_name_until_linked_and_a_link_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let files = new_a_and_b(&a, &b);
        let staged: Vec<Staged> = files.iter().map(|f| stage(f).unwrap()).collect();
        assert!(matches!(staged[0], Staged::Unnamed(_)));
        assert_eq!(names(dir.path()), Vec::<String>::new(), "nothing named yet");
        staged[1].link(&b).unwrap();
        assert_eq!(fs::read(&b).unwrap(), b"new b");
        // `a` appears between the check and its link.
        fs::write(&a, "someone else's").unwrap();
        assert_eq!(
            staged[0].link(&a).unwrap_err().kind(),
            std::io::ErrorKind::AlreadyExists
        );
        assert_eq!(fs::read(&a).unwrap(), b"someone else's");
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
        assert_eq!(names(dir.path()), ["a", "b"], "no temp left");
    }

    #[test]
    fn a_partial_replacement_says_which_file_was_removed() {
        let err = WriteError::Partial {
            path: PathBuf::from("k/public-key.pem"),
            cause: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            removed: vec![PathBuf::from("k/private-key.pem")],
        };
        let shown = err.to_string();
        assert!(
            shown.contains("'k/private-key.pem' was already removed"),
            "{shown}"
        );
        assert!(!shown.contains("nothing was written"), "{shown}");
    }
}

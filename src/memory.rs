//! The allocator of the binary: the system's, with every block wiped before it is freed.
//!
//! Key material passes through temporaries that no code of this tool sees: the `rsa` crate's
//! big integers while it checks a key and computes its CRT values (none of them wiped on drop),
//! `serde_json`'s strings of a JWK's members, buffers of `josekit`. Freed without a wipe, they
//! stay readable in the process's memory, and in a core dump, until the allocator reuses them.
//! Wiping every block when it is freed (and the old block when one under 1 MiB grows) covers
//! them all; it costs a `memset` per free, small beside any RSA operation. OpenSSL allocates
//! with `malloc` directly, so this does not reach its memory (see docs/security.md).

use std::alloc::{GlobalAlloc, Layout, System};

pub(crate) struct WipeOnFree;

/// Blocks of this size and more grow through the system's `realloc`, which may move them and
/// leave the old block unwiped: as large as any key input can be (1 MiB), beyond what keys and
/// their temporaries take, and where copying would double the peak memory of a large batch.
const LARGE: usize = 1024 * 1024;

// SAFETY: every call goes to `System` with the same pointers and layouts; `dealloc` only
// writes inside the block it is given, before freeing it.
unsafe impl GlobalAlloc for WipeOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        refused_ends(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        refused_ends(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes that the caller gives up.
        unsafe {
            wipe(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.size() >= LARGE {
            // SAFETY: the caller's contract is `System`'s.
            return refused_ends(unsafe { System.realloc(ptr, layout, new_size) }, new_size);
        }
        // A new block, a copy, and the old block wiped and freed: the system's realloc could
        // move the contents and free the old block as it was.
        // SAFETY: the caller's contract: `layout` with `new_size` is a valid layout, `ptr` a
        // live block of `layout.size()` bytes; the copy is of the smaller of the two sizes.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = refused_ends(System.alloc(new_layout), new_size);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// The block the system gave; when it gave none, the process ends at once (below).
fn refused_ends(block: *mut u8, size: usize) -> *mut u8 {
    if block.is_null() {
        out_of_memory(size);
    }
    block
}

/// Out of memory (the system refused a block of `size` bytes, in whichever thread): one line
/// on standard error, and exit code 2 (`EXIT_UNUSABLE`), as when the system refuses another resource (a full
/// disk). The standard library would abort instead (SIGABRT, a core dump), which reads as a
/// crash; nothing here allocates, and the process ends without running anything else, so no
/// thread can be left waiting for one that failed.
#[cfg(unix)]
#[cold]
fn out_of_memory(size: usize) -> ! {
    use std::sync::atomic::{AtomicBool, Ordering};
    /// Set by the first thread that runs out: it says so and ends the process, others wait.
    static SAID: AtomicBool = AtomicBool::new(false);
    if SAID.swap(true, Ordering::SeqCst) {
        loop {
            // SAFETY: waits for a signal; the first thread's `_exit` ends this one.
            unsafe {
                libc::pause();
            }
        }
    }
    const BEFORE: &[u8] = b"error: out of memory: the system refused a block of ";
    const AFTER: &[u8] = b" bytes; give the command more memory, or a batch fewer threads (-j)\n";
    let mut line = [0u8; 160];
    let mut digits = [0u8; 20];
    let mut count = 0;
    let mut rest = size;
    loop {
        digits[count] = b'0' + (rest % 10) as u8;
        count += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut at = 0;
    for byte in BEFORE
        .iter()
        .chain(digits[..count].iter().rev())
        .chain(AFTER)
    {
        line[at] = *byte;
        at += 1;
    }
    // SAFETY: a write of `at` initialised bytes of `line` to standard error, then the end of
    // the process; neither allocates.
    unsafe {
        libc::write(2, line.as_ptr().cast(), at);
        libc::_exit(i32::from(crate::commands::EXIT_UNUSABLE))
    }
}

/// Elsewhere, the standard library's answer: an abort.
#[cfg(not(unix))]
fn out_of_memory(_size: usize) -> ! {
    std::process::abort()
}

/// Zeroes `len` bytes at `ptr`, in a way the compiler cannot drop as a dead store.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
unsafe fn wipe(ptr: *mut u8, len: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: the caller's contract; explicit_bzero is memset that is never optimised away.
    unsafe {
        libc::explicit_bzero(ptr.cast(), len);
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        use zeroize::Zeroize;
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(ptr, len) }.zeroize();
    }
}

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

pub struct WipeOnFree;

/// Blocks of this size and more grow through the system's `realloc`, which may move them and
/// leave the old block unwiped: as large as any key input can be (1 MiB), beyond what keys and
/// their temporaries take, and where copying would double the peak memory of a large batch.
const LARGE: usize = 1024 * 1024;

// SAFETY: every call goes to `System` with the same pointers and layouts; `dealloc` only
// writes inside the block it is given, before freeing it.
unsafe impl GlobalAlloc for WipeOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
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
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // A new block, a copy, and the old block wiped and freed: the system's realloc could
        // move the contents and free the old block as it was.
        // SAFETY: the caller's contract: `layout` with `new_size` is a valid layout, `ptr` a
        // live block of `layout.size()` bytes; the copy is of the smaller of the two sizes.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
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

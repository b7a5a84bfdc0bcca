//! A caching allocator for CPU buffers, at both ends of the size range.
//!
//! - Large: a fresh 64 MB buffer from the OS costs a page fault per 4 KiB page on first
//!   touch; that is a third of an elementwise op's time at that size. Freed blocks of at least
//!   `MIN_CACHED` bytes are kept in one process-wide cache, keyed by their rounded size.
//! - Small: an op on a handful of elements is dominated by fixed costs, and a 64-byte aligned
//!   malloc is one of the larger ones. Freed blocks up to `SMALL_MAX` bytes are kept per thread
//!   (no lock), a few per size class.
//!
//! Reused memory holds old (initialised) bytes, so reading it is defined behaviour, as
//! `torch.empty` promises nothing.

use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::Mutex;

const ALIGN: usize = 64;
const MIN_CACHED: usize = 1 << 20;
const MAX_CACHED_TOTAL: usize = 2 << 30;

struct Cache {
    free: HashMap<usize, Vec<usize>>,
    total: usize,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

const SMALL_MAX: usize = 4096;
const SMALL_CLASSES: usize = SMALL_MAX / ALIGN;
/// Blocks kept per size class and thread.
const SMALL_KEEP: usize = 32;

/// One thread's small free blocks, by size class (size / ALIGN - 1).
struct SmallCache([Vec<usize>; SMALL_CLASSES]);

impl Drop for SmallCache {
    fn drop(&mut self) {
        for (class, ptrs) in self.0.iter().enumerate() {
            let size = (class + 1) * ALIGN;
            for &p in ptrs {
                // SAFETY: every cached pointer came from alloc_zeroed with this size and ALIGN.
                unsafe { dealloc(p as *mut u8, Layout::from_size_align_unchecked(size, ALIGN)) }
            }
        }
    }
}

thread_local! {
    static SMALL: RefCell<SmallCache> = RefCell::new(SmallCache(std::array::from_fn(|_| Vec::new())));
}

/// A cached small block of exactly `size` bytes, if this thread has one.
fn take_small(size: usize) -> Option<usize> {
    SMALL.try_with(|c| c.try_borrow_mut().ok()?.0[size / ALIGN - 1].pop()).ok().flatten()
}

/// Keeps a small block for reuse on this thread; false when the class is full.
fn keep_small(size: usize, p: usize) -> bool {
    SMALL
        .try_with(|c| match c.try_borrow_mut() {
            Ok(mut c) if c.0[size / ALIGN - 1].len() < SMALL_KEEP => {
                c.0[size / ALIGN - 1].push(p);
                true
            }
            _ => false,
        })
        .unwrap_or(false)
}

fn rounded(nbytes: usize) -> usize {
    if nbytes >= MIN_CACHED {
        // Round up to 64 KiB so that sizes that differ a little share blocks.
        (nbytes + 0xFFFF) & !0xFFFF
    } else {
        nbytes.max(1).next_multiple_of(ALIGN)
    }
}

/// An owned, 64-byte aligned, initialised block of bytes.
pub struct Block {
    ptr: NonNull<u8>,
    size: usize,
}

// SAFETY: a Block is a unique owner of its heap memory, like a Box<[u8]>.
unsafe impl Send for Block {}
// SAFETY: shared access only hands out the raw pointer; synchronisation is the user's, as in torch.
unsafe impl Sync for Block {}

impl Block {
    /// Allocates at least `nbytes` bytes; `None` when the allocator fails.
    pub fn new(nbytes: usize) -> Option<Block> {
        let size = rounded(nbytes);
        if size <= SMALL_MAX {
            if let Some(p) = take_small(size) {
                return NonNull::new(p as *mut u8).map(|ptr| Block { ptr, size });
            }
        }
        if size >= MIN_CACHED {
            if let Ok(mut guard) = CACHE.lock() {
                if let Some(cache) = guard.as_mut() {
                    if let Some(p) = cache.free.get_mut(&size).and_then(|v| v.pop()) {
                        cache.total -= size;
                        return NonNull::new(p as *mut u8).map(|ptr| Block { ptr, size });
                    }
                }
            }
        }
        let layout = Layout::from_size_align(size, ALIGN).ok()?;
        // SAFETY: the layout has a non-zero size (rounded() returns at least ALIGN).
        let p = unsafe { alloc_zeroed(layout) };
        NonNull::new(p).map(|ptr| Block { ptr, size })
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        if self.size <= SMALL_MAX && keep_small(self.size, self.ptr.as_ptr() as usize) {
            return;
        }
        if self.size >= MIN_CACHED {
            if let Ok(mut guard) = CACHE.lock() {
                let cache = guard.get_or_insert_with(|| Cache { free: HashMap::new(), total: 0 });
                if cache.total + self.size <= MAX_CACHED_TOTAL {
                    cache.total += self.size;
                    cache.free.entry(self.size).or_default().push(self.ptr.as_ptr() as usize);
                    return;
                }
            }
        }
        // SAFETY: ptr was allocated in Block::new with this exact size and alignment.
        unsafe { dealloc(self.ptr.as_ptr(), Layout::from_size_align_unchecked(self.size, ALIGN)) }
    }
}

/// Returns every cached block to the OS (`torch.cuda.empty_cache`'s CPU twin).
pub fn empty_cache() {
    let drained: Vec<(usize, Vec<usize>)> = match CACHE.lock() {
        Ok(mut guard) => match guard.as_mut() {
            Some(cache) => {
                cache.total = 0;
                cache.free.drain().collect()
            }
            None => vec![],
        },
        Err(_) => vec![],
    };
    for (size, ptrs) in drained {
        for p in ptrs {
            // SAFETY: every cached pointer came from alloc_zeroed with this size and ALIGN.
            unsafe { dealloc(p as *mut u8, Layout::from_size_align_unchecked(size, ALIGN)) }
        }
    }
}

//! A caching allocator for CPU buffers, at both ends of the size range.
//!
//! - Large: a fresh buffer from the OS costs a page fault per 4 KiB page on first touch (a
//!   third of an elementwise op's time at 64 MB), and the C library hands blocks above 128 KiB
//!   straight back to the OS when freed, so without a cache every op on a 256 KiB tensor paid
//!   for a fresh, zeroed block (7x the op itself). Freed blocks above `SMALL_MAX` bytes are
//!   kept in one process-wide cache, keyed by their rounded size.
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

/// The size of the block that serves `nbytes`. Small blocks round to a cache line. Mid-size
/// ones round up to one of four sizes per power of two (at most a quarter wasted), so that
/// tensors of nearby sizes share cached blocks; from 1 MiB up, to 64 KiB, which wastes
/// little and still lets a given shape find its block again.
fn rounded(nbytes: usize) -> usize {
    if nbytes <= SMALL_MAX {
        return nbytes.max(1).next_multiple_of(ALIGN);
    }
    if nbytes >= 1 << 20 {
        return nbytes.next_multiple_of(1 << 16);
    }
    let quarter = 1usize << (usize::BITS - 1 - nbytes.leading_zeros()).saturating_sub(2);
    nbytes.next_multiple_of(quarter)
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
        if size > SMALL_MAX {
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
        if self.size > SMALL_MAX {
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

#[cfg(test)]
mod tests {
    use super::rounded;

    #[test]
    fn rounded_sizes_are_aligned_and_waste_at_most_a_quarter() {
        for n in (1..20_000).chain((1 << 20) - 100..(1 << 20) + 100).chain([3 << 25, (3 << 25) + 1]) {
            let r = rounded(n);
            assert!(r >= n && r % super::ALIGN == 0, "{n} -> {r}");
            assert!(r - n <= (n / 4).max(super::ALIGN).max(if n >= 1 << 20 { 1 << 16 } else { 0 }), "{n} -> {r}");
        }
    }
}

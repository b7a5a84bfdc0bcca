//! Bulk copies and fills of contiguous memory, split across threads.
//!
//! One core cannot saturate memory bandwidth: a 16 MB copy takes twice as long on one thread
//! as on two. Below `PARALLEL_BYTES` the work runs on the calling thread, where waking the
//! pool would cost more than it saves.

use super::iter::SendPtr;

/// Bytes below which a bulk op stays on the calling thread.
const PARALLEL_BYTES: usize = 1 << 18;

/// Splits `[0, n)` elements of `size` bytes each into one piece per thread (each a multiple
/// of a cache line, so that threads never write the same line) and runs `f(start, len)` on
/// each.
fn split(n: usize, size: usize, f: impl Fn(usize, usize) + Sync) {
    let threads = super::threads::get_num_threads();
    if n.saturating_mul(size) < PARALLEL_BYTES || threads <= 1 {
        f(0, n);
        return;
    }
    let line = (64 / size.max(1)).max(1);
    let piece = n.div_ceil(threads).next_multiple_of(line);
    super::pool::parallel_for(n.div_ceil(piece), threads, |c| {
        let start = c * piece;
        f(start, piece.min(n - start));
    });
}

/// Copies `n` elements from `src` to `dst` (memcpy, in parallel when large).
///
/// # Safety
/// `src` must be valid for reading and `dst` for writing `n` elements, and they must not
/// overlap.
pub unsafe fn copy<T: Copy>(src: *const T, dst: *mut T, n: usize) {
    let (s, d) = (SendPtr(src as *mut T), SendPtr(dst));
    split(n, std::mem::size_of::<T>(), |start, len| {
        // SAFETY: [start, start + len) lies inside both buffers (the caller's contract);
        // pieces are disjoint.
        unsafe { std::ptr::copy_nonoverlapping(s.get().add(start), d.get().add(start), len) }
    });
}

/// Sets `n` elements at `dst` to `value` (memset when its bytes are all zero).
///
/// # Safety
/// `dst` must be valid for writing `n` elements.
pub unsafe fn fill<T: Copy + Send + Sync>(dst: *mut T, n: usize, value: T) {
    // SAFETY: `value` is a plain Copy value; reading its bytes is reading initialised memory.
    let bytes = unsafe { std::slice::from_raw_parts(&value as *const T as *const u8, std::mem::size_of::<T>()) };
    let zero = bytes.iter().all(|&b| b == 0);
    let d = SendPtr(dst);
    split(n, std::mem::size_of::<T>(), |start, len| {
        // SAFETY: [start, start + len) lies inside the buffer; pieces are disjoint.
        unsafe {
            if zero {
                // memset: the C library picks streaming stores for large sizes.
                std::ptr::write_bytes(d.get().add(start), 0, len);
            } else {
                std::slice::from_raw_parts_mut(d.get().add(start), len).fill(value);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_and_fill_cover_every_element_at_any_length() {
        for n in [0, 1, 63, 65, 1 << 16, (1 << 17) + 3] {
            let src: Vec<u32> = (0..n as u32).collect();
            let mut dst = vec![0u32; n];
            // SAFETY: both vectors hold n elements and are distinct.
            unsafe { copy(src.as_ptr(), dst.as_mut_ptr(), n) };
            assert_eq!(src, dst);
            // SAFETY: dst holds n elements.
            unsafe { fill(dst.as_mut_ptr(), n, 7u32) };
            assert!(dst.iter().all(|&v| v == 7));
            // SAFETY: as above.
            unsafe { fill(dst.as_mut_ptr(), n, 0u32) };
            assert!(dst.iter().all(|&v| v == 0));
        }
    }
}

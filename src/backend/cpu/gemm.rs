//! Float GEMM through the `gemm` crate, threaded on rtorch's pool.
//!
//! The crate threads a product itself only through rayon, whose wake-ups cost as much as a
//! 256 x 256 product (half its speed there). Instead a large product is cut into one block
//! of rows (or columns) per thread, each multiplied single-threaded by the crate. (The
//! crate picks its blocking from the sizes it is given, so the last bits of a result can
//! depend on the thread count; for a given count they never change.)

use super::iter::SendPtr;
use super::pool::parallel_for;

/// Products below this many multiply-adds run on the calling thread.
const THREADED_WORK: usize = 128 * 128 * 128;

/// A matrix operand: element (i, j) at `ptr + i * rs + j * cs`.
pub struct Strided<T> {
    pub ptr: SendPtr<T>,
    pub rs: isize,
    pub cs: isize,
}

impl<T> Strided<T> {
    /// The same operand read as elements of `U` (the caller knows `T` is `U`).
    pub fn cast<U>(&self) -> Strided<U> {
        Strided { ptr: SendPtr(self.ptr.get() as *mut U), rs: self.rs, cs: self.cs }
    }

    /// The operand starting `i` rows and `j` columns further on.
    fn at(&self, i: usize, j: usize) -> SendPtr<T> {
        SendPtr(self.ptr.get().wrapping_offset(i as isize * self.rs + j as isize * self.cs))
    }
}

/// True when a product of this size is split across threads.
pub fn is_threaded(m: usize, n: usize, k: usize) -> bool {
    super::threads::get_num_threads() > 1 && m.saturating_mul(n).saturating_mul(k) >= THREADED_WORK
}

/// `dst = alpha * dst + beta * a @ b` (`alpha` ignored unless `read_dst`) for an `m x k` `a`
/// and a `k x n` `b`, on up to `threads` threads (1: the calling thread only).
///
/// # Safety
/// The operands must address valid `m x n`, `m x k` and `k x n` matrices of `T`, which must
/// be one of gemm's float types; `dst` must not overlap `a` or `b`, nor itself.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm<T: Copy + Send + Sync + 'static>(
    (m, n, k): (usize, usize, usize),
    dst: &Strided<T>,
    read_dst: bool,
    a: &Strided<T>,
    b: &Strided<T>,
    alpha: T,
    beta: T,
    threads: usize,
) {
    let one = |(ro, co): (usize, usize), (mm, nn): (usize, usize)| {
        let (d, pa, pb) = (dst.at(ro, co), a.at(ro, 0), b.at(0, co));
        // SAFETY: the block [ro, ro + mm) x [co, co + nn) lies inside dst, with its rows of
        // a and columns of b (the caller's contract); blocks are disjoint.
        unsafe {
            ::gemm::gemm::<T>(
                mm, nn, k,
                d.get(), dst.cs, dst.rs, read_dst,
                pa.get(), a.cs, a.rs,
                pb.get(), b.cs, b.rs,
                alpha, beta, false, false, false, ::gemm::Parallelism::None,
            )
        }
    };
    // Inside a parallel loop the blocks would run one after another: one call does better.
    if threads <= 1 || m == 0 || n == 0 || super::pool::inside() {
        return one((0, 0), (m, n));
    }
    // Cut the longer side, in multiples of 16 (the kernels' register tiles divide it).
    let split_rows = m >= n;
    let len = if split_rows { m } else { n };
    let block = len.div_ceil(threads).next_multiple_of(16);
    parallel_for(len.div_ceil(block), threads, |t| {
        let (start, size) = (t * block, block.min(len - t * block));
        if split_rows {
            one((start, 0), (size, n))
        } else {
            one((0, start), (m, size))
        }
    });
}

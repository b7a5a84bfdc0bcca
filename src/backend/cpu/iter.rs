//! Strided iteration shared by all elementwise kernels.
//!
//! N operands share one (broadcast) shape, each with its own strides. Dims are coalesced
//! where every operand is contiguous across them, so the common cases collapse to one long
//! inner run. Kernels receive runs: base offsets for each operand plus a length, with the
//! inner strides fixed for the whole iteration.

use smallvec::SmallVec;

use crate::layout::Dims;

/// Elements below which an op runs on the calling thread: handing work to another thread
/// costs about a microsecond.
pub const PARALLEL_THRESHOLD: usize = 1 << 15;

/// A raw pointer that may cross threads; kernels promise disjoint writes.
pub struct SendPtr<T>(pub *mut T);
// A pointer is Copy whatever it points to (derive would demand `T: Copy`).
impl<T> Clone for SendPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SendPtr<T> {}
// SAFETY: kernels split work so that no two threads write the same element.
unsafe impl<T> Send for SendPtr<T> {}
// SAFETY: as above; reads of shared inputs are plain loads.
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The pointer; a method so that closures capture the Send wrapper, not the raw field.
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}

pub struct StridedIter<const N: usize> {
    shape: Dims,
    strides: [Dims; N],
    numel: usize,
}

impl<const N: usize> StridedIter<N> {
    pub fn new(shape: &[usize], strides: [&[usize]; N]) -> Self {
        let mut dims: SmallVec<[(usize, [usize; N]); 6]> = SmallVec::new();
        for (i, &d) in shape.iter().enumerate() {
            if d == 1 {
                continue;
            }
            let s: [usize; N] = std::array::from_fn(|k| strides[k][i]);
            if let Some(last) = dims.last_mut() {
                // last is the outer dim, (d, s) the inner one: merge when outer stride = inner
                // stride * inner size for every operand.
                if (0..N).all(|k| last.1[k] == s[k] * d) {
                    last.0 *= d;
                    last.1 = s;
                    continue;
                }
            }
            dims.push((d, s));
        }
        let numel = shape.iter().product();
        StridedIter {
            shape: dims.iter().map(|x| x.0).collect(),
            strides: std::array::from_fn(|k| dims.iter().map(|x| x.1[k]).collect()),
            numel,
        }
    }

    pub fn numel(&self) -> usize {
        self.numel
    }

    /// Strides of the innermost (run) dim for each operand.
    pub fn inner_strides(&self) -> [usize; N] {
        std::array::from_fn(|k| self.strides[k].last().copied().unwrap_or(1))
    }

    /// Calls `f(offsets, len)` for each run covering linear positions `[start, end)`.
    pub fn for_each_run(&self, start: usize, end: usize, mut f: impl FnMut([usize; N], usize)) {
        if start >= end {
            return;
        }
        let nd = self.shape.len();
        if nd == 0 {
            f([0; N], 1);
            return;
        }
        let inner = self.shape[nd - 1];
        // Multi-index of `start` over the outer dims, and the offset within the inner dim.
        let mut idx: Dims = smallvec::smallvec![0usize; nd];
        let mut rem = start;
        for d in (0..nd).rev() {
            idx[d] = rem % self.shape[d];
            rem /= self.shape[d];
        }
        let mut offs: [usize; N] =
            std::array::from_fn(|k| (0..nd).map(|d| idx[d] * self.strides[k][d]).sum());
        let mut pos = start;
        while pos < end {
            let n = (inner - idx[nd - 1]).min(end - pos);
            f(offs, n);
            pos += n;
            if pos >= end {
                break;
            }
            // Step to the start of the next inner row.
            for (k, o) in offs.iter_mut().enumerate() {
                *o -= idx[nd - 1] * self.strides[k][nd - 1];
            }
            idx[nd - 1] = 0;
            let mut d = nd - 1;
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                idx[d] += 1;
                for (k, o) in offs.iter_mut().enumerate() {
                    *o += self.strides[k][d];
                }
                if idx[d] < self.shape[d] {
                    break;
                }
                for (k, o) in offs.iter_mut().enumerate() {
                    *o -= idx[d] * self.strides[k][d];
                }
                idx[d] = 0;
            }
        }
    }

    /// Runs `f` over all runs, split across the thread pool when the work is large.
    pub fn par_runs(&self, f: impl Fn([usize; N], usize) + Sync) {
        let numel = self.numel;
        let threads = super::threads::get_num_threads();
        if numel < PARALLEL_THRESHOLD || threads <= 1 {
            self.for_each_run(0, numel, f);
            return;
        }
        let chunks = threads * 4;
        let chunk = numel.div_ceil(chunks).next_multiple_of(64);
        super::pool::parallel_for(numel.div_ceil(chunk), threads, |c| {
            let start = c * chunk;
            self.for_each_run(start, (start + chunk).min(numel), &f);
        });
    }
}

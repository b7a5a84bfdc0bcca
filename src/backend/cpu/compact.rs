//! Compaction kernels, whose output positions depend on the data: nonzero, masked_select
//! and masked_scatter. Each counts the selected elements per chunk in parallel, turns the
//! counts into offsets, then fills every chunk in parallel from its offset, so the result
//! is in row-major order whatever the thread count.

use smallvec::SmallVec;

use super::iter::{SendPtr, StridedIter, PARALLEL_THRESHOLD};
use super::map::Operand;
use super::pool::{parallel_for, parallel_map};
use super::threads::get_num_threads;
use crate::dtype::Element;

/// Row-major position ranges of about `PARALLEL_THRESHOLD` elements covering `numel`.
fn chunks(numel: usize) -> Vec<(usize, usize)> {
    let threads = get_num_threads();
    let size = if threads <= 1 { numel.max(1) } else { PARALLEL_THRESHOLD };
    (0..numel.div_ceil(size)).map(|c| (c * size, ((c + 1) * size).min(numel))).collect()
}

/// Offsets where each chunk's selections start, and the total, from per-chunk counts.
fn offsets(counts: &[usize]) -> (Vec<usize>, usize) {
    let mut acc = 0;
    let starts = counts.iter().map(|&c| {
        let s = acc;
        acc += c;
        s
    }).collect();
    (starts, acc)
}

/// The number of selected positions in each chunk of `parts`: the sum over the chunk's runs
/// of `count(run offsets, run length)`.
fn count_chunks<const N: usize>(it: &StridedIter<N>, parts: &[(usize, usize)], count: impl Fn([usize; N], usize) -> usize + Sync) -> Vec<usize> {
    parallel_map(parts.len(), get_num_threads(), |c| {
        let (start, end) = parts[c];
        let mut total = 0;
        it.for_each_run(start, end, |offs, n| total += count(offs, n));
        total
    })
}

/// The row-major coordinates of the nonzero elements of `x` (shape `shape`): an
/// `n x ndim` int64 array, returned with n.
///
/// # Safety
/// `x` must address `shape`'s elements with its strides.
pub unsafe fn nonzero<T: Element>(shape: &[usize], x: Operand<T>) -> (Vec<i64>, usize) {
    let ndim = shape.len();
    let numel: usize = shape.iter().product();
    let it = StridedIter::new(shape, [x.strides]);
    let [s] = it.inner_strides();
    let px = x.ptr;
    let zero = T::zero();
    let parts = chunks(numel);
    // SAFETY: runs lie inside x.
    let counts = count_chunks(&it, &parts, |[o], n| (0..n).filter(|&j| unsafe { *px.get().add(o + j * s) } != zero).count());
    let (starts, total) = offsets(&counts);
    let mut out = vec![0i64; total * ndim];
    let po = SendPtr(out.as_mut_ptr());
    // Walk the chunk's positions with an odometer over the original dims (coalescing would
    // lose the coordinates); strides stay those of x.
    parallel_for(parts.len(), get_num_threads(), |c| {
        let ((start, end), mut row) = (parts[c], starts[c]);
        let mut coord: SmallVec<[usize; 6]> = SmallVec::from_elem(0, ndim);
        let mut rem = start;
        for d in (0..ndim).rev() {
            coord[d] = rem % shape[d];
            rem /= shape[d];
        }
        let mut off: usize = coord.iter().zip(x.strides).map(|(c, st)| c * st).sum();
        for _ in start..end {
            // SAFETY: off addresses the current position of x; row < total by the counts,
            // and every chunk writes only its own rows.
            unsafe {
                if *px.get().add(off) != zero {
                    for (d, &c) in coord.iter().enumerate() {
                        *po.get().add(row * ndim + d) = c as i64;
                    }
                    row += 1;
                }
            }
            for d in (0..ndim).rev() {
                coord[d] += 1;
                off += x.strides[d];
                if coord[d] < shape[d] {
                    break;
                }
                off -= coord[d] * x.strides[d];
                coord[d] = 0;
            }
        }
    });
    (out, total)
}

/// The elements of `x` where `mask` is true, in row-major order of `shape` (both operands
/// already broadcast to it).
///
/// # Safety
/// Both operands must address `shape`'s elements with their strides.
pub unsafe fn masked_select<T: Copy + Send + Sync + Default>(shape: &[usize], x: Operand<T>, mask: Operand<bool>) -> Vec<T> {
    let numel: usize = shape.iter().product();
    let it = StridedIter::new(shape, [x.strides, mask.strides]);
    let [sx, sm] = it.inner_strides();
    let (px, pm) = (x.ptr, mask.ptr);
    let parts = chunks(numel);
    // SAFETY: runs lie inside the mask.
    let counts = count_chunks(&it, &parts, |[_, om], n| (0..n).filter(|&j| unsafe { *pm.get().add(om + j * sm) }).count());
    let (starts, total) = offsets(&counts);
    let mut out = vec![T::default(); total];
    let po = SendPtr(out.as_mut_ptr());
    parallel_for(parts.len(), get_num_threads(), |c| {
        let ((start, end), mut k) = (parts[c], starts[c]);
        it.for_each_run(start, end, |[ox, om], n| {
            for j in 0..n {
                // SAFETY: offsets lie inside the operands; k stays below this chunk's share of
                // `total`, which only this chunk writes.
                unsafe {
                    if *pm.get().add(om + j * sm) {
                        *po.get().add(k) = *px.get().add(ox + j * sx);
                        k += 1;
                    }
                }
            }
        });
    });
    out
}

/// The number of true elements of `mask` (laid over `shape`).
///
/// # Safety
/// `mask` must address `shape`'s elements with its strides.
pub unsafe fn count_true(shape: &[usize], mask: Operand<bool>) -> usize {
    let numel: usize = shape.iter().product();
    let it = StridedIter::new(shape, [mask.strides]);
    let [sm] = it.inner_strides();
    let pm = mask.ptr;
    // SAFETY: runs lie inside the mask.
    count_chunks(&it, &chunks(numel), |[o], n| (0..n).filter(|&j| unsafe { *pm.get().add(o + j * sm) }).count()).iter().sum()
}

/// Writes consecutive elements of the contiguous `src` into `target` where `mask` is true,
/// in row-major order of `shape`. The caller checks that `src` holds at least as many
/// elements as the mask has true entries.
///
/// # Safety
/// `target` and `mask` must address `shape`'s elements with their strides, `target` without
/// internal overlap and not overlapping `src`; `src` must hold [`count_true`] elements.
pub unsafe fn masked_scatter<T: Copy + Send + Sync>(shape: &[usize], target: Operand<T>, mask: Operand<bool>, src: *const T) {
    let numel: usize = shape.iter().product();
    let it = StridedIter::new(shape, [target.strides, mask.strides]);
    let [st, sm] = it.inner_strides();
    let (pt, pm, ps) = (target.ptr, mask.ptr, SendPtr(src as *mut T));
    let parts = chunks(numel);
    // SAFETY: runs lie inside the mask.
    let counts = count_chunks(&it, &parts, |[_, om], n| (0..n).filter(|&j| unsafe { *pm.get().add(om + j * sm) }).count());
    let (starts, _) = offsets(&counts);
    parallel_for(parts.len(), get_num_threads(), |c| {
        let ((start, end), mut k) = (parts[c], starts[c]);
        it.for_each_run(start, end, |[ot, om], n| {
            for j in 0..n {
                // SAFETY: offsets lie inside the operands; k < count_true <= len(src); each
                // chunk writes its own target elements.
                unsafe {
                    if *pm.get().add(om + j * sm) {
                        *pt.get().add(ot + j * st) = *ps.get().add(k);
                        k += 1;
                    }
                }
            }
        });
    });
}

//! Index kernels: range checks of index tensors, gather (reads through an index) and
//! scatter (writes or accumulates through an index).
//!
//! Both work on operands laid over the index's shape. `dim` is the indexed dim: the operand
//! that is addressed through the index has stride 0 there, and the index value times its
//! real stride along `dim` is added to its offset.

use std::sync::atomic::{AtomicBool, Ordering};

use super::iter::{SendPtr, StridedIter, PARALLEL_THRESHOLD};
use super::map::{simd, Operand};
use crate::dtype::Element;

/// An index value made non-negative (`v + size` for a negative `v`, where `NEG` allows
/// negative indices) and checked against `size`: (position, out of range). The position is
/// 0 when out of range, so that a kernel can read it before testing (no branch in its loop).
#[inline(always)]
fn resolve<const NEG: bool>(v: i64, size: usize) -> (usize, bool) {
    let v = if NEG && v < 0 { v.wrapping_add(size as i64) } else { v };
    // A negative v is a huge u64, so one comparison checks both ends.
    let bad = v as u64 >= size as u64;
    (if bad { 0 } else { v as usize }, bad)
}

/// The first entry (in row-major order) of the index tensor at `ptr` (with `shape` and
/// `strides`) that is not a valid index into a dim of `size`, if any. Parallel scan first,
/// so the common valid case costs one pass.
///
/// # Safety
/// `ptr` with `strides` must address `shape`'s elements.
pub unsafe fn first_bad_index<I: Element>(ptr: *const I, shape: &[usize], strides: &[usize], size: usize, allow_negative: bool) -> Option<i64> {
    if allow_negative {
        first_bad::<I, true>(ptr, shape, strides, size)
    } else {
        first_bad::<I, false>(ptr, shape, strides, size)
    }
}

/// [`first_bad_index`] for one sign rule.
///
/// # Safety
/// As for [`first_bad_index`].
unsafe fn first_bad<I: Element, const NEG: bool>(ptr: *const I, shape: &[usize], strides: &[usize], size: usize) -> Option<i64> {
    let it = StridedIter::new(shape, [strides]);
    let [s] = it.inner_strides();
    let p = SendPtr(ptr as *mut I);
    let bad = AtomicBool::new(false);
    it.par_runs(|[o], n| {
        // SAFETY: the run lies inside the index tensor.
        let x = unsafe { p.get().add(o) as *const I };
        // A branch-free fold over the run, so that the common (valid) case vectorises.
        let any = if s == 1 {
            simd(#[inline(always)] move || {
                let mut any = false;
                for j in 0..n {
                    // SAFETY: j < n, inside the run.
                    any |= resolve::<NEG>(unsafe { *x.add(j) }.to_i64(), size).1;
                }
                any
            })
        } else {
            // SAFETY: as above, with the run's stride.
            (0..n).fold(false, |any, j| any | resolve::<NEG>(unsafe { *x.add(j * s) }.to_i64(), size).1)
        };
        if any {
            bad.store(true, Ordering::Relaxed);
        }
    });
    if !bad.load(Ordering::Relaxed) {
        return None;
    }
    let mut first = None;
    it.for_each_run(0, it.numel(), |[o], n| {
        for j in 0..n {
            // SAFETY: as above.
            let v = unsafe { *p.get().add(o + j * s) }.to_i64();
            if first.is_none() && resolve::<NEG>(v, size).1 {
                first = Some(v);
            }
        }
    });
    first
}

/// `out[p] = src[p + index[p] * src_dim_stride]` over `shape` (the index's), where `src`
/// has stride 0 along the indexed dim. Returns false (leaving `out` partly written) when an
/// index is out of range; the caller then reports it with [`first_bad_index`].
///
/// # Safety
/// Every operand must address `shape`'s elements with its strides, `src` plus any in-range
/// index times `src_dim_stride` must stay inside the source, and `out` must not overlap the
/// inputs.
pub unsafe fn gather<T: Copy + Send + Sync, I: Element>(
    shape: &[usize],
    out: Operand<T>,
    index: Operand<I>,
    src: Operand<T>,
    src_dim_stride: usize,
    size: usize,
    allow_negative: bool,
) -> bool {
    if allow_negative {
        gather_signed::<T, I, true>(shape, out, index, src, src_dim_stride, size)
    } else {
        gather_signed::<T, I, false>(shape, out, index, src, src_dim_stride, size)
    }
}

/// [`gather`] for one sign rule.
///
/// # Safety
/// As for [`gather`].
unsafe fn gather_signed<T: Copy + Send + Sync, I: Element, const NEG: bool>(
    shape: &[usize],
    out: Operand<T>,
    index: Operand<I>,
    src: Operand<T>,
    src_dim_stride: usize,
    size: usize,
) -> bool {
    let it = StridedIter::new(shape, [out.strides, index.strides, src.strides]);
    let [so, si, ss] = it.inner_strides();
    let (po, pi, ps) = (out.ptr, index.ptr, src.ptr);
    // Gathering along a contiguous innermost dim, a run reads randomly within one small
    // slice of the source: fetch the next row's slice (one source row on) meanwhile.
    let line = (64 / std::mem::size_of::<T>()).max(1);
    let ahead = match shape.len() {
        nd if nd >= 2 && src.strides[nd - 2] != 0 && src_dim_stride == 1 && size * std::mem::size_of::<T>() <= PREFETCH_SLICE_BYTES => {
            Prefetch { step: src.strides[nd - 2], lines: size.div_ceil(line), line }
        }
        _ => Prefetch { step: 0, lines: 0, line },
    };
    let ok = AtomicBool::new(true);
    it.par_runs(|[oo, oi, os], n| {
        // SAFETY: offsets come from the operands' layouts; the caller's contract covers the
        // rest.
        let bad = unsafe {
            gather_run::<T, I, NEG>(po.get().add(oo), pi.get().add(oi) as *const I, ps.get().add(os) as *const T, n, [so, si, ss], src_dim_stride, size, ahead)
        };
        if bad {
            ok.store(false, Ordering::Relaxed);
        }
    });
    ok.load(Ordering::Relaxed)
}

/// One run of `n` elements of a gather from out / index / source bases `o`, `i`, `s` with
/// the run's strides; true when an index was out of range. Strides and sizes come by value
/// so that the loops keep them in registers.
///
/// # Safety
/// As for [`gather`], for this run. An out-of-range index reads position 0 of the source
/// slice (always valid).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn gather_run<T: Copy, I: Element, const NEG: bool>(
    o: *mut T,
    i: *const I,
    s: *const T,
    n: usize,
    [so, si, ss]: [usize; 3],
    sd: usize,
    size: usize,
    ahead: Prefetch,
) -> bool {
    if si == 0 {
        // One index for the whole run (index_select, a broadcast index).
        let (v, bad) = resolve::<NEG>((*i).to_i64(), size);
        let s = s.add(v * sd);
        if so == 1 && ss == 1 {
            std::ptr::copy_nonoverlapping(s, o, n);
        } else {
            for j in 0..n {
                *o.add(j * so) = *s.add(j * ss);
            }
        }
        bad
    } else if so == 1 && si == 1 && ss == 0 {
        // Gathering along the innermost dim: a run reads one slice of the source.
        let next = s.wrapping_add(ahead.step);
        simd(#[inline(always)] move || {
            let mut bad = false;
            for j in 0..n {
                if j < ahead.lines {
                    prefetch(next.wrapping_add(j * ahead.line));
                }
                let (v, b) = resolve::<NEG>((*i.add(j)).to_i64(), size);
                bad |= b;
                *o.add(j) = *s.add(v * sd);
            }
            bad
        })
    } else {
        let mut bad = false;
        for j in 0..n {
            let (v, b) = resolve::<NEG>((*i.add(j * si)).to_i64(), size);
            bad |= b;
            *o.add(j * so) = *s.add(j * ss + v * sd);
        }
        bad
    }
}

/// An operand of a scatter: its strides over the index's shape without the indexed dim
/// (`rows`), and its stride along that dim (`along`).
#[derive(Clone, Copy)]
pub struct Fibres<'a, T> {
    pub ptr: SendPtr<T>,
    pub rows: &'a [usize],
    pub along: usize,
}

impl<'a, T> Fibres<'a, T> {
    pub fn new(ptr: *mut T, rows: &'a [usize], along: usize) -> Self {
        Fibres { ptr: SendPtr(ptr), rows, along }
    }
}

/// `target[row, index[row, k]] = f(target[row, index[row, k]], src[row, k])` for every row
/// (a position of the index's other dims) and every k < `len` (the index's size along the
/// indexed dim), in order of k within a row. Index entries must have been checked; negative
/// ones count from the end of the target's dim of `size`.
///
/// Two entries can only hit the same target element when they share a row, so rows are
/// split across threads and each row's entries are applied in order by one thread: the
/// result is deterministic, and equals the sequential one.
///
/// # Safety
/// Operands must address their elements for `rows_shape` x `len`; the target plus any valid
/// index times `target_dim_stride` must stay inside the target, which must not overlap the
/// index or the source, nor have two rows sharing memory.
#[allow(clippy::too_many_arguments)]
pub unsafe fn scatter<T: Copy + Send + Sync, I: Element>(
    rows_shape: &[usize],
    len: usize,
    target: Fibres<T>,
    target_dim_stride: usize,
    size: usize,
    index: Fibres<I>,
    src: Fibres<T>,
    f: impl Fn(T, T) -> T + Sync,
) {
    let it = StridedIter::new(rows_shape, [target.rows, index.rows, src.rows]);
    let [rt, ri, rs] = it.inner_strides();
    let steps = Steps { rt, ri, rs, ki: index.along, ks: src.along, sd: target_dim_stride, size, len };
    let (pt, pi, ps) = (target.ptr, index.ptr, src.ptr);
    let run = |[ot, oi, os]: [usize; 3], n: usize| {
        // SAFETY: offsets come from the operands' layouts; the caller's contract covers the
        // rest.
        unsafe { scatter_run(pt.get().add(ot), pi.get().add(oi) as *const I, ps.get().add(os) as *const T, n, steps, &f) }
    };
    let rows = it.numel();
    let threads = super::threads::get_num_threads();
    if rows < 2 || rows.saturating_mul(len) < PARALLEL_THRESHOLD || threads <= 1 {
        it.for_each_run(0, rows, run);
        return;
    }
    let chunk = rows.div_ceil(threads * 4).max(1);
    super::pool::parallel_for(rows.div_ceil(chunk), threads, |c| {
        let start = c * chunk;
        it.for_each_run(start, (start + chunk).min(rows), run);
    });
}

/// The strides of a scatter run (rows: `r*`, along the index's dim: `k*`), the target's
/// stride and size along the indexed dim, and the number of entries per row. Passed by value
/// so that the loops keep them in registers (read through a reference, they would be
/// reloaded after every store through the target pointer, which might alias them).
#[derive(Clone, Copy)]
struct Steps {
    rt: usize,
    ri: usize,
    rs: usize,
    ki: usize,
    ks: usize,
    sd: usize,
    size: usize,
    len: usize,
}

/// One run of `n` rows of a scatter from target / index / source bases `t`, `i`, `s`.
///
/// # Safety
/// As for [`scatter`], for this run's rows.
#[inline(always)]
unsafe fn scatter_run<T: Copy, I: Element>(t: *mut T, i: *const I, s: *const T, n: usize, st: Steps, f: &impl Fn(T, T) -> T) {
    let Steps { rt, ri, rs, ki, ks, sd, size, len } = st;
    // Entries were range-checked by the caller; a negative one counts from the end.
    let idx = move |v: I| -> usize {
        let v = v.to_i64();
        (v + ((v >> 63) & size as i64)) as usize
    };
    // Loop over whichever of (rows, k) walks the streamed operands with smaller strides.
    if ks + ki <= rs + ri || n == 1 {
        // A row's targets are random within its slice of the target; when that slice is
        // contiguous and small, fetch the next row's slice into cache while working on this
        // one (one cache line per entry), so the random accesses hit.
        let line = (64 / std::mem::size_of::<T>()).max(1);
        let slice_lines = if sd == 1 && size * std::mem::size_of::<T>() <= PREFETCH_SLICE_BYTES { size.div_ceil(line) } else { 0 };
        for r in 0..n {
            let (t, i, s) = (t.add(r * rt), i.add(r * ri), s.add(r * rs));
            let (next, lines) = (t.wrapping_add(rt), if r + 1 < n { slice_lines.min(len) } else { 0 });
            // Two loops, so that the second (usually most entries) has no prefetch test.
            for k in 0..lines {
                prefetch(next.wrapping_add(k * line));
                let d = t.add(idx(*i.add(k * ki)) * sd);
                *d = f(*d, *s.add(k * ks));
            }
            for k in lines..len {
                let d = t.add(idx(*i.add(k * ki)) * sd);
                *d = f(*d, *s.add(k * ks));
            }
        }
    } else {
        for k in 0..len {
            let (i, s) = (i.add(k * ki), s.add(k * ks));
            if ri == 0 {
                // index_add / index_copy: one target slice per k.
                let d = t.add(idx(*i) * sd);
                if rt == 1 && rs == 1 {
                    simd(#[inline(always)] move || {
                        for r in 0..n {
                            *d.add(r) = f(*d.add(r), *s.add(r));
                        }
                    });
                } else {
                    for r in 0..n {
                        *d.add(r * rt) = f(*d.add(r * rt), *s.add(r * rs));
                    }
                }
            } else {
                for r in 0..n {
                    let d = t.add(r * rt + idx(*i.add(r * ri)) * sd);
                    *d = f(*d, *s.add(r * rs));
                }
            }
        }
    }
}

/// Cache lines to prefetch ahead of a gather run: `lines` lines of `line` elements, `step`
/// elements past the run's source slice.
#[derive(Clone, Copy)]
struct Prefetch {
    step: usize,
    lines: usize,
    line: usize,
}

/// The largest slice (in bytes) that gather and scatter prefetch row by row.
const PREFETCH_SLICE_BYTES: usize = 1 << 14;

/// Asks the CPU to bring the cache line of `p` closer; a hint, never a memory access.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch instruction never faults and has no visible effect, whatever the
    // address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

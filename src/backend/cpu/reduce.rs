//! The reduction engine: one plan (kept dims x reduced dims) and one fold, parallel over
//! outputs when there are many of them, and over chunks of the reduced span when there are few.


use super::iter::{SendPtr, StridedIter, PARALLEL_THRESHOLD};
use crate::layout::Layout;

/// A fold over elements of `T` with a mergeable accumulator.
pub trait Reducer<T: Copy>: Sync {
    type Acc: Copy + Send;
    type Out: Copy;
    fn init(&self) -> Self::Acc;
    /// Folds `x`, the `idx`-th element of the reduced span.
    fn step(&self, acc: Self::Acc, x: T, idx: usize) -> Self::Acc;
    /// Merges the accumulator of a later chunk (`b`) into that of an earlier one (`a`).
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;
    fn finish(&self, acc: Self::Acc, n: usize) -> Self::Out;
    /// Folds a contiguous block; reducers override this with vectorisable code.
    #[inline(always)]
    fn block(&self, mut acc: Self::Acc, xs: &[T], start: usize) -> Self::Acc {
        for (i, &x) in xs.iter().enumerate() {
            acc = self.step(acc, x, start + i);
        }
        acc
    }
}

/// Kept dims then reduced dims, each (size, stride).
pub struct Plan {
    kept: Vec<(usize, usize)>,
    red_shape: Vec<usize>,
    red_strides: Vec<usize>,
    pub outer: usize,
    pub inner: usize,
}

impl Plan {
    /// `reduced[d]` says whether dim d is folded.
    pub fn new(layout: &Layout, reduced: &[bool]) -> Plan {
        let mut kept = vec![];
        let mut red = vec![];
        for (d, (&s, &st)) in layout.shape.iter().zip(&layout.strides).enumerate() {
            if reduced[d] {
                red.push((s, st));
            } else {
                kept.push((s, st));
            }
        }
        let outer = kept.iter().map(|x| x.0).product();
        let inner = red.iter().map(|x| x.0).product();
        Plan {
            kept,
            red_shape: red.iter().map(|x| x.0).collect(),
            red_strides: red.iter().map(|x| x.1).collect(),
            outer,
            inner,
        }
    }

    fn outer_offset(&self, mut o: usize) -> usize {
        let mut off = 0;
        for &(s, st) in self.kept.iter().rev() {
            off += (o % s) * st;
            o /= s;
        }
        off
    }
}

/// Folds positions `[start, end)` of the reduced span that begins at `base`.
///
/// # Safety
/// `base` with the plan's reduced strides must address valid elements.
unsafe fn fold_span<T: Copy, R: Reducer<T>>(
    r: &R,
    it: &StridedIter<1>,
    base: *const T,
    start: usize,
    end: usize,
    mut acc: R::Acc,
) -> R::Acc {
    let [s] = it.inner_strides();
    let mut idx = start;
    it.for_each_run(start, end, |[off], n| {
        // SAFETY: offsets come from the plan's own shape and strides.
        unsafe {
            let p = base.add(off);
            if s == 1 {
                acc = r.block(acc, std::slice::from_raw_parts(p, n), idx);
            } else {
                for i in 0..n {
                    acc = r.step(acc, *p.add(i * s), idx + i);
                }
            }
        }
        idx += n;
    });
    acc
}

/// Runs the reduction, writing `plan.outer` results contiguously to `out`.
///
/// # Safety
/// `base` must be the first element of a tensor laid out as the plan says, and `out` valid
/// for `plan.outer` writes.
pub unsafe fn reduce<T: Copy + Send + Sync, R: Reducer<T>>(plan: &Plan, base: *const T, out: *mut R::Out, r: &R) {
    let it = StridedIter::<1>::new(&plan.red_shape, [&plan.red_strides]);
    let (inner, outer) = (plan.inner, plan.outer);
    let threads = super::threads::get_num_threads();
    let big = inner.saturating_mul(outer) >= PARALLEL_THRESHOLD && threads > 1;
    let (pb, po) = (SendPtr(base as *mut T), SendPtr(out));
    let one = |o: usize| {
        // SAFETY: o < outer; the plan addresses valid elements of the input.
        unsafe {
            let acc = fold_span(r, &it, pb.get().add(plan.outer_offset(o)), 0, inner, r.init());
            *po.get().add(o) = r.finish(acc, inner);
        }
    };
    if !big {
        (0..outer).for_each(one);
    } else if outer >= threads * 2 {
        super::pool::parallel_items(outer, inner, one);
    } else {
        // Few outputs, long spans: split each span into chunks and merge in order.
        for o in 0..outer {
            let chunks = threads * 4;
            let chunk = inner.div_ceil(chunks).max(1);
            let base = SendPtr(pb.get().add(plan.outer_offset(o)));
            let parts: Vec<R::Acc> = super::pool::parallel_map(inner.div_ceil(chunk), threads, |c| {
                let start = c * chunk;
                // SAFETY: [start, end) lies inside the span.
                unsafe { fold_span(r, &it, base.get(), start, (start + chunk).min(inner), r.init()) }
            });
            let acc = parts.into_iter().fold(r.init(), |a, b| r.combine(a, b));
            *po.get().add(o) = r.finish(acc, inner);
        }
    }
}

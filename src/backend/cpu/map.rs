//! Elementwise map kernels over 1, 2 or 3 strided inputs.
//!
//! Each run of elements takes a fast path when every operand is contiguous (or an input is a
//! broadcast scalar); those loops are compiled for the best SIMD level found at run time
//! (pulp's dispatch), so LLVM vectorises them with AVX2/AVX-512 from one portable binary.

use super::iter::{SendPtr, StridedIter};

/// A typed base pointer and strides (in elements) laid over the op's output shape.
pub struct Operand<'a, T> {
    pub ptr: SendPtr<T>,
    pub strides: &'a [usize],
}

impl<'a, T> Operand<'a, T> {
    pub fn new(ptr: *mut T, strides: &'a [usize]) -> Self {
        Operand { ptr: SendPtr(ptr), strides }
    }
}

#[inline(always)]
pub fn simd<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}

/// `out[i] = f(a[i])`.
///
/// # Safety
/// Every operand pointer must be valid for its strides over `shape`; `out` must not overlap
/// `a` unless both have identical layouts.
pub unsafe fn map1<A: Copy, O: Copy>(
    shape: &[usize],
    out: Operand<O>,
    a: Operand<A>,
    f: impl Fn(A) -> O + Sync,
) {
    let it = StridedIter::new(shape, [out.strides, a.strides]);
    let [so, sa] = it.inner_strides();
    let (po, pa) = (out.ptr, a.ptr);
    it.par_runs(|[oo, oa], n| {
        // Capture pointers (and `f` by reference) by value: the closures below are `move`
        // so that LLVM keeps the pointers in registers instead of reloading them after
        // every store, which blocked vectorisation.
        let f = &f;
        // SAFETY: the caller guarantees offsets within bounds; runs are disjoint.
        unsafe {
            let o = po.get().add(oo);
            let x = pa.get().add(oa) as *const A;
            if so == 1 && sa == 1 {
                simd(#[inline(always)] move || {
                    for i in 0..n {
                        *o.add(i) = f(*x.add(i));
                    }
                })
            } else {
                for i in 0..n {
                    *o.add(i * so) = f(*x.add(i * sa));
                }
            }
        }
    });
}

/// `out[i] = f(a[i], b[i])`.
///
/// # Safety
/// As for [`map1`], for both inputs.
pub unsafe fn map2<A: Copy, B: Copy, O: Copy>(
    shape: &[usize],
    out: Operand<O>,
    a: Operand<A>,
    b: Operand<B>,
    f: impl Fn(A, B) -> O + Sync,
) {
    let it = StridedIter::new(shape, [out.strides, a.strides, b.strides]);
    let [so, sa, sb] = it.inner_strides();
    let (po, pa, pb) = (out.ptr, a.ptr, b.ptr);
    it.par_runs(|[oo, oa, ob], n| {
        // Capture pointers (and `f` by reference) by value: the closures below are `move`
        // so that LLVM keeps the pointers in registers instead of reloading them after
        // every store, which blocked vectorisation.
        let f = &f;
        // SAFETY: the caller guarantees offsets within bounds; runs are disjoint.
        unsafe {
            let o = po.get().add(oo);
            let x = pa.get().add(oa) as *const A;
            let y = pb.get().add(ob) as *const B;
            if so == 1 && sa == 1 && sb == 1 {
                simd(#[inline(always)] move || {
                    for i in 0..n {
                        *o.add(i) = f(*x.add(i), *y.add(i));
                    }
                })
            } else if so == 1 && sa == 1 && sb == 0 {
                let yv = *y;
                simd(#[inline(always)] move || {
                    for i in 0..n {
                        *o.add(i) = f(*x.add(i), yv);
                    }
                })
            } else if so == 1 && sa == 0 && sb == 1 {
                let xv = *x;
                simd(#[inline(always)] move || {
                    for i in 0..n {
                        *o.add(i) = f(xv, *y.add(i));
                    }
                })
            } else {
                for i in 0..n {
                    *o.add(i * so) = f(*x.add(i * sa), *y.add(i * sb));
                }
            }
        }
    });
}

/// `out[i] = f(a[i], b[i], c[i])` (where, lerp, clamp with tensor bounds).
///
/// # Safety
/// As for [`map1`], for all three inputs.
pub unsafe fn map3<A: Copy, B: Copy, C: Copy, O: Copy>(
    shape: &[usize],
    out: Operand<O>,
    a: Operand<A>,
    b: Operand<B>,
    c: Operand<C>,
    f: impl Fn(A, B, C) -> O + Sync,
) {
    let it = StridedIter::new(shape, [out.strides, a.strides, b.strides, c.strides]);
    let [so, sa, sb, sc] = it.inner_strides();
    let (po, pa, pb, pc) = (out.ptr, a.ptr, b.ptr, c.ptr);
    it.par_runs(|[oo, oa, ob, oc], n| {
        // Capture pointers (and `f` by reference) by value: the closures below are `move`
        // so that LLVM keeps the pointers in registers instead of reloading them after
        // every store, which blocked vectorisation.
        let f = &f;
        // SAFETY: the caller guarantees offsets within bounds; runs are disjoint.
        unsafe {
            let o = po.get().add(oo);
            let x = pa.get().add(oa) as *const A;
            let y = pb.get().add(ob) as *const B;
            let z = pc.get().add(oc) as *const C;
            if so == 1 && sa == 1 && sb == 1 && sc == 1 {
                simd(#[inline(always)] move || {
                    for i in 0..n {
                        *o.add(i) = f(*x.add(i), *y.add(i), *z.add(i));
                    }
                })
            } else {
                for i in 0..n {
                    *o.add(i * so) = f(*x.add(i * sa), *y.add(i * sb), *z.add(i * sc));
                }
            }
        }
    });
}

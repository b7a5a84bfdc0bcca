//! Cumulative (scan) kernels along one dim of a contiguous (outer, n, inner) buffer, in
//! place: blocks of n * inner are independent and run in parallel.

use super::iter::SendPtr;
use super::pool::chunks_mut;

use crate::dtype::Element;


/// data[i] = combine(data[i - 1], data[i]) along the dim, for every position of `inner`.
pub fn scan<T: Copy + Send + Sync>(data: &mut [T], n: usize, inner: usize, combine: impl Fn(T, T) -> T + Sync) {
    chunks_mut(data, n * inner, |_, b| {
        if inner == 1 {
            // Along the last dim: one running value (no per-element slicing).
            let mut acc = b[0];
            for x in b[1..].iter_mut() {
                acc = combine(acc, *x);
                *x = acc;
            }
            return;
        }
        for i in 1..n {
            let (done, rest) = b.split_at_mut(i * inner);
            let prev = &done[(i - 1) * inner..];
            for (x, &p) in rest[..inner].iter_mut().zip(prev) {
                *x = combine(p, *x);
            }
        }
    });
}

/// Rows scanned side by side along the last dim: their running values are independent, so
/// the CPU overlaps them instead of waiting out one add's latency per element.
const LANES: usize = 8;

/// dst = the running `combine` of src along the dim (the out-of-place form of [`scan`]).
pub fn scan_into<T: Copy + Send + Sync>(src: &[T], dst: &mut [T], n: usize, inner: usize, combine: impl Fn(T, T) -> T + Sync) {
    if n == 0 || inner == 0 {
        return;
    }
    if inner > 1 {
        dst.copy_from_slice(src);
        return scan(dst, n, inner, combine);
    }
    let group = n * LANES;
    let run = |s: &[T], d: &mut [T]| {
        if s.len() < group {
            for (s, d) in s.chunks(n).zip(d.chunks_mut(n)) {
                let mut acc = s[0];
                d[0] = acc;
                for (x, y) in s[1..].iter().zip(&mut d[1..]) {
                    acc = combine(acc, *x);
                    *y = acc;
                }
            }
            return;
        }
        let mut acc: [T; LANES] = std::array::from_fn(|r| s[r * n]);
        for (r, a) in acc.iter().enumerate() {
            d[r * n] = *a;
        }
        for i in 1..n {
            for (r, a) in acc.iter_mut().enumerate() {
                *a = combine(*a, s[r * n + i]);
                d[r * n + i] = *a;
            }
        }
    };
    chunks_mut(dst, group, |k, d| run(&src[k * group..k * group + d.len()], d));
}

/// Running maximum (or minimum) with the position it came from; ties take the later
/// position and NaN, once seen, stays (torch's cummax/cummin).
pub fn scan_extreme<T: Element>(values: &mut [T], indices: &mut [i64], n: usize, inner: usize, max: bool) {
    let block = n * inner;
    if block == 0 {
        return;
    }
    let run = |v: &mut [T], ix: &mut [i64]| {
        for j in 0..inner {
            let (mut best, mut at) = (v[j], 0i64);
            ix[j] = 0;
            for i in 1..n {
                let x = v[i * inner + j];
                #[allow(clippy::eq_op)] // x != x: NaN
                let nan_best = best != best;
                #[allow(clippy::eq_op)]
                let nan_x = x != x;
                // Once NaN, the running value stays NaN and follows each later NaN.
                let take = if nan_best { nan_x } else { nan_x || if max { x >= best } else { x <= best } };
                if take {
                    (best, at) = (x, i as i64);
                }
                v[i * inner + j] = best;
                ix[i * inner + j] = at;
            }
        }
    };
    debug_assert!(indices.len() >= values.len(), "scan_extreme: indices too short");
    if indices.len() < values.len() {
        return;
    }
    let pi = SendPtr(indices.as_mut_ptr());
    chunks_mut(values, block, |k, v| {
        // SAFETY: block k of indices, disjoint from the others; indices is at least as long
        // as values (checked above) and borrowed for the whole loop.
        run(v, unsafe { std::slice::from_raw_parts_mut(pi.get().add(k * block), v.len()) })
    });
}

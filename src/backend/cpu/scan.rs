//! Cumulative (scan) kernels along one dim of a contiguous (outer, n, inner) buffer, in
//! place: blocks of n * inner are independent and run in parallel.

use rayon::prelude::*;

use crate::dtype::Element;

const PARALLEL_NUMEL: usize = 1 << 15;

fn for_blocks<T: Send>(data: &mut [T], block: usize, f: impl Fn(&mut [T]) + Sync) {
    if block == 0 {
        return;
    }
    if data.len() >= PARALLEL_NUMEL && data.len() > block && super::threads::get_num_threads() > 1 {
        data.par_chunks_mut(block).for_each(&f);
    } else {
        data.chunks_mut(block).for_each(f);
    }
}

/// data[i] = combine(data[i - 1], data[i]) along the dim, for every position of `inner`.
pub fn scan<T: Copy + Send + Sync>(data: &mut [T], n: usize, inner: usize, combine: impl Fn(T, T) -> T + Sync) {
    for_blocks(data, n * inner, |b| {
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
    let run = |(s, d): (&[T], &mut [T])| {
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
    if src.len() >= PARALLEL_NUMEL && src.len() > group && super::threads::get_num_threads() > 1 {
        src.par_chunks(group).zip(dst.par_chunks_mut(group)).for_each(run);
    } else {
        src.chunks(group).zip(dst.chunks_mut(group)).for_each(run);
    }
}

/// Running maximum (or minimum) with the position it came from; ties take the later
/// position and NaN, once seen, stays (torch's cummax/cummin).
pub fn scan_extreme<T: Element>(values: &mut [T], indices: &mut [i64], n: usize, inner: usize, max: bool) {
    let block = n * inner;
    if block == 0 {
        return;
    }
    let run = |(v, ix): (&mut [T], &mut [i64])| {
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
    if values.len() >= PARALLEL_NUMEL && values.len() > block && super::threads::get_num_threads() > 1 {
        values.par_chunks_mut(block).zip(indices.par_chunks_mut(block)).for_each(run);
    } else {
        values.chunks_mut(block).zip(indices.chunks_mut(block)).for_each(run);
    }
}

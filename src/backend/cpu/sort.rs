//! Row kernels for sorting and selection: each row of a contiguous (rows, n) buffer is
//! processed independently, rows in parallel. NaN orders above every number, as in torch.

use std::cmp::Ordering;

use super::iter::SendPtr;

use super::radix::{RadixScratch, SortKey};
use crate::dtype::Element;

/// torch's sort order: numbers ascending, NaN last (equal to each other).
#[inline]
pub fn total_cmp<T: Element>(a: &T, b: &T) -> Ordering {
    #[allow(clippy::eq_op)] // x != x is the NaN test for every Element type
    match (a != a, b != b) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    }
}

fn ordering<T: Element>(descending: bool) -> impl Fn(&(T, i64), &(T, i64)) -> Ordering + Copy {
    move |a, b| {
        let o = total_cmp(&a.0, &b.0);
        if descending { o.reverse() } else { o }
    }
}

/// Runs `f(row, values_out, indices_out)` for every row, in parallel when large.
fn for_rows<T: Element>(src: &[T], n: usize, m: usize, values: &mut [T], indices: &mut [i64], f: impl Fn(&[T], &mut [T], &mut [i64]) + Sync) {
    if n == 0 || m == 0 {
        return;
    }
    let rows = src.len() / n;
    debug_assert!(values.len() >= rows * m && indices.len() >= rows * m, "for_rows: outputs too short");
    if values.len() < rows * m || indices.len() < rows * m {
        return;
    }
    let (pv, pi) = (SendPtr(values.as_mut_ptr()), SendPtr(indices.as_mut_ptr()));
    // Sorting costs several passes per element: count each element twice.
    super::pool::parallel_items(rows, 2 * n, |r| {
        // SAFETY: rows are disjoint: row r owns [r * m, (r + 1) * m) of both outputs, which
        // hold at least rows * m elements (checked above).
        let (v, i) = unsafe { (std::slice::from_raw_parts_mut(pv.get().add(r * m), m), std::slice::from_raw_parts_mut(pi.get().add(r * m), m)) };
        f(&src[r * n..(r + 1) * n], v, i)
    });
}

/// Rows from this length on are radix sorted; shorter ones by comparisons, which win while
/// the radix passes' fixed 256-bucket cost dominates.
const RADIX_MIN_LEN: usize = 64;

thread_local! {
    static SCRATCH: std::cell::RefCell<RadixScratch> = std::cell::RefCell::new(RadixScratch::default());
}

/// Sorts every row (stably); writes the sorted values and their original positions.
pub fn sort_rows<T: Element + SortKey>(src: &[T], n: usize, descending: bool, values: &mut [T], indices: &mut [i64]) {
    for_rows(src, n, n, values, indices, |row, v, idx| {
        if n >= RADIX_MIN_LEN && n <= u32::MAX as usize {
            SCRATCH.with_borrow_mut(|scratch| {
                for ((x, i), &p) in v.iter_mut().zip(idx.iter_mut()).zip(scratch.sort(row, descending)) {
                    (*x, *i) = (row[p as usize], p as i64);
                }
            });
            return;
        }
        let mut pairs: Vec<(T, i64)> = row.iter().enumerate().map(|(i, &x)| (x, i as i64)).collect();
        pairs.sort_by(ordering(descending));
        for (j, (x, i)) in pairs.into_iter().enumerate() {
            v[j] = x;
            idx[j] = i;
        }
    });
}

/// The `k` largest (or smallest) of every row, sorted or in selection order.
pub fn topk_rows<T: Element + SortKey>(src: &[T], n: usize, k: usize, largest: bool, sorted: bool, values: &mut [T], indices: &mut [i64]) {
    for_rows(src, n, k, values, indices, |row, v, idx| {
        if k <= TOPK_SCAN_MAX_K && k * 8 <= n && n <= u32::MAX as usize {
            for ((x, i), p) in v.iter_mut().zip(idx.iter_mut()).zip(best_k(row, k, largest)) {
                (*x, *i) = (row[p as usize], p as i64);
            }
            return;
        }
        let mut pairs: Vec<(T, i64)> = row.iter().enumerate().map(|(i, &x)| (x, i as i64)).collect();
        let cmp = ordering(largest);
        if k < n {
            pairs.select_nth_unstable_by(k, cmp);
        }
        let top = &mut pairs[..k];
        if sorted {
            top.sort_by(cmp);
        }
        for (j, &(x, i)) in top.iter().enumerate() {
            v[j] = x;
            idx[j] = i;
        }
    });
}

/// Largest k for which topk collects candidates in one pass (`best_k`) instead of selecting
/// from the whole row.
const TOPK_SCAN_MAX_K: usize = 64;

/// The positions of the `k` (>= 1) best elements of `row`, best first (earlier positions
/// first among equal keys). Candidates that beat the k-th best seen so far are collected and
/// cut back to k now and then, so most elements cost one predictable comparison.
fn best_k<T: SortKey>(row: &[T], k: usize, largest: bool) -> impl Iterator<Item = u32> {
    let flip = if largest { 0 } else { u64::MAX };
    // (key, position) packed so that a larger integer is a better element: one integer
    // comparison instead of a tuple's two.
    let pack = |key: u64, i: usize| (key as u128) << 32 | (u32::MAX - i as u32) as u128;
    let descending = |a: &u128, b: &u128| b.cmp(a);
    let room = 4 * k;
    let mut candidates: Vec<u128> = Vec::with_capacity(room);
    let mut kth_best: Option<u64> = None;
    for (i, x) in row.iter().enumerate() {
        let key = x.sort_key() ^ flip;
        if kth_best.is_some_and(|w| key <= w) {
            continue;
        }
        candidates.push(pack(key, i));
        if candidates.len() == room {
            candidates.select_nth_unstable_by(k - 1, descending);
            candidates.truncate(k);
            kth_best = Some((candidates[k - 1] >> 32) as u64);
        }
    }
    if candidates.len() > k {
        candidates.select_nth_unstable_by(k - 1, descending);
        candidates.truncate(k);
    }
    candidates.sort_unstable_by(descending);
    candidates.into_iter().map(|c| u32::MAX - c as u32)
}

/// Which element of a row `kth_rows` picks.
#[derive(Clone, Copy)]
pub enum Kth {
    /// The k-th smallest (1-based), NaN counting as the largest.
    Fixed(usize),
    /// The lower median; a row holding NaN gives its first NaN.
    Median,
    /// The lower median of the non-NaN entries (NaN when there are none).
    NanMedian,
}

/// The element `kth` picks from every row, and its position.
pub fn kth_rows<T: Element>(src: &[T], n: usize, kth: Kth, values: &mut [T], indices: &mut [i64]) {
    for_rows(src, n, 1, values, indices, |row, v, idx| {
        #[allow(clippy::eq_op)]
        let is_nan = |x: &T| x != x;
        let k = match kth {
            Kth::Fixed(k) => k,
            Kth::Median => match row.iter().position(is_nan) {
                Some(p) => {
                    (v[0], idx[0]) = (row[p], p as i64);
                    return;
                }
                None => (n - 1) / 2 + 1,
            },
            Kth::NanMedian => {
                let numbers = row.iter().filter(|x| !is_nan(x)).count();
                if numbers == 0 {
                    (v[0], idx[0]) = (row[0], 0);
                    return;
                }
                (numbers - 1) / 2 + 1
            }
        };
        let mut pairs: Vec<(T, i64)> = row.iter().enumerate().map(|(i, &x)| (x, i as i64)).collect();
        let (_, &mut (x, i), _) = pairs.select_nth_unstable_by(k - 1, ordering(false));
        v[0] = x;
        idx[0] = i;
    });
}

/// The most frequent value of every row (the smallest among equally frequent ones) and
/// the last position where it occurs.
pub fn mode_rows<T: Element>(src: &[T], n: usize, values: &mut [T], indices: &mut [i64]) {
    for_rows(src, n, 1, values, indices, |row, v, idx| {
        let mut pairs: Vec<(T, i64)> = row.iter().enumerate().map(|(i, &x)| (x, i as i64)).collect();
        pairs.sort_by(ordering(false));
        let (mut best, mut best_count) = (0usize, 0usize);
        let mut start = 0;
        while start < pairs.len() {
            let mut end = start + 1;
            while end < pairs.len() && total_cmp(&pairs[end].0, &pairs[start].0) == Ordering::Equal {
                end += 1;
            }
            if end - start > best_count {
                (best, best_count) = (start, end - start);
            }
            start = end;
        }
        let run = &pairs[best..best + best_count];
        v[0] = run[0].0;
        idx[0] = run.iter().map(|p| p.1).max().unwrap_or(0);
    });
}

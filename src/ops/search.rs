//! Searching and counting: searchsorted, bucketize, bincount, histc, unique and
//! unique_consecutive. None of them is differentiable.

use std::cmp::Ordering;

use crate::backend::cpu::sort::total_cmp;
use crate::dtype::{DType, Element};
use crate::error::{wrap_dim, Error, Result};
use crate::tensor::Tensor;

fn not_implemented(kernel: &str, dtype: DType) -> Error {
    Error::NotImplemented(format!("\"{kernel}\" not implemented for '{}'", dtype.scalar_name()))
}

/// Where each value would be inserted into the sorted last dim of `sorted` to keep it
/// sorted (before equal entries, or after them with `right`). A 1-d `sorted` serves every
/// value; otherwise its leading dims must match `values`'.
pub fn searchsorted(sorted: &Tensor, values: &Tensor, right: bool, out_int32: bool) -> Result<Tensor> {
    sorted.expect_cpu("searchsorted")?;
    if sorted.ndim() == 0 {
        bail!("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
    }
    if sorted.ndim() > 1 {
        if values.ndim() == 0 {
            bail!(
                "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got boundaries tensor dim({}) and input value's dim(0) numel(1)",
                sorted.ndim()
            );
        }
        let lead = |t: &Tensor| t.shape()[..t.ndim() - 1].to_vec();
        if sorted.ndim() != values.ndim() || lead(sorted) != lead(values) {
            bail!(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor {:?} and input value tensor {:?}",
                sorted.shape(),
                values.shape()
            );
        }
    }
    for t in [sorted, values] {
        if t.dtype() == DType::Bool {
            return Err(not_implemented("searchsorted_out_cpu", DType::Bool));
        }
    }
    let seq = sorted.to_vec::<f64>()?;
    let vals = values.to_vec::<f64>()?;
    let n = sorted.shape()[sorted.ndim() - 1];
    let per_row = if sorted.ndim() == 1 { vals.len().max(1) } else { values.shape()[values.ndim() - 1].max(1) };
    let positions: Vec<i64> = vals
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let row = if sorted.ndim() == 1 { &seq[..] } else { &seq[(i / per_row) * n..(i / per_row + 1) * n] };
            // NaN orders last, so a NaN value goes after every entry.
            row.partition_point(|s| match total_cmp(s, v) {
                Ordering::Less => true,
                Ordering::Equal => right,
                Ordering::Greater => false,
            }) as i64
        })
        .collect();
    let out = Tensor::from_vec(positions, values.shape())?;
    if out_int32 { out.to_dtype(DType::I32) } else { Ok(out) }
}

/// The bucket of each input element among 1-d `boundaries` (searchsorted, flipped).
pub fn bucketize(input: &Tensor, boundaries: &Tensor, right: bool, out_int32: bool) -> Result<Tensor> {
    if boundaries.ndim() != 1 {
        bail!("boundaries tensor must be 1 dimension, but got dim({})", boundaries.ndim());
    }
    searchsorted(boundaries, input, right, out_int32)
}

/// How often each value 0..=max occurs in a 1-d non-negative integer tensor (or the sum of
/// `weights` at those positions), at least `minlength` long.
pub fn bincount(input: &Tensor, weights: Option<&Tensor>, minlength: i64) -> Result<Tensor> {
    input.expect_cpu("bincount")?;
    if !input.dtype().is_integral() || input.dtype() == DType::Bool {
        return Err(not_implemented("bincount_cpu", input.dtype()));
    }
    let values = input.to_vec::<i64>()?;
    if input.ndim() != 1 || values.iter().any(|&v| v < 0) {
        bail!("bincount only supports 1-d non-negative integral inputs.");
    }
    if minlength < 0 {
        bail!("minlength should be >= 0");
    }
    if let Some(w) = weights {
        if w.ndim() != 1 || w.numel() != values.len() {
            bail!("weights should be 1-d and have the same length as input");
        }
    }
    let len = values.iter().map(|&v| v as usize + 1).max().unwrap_or(0).max(minlength as usize);
    match weights {
        None => {
            let mut counts = vec![0i64; len];
            for &v in &values {
                counts[v as usize] += 1;
            }
            Tensor::from_vec(counts, &[len])
        }
        Some(w) => {
            let mut sums = vec![0f64; len];
            for (&v, wv) in values.iter().zip(w.to_vec::<f64>()?) {
                sums[v as usize] += wv;
            }
            // float32 weights sum to float32; every other dtype to float64, as in torch.
            let out = Tensor::from_vec(sums, &[len])?;
            if w.dtype() == DType::F32 { out.to_dtype(DType::F32) } else { Ok(out) }
        }
    }
}

/// A histogram of `bins` equal bins over [min, max] (the data's range when both are
/// equal); values outside are ignored. Same dtype as the input.
pub fn histc(input: &Tensor, bins: i64, min: f64, max: f64) -> Result<Tensor> {
    input.expect_cpu("histc")?;
    if !input.dtype().is_floating_point() {
        return Err(not_implemented("histogram_cpu", input.dtype()));
    }
    if bins <= 0 {
        bail!("torch.histogram(): bins must be > 0, but got {bins} for dimension 0");
    }
    if min > max {
        bail!("torch.histc: max must be larger than min");
    }
    let data = input.to_vec::<f64>()?;
    let (mut lo, mut hi) = (min, max);
    if lo == hi && !data.is_empty() {
        lo = data.iter().copied().fold(f64::INFINITY, |a, b| if b < a || b.is_nan() { b } else { a });
        hi = data.iter().copied().fold(f64::NEG_INFINITY, |a, b| if b > a || b.is_nan() { b } else { a });
    }
    if lo == hi {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    if !lo.is_finite() || !hi.is_finite() {
        let show = |v: f64| if v.is_nan() { "nan".to_string() } else { format!("{v}") };
        bail!("torch.histc: range of [{}, {}] is not finite", show(lo), show(hi));
    }
    let nbins = bins as usize;
    let mut counts = vec![0f64; nbins];
    for &x in &data {
        if x >= lo && x <= hi {
            let b = (((x - lo) * nbins as f64) / (hi - lo)) as usize;
            counts[b.min(nbins - 1)] += 1.0;
        }
    }
    Tensor::from_vec(counts, &[nbins])?.to_dtype(input.dtype())
}

/// The result of `unique`: values, and per input slice its index into them, and counts.
pub struct Unique {
    pub values: Tensor,
    pub inverse: Tensor,
    pub counts: Tensor,
}

/// The distinct elements (or slices along `dim`), sorted when `sort`; with `consecutive`,
/// only runs of equal neighbours are merged. NaNs are never equal to each other.
pub fn unique(x: &Tensor, dim: Option<i64>, sort: bool, consecutive: bool) -> Result<Unique> {
    x.expect_cpu("unique")?;
    let (rows_of, d) = match dim {
        None => (x.reshape(&[-1, 1])?, None),
        Some(dim) => {
            let d = wrap_dim(dim, x.ndim())?;
            if x.shape().iter().enumerate().any(|(i, &s)| s == 0 && i != d) {
                bail!("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied");
            }
            let moved = x.movedim(&[d as i64], &[0])?;
            let n = if x.ndim() == 0 { 1 } else { x.shape()[d] };
            let width = x.numel().checked_div(n).unwrap_or(0);
            (moved.reshape(&[n as i64, width as i64])?, Some(d))
        }
    };
    let rows_of = rows_of.detach().contiguous()?;
    let (n, width) = (rows_of.shape()[0], rows_of.shape()[1]);
    let (keep, inverse, counts) = crate::with_dtype!(x.dtype(), T => {
        let data = rows_of.to_vec::<T>()?;
        let rows: Vec<&[T]> = (0..n).map(|i| &data[i * width..(i + 1) * width]).collect();
        group_rows(&rows, sort && !consecutive)
    });
    let kept = Tensor::from_vec(keep.iter().map(|&i| i as i64).collect(), &[keep.len()])?;
    let picked = rows_of.index_select(0, &kept)?;
    let values = match d {
        None => picked.reshape(&[-1])?,
        Some(d) => {
            let mut shape: Vec<i64> = x.movedim(&[d as i64], &[0])?.shape().iter().map(|&s| s as i64).collect();
            if let Some(first) = shape.first_mut() {
                *first = keep.len() as i64;
            }
            picked.reshape(&shape)?.movedim(&[0], &[d as i64])?.contiguous()?
        }
    };
    let inverse_shape: Vec<usize> = match d {
        None => x.shape().to_vec(),
        Some(_) => vec![n],
    };
    Ok(Unique {
        values,
        inverse: Tensor::from_vec(inverse, &inverse_shape)?,
        counts: Tensor::from_vec(counts.clone(), &[counts.len()])?,
    })
}

fn rows_cmp<T: Element>(a: &[T], b: &[T]) -> Ordering {
    a.iter().zip(b).map(|(x, y)| total_cmp(x, y)).find(|o| *o != Ordering::Equal).unwrap_or(Ordering::Equal)
}

fn rows_equal<T: Element>(a: &[T], b: &[T]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y) // NaN != NaN: every NaN stays apart
}

/// Groups equal rows: (first row of each group, in output order; group of each row;
/// size of each group). Sorted order when `sort`, else runs of equal neighbours.
fn group_rows<T: Element>(rows: &[&[T]], sort: bool) -> (Vec<usize>, Vec<i64>, Vec<i64>) {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    if sort {
        order.sort_by(|&a, &b| rows_cmp(rows[a], rows[b]));
    }
    let (mut keep, mut counts) = (Vec::new(), Vec::new());
    let mut inverse = vec![0i64; rows.len()];
    for (pos, &r) in order.iter().enumerate() {
        if pos == 0 || !rows_equal(rows[order[pos - 1]], rows[r]) {
            keep.push(r);
            counts.push(0);
        }
        inverse[r] = keep.len() as i64 - 1;
        if let Some(c) = counts.last_mut() {
            *c += 1;
        }
    }
    (keep, inverse, counts)
}

//! `index_put` / `index_put_`: `self[indices] = values` (or `+=` with `accumulate`) for a
//! tuple of index tensors, as advanced indexing does.

use super::scatter::{Combine, ScatterPlan};
use super::{check_values, fresh_copy, unaliased};
use crate::autograd::formulas::index as grad;
use crate::autograd::record::needs_grad;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::{broadcast_shapes, Dims, Layout};
use crate::ops::binary::check_no_internal_overlap;
use crate::tensor::Tensor;

/// The indices of an `index_put`, resolved: one int64 tensor per indexed leading dim of
/// `self`, broadcast to a common shape, contiguous, negative entries made positive.
pub(crate) struct Positions {
    pub indices: Vec<Tensor>,
    /// The common (broadcast) shape of the index tensors.
    pub shape: Dims,
}

impl Positions {
    /// Flat positions `sum_j indices[j] * strides[j]`, as a 1-d int64 tensor.
    pub fn linear(&self, strides: &[usize]) -> Result<Tensor> {
        let n: usize = self.shape.iter().product();
        let mut flat = vec![0i64; n];
        for (t, &stride) in self.indices.iter().zip(strides) {
            for (acc, v) in flat.iter_mut().zip(t.to_vec::<i64>()?) {
                *acc += v * stride as i64;
            }
        }
        Tensor::from_vec(flat, &[n])
    }

    /// The shape of `self[indices]`: the broadcast index shape, then `self`'s other dims.
    pub fn result_shape(&self, self_shape: &[usize]) -> Dims {
        self.shape.iter().chain(&self_shape[self.indices.len()..]).copied().collect()
    }
}

/// Resolves `indices` (int64, int32, or bool / uint8 masks, which stand for the positions of
/// their true entries) against `target`, with torch's checks and messages.
pub(crate) fn resolve(target: &Tensor, indices: &[Tensor]) -> Result<Positions> {
    let mut ints: Vec<Tensor> = vec![];
    for t in indices {
        t.expect_cpu("index_put")?;
        match t.dtype() {
            DType::I64 | DType::I32 => ints.push(t.clone()),
            DType::Bool | DType::U8 => {
                let at = ints.len();
                for (k, &m) in t.shape().iter().enumerate() {
                    let own = target.shape().get(at + k).copied();
                    if own != Some(m) {
                        return Err(Error::Index(format!(
                            "The shape of the mask {:?} at index {k} does not match the shape of the indexed tensor {:?} at index {}",
                            t.shape(),
                            target.shape(),
                            at + k
                        )));
                    }
                }
                let coords = t.ne(crate::dtype::Scalar::Int(0))?.nonzero()?;
                for k in 0..t.ndim() {
                    ints.push(coords.select(1, k as i64)?);
                }
            }
            _ => return Err(Error::Index("tensors used as indices must be long, int, byte or bool tensors".into())),
        }
    }
    if ints.len() > target.ndim() {
        return Err(Error::Index(format!("too many indices for tensor of dimension {} (got {})", target.ndim(), ints.len())));
    }
    let mut shape = Dims::new();
    for t in &ints {
        shape = broadcast_shapes(&shape, t.shape()).map_err(|_| {
            let shapes: Vec<String> = ints.iter().map(|t| format!("{:?}", t.shape())).collect();
            Error::Index(format!("shape mismatch: indexing tensors could not be broadcast together with shapes {}", shapes.join(", ")))
        })?;
    }
    let mut resolved = Vec::with_capacity(ints.len());
    for (j, t) in ints.iter().enumerate() {
        let size = target.shape()[j];
        check_values(t, size, true, |v| Error::Index(format!("index {v} is out of bounds for dimension {j} with size {size}")))?;
        let wide = t.detach().to_dtype(DType::I64)?.broadcast_to(&shape)?.contiguous()?;
        let values: Vec<i64> = wide.to_vec::<i64>()?.into_iter().map(|v| if v < 0 { v + size as i64 } else { v }).collect();
        resolved.push(Tensor::from_vec(values, &shape)?);
    }
    Ok(Positions { indices: resolved, shape })
}

/// Checks `values` against `target` and the indexing result's shape.
fn check_values_tensor(target: &Tensor, values: &Tensor, result_shape: &[usize]) -> Result<()> {
    values.expect_cpu("index_put")?;
    if values.dtype() != target.dtype() {
        bail!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            target.dtype().scalar_name(),
            values.dtype().scalar_name()
        );
    }
    let sizes: Vec<i64> = result_shape.iter().map(|&d| d as i64).collect();
    if values.layout().expand(&sizes).is_err() {
        bail!("shape mismatch: value tensor of shape {:?} cannot be broadcast to indexing result of shape {result_shape:?}", values.shape());
    }
    Ok(())
}

/// Writes (or adds) `values` into `target` at `positions`.
fn apply(target: &Tensor, positions: &Positions, values: &Tensor, accumulate: bool) -> Result<()> {
    let combine = if accumulate { Combine::Add } else { Combine::Assign };
    let result_shape = positions.result_shape(target.shape());
    let sizes: Vec<i64> = result_shape.iter().map(|&d| d as i64).collect();
    let values = unaliased(values, target)?.detach().expand(&sizes)?;
    if positions.indices.is_empty() {
        // self[()] = values: the whole tensor.
        let v = if accumulate { target.detach().add(&values)? } else { values };
        return target.detach().copy_(&v);
    }
    let n: usize = positions.shape.iter().product();
    if n == 0 || target.numel() == 0 {
        return Ok(());
    }
    let k = positions.indices.len();
    // The target seen as (its storage span along one dim of stride 1) x (its unindexed dims):
    // entry b of the flat positions is the offset of the indexed element.
    let l = target.layout();
    let mut shape = Dims::from_slice(&[l.storage_span()]);
    shape.extend_from_slice(&l.shape[k..]);
    let mut strides = Dims::from_slice(&[1]);
    strides.extend_from_slice(&l.strides[k..]);
    let flat_target = target.with_layout(Layout { shape, strides, offset: l.offset });
    let offsets = positions.linear(&l.strides[..k])?;
    let mut src_shape = vec![n as i64];
    src_shape.extend(sizes[positions.shape.len()..].iter());
    let src = {
        let _off = crate::autograd::GradModeGuard::new(false);
        values.reshape(&src_shape)?
    };
    ScatterPlan::slices(&flat_target, 0, &offsets, &src, false).run(combine)
}

impl Tensor {
    /// `self` with `values` written (or, with `accumulate`, added) at the positions the index
    /// tensors pick: `self[indices] = values` for a tuple of int64 / int32 index tensors
    /// (negative entries count from the end) or bool masks, all broadcast together.
    pub fn index_put(&self, indices: &[Tensor], values: &Tensor, accumulate: bool) -> Result<Tensor> {
        self.expect_cpu("index_put")?;
        let positions = resolve(self, indices)?;
        check_values_tensor(self, values, &positions.result_shape(self.shape()))?;
        let out = fresh_copy(self)?;
        apply(&out, &positions, values, accumulate)?;
        if needs_grad(&[self, values]) && out.dtype().is_floating_point() {
            grad::record_index_put(self, positions, values, accumulate, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::index_put`]; returns `self`.
    pub fn index_put_(&self, indices: &[Tensor], values: &Tensor, accumulate: bool) -> Result<Tensor> {
        self.expect_cpu("index_put_")?;
        self.check_inplace_allowed()?;
        let positions = resolve(self, indices)?;
        check_values_tensor(self, values, &positions.result_shape(self.shape()))?;
        if needs_grad(&[self, values]) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.index_put(indices, values, accumulate));
        }
        check_no_internal_overlap(self)?;
        apply(self, &positions, values, accumulate)?;
        self.bump_version();
        Ok(self.clone())
    }
}

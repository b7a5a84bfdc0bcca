//! Whole slices along a dim, picked by a vector of indices: index_add, index_copy,
//! index_fill, in place and out of place.

use super::scatter::{Combine, ScatterPlan};
use super::{check_values, fresh_copy, is_index_dtype, lift, out_of_bounds, unaliased};
use crate::autograd::formulas::index as grad;
use crate::autograd::record::needs_grad;
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::error::{wrap_dim, Error, Result};
use crate::ops::binary::check_no_internal_overlap;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// index_add's checks (torch's order and messages); returns the wrapped dim.
fn check_add(target: &Tensor, dim: i64, index: &Tensor, source: &Tensor) -> Result<usize> {
    for t in [target, index, source] {
        t.expect_cpu("index_add")?;
    }
    let d = wrap_dim(dim, target.ndim())?;
    if index.ndim() > 1 {
        return Err(Error::Index("index_add_(): Index is supposed to be a vector".into()));
    }
    if !is_index_dtype(index.dtype()) {
        bail!("index_add_(): Expected dtype int32/int64 for index but got: {}", index.dtype().scalar_name());
    }
    if target.dtype() != source.dtype() {
        bail!(
            "index_add_(): self ({}) and source ({}) must have the same scalar type",
            target.dtype().scalar_name(),
            source.dtype().scalar_name()
        );
    }
    let got = if source.ndim() == 0 { 1 } else { source.shape().get(d).copied().unwrap_or(0) };
    if index.numel() != got {
        bail!("index_add_(): Number of indices ({}) should be equal to source.size(dim): ({got}), for dim: {d}", index.numel());
    }
    check_slices(target, d, source, |self_shape, source_shape| {
        Error::Runtime(format!(
            "index_add_(): source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = {self_shape:?} source.shape = {source_shape:?}"
        ))
    })?;
    let size = lift(target).shape()[d];
    check_values(&lift(index), size, false, |v| out_of_bounds(v, d, size))?;
    Ok(d)
}

/// Errors unless `source` has `target`'s shape outside `d` (0-dim counting as 1-d).
fn check_slices(target: &Tensor, d: usize, source: &Tensor, error: impl FnOnce(&[usize], &[usize]) -> Error) -> Result<()> {
    let (t, s) = (lift(target), lift(source));
    let same = t.ndim() == s.ndim() && (0..t.ndim()).all(|k| k == d || t.shape()[k] == s.shape()[k]);
    if same {
        Ok(())
    } else {
        Err(error(target.shape(), source.shape()))
    }
}

/// index_copy's checks; returns the wrapped dim.
fn check_copy(target: &Tensor, dim: i64, index: &Tensor, source: &Tensor) -> Result<usize> {
    for t in [target, index, source] {
        t.expect_cpu("index_copy")?;
    }
    let d = wrap_dim(dim, target.ndim())?;
    if index.ndim() > 1 {
        return Err(Error::Index(format!("index_copy_(): Index should have dimension 1 or 0 (got {})", index.ndim())));
    }
    if index.dtype() != DType::I64 {
        bail!("index_copy_(): Expected a long tensor for index, but got {}", index.dtype().scalar_name());
    }
    let got = if source.ndim() == 0 { 1 } else { source.shape().get(d).copied().unwrap_or(0) };
    if index.numel() != got {
        return Err(Error::Index(format!(
            "index_copy_(): Number of indices ({}) should be equal to source.size(dim) ({got})",
            index.numel()
        )));
    }
    if target.dtype() != source.dtype() {
        bail!(
            "index_copy_(): self and source expected to have the same dtype, but got (self) {} and (source) {}",
            target.dtype().scalar_name(),
            source.dtype().scalar_name()
        );
    }
    check_slices(target, d, source, |self_shape, source_shape| {
        Error::Index(format!(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: {self_shape:?} at dimension {d} and source slice shape: {source_shape:?} at dimension {d}."
        ))
    })?;
    let size = lift(target).shape()[d];
    check_values(&lift(index), size, false, |v| {
        Error::Index(format!("index_copy_(): index {v} is out of bounds for dimension {d} with size {size}"))
    })?;
    Ok(d)
}

/// index_fill's checks; returns the wrapped dim and the value as a scalar.
fn check_fill(target: &Tensor, dim: i64, index: &Tensor, value: Arg) -> Result<(usize, Scalar)> {
    target.expect_cpu("index_fill")?;
    index.expect_cpu("index_fill")?;
    if index.dtype() != DType::I64 {
        return Err(Error::Index("index_fill_(): Expected dtype int64 for index.".into()));
    }
    let v = match value {
        Arg::Scalar(s) => s,
        Arg::Tensor(t) if t.ndim() == 0 => t.item()?,
        Arg::Tensor(t) => bail!("index_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).", t.ndim()),
    };
    if index.ndim() > 1 {
        bail!("Index has to be a vector/scalar");
    }
    let d = wrap_dim(dim, target.ndim())?;
    let size = lift(target).shape()[d];
    check_values(&lift(index), size, true, |v| Error::Index(format!("index {v} is out of bounds for dimension {d} with size {size}")))?;
    Ok((d, v))
}

/// Runs a slice scatter of `source` (or a value) into `target`.
fn apply(target: &Tensor, d: usize, index: &Tensor, source: Arg, combine: Combine) -> Result<()> {
    if index.numel() == 0 {
        return Ok(());
    }
    let t = lift(target);
    let i = lift(&unaliased(index, target)?);
    let (s, broadcast) = match source {
        Arg::Tensor(s) => (lift(&unaliased(s, target)?), false),
        Arg::Scalar(v) => (lift(&crate::ops::creation::full(&[], v, target.dtype(), Device::Cpu)?), true),
    };
    ScatterPlan::slices(&t, d, &i, &s, broadcast).run(combine)
}

/// index_add's combine for `alpha`.
fn add_combine(target: &Tensor, alpha: Scalar) -> Result<Combine> {
    if alpha.is_float() && !target.dtype().is_floating_point() {
        bail!("For integral input tensors, argument alpha must not be a floating point number.");
    }
    Ok(if alpha == Scalar::Int(1) || alpha == Scalar::Float(1.0) { Combine::Add } else { Combine::AddScaled(alpha) })
}

impl Tensor {
    /// `self` with `alpha * source` added to the slices along `dim` at the positions in
    /// `index` (int32 or int64, in range, not negative; duplicates add up): slice `k` of
    /// `source` goes to slice `index[k]`.
    pub fn index_add(&self, dim: i64, index: &Tensor, source: &Tensor, alpha: Scalar) -> Result<Tensor> {
        let d = check_add(self, dim, index, source)?;
        let combine = add_combine(self, alpha)?;
        let out = fresh_copy(self)?;
        apply(&out, d, index, Arg::Tensor(source), combine)?;
        if needs_grad(&[self, source]) && out.dtype().is_floating_point() {
            grad::record_index_add(self, d, index, source, alpha, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::index_add`]; returns `self`.
    pub fn index_add_(&self, dim: i64, index: &Tensor, source: &Tensor, alpha: Scalar) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        let d = check_add(self, dim, index, source)?;
        let combine = add_combine(self, alpha)?;
        if needs_grad(&[self, source]) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.index_add(dim, index, source, alpha));
        }
        check_no_internal_overlap(self)?;
        apply(self, d, index, Arg::Tensor(source), combine)?;
        self.bump_version();
        Ok(self.clone())
    }

    /// `self` with the slices along `dim` at the positions in `index` (int64, in range, not
    /// negative) replaced by the slices of `source`, in order.
    pub fn index_copy(&self, dim: i64, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        let d = check_copy(self, dim, index, source)?;
        let out = fresh_copy(self)?;
        apply(&out, d, index, Arg::Tensor(source), Combine::Assign)?;
        if needs_grad(&[self, source]) && out.dtype().is_floating_point() {
            grad::record_index_copy(self, d, index, source, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::index_copy`]; returns `self`.
    pub fn index_copy_(&self, dim: i64, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        let d = check_copy(self, dim, index, source)?;
        if needs_grad(&[self, source]) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.index_copy(dim, index, source));
        }
        check_no_internal_overlap(self)?;
        apply(self, d, index, Arg::Tensor(source), Combine::Assign)?;
        self.bump_version();
        Ok(self.clone())
    }

    /// `self` with the slices along `dim` at the positions in `index` (int64; negative
    /// entries count from the end) set to `value` (a number or a 0-dim tensor).
    pub fn index_fill(&self, dim: i64, index: &Tensor, value: Arg) -> Result<Tensor> {
        let (d, v) = check_fill(self, dim, index, value)?;
        let out = fresh_copy(self)?;
        apply(&out, d, index, Arg::Scalar(v), Combine::Assign)?;
        let value_t = match value {
            Arg::Tensor(t) => Some(t),
            Arg::Scalar(_) => None,
        };
        let tracked: Vec<&Tensor> = std::iter::once(self).chain(value_t).collect();
        if needs_grad(&tracked) && out.dtype().is_floating_point() {
            grad::record_index_fill(self, d, index, value_t, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::index_fill`]; returns `self`.
    pub fn index_fill_(&self, dim: i64, index: &Tensor, value: Arg) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        let (d, v) = check_fill(self, dim, index, value)?;
        let tracked: Vec<&Tensor> = std::iter::once(self).chain(match value {
            Arg::Tensor(t) => Some(t),
            Arg::Scalar(_) => None,
        }).collect();
        if needs_grad(&tracked) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.index_fill(dim, index, value));
        }
        check_no_internal_overlap(self)?;
        apply(self, d, index, Arg::Scalar(v), Combine::Assign)?;
        self.bump_version();
        Ok(self.clone())
    }
}

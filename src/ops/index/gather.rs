//! Reading through an index: index_select, take, take_along_dim, gather.

use super::{first_bad, is_index_dtype, lift, out_of_bounds, with_index_dtype};
use crate::autograd::formulas::index as grad;
use crate::autograd::record::needs_grad;
use crate::backend::cpu::index::gather;
use crate::backend::cpu::map::Operand;
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::error::{wrap_dim, Error, Result};
use crate::layout::{broadcast_shapes, Dims, Layout};
use crate::tensor::Tensor;

/// Where the gather kernel reads: `src` laid over the output's shape with `strides` (0
/// along the indexed dim), plus the index value times `dim_stride`, for a dim of `size`.
struct Source<'a> {
    src: &'a Tensor,
    strides: &'a [usize],
    dim_stride: usize,
    size: usize,
}

/// A fresh tensor of `shape`: `src` read through `index` (laid over `shape` with
/// `index_strides`). `None` when some index is out of range.
fn gather_through(shape: &[usize], from: Source, index: &Tensor, index_strides: &[usize], allow_negative: bool) -> Result<Option<Tensor>> {
    let out = Tensor::empty(shape, from.src.dtype(), Device::Cpu)?;
    let ok = crate::with_dtype!(from.src.dtype(), T => with_index_dtype!(index.dtype(), I => {
        let (po, pi, ps) = (out.cpu_ptr::<T>()?, index.cpu_ptr::<I>()?, from.src.cpu_ptr::<T>()?);
        // SAFETY: out is fresh with `shape`; the index strides address the index's elements
        // over `shape`; the source strides stay inside the source for coordinates within
        // `shape` (checked by the callers), and the kernel only adds in-range index values
        // times the source's stride along its dim of `size`.
        unsafe {
            gather::<T, I>(shape, Operand::new(po, out.strides()), Operand::new(pi, index_strides),
                Operand::new(ps, from.strides), from.dim_stride, from.size, allow_negative)
        }
    }));
    Ok(ok.then_some(out))
}

/// `t` (the result of an op on a 0-dim input) given the 0-dim shape back.
fn scalar_shaped(t: Tensor, zero_dim: bool) -> Tensor {
    if zero_dim {
        let offset = t.storage_offset();
        t.with_layout(Layout { shape: Dims::new(), strides: Dims::new(), offset })
    } else {
        t
    }
}

/// Whether `out` gets a backward: a floating result of an input that requires grad.
fn differentiable(input: &Tensor, out: &Tensor) -> bool {
    needs_grad(&[input]) && out.dtype().is_floating_point()
}

impl Tensor {
    /// The slices of `self` along `dim` at the positions in `index` (a vector of int32 or
    /// int64, in range, not negative), in that order: `torch.index_select`.
    pub fn index_select(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        self.expect_cpu("index_select")?;
        index.expect_cpu("index_select")?;
        if !is_index_dtype(index.dtype()) {
            bail!("index_select(): Expected dtype int32 or int64 for index");
        }
        if index.ndim() > 1 {
            return Err(Error::Index("index_select(): Index is supposed to be a vector".into()));
        }
        let d = wrap_dim(dim, self.ndim())?;
        if self.ndim() == 0 && index.numel() != 1 {
            bail!("index_select(): Index to scalar can have only 1 value, got {} value(s)", index.numel());
        }
        let (x, idx) = (lift(self), lift(index));
        let mut shape: Dims = Dims::from_slice(x.shape());
        shape[d] = idx.numel();
        let mut src_strides = x.strides().to_vec();
        src_strides[d] = 0;
        // The index laid over the output: it moves along `dim` only.
        let mut index_strides = vec![0; shape.len()];
        index_strides[d] = idx.strides()[0];
        let from = Source { src: &x, strides: &src_strides, dim_stride: x.strides()[d], size: x.shape()[d] };
        let out = gather_through(&shape, from, &idx, &index_strides, false)?
            .ok_or_else(|| Error::Index("index out of range in self".into()))?;
        let out = scalar_shaped(out, self.ndim() == 0);
        if differentiable(self, &out) {
            grad::record_index_select(self, d, index, &out)?;
        }
        Ok(out)
    }

    /// The elements of `self`, read as a flat row-major vector, at the positions in `index`
    /// (int64; negative entries count from the end), shaped like `index`: `torch.take`.
    pub fn take(&self, index: &Tensor) -> Result<Tensor> {
        self.expect_cpu("take")?;
        index.expect_cpu("take")?;
        if index.dtype() != DType::I64 {
            bail!("take(): Expected a long tensor for index, but got {}", index.dtype().scalar_name());
        }
        let n = self.numel();
        if n == 0 && index.numel() > 0 {
            return Err(Error::Index("take(): tried to take from an empty tensor".into()));
        }
        let flat = {
            let _off = crate::autograd::GradModeGuard::new(false);
            self.detach().contiguous()?
        };
        let zeros = vec![0; index.ndim()];
        let from = Source { src: &flat, strides: &zeros, dim_stride: 1, size: n };
        let Some(out) = gather_through(index.shape(), from, index, index.strides(), true)? else {
            let v = first_bad(index, n, true)?.unwrap_or_default();
            return Err(Error::Index(format!("out of range: tried to access index {v} on a tensor of {n} elements.")));
        };
        if differentiable(self, &out) {
            grad::record_take(self, index, &out)?;
        }
        Ok(out)
    }

    /// `self` read along `dim` at the positions in `index` (int32 or int64, no negatives):
    /// `out[i][j][k] = self[index[i][j][k]][j][k]` for dim 0, and so on. `index` has
    /// `self`'s number of dims and is no larger outside `dim`: `torch.gather`.
    pub fn gather(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        self.expect_cpu("gather")?;
        index.expect_cpu("gather")?;
        let d = wrap_dim(dim, self.ndim())?;
        if index.numel() == 0 {
            // torch checks nothing more for an empty index.
            return Tensor::empty(index.shape(), self.dtype(), Device::Cpu);
        }
        if !is_index_dtype(index.dtype()) {
            bail!("gather(): Expected dtype int32/int64 for index");
        }
        if self.ndim().max(1) != index.ndim().max(1) {
            bail!("Index tensor must have the same number of dimensions as input tensor");
        }
        let (x, idx) = (lift(self), lift(index));
        for i in (0..x.ndim()).filter(|&i| i != d) {
            if idx.shape()[i] > x.shape()[i] {
                bail!(
                    "Size does not match at dimension {i} expected index {:?} to be no larger than self {:?} apart from dimension {d}",
                    index.shape(),
                    self.shape()
                );
            }
        }
        let size = x.shape()[d];
        let out = gather_along(&x, d, &idx, false)?;
        let Some(out) = out else {
            return Err(out_of_bounds(first_bad(&idx, size, false)?.unwrap_or_default(), d, size));
        };
        let out = scalar_shaped(out, index.ndim() == 0);
        if differentiable(self, &out) {
            grad::record_gather(self, d, index, &out)?;
        }
        Ok(out)
    }

    /// `self` read along `dim` at `indices` (int64; negative entries count from the end),
    /// the two broadcast against each other outside `dim`; without a dim, the flattened
    /// `self` at the flattened `indices`: `torch.take_along_dim`.
    pub fn take_along_dim(&self, indices: &Tensor, dim: Option<i64>) -> Result<Tensor> {
        if indices.dtype() != DType::I64 {
            bail!("take_along_dim(): dtype of indices should be Long but got {}", indices.dtype().scalar_name());
        }
        let Some(dim) = dim else {
            return self.reshape(&[-1])?.gather(0, &indices.reshape(&[-1])?);
        };
        if self.ndim() != indices.ndim() {
            bail!(
                "torch.take_along_dim(): input and indices should have the same number of dimensions, but got {} dimensions for input, and {} dimensions for indices",
                self.ndim(),
                indices.ndim()
            );
        }
        let d = wrap_dim(dim, self.ndim())?;
        let (x, idx) = if self.ndim() == 0 {
            (self.clone(), indices.clone())
        } else {
            let mut s = self.shape().to_vec();
            s[d] = indices.shape()[d];
            let index_shape = broadcast_shapes(&s, indices.shape())?;
            let mut t = indices.shape().to_vec();
            t[d] = self.shape()[d];
            let self_shape = broadcast_shapes(&t, self.shape())?;
            (self.broadcast_to(&self_shape)?, indices.broadcast_to(&index_shape)?)
        };
        let size = lift(self).shape()[d] as i64;
        let negative = idx.lt(Scalar::Int(0))?;
        let idx = if negative.any_true()? { idx.add(&negative.to_dtype(DType::I64)?.mul(Scalar::Int(size))?)? } else { idx };
        x.gather(dim, &idx)
    }

    /// True when some element is true (a bool tensor's `any()`, as a Rust bool).
    fn any_true(&self) -> Result<bool> {
        Ok(self.all_dims(None, false, false)?.item()?.to_i64() != 0)
    }
}

/// `x` (at least 1-d) gathered along `d` through `idx` (same ndim, no larger outside `d`).
/// `None` when an index is out of range.
fn gather_along(x: &Tensor, d: usize, idx: &Tensor, allow_negative: bool) -> Result<Option<Tensor>> {
    let mut src_strides = x.strides().to_vec();
    src_strides[d] = 0;
    let from = Source { src: x, strides: &src_strides, dim_stride: x.strides()[d], size: x.shape()[d] };
    gather_through(idx.shape(), from, idx, idx.strides(), allow_negative)
}

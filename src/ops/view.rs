//! Views: new layouts over the same storage, never a copy (reshape copies only when it must).

use crate::autograd::formulas::view::{record_view, ViewKind, ViewShape};
use crate::error::{wrap_dim, Error, Result};
use crate::layout::{fmt_shape, infer_shape, Layout};
use crate::tensor::Tensor;

impl Tensor {
    /// `self` seen through `layout`, recorded for autograd as the view `kind`.
    pub(crate) fn view_as_kind(&self, layout: Layout, kind: ViewKind) -> Tensor {
        let out = self.with_layout(layout);
        if crate::autograd::is_grad_enabled() {
            // Remembered even when nothing requires grad yet: a later in-place write of a
            // tensor that does (x[0:2].copy_(w)) must give the base a history.
            crate::autograd::meta::set_view_of(&out, self, kind.clone());
            if self.requires_grad() {
                record_view(kind, self, &out);
            }
        }
        out
    }

    fn shape_i64(&self) -> ViewShape {
        self.shape().iter().map(|&d| d as i64).collect()
    }

    /// A view with a new shape (one dim may be -1); errors when the strides do not allow it.
    pub fn view(&self, shape: &[i64]) -> Result<Tensor> {
        let shape = infer_shape(shape, self.numel())?;
        match self.layout().view(&shape) {
            Some(l) => {
                let target: ViewShape = l.shape.iter().map(|&d| d as i64).collect();
                Ok(self.view_as_kind(l, ViewKind::Reshape("ViewBackward0", target)))
            }
            None => Err(Error::Runtime(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.".into(),
            )),
        }
    }

    /// Like `view`, but copies when the layout cannot be viewed.
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        let s = infer_shape(shape, self.numel())?;
        match self.layout().view(&s) {
            Some(l) => {
                let target: ViewShape = l.shape.iter().map(|&d| d as i64).collect();
                Ok(self.view_as_kind(l, ViewKind::Reshape("ViewBackward0", target)))
            }
            None => {
                let c = {
                    let _off = crate::autograd::GradModeGuard::new(false);
                    self.contiguous()?
                };
                let out = c.with_layout(Layout::contiguous(&s));
                if crate::autograd::record::needs_grad(&[self]) {
                    record_view(ViewKind::Reshape("UnsafeViewBackward0", out.shape_i64()), self, &out);
                }
                Ok(out)
            }
        }
    }

    pub fn flatten(&self, start_dim: i64, end_dim: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            return self.reshape(&[1]);
        }
        let (s, e) = (wrap_dim(start_dim, self.ndim())?, wrap_dim(end_dim, self.ndim())?);
        if s > e {
            bail!("flatten() has invalid args: start_dim cannot come after end_dim");
        }
        let mut shape: Vec<i64> = self.shape()[..s].iter().map(|&d| d as i64).collect();
        shape.push(self.shape()[s..=e].iter().product::<usize>() as i64);
        shape.extend(self.shape()[e + 1..].iter().map(|&d| d as i64));
        self.reshape(&shape)
    }

    pub fn unflatten(&self, dim: i64, sizes: &[i64]) -> Result<Tensor> {
        let d = wrap_dim(dim, self.ndim())?;
        if sizes.is_empty() {
            bail!("unflatten: sizes must be non-empty");
        }
        let inner = infer_shape(sizes, self.shape()[d]).map_err(|_| {
            Error::Runtime(format!(
                "unflatten: Provided sizes {sizes:?} don't multiply up to the size of dim {dim} ({}) in the input tensor",
                self.shape()[d]
            ))
        })?;
        let mut shape: Vec<i64> = self.shape()[..d].iter().map(|&x| x as i64).collect();
        shape.extend(inner.iter().map(|&x| x as i64));
        shape.extend(self.shape()[d + 1..].iter().map(|&x| x as i64));
        self.view(&shape).or_else(|_| self.reshape(&shape))
    }

    pub fn squeeze(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        let l = self.layout().squeeze(dims)?;
        let name = if dims.is_some() { "SqueezeBackward1" } else { "SqueezeBackward0" };
        let target: ViewShape = l.shape.iter().map(|&d| d as i64).collect();
        Ok(self.view_as_kind(l, ViewKind::Reshape(name, target)))
    }

    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        let l = self.layout().unsqueeze(dim)?;
        let target: ViewShape = l.shape.iter().map(|&d| d as i64).collect();
        Ok(self.view_as_kind(l, ViewKind::Reshape("UnsqueezeBackward0", target)))
    }

    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Tensor> {
        Ok(self.view_as_kind(self.layout().transpose(d0, d1)?, ViewKind::Transpose("TransposeBackward0", d0, d1)))
    }

    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        Ok(self.view_as_kind(self.layout().permute(dims)?, ViewKind::Permute(ViewShape::from_slice(dims))))
    }

    /// Transpose of a matrix (0-d and 1-d tensors are returned as is).
    pub fn t(&self) -> Result<Tensor> {
        if self.ndim() > 2 {
            bail!("t() expects a tensor with <= 2 dimensions, but self is {}D", self.ndim());
        }
        if self.ndim() < 2 {
            // A new view all the same (not `self`): t_() on it must not change `self`.
            return Ok(self.view_as_kind(self.layout().clone(), ViewKind::Reshape("TBackward0", self.shape_i64())));
        }
        Ok(self.view_as_kind(self.layout().transpose(0, 1)?, ViewKind::Transpose("TBackward0", 0, 1)))
    }

    /// Transpose of the last two dims (`.mT`).
    pub fn mt(&self) -> Result<Tensor> {
        if self.ndim() < 2 {
            bail!("tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.", self.ndim());
        }
        self.transpose(-2, -1)
    }

    /// Reverses all dims (`.T`, deprecated in torch for ndim != 2 but still supported).
    pub fn reverse_dims(&self) -> Result<Tensor> {
        let dims: Vec<i64> = (0..self.ndim() as i64).rev().collect();
        self.permute(&dims)
    }

    pub fn expand(&self, sizes: &[i64]) -> Result<Tensor> {
        let layout = self.layout().expand(sizes)?;
        let shape = layout.shape.iter().map(|&d| d as i64).collect();
        Ok(self.view_as_kind(layout, ViewKind::Expand(shape)))
    }

    pub fn expand_as(&self, other: &Tensor) -> Result<Tensor> {
        self.expand(&other.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())
    }

    /// Broadcasts to a shape (`torch.broadcast_to`).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        self.expand(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>()).map_err(|_| {
            Error::Runtime(format!(
                "The expanded size of the tensor must match the existing size: cannot broadcast {} to {}",
                fmt_shape(self.shape()),
                fmt_shape(shape)
            ))
        })
    }

    pub fn narrow(&self, dim: i64, start: i64, length: i64) -> Result<Tensor> {
        Ok(self.view_as_kind(self.layout().narrow(dim, start, length)?, ViewKind::Narrow { dim, start, length }))
    }

    pub fn select(&self, dim: i64, index: i64) -> Result<Tensor> {
        Ok(self.view_as_kind(self.layout().select(dim, index)?, ViewKind::Select { dim, index }))
    }

    /// `self[..., start:stop:step, ...]` along `dim`.
    pub fn slice(&self, dim: i64, start: i64, stop: i64, step: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::Index("slice() cannot be applied to a 0-dim tensor.".into()));
        }
        let d = wrap_dim(dim, self.ndim())?;
        Ok(self.view_as_kind(self.layout().slice(d, start, stop, step)?, ViewKind::Slice { dim: d as i64, start, stop, step }))
    }

    /// Sliding windows of `size` every `step` along `dim`, as a new last dim.
    pub fn unfold(&self, dim: i64, size: usize, step: usize) -> Result<Tensor> {
        let layout = self.layout().unfold(dim, size, step)?;
        let dim = if self.ndim() == 0 { 0 } else { wrap_dim(dim, self.ndim())? as i64 };
        Ok(self.view_as_kind(layout, ViewKind::Unfold { dim, size, step }))
    }
}

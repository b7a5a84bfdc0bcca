//! Ops whose result depends on where a mask (or the data) is nonzero: masked_select,
//! masked_scatter, nonzero, argwhere.

use super::{fresh_copy, unaliased};
use crate::autograd::formulas::index as grad;
use crate::autograd::record::needs_grad;
use crate::backend::cpu::compact;
use crate::backend::cpu::map::Operand;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::ops::binary::check_no_internal_overlap;
use crate::tensor::Tensor;

/// `t` expanded to `shape` (a view; no autograd record).
fn expanded(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let sizes: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    Ok(t.with_layout(t.layout().expand(&sizes)?))
}

/// Writes the source's first elements into `target` where `mask` (broadcast to it) is true.
fn scatter_masked(target: &Tensor, mask: &Tensor, source: &Tensor) -> Result<()> {
    let m = expanded(mask, target.shape())?;
    // SAFETY: m is a view laid over target's shape.
    let ones = unsafe { compact::count_true(target.shape(), Operand::new(m.cpu_ptr::<bool>()?, m.strides())) };
    if ones > source.numel() {
        bail!("Number of elements of source < number of ones in mask");
    }
    let src = {
        let _off = crate::autograd::GradModeGuard::new(false);
        unaliased(source, target)?.detach().contiguous()?
    };
    crate::with_dtype!(target.dtype(), T => {
        let (pt, pm, ps) = (target.cpu_ptr::<T>()?, m.cpu_ptr::<bool>()?, src.cpu_ptr::<T>()?);
        // SAFETY: target and m share target's shape; target has no internal overlap (checked
        // by the callers) and does not share memory with the contiguous src, which holds at
        // least `ones` elements.
        unsafe { compact::masked_scatter::<T>(target.shape(), Operand::new(pt, target.strides()), Operand::new(pm, m.strides()), ps) }
    });
    Ok(())
}

/// masked_scatter's checks: a bool mask, matching dtypes.
fn check_scatter(target: &Tensor, mask: &Tensor, source: &Tensor) -> Result<()> {
    for t in [target, mask, source] {
        t.expect_cpu("masked_scatter")?;
    }
    if mask.dtype() != DType::Bool {
        bail!("masked_scatter_ only supports boolean masks, but got mask with dtype {}", mask.dtype().scalar_name());
    }
    if source.dtype() != target.dtype() {
        bail!(
            "masked_scatter: expected self and source to have same dtypes but got {} and {}",
            target.dtype().scalar_name(),
            source.dtype().scalar_name()
        );
    }
    Ok(())
}

impl Tensor {
    /// The elements of `self` where `mask` (bool) is true, both broadcast together, as a 1-d
    /// tensor in row-major order.
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        self.expect_cpu("masked_select")?;
        mask.expect_cpu("masked_select")?;
        if mask.dtype() != DType::Bool {
            bail!("masked_select: expected BoolTensor for mask");
        }
        let shape = broadcast_shapes(mask.shape(), self.shape())?;
        let (x, m) = (expanded(self, &shape)?, expanded(mask, &shape)?);
        let out = crate::with_dtype!(self.dtype(), T => {
            let (px, pm) = (x.cpu_ptr::<T>()?, m.cpu_ptr::<bool>()?);
            // SAFETY: both are views laid over `shape`.
            let values = unsafe { compact::masked_select::<T>(&shape, Operand::new(px, x.strides()), Operand::new(pm, m.strides())) };
            let n = values.len();
            Tensor::from_vec(values, &[n])?
        });
        if needs_grad(&[self]) && out.dtype().is_floating_point() {
            grad::record_masked_select(self, mask, &shape, &out)?;
        }
        Ok(out)
    }

    /// `self` (broadcast with `mask`) with the elements where `mask` is true replaced, in
    /// row-major order, by the first elements of `source` (read in row-major order).
    pub fn masked_scatter(&self, mask: &Tensor, source: &Tensor) -> Result<Tensor> {
        check_scatter(self, mask, source)?;
        let shape = broadcast_shapes(mask.shape(), self.shape())?;
        let out = fresh_copy(&expanded(self, &shape)?)?;
        scatter_masked(&out, mask, source)?;
        if needs_grad(&[self, source]) && out.dtype().is_floating_point() {
            grad::record_masked_scatter(self, mask, source, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::masked_scatter`]: `mask` must broadcast to `self`'s shape.
    pub fn masked_scatter_(&self, mask: &Tensor, source: &Tensor) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        check_scatter(self, mask, source)?;
        expanded(mask, self.shape())?;
        if needs_grad(&[self, source]) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.masked_scatter(mask, source));
        }
        check_no_internal_overlap(self)?;
        scatter_masked(self, mask, source)?;
        self.bump_version();
        Ok(self.clone())
    }

    /// The coordinates of the nonzero elements, one row each in row-major order: an
    /// `n x ndim` int64 tensor (`torch.nonzero`, `torch.argwhere`).
    pub fn nonzero(&self) -> Result<Tensor> {
        self.expect_cpu("nonzero")?;
        let ndim = self.ndim();
        crate::with_dtype!(self.dtype(), T => {
            let p = self.cpu_ptr::<T>()?;
            // SAFETY: the tensor's own layout.
            let (coords, n) = unsafe { compact::nonzero::<T>(self.shape(), Operand::new(p, self.strides())) };
            Tensor::from_vec(coords, &[n, ndim])
        })
    }

    /// `nonzero(as_tuple=True)`: one 1-d tensor of coordinates per dim (a 0-dim tensor
    /// counts as 1-d).
    pub fn nonzero_tuple(&self) -> Result<Vec<Tensor>> {
        let x = super::lift(self);
        let coords = x.nonzero()?;
        (0..x.ndim()).map(|d| coords.select(1, d as i64)?.contiguous()).collect()
    }
}

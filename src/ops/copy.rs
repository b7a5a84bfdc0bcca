//! Copies and casts: copy_, contiguous, clone, to(dtype), to(device).

use crate::backend::cpu::map::{map1, Operand};
use crate::device::Device;
use crate::dtype::{cast, DType, Element};
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Copies `src` (already broadcast to `dst`'s shape) into `dst`, casting on the way.
/// Both on the CPU; an overlapping `src` must have been cloned by the caller.
fn cpu_copy(dst: &Tensor, src_layout: &Layout, src: &Tensor) -> Result<()> {
    let shape = dst.shape().to_vec();
    let src = src.with_layout(src_layout.clone());
    crate::with_dtype!(dst.dtype(), D => crate::with_dtype!(src.dtype(), S => {
        let (pd, ps) = (dst.cpu_ptr::<D>()?, src.cpu_ptr::<S>()?);
        if D::DTYPE == S::DTYPE && dst.is_contiguous() && src.is_contiguous() && src.strides() == dst.strides() {
            // SAFETY: both are contiguous runs of numel elements of the same type; they do
            // not overlap (checked by the caller).
            unsafe { crate::backend::cpu::bulk::copy(ps.cast::<u8>(), pd.cast::<u8>(), dst.numel() * D::DTYPE.size()) };
        } else {
            // SAFETY: layouts are valid views of their storages; src does not overlap dst.
            unsafe {
                map1::<S, D>(&shape, Operand::new(pd, dst.strides()), Operand::new(ps, src.strides()), cast::<S, D>)
            }
        }
    }));
    Ok(())
}

/// True when the two tensors may share memory in a way an elementwise write would corrupt:
/// same storage, but not the very same layout.
pub(crate) fn overlaps_differently(dst: &Tensor, src: &Tensor) -> bool {
    dst.same_storage(src) && dst.layout() != src.layout() && dst.numel() > 0 && src.numel() > 0
}

impl Tensor {
    /// Copies `src` into `self` in place, broadcasting and casting (`Tensor.copy_`).
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        self.check_inplace_allowed()?;
        if crate::autograd::record::needs_grad(&[self, src]) {
            let dims: Vec<i64> = self.shape().iter().map(|&d| d as i64).collect();
            let (dtype, device) = (self.dtype(), self.device());
            let value = src.to_dtype(dtype)?.to_device(device)?.expand(&dims)?.contiguous()?;
            crate::autograd::inplace::overwrite(self, &value)?;
            return Ok(());
        }
        let dims: Vec<i64> = self.shape().iter().map(|&d| d as i64).collect();
        let src_layout = src.layout().expand(&dims).map_err(|_| crate::Error::Runtime(format!(
            "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
            self.shape().last().copied().unwrap_or(1), src.shape().last().copied().unwrap_or(1),
            self.ndim().saturating_sub(1))))?;
        crate::ops::binary::check_no_internal_overlap(self)?;
        if overlaps_differently(self, src) {
            let tmp = src.deep_clone()?;
            let l = tmp.layout().expand(&dims)?;
            self.copy_expanded(&tmp.with_layout(l))?;
        } else if !(self.same_storage(src) && self.layout() == &src_layout && self.dtype() == src.dtype()) {
            self.copy_expanded(&src.with_layout(src_layout))?;
        }
        self.bump_version();
        Ok(())
    }

    /// The copy itself, from a source already expanded to `self`'s shape.
    fn copy_expanded(&self, src: &Tensor) -> Result<()> {
        if self.device() == Device::Cpu && src.device() == Device::Cpu {
            cpu_copy(self, src.layout(), src)
        } else {
            crate::backend::cuda::copy(self, src)
        }
    }

    /// A contiguous tensor with the same values: `self` when already contiguous.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        self.deep_clone()
    }

    /// A copy in new, contiguous memory (`Tensor.clone`).
    pub fn deep_clone(&self) -> Result<Tensor> {
        let out = Tensor::empty(self.shape(), self.dtype(), self.device())?;
        if self.device() == Device::Cpu {
            cpu_copy(&out, self.layout(), self)?;
        } else {
            out.copy_(&self.detach())?;
        }
        if crate::autograd::record::needs_grad(&[self]) {
            crate::autograd::formulas::copy::record_copy("CloneBackward0", self, &out);
        }
        Ok(out)
    }

    /// The same values as `dtype`: `self` when the dtype already matches.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if self.dtype() == dtype {
            return Ok(self.clone());
        }
        let out = Tensor::empty(self.shape(), dtype, self.device())?;
        if self.device() == Device::Cpu {
            cpu_copy(&out, self.layout(), self)?;
        } else {
            out.copy_(&self.detach())?;
        }
        if crate::autograd::record::needs_grad(&[self]) && dtype.is_floating_point() {
            crate::autograd::formulas::copy::record_copy("ToCopyBackward0", self, &out);
        }
        Ok(out)
    }

    /// The same values on `device`: `self` when already there.
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        if self.device() == device {
            return Ok(self.clone());
        }
        let src = if self.device() == Device::Cpu { self.contiguous()? } else { self.clone() };
        let out = Tensor::empty(self.shape(), self.dtype(), device)?;
        crate::backend::cuda::copy(&out, &src.detach())?;
        if crate::autograd::record::needs_grad(&[self]) {
            crate::autograd::formulas::copy::record_copy("ToCopyBackward0", self, &out);
        }
        Ok(out)
    }
}

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
            unsafe { std::ptr::copy_nonoverlapping(ps as *const u8, pd as *mut u8, dst.numel() * D::DTYPE.size()) };
        } else {
            // SAFETY: layouts are valid views of their storages; src does not overlap dst.
            unsafe {
                map1::<S, D>(&shape, Operand::new(pd, dst.strides()), Operand::new(ps, src.strides()), |x| cast::<S, D>(x))
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
        let src_layout = src.layout().expand(&self.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())
            .map_err(|_| crate::Error::Runtime(format!(
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
                self.shape().last().copied().unwrap_or(1), src.shape().last().copied().unwrap_or(1),
                self.ndim().saturating_sub(1))))?;
        if self.device() != Device::Cpu || src.device() != Device::Cpu {
            let src = src.with_layout(src_layout).contiguous_on_device()?;
            return crate::backend::cuda::copy(self, &src);
        }
        if overlaps_differently(self, src) {
            let tmp = src.deep_clone()?;
            let l = tmp.layout().expand(&self.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())?;
            cpu_copy(self, &l, &tmp)?;
        } else if !(self.same_storage(src) && self.layout() == &src_layout && self.dtype() == src.dtype()) {
            cpu_copy(self, &src_layout, src)?;
        }
        self.bump_version();
        Ok(())
    }

    fn contiguous_on_device(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        self.to_device(Device::Cpu)?.contiguous()?.to_device(self.device())
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
            out.copy_(self)?;
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
            out.copy_(self)?;
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
        crate::backend::cuda::copy(&out, &src)?;
        Ok(out)
    }
}

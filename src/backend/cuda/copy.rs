//! Copies into and out of device memory: host to device, device to host, and strided copies
//! on one device. Casts between dtypes happen on the CPU for now (a device cast kernel
//! arrives with full CUDA coverage).

use cudarc::driver::{result, PushKernelArg};

use super::compile::COPY;
use super::context::{driver_error, DeviceState};
use super::geometry::{launch_config, Geometry};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// The device state and device address of a CUDA tensor's first element.
pub(crate) fn device_ptr(t: &Tensor) -> Result<(std::sync::Arc<DeviceState>, u64)> {
    let buffer = t.storage().cuda_buffer().ok_or_else(|| Error::Runtime(format!("expected a CUDA tensor, got one on {}", t.device())))?;
    let addr = buffer.device_ptr() + (t.layout().offset * t.dtype().size()) as u64;
    Ok((buffer.device().clone(), addr))
}

/// `dst[...] = src[...]`, where `src` already has `dst`'s shape (broadcast by strides) and at
/// least one of the two lives on a CUDA device.
pub fn copy(dst: &Tensor, src: &Tensor) -> Result<()> {
    if dst.numel() == 0 {
        return Ok(());
    }
    match (src.device(), dst.device()) {
        (Device::Cpu, Device::Cuda(_)) => host_to_device(dst, src),
        (Device::Cuda(_), Device::Cpu) => device_to_host(dst, src),
        (Device::Cuda(a), Device::Cuda(b)) if a == b && src.dtype() == dst.dtype() => strided_copy(dst, src),
        // Across devices or dtypes: through host memory until device cast kernels exist.
        _ => host_to_device(dst, &src.to_device(Device::Cpu)?),
    }
}

fn host_to_device(dst: &Tensor, src: &Tensor) -> Result<()> {
    let host = src.to_dtype(dst.dtype())?.contiguous()?;
    if !dst.is_contiguous() {
        let staged = Tensor::empty(dst.shape(), dst.dtype(), dst.device())?;
        host_to_device(&staged, &host)?;
        return strided_copy(dst, &staged);
    }
    let (device, addr) = device_ptr(dst)?;
    let nbytes = host.numel() * host.dtype().size();
    let src_ptr = host.storage().data_ptr() + host.layout().offset * host.dtype().size();
    // SAFETY: host is contiguous on the CPU with nbytes bytes at src_ptr, kept alive by
    // `host` for this call.
    let bytes = unsafe { std::slice::from_raw_parts(src_ptr as *const u8, nbytes) };
    device.bind()?;
    // SAFETY: dst is contiguous with nbytes bytes at addr on this device. From pageable
    // memory the driver stages the bytes before returning, so `host` may go afterwards.
    unsafe { result::memcpy_htod_async(addr, bytes, device.stream.cu_stream()) }.map_err(driver_error)
}

fn device_to_host(dst: &Tensor, src: &Tensor) -> Result<()> {
    let src = if src.is_contiguous() { src.clone() } else { src.deep_clone()? };
    let direct = dst.is_contiguous() && dst.dtype() == src.dtype();
    let host = if direct { dst.clone() } else { Tensor::empty(src.shape(), src.dtype(), Device::Cpu)? };
    let (device, addr) = device_ptr(&src)?;
    let nbytes = host.numel() * host.dtype().size();
    let dst_ptr = host.storage().data_ptr() + host.layout().offset * host.dtype().size();
    // SAFETY: host is contiguous on the CPU with room for nbytes bytes at dst_ptr.
    let bytes = unsafe { std::slice::from_raw_parts_mut(dst_ptr as *mut u8, nbytes) };
    device.bind()?;
    // SAFETY: src is contiguous with nbytes bytes at addr; we wait for the copy to finish
    // before anyone reads `bytes`.
    unsafe { result::memcpy_dtoh_async(bytes, addr, device.stream.cu_stream()) }.map_err(driver_error)?;
    device.synchronize()?;
    if !direct {
        dst.copy_(&host)?;
    }
    Ok(())
}

/// A strided copy between two tensors of one dtype on one device.
fn strided_copy(dst: &Tensor, src: &Tensor) -> Result<()> {
    let (device, out) = device_ptr(dst)?;
    let (_, input) = device_ptr(src)?;
    let g = Geometry::new(dst.shape(), &[&dst.layout().strides, &src.layout().strides])?;
    let func = device.function(&COPY, &format!("copy_{}", dst.dtype().size()))?;
    let n = dst.numel() as i64;
    let mut launch = device.stream.launch_builder(&func);
    launch.arg(&out).arg(&input).arg(&g).arg(&n);
    // SAFETY: the kernel's parameters are (T*, const T*, Geometry, long long) as pushed;
    // every offset the geometry yields lies inside the two tensors' storages.
    unsafe { launch.launch(launch_config(dst.numel())) }.map_err(driver_error)?;
    Ok(())
}

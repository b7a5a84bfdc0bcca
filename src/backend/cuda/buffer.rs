//! Device memory owned by a storage: allocated on the device's stream, freed on drop.

use std::sync::Arc;

use cudarc::driver::{result, sys};

use super::context::{driver_error, DeviceState};
use crate::error::Result;

/// A span of device memory. Stream-ordered allocation (`cuMemAllocAsync`) draws from the
/// driver's pool, which caches freed blocks, so we need no caching allocator of our own yet.
pub struct CudaBuffer {
    ptr: sys::CUdeviceptr,
    nbytes: usize,
    device: Arc<DeviceState>,
}

impl CudaBuffer {
    pub(crate) fn new(device: Arc<DeviceState>, nbytes: usize) -> Result<CudaBuffer> {
        if nbytes == 0 {
            return Ok(CudaBuffer { ptr: 0, nbytes, device });
        }
        device.bind()?;
        // SAFETY: the context is current; the stream belongs to it.
        let ptr = unsafe {
            if device.ctx.has_async_alloc() {
                result::malloc_async(device.stream.cu_stream(), nbytes)
            } else {
                result::malloc_sync(nbytes)
            }
        }
        .map_err(|e| {
            if e.0 == sys::cudaError_enum::CUDA_ERROR_OUT_OF_MEMORY {
                crate::Error::Runtime(format!("CUDA out of memory. Tried to allocate {nbytes} bytes on cuda:{}", device.ordinal()))
            } else {
                driver_error(e)
            }
        })?;
        Ok(CudaBuffer { ptr, nbytes, device })
    }

    /// Sets every byte to zero (queued on the device's stream).
    pub(crate) fn zero(&self) -> Result<()> {
        if self.nbytes == 0 {
            return Ok(());
        }
        self.device.bind()?;
        // SAFETY: ptr holds nbytes bytes of this device's memory.
        unsafe { result::memset_d8_async(self.ptr, 0, self.nbytes, self.device.stream.cu_stream()) }.map_err(driver_error)
    }

    /// The device address of the first byte.
    pub fn device_ptr(&self) -> u64 {
        self.ptr
    }

    pub fn ordinal(&self) -> usize {
        self.device.ordinal()
    }

    pub(crate) fn device(&self) -> &Arc<DeviceState> {
        &self.device
    }
}

impl Drop for CudaBuffer {
    fn drop(&mut self) {
        if self.ptr == 0 || self.device.bind().is_err() {
            return;
        }
        // SAFETY: ptr came from this device's allocator and nothing refers to it any more;
        // freeing on the same stream orders the free after every queued use.
        let freed = unsafe {
            if self.device.ctx.has_async_alloc() {
                result::free_async(self.ptr, self.device.stream.cu_stream())
            } else {
                result::free_sync(self.ptr)
            }
        };
        // A failed free during teardown cannot be reported from drop; the driver reclaims
        // the memory when the context goes away.
        let _ = freed.map_err(driver_error);
    }
}

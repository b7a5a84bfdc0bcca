//! The CUDA backend (feature `cuda`): device memory, host/device copies and NVRTC-compiled
//! elementwise kernels, through cudarc with every NVIDIA library loaded at run time.
//!
//! Every entry point first checks that the driver library is present, so a machine without
//! CUDA gets a clean error (or `is_available() == false`), never a panic from the loader.
//! All work on a device goes to that device's one stream, so operations are ordered.

mod binary;
mod buffer;
mod compile;
mod context;
mod copy;
mod geometry;
mod libs;

pub use binary::binary;
pub use buffer::CudaBuffer;
pub use compile::compile_all_kernels;
pub use copy::copy;
pub use libs::add_library_dirs;

use crate::dtype::DType;
use crate::error::Result;
use crate::storage::Storage;

/// True when a CUDA driver and at least one device are present.
pub fn is_available() -> bool {
    device_count() > 0
}

/// Number of visible CUDA devices; 0 without a driver.
pub fn device_count() -> usize {
    context::device_count()
}

/// Uninitialised device memory for `len` elements of `dtype` on device `ordinal`.
pub fn alloc(dtype: DType, len: usize, ordinal: usize) -> Result<Storage> {
    let nbytes = len.checked_mul(dtype.size()).ok_or_else(|| {
        crate::Error::Runtime(format!("Trying to create tensor with {len} elements: size overflows"))
    })?;
    let buffer = CudaBuffer::new(context::device(ordinal)?, nbytes)?;
    if dtype == DType::Bool {
        // Recycled device memory may hold any bytes, and a bool must be 0 or 1 once it is
        // read back into Rust: start bool storages zeroed.
        buffer.zero()?;
    }
    Ok(Storage::from_cuda(buffer, dtype, len))
}

/// Waits until all work queued on device `ordinal` has finished.
pub fn synchronize(ordinal: usize) -> Result<()> {
    context::device(ordinal)?.synchronize()
}

/// The device's name, as the driver reports it.
pub fn device_name(ordinal: usize) -> Result<String> {
    context::device(ordinal)?.name()
}

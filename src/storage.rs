//! Storage: the memory behind one or more tensors (views share it), with the version counter
//! autograd uses to detect in-place changes to saved tensors.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::backend::cpu::alloc::Block;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};

/// Who keeps CPU memory alive: our allocator, or a foreign owner such as a numpy array.
pub enum CpuOwner {
    Block(Block),
    Foreign(Box<dyn Any + Send + Sync>),
}

/// A span of CPU memory.
pub struct CpuBuffer {
    ptr: *mut u8,
    _owner: CpuOwner,
}

// SAFETY: the buffer's owner is Send + Sync; the raw pointer is only an address into it.
unsafe impl Send for CpuBuffer {}
// SAFETY: as for Send: concurrent writes through views are the user's responsibility, as in torch.
unsafe impl Sync for CpuBuffer {}

/// The memory of a storage, by device.
pub enum Buffer {
    Cpu(CpuBuffer),
    #[cfg(feature = "cuda")]
    Cuda(crate::backend::cuda::CudaBuffer),
}

/// Memory shared by all views of a tensor.
pub struct Storage {
    pub(crate) buffer: Buffer,
    pub(crate) dtype: DType,
    /// Number of elements of `dtype` the buffer holds.
    pub(crate) len: usize,
    version: AtomicU64,
}

impl Storage {
    /// Fresh CPU memory for `len` elements (contents unspecified but initialised).
    pub fn cpu(dtype: DType, len: usize) -> Result<Storage> {
        let nbytes = len.checked_mul(dtype.size()).ok_or_else(|| {
            Error::Runtime(format!("Trying to create tensor with {len} elements: size overflows"))
        })?;
        let block = Block::new(nbytes).ok_or_else(|| {
            Error::Runtime(format!(
                "[enforce fail at alloc_cpu.cpp] DefaultCPUAllocator: can't allocate memory: you tried to allocate {nbytes} bytes."
            ))
        })?;
        let ptr = block.as_ptr();
        if dtype == DType::Bool {
            // A recycled block may hold any bytes, and a Rust bool must be 0 or 1.
            // SAFETY: the block holds at least nbytes bytes.
            unsafe { std::ptr::write_bytes(ptr, 0, nbytes) };
        }
        Ok(Storage {
            buffer: Buffer::Cpu(CpuBuffer { ptr, _owner: CpuOwner::Block(block) }),
            dtype,
            len,
            version: AtomicU64::new(0),
        })
    }

    /// Wraps foreign CPU memory, keeping `owner` alive as long as the storage lives.
    ///
    /// # Safety
    /// `ptr` must point to `len` initialised, suitably aligned elements of `dtype` that stay
    /// valid while `owner` is alive, and bool data must hold only 0 or 1.
    pub unsafe fn from_foreign(
        ptr: *mut u8,
        dtype: DType,
        len: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Storage {
        Storage {
            buffer: Buffer::Cpu(CpuBuffer { ptr, _owner: CpuOwner::Foreign(owner) }),
            dtype,
            len,
            version: AtomicU64::new(0),
        }
    }

    /// Wraps device memory holding `len` elements of `dtype`.
    #[cfg(feature = "cuda")]
    pub(crate) fn from_cuda(buffer: crate::backend::cuda::CudaBuffer, dtype: DType, len: usize) -> Storage {
        Storage { buffer: Buffer::Cuda(buffer), dtype, len, version: AtomicU64::new(0) }
    }

    /// The device memory, for CUDA storages.
    #[cfg(feature = "cuda")]
    pub(crate) fn cuda_buffer(&self) -> Option<&crate::backend::cuda::CudaBuffer> {
        match &self.buffer {
            Buffer::Cuda(b) => Some(b),
            Buffer::Cpu(_) => None,
        }
    }

    pub fn device(&self) -> Device {
        match &self.buffer {
            Buffer::Cpu(_) => Device::Cpu,
            #[cfg(feature = "cuda")]
            Buffer::Cuda(b) => Device::Cuda(b.ordinal()),
        }
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when the memory belongs to someone else (a numpy array): it cannot grow.
    pub fn is_foreign(&self) -> bool {
        matches!(&self.buffer, Buffer::Cpu(CpuBuffer { _owner: CpuOwner::Foreign(_), .. }))
    }

    pub fn nbytes(&self) -> usize {
        self.len * self.dtype.size()
    }

    /// The base address of CPU memory, or of the device allocation.
    pub fn data_ptr(&self) -> usize {
        match &self.buffer {
            Buffer::Cpu(b) => b.ptr as usize,
            #[cfg(feature = "cuda")]
            Buffer::Cuda(b) => b.device_ptr() as usize,
        }
    }

    /// The CPU base pointer. Errors for device memory: an op that reaches here with a CUDA
    /// tensor has no CUDA kernel yet.
    pub(crate) fn cpu_ptr(&self) -> Result<*mut u8> {
        match &self.buffer {
            Buffer::Cpu(b) => Ok(b.ptr),
            #[cfg(feature = "cuda")]
            Buffer::Cuda(b) => Err(Error::NotImplemented(format!(
                "this operation is not implemented for CUDA tensors yet (tensor on cuda:{}); move it to the CPU with .cpu()",
                b.ordinal()
            ))),
        }
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// Continues another storage's version count (a tensor that moves to new memory keeps
    /// counting from where its old memory was, so saved-tensor checks still see the change).
    pub(crate) fn set_version(&self, v: u64) {
        self.version.store(v, Ordering::Relaxed);
    }

    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }
}

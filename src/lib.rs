//! # rtorch
//!
//! PyTorch's tensor API on a Rust core. The same crate backs the Python module
//! (`import rtorch as torch`, feature `python`) and serves Rust programs directly.
//!
//! ```
//! use rtorch::{DType, Device, Tensor};
//!
//! # fn main() -> rtorch::Result<()> {
//! let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
//! let b = rtorch::ones(&[3, 2], DType::F32, Device::Cpu)?;
//! let c = a.matmul(&b)?;                       // [[6, 6], [15, 15]]
//! assert_eq!(c.to_vec::<f32>()?, vec![6.0, 6.0, 15.0, 15.0]);
//! let s = a.sum_dims(Some(&[1]), false, None)?; // row sums
//! assert_eq!(s.to_vec::<f32>()?, vec![6.0, 15.0]);
//! let t = a.t()?;                              // a view: no copy
//! assert!(!t.is_contiguous() && t.same_storage(&a));
//! # Ok(())
//! # }
//! ```
//!
//! Layers: [`Tensor`] (storage + layout) and the ops in [`ops`] check shapes and dtypes and
//! dispatch to kernels in `backend::cpu` (SIMD through runtime dispatch, rtorch's thread pool
//! above a size threshold) or `backend::cuda` (feature `cuda`).

#[macro_use]
pub mod error;
pub mod autograd;
pub mod backend;
pub mod device;
pub mod dtype;
pub mod layout;
pub mod ops;
pub(crate) mod resize;
pub mod storage;
pub mod tensor;
pub mod warnings;

#[cfg(feature = "python")]
mod python;

use std::sync::atomic::{AtomicU8, Ordering};

pub use backend::cpu::threads::{get_num_threads, set_num_threads};
pub use device::Device;
pub use dtype::{promote_types, DType, Element, Scalar};
pub use error::{Error, Result};
pub use ops::creation::{arange, eye, full, linspace, logspace, ones, zeros};
pub use ops::linalg;
pub use ops::random::{manual_seed, normal, rand, randint, randn, randperm, Generator};
pub use ops::Arg;
pub use tensor::Tensor;

static DEFAULT_DTYPE: AtomicU8 = AtomicU8::new(0);

/// The dtype Python floats and float factories default to (`torch.get_default_dtype`).
pub fn default_dtype() -> DType {
    match DEFAULT_DTYPE.load(Ordering::Relaxed) {
        1 => DType::F64,
        2 => DType::F16,
        3 => DType::BF16,
        _ => DType::F32,
    }
}

/// Sets the default float dtype; only floating dtypes are allowed.
pub fn set_default_dtype(d: DType) -> Result<()> {
    let code = match d {
        DType::F32 => 0,
        DType::F64 => 1,
        DType::F16 => 2,
        DType::BF16 => 3,
        _ => return Err(Error::Type("only floating-point types are supported as the default type".into())),
    };
    DEFAULT_DTYPE.store(code, Ordering::Relaxed);
    Ok(())
}

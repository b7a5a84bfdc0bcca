//! Stand-in for the CUDA backend when the crate is built without the `cuda` feature.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::storage::Storage;
use crate::tensor::Tensor;

fn not_compiled() -> Error {
    Error::Runtime("Torch not compiled with CUDA enabled".into())
}

pub fn is_available() -> bool {
    false
}

pub fn device_count() -> usize {
    0
}

pub fn alloc(_dtype: DType, _len: usize, _ordinal: usize) -> Result<Storage> {
    Err(not_compiled())
}

/// Copies between devices; only reachable with a CUDA tensor, which cannot exist here.
pub fn copy(_dst: &Tensor, _src: &Tensor) -> Result<()> {
    Err(not_compiled())
}

pub fn binary(_op: crate::ops::binary::BinaryOp, _a: &Tensor, _b: &Tensor, _out: &Tensor) -> Result<()> {
    Err(not_compiled())
}

pub fn synchronize(_ordinal: usize) -> Result<()> {
    Err(not_compiled())
}

pub fn device_name(_ordinal: usize) -> Result<String> {
    Err(not_compiled())
}

/// Nothing to load without CUDA.
pub fn add_library_dirs(_dirs: &[std::path::PathBuf]) {}

pub fn compile_all_kernels(_arch: &str) -> Result<Vec<(&'static str, usize)>> {
    Err(not_compiled())
}

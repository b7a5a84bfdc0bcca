//! Kernels by device. The CPU backend is always built; CUDA is behind the `cuda` feature and,
//! without it, a stub whose every entry point returns a clean "not compiled with CUDA" error.

pub mod cpu;

#[cfg(feature = "cuda")]
pub mod cuda;

#[cfg(not(feature = "cuda"))]
#[path = "cuda_disabled.rs"]
pub mod cuda;

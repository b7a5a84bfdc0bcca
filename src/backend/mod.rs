//! Kernels by device. The CPU backend is always built. The CUDA backend is built with the
//! `cuda` feature; without it a stub with the same entry points returns a clean "not compiled
//! with CUDA" error, so callers' `match` arms never change.

pub mod cpu;

#[cfg(feature = "cuda")]
pub mod cuda;

#[cfg(not(feature = "cuda"))]
#[path = "cuda_disabled.rs"]
pub mod cuda;

//! Kernels by device. The CPU backend is always built. The CUDA backend is not written yet:
//! until it is, every build (with or without the `cuda` feature) uses a stub whose entry
//! points return a clean "not compiled with CUDA" error, so callers' `match` arms never change.

pub mod cpu;

#[path = "cuda_disabled.rs"]
pub mod cuda;

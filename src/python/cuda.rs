//! `rtorch._C._cuda_*`: device queries and the hooks `rtorch.cuda` is built on.

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::backend::cuda;

#[pyfunction]
fn _cuda_is_available(py: Python<'_>) -> bool {
    py.detach(cuda::is_available)
}

#[pyfunction]
fn _cuda_device_count(py: Python<'_>) -> usize {
    py.detach(cuda::device_count)
}

#[pyfunction]
fn _cuda_synchronize(py: Python<'_>, device: usize) -> PyResult<()> {
    Ok(py.detach(|| cuda::synchronize(device))?)
}

#[pyfunction]
fn _cuda_get_device_name(device: usize) -> PyResult<String> {
    Ok(cuda::device_name(device)?)
}

/// Folders holding NVIDIA's pip-installed libraries (NVRTC, cuBLAS), loaded on first use.
#[pyfunction]
fn _cuda_add_library_dirs(dirs: Vec<PathBuf>) {
    cuda::add_library_dirs(&dirs)
}

/// Compiles every CUDA kernel source for `arch` (e.g. "sm_90") with NVRTC; needs no GPU.
/// Returns (source name, CUBIN size in bytes) pairs.
#[pyfunction]
fn _cuda_compile_kernels(py: Python<'_>, arch: String) -> PyResult<Vec<(&'static str, usize)>> {
    Ok(py.detach(|| cuda::compile_all_kernels(&arch))?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_cuda_is_available, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_device_count, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_synchronize, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_get_device_name, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_add_library_dirs, m)?)?;
    m.add_function(wrap_pyfunction!(_cuda_compile_kernels, m)?)?;
    Ok(())
}

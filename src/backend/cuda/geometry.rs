//! The shape and strides of an elementwise launch, coalesced and packed for the kernel.

use cudarc::driver::DeviceRepr;

use crate::error::{Error, Result};

pub(crate) const MAX_DIMS: usize = 8;

/// Mirrors `struct Geometry` in kernels/common.cuh field for field. Operand 0 is the output.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    ndim: i32,
    contiguous: i32,
    size: [i64; MAX_DIMS],
    stride: [[i64; MAX_DIMS]; 3],
}

// SAFETY: Geometry is #[repr(C)], plain old data, and matches the CUDA struct's layout
// (two ints, then 8-byte aligned arrays of long long).
unsafe impl DeviceRepr for Geometry {}

impl Geometry {
    /// Coalesces `shape` with each operand's strides: drops size-1 dims and merges
    /// neighbours that are contiguous with each other in every operand.
    pub(crate) fn new(shape: &[usize], strides: &[&[usize]]) -> Result<Geometry> {
        let mut dims: Vec<(i64, Vec<i64>)> = Vec::with_capacity(shape.len());
        for (d, &size) in shape.iter().enumerate() {
            if size == 1 {
                continue;
            }
            let s: Vec<i64> = strides.iter().map(|st| st[d] as i64).collect();
            if let Some((prev_size, prev)) = dims.last_mut() {
                if prev.iter().zip(&s).all(|(&p, &c)| p == c * size as i64) {
                    *prev_size *= size as i64;
                    *prev = s;
                    continue;
                }
            }
            dims.push((size as i64, s));
        }
        if dims.len() > MAX_DIMS {
            return Err(Error::NotImplemented(format!(
                "CUDA elementwise kernels take at most {MAX_DIMS} non-mergeable dimensions, got {}",
                dims.len()
            )));
        }
        let mut g = Geometry { ndim: dims.len() as i32, contiguous: 0, size: [1; MAX_DIMS], stride: [[0; MAX_DIMS]; 3] };
        for (d, (size, s)) in dims.iter().enumerate() {
            g.size[d] = *size;
            for (k, &st) in s.iter().enumerate() {
                g.stride[k][d] = st;
            }
        }
        g.contiguous = i32::from(dims.len() <= 1 && dims.iter().all(|(_, s)| s.iter().all(|&x| x == 1)));
        Ok(g)
    }
}

/// Blocks and threads for `n` elements with a grid-stride loop.
pub(crate) fn launch_config(n: usize) -> cudarc::driver::LaunchConfig {
    const THREADS: usize = 256;
    let blocks = n.div_ceil(THREADS).clamp(1, 65_535);
    cudarc::driver::LaunchConfig { grid_dim: (blocks as u32, 1, 1), block_dim: (THREADS as u32, 1, 1), shared_mem_bytes: 0 }
}

//! CPU kernels: strided iteration, elementwise maps, reductions and GEMM.

pub mod alloc;
pub mod arith;
pub mod bulk;
pub mod compact;
pub mod flip;
pub mod gemm;
pub mod index;
pub mod iter;
pub mod linalg;
pub mod map;
pub mod pool;
pub mod math;
pub mod radix;
pub mod reduce;
pub mod scan;
pub mod small_gemm;
pub mod sort;
pub mod threads;

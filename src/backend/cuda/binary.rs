//! Elementwise binary ops on a CUDA device (add, sub, mul so far).

use cudarc::driver::PushKernelArg;

use super::compile::BINARY;
use super::context::driver_error;
use super::copy::device_ptr;
use super::geometry::{launch_config, Geometry};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::binary::BinaryOp;
use crate::tensor::Tensor;

/// The kernel's dtype suffix in kernels/binary.cu.
fn suffix(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "f32",
        DType::F64 => "f64",
        DType::F16 => "f16",
        DType::BF16 => "bf16",
        DType::I64 => "i64",
        DType::I32 => "i32",
        DType::I16 => "i16",
        DType::I8 => "i8",
        DType::U8 => "u8",
        DType::Bool => "b8",
    }
}

/// `out = op(a, b)`: all three on one device and of `out`'s dtype; `a` and `b` broadcast
/// to `out`'s shape.
pub fn binary(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let kernel = match op {
        BinaryOp::Add => "Add",
        BinaryOp::Sub => "Sub",
        BinaryOp::Mul => "Mul",
        _ => {
            return Err(Error::NotImplemented(format!(
                "The operator '{}' is not currently implemented for the CUDA device",
                op.name()
            )))
        }
    };
    if a.dtype() != out.dtype() || b.dtype() != out.dtype() {
        return Err(Error::Runtime(format!(
            "CUDA binary kernels take one dtype, got {}, {} and {}",
            a.dtype().scalar_name(),
            b.dtype().scalar_name(),
            out.dtype().scalar_name()
        )));
    }
    if out.numel() == 0 {
        return Ok(());
    }
    let dims: Vec<i64> = out.shape().iter().map(|&d| d as i64).collect();
    let (la, lb) = (a.layout().expand(&dims)?, b.layout().expand(&dims)?);
    let (device, po) = device_ptr(out)?;
    let (_, pa) = device_ptr(a)?;
    let (_, pb) = device_ptr(b)?;
    let g = Geometry::new(out.shape(), &[&out.layout().strides, &la.strides, &lb.strides])?;
    let func = device.function(&BINARY, &format!("{kernel}_{}", suffix(out.dtype())))?;
    let n = out.numel() as i64;
    let mut launch = device.stream.launch_builder(&func);
    launch.arg(&po).arg(&pa).arg(&pb).arg(&g).arg(&n);
    // SAFETY: the kernel's parameters are (T*, const T*, const T*, Geometry, long long) as
    // pushed; the geometry's offsets stay inside each operand's storage.
    unsafe { launch.launch(launch_config(out.numel())) }.map_err(driver_error)?;
    Ok(())
}

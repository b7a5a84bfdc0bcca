//! Index-based ops, with torch's checks and messages: reading through an index (gather.rs),
//! writing through one (scatter.rs), whole slices along a dim (slices.rs), advanced-index
//! assignment (put.rs), and masks (masked.rs). The kernels are in `backend::cpu::index` and
//! `backend::cpu::compact`; the backward formulas in `autograd::formulas::index`.

pub mod gather;
pub mod masked;
pub mod put;
pub mod scatter;
pub mod slices;

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::{Dims, Layout};
use crate::tensor::Tensor;

/// Runs `$body` with `$I` the Rust type of an index dtype already checked to be int32 or
/// int64.
macro_rules! with_index_dtype {
    ($dtype:expr, $I:ident => $body:expr) => {
        match $dtype {
            $crate::DType::I32 => {
                type $I = i32;
                $body
            }
            _ => {
                type $I = i64;
                $body
            }
        }
    };
}
pub(crate) use with_index_dtype;

/// True for the dtypes an index may have where torch takes int32 as well as int64.
fn is_index_dtype(d: DType) -> bool {
    matches!(d, DType::I32 | DType::I64)
}

/// `t` seen as a 1-d tensor of one element when it is 0-dim (the ops treat a scalar as a
/// vector of length 1), else `t` itself. A plain view: nothing is recorded for autograd.
pub(crate) fn lift(t: &Tensor) -> Tensor {
    if t.ndim() > 0 {
        return t.clone();
    }
    let l = t.layout();
    t.with_layout(Layout { shape: Dims::from_slice(&[1]), strides: Dims::from_slice(&[1]), offset: l.offset })
}

/// `v` without its entry `d`.
pub(crate) fn without(v: &[usize], d: usize) -> Dims {
    v.iter().enumerate().filter(|&(i, _)| i != d).map(|(_, &x)| x).collect()
}

/// The first entry of `index` (int32 or int64, any layout) that is not a valid index into a
/// dim of `size`; negative entries count from the end where `allow_negative`.
pub(crate) fn first_bad(index: &Tensor, size: usize, allow_negative: bool) -> Result<Option<i64>> {
    with_index_dtype!(index.dtype(), I => {
        let p = index.cpu_ptr::<I>()?;
        // SAFETY: p with the index's own shape and strides addresses its elements.
        Ok(unsafe { crate::backend::cpu::index::first_bad_index::<I>(p, index.shape(), index.strides(), size, allow_negative) })
    })
}

/// Errors with `message(bad value)` when an entry of `index` is out of range for `size`.
pub(crate) fn check_values(index: &Tensor, size: usize, allow_negative: bool, message: impl FnOnce(i64) -> Error) -> Result<()> {
    match first_bad(index, size, allow_negative)? {
        Some(v) => Err(message(v)),
        None => Ok(()),
    }
}

/// torch's "index {v} is out of bounds for dimension {dim} with size {size}" (RuntimeError).
pub(crate) fn out_of_bounds(v: i64, dim: usize, size: usize) -> Error {
    Error::Runtime(format!("index {v} is out of bounds for dimension {dim} with size {size}"))
}

/// A copy of `t` to write into: contiguous, own memory, no autograd history.
pub(crate) fn fresh_copy(t: &Tensor) -> Result<Tensor> {
    let _off = crate::autograd::GradModeGuard::new(false);
    t.detach().deep_clone()
}

/// `src` itself, or a copy when it shares memory with `target` (an in-place write must not
/// change what it is still reading).
pub(crate) fn unaliased(src: &Tensor, target: &Tensor) -> Result<Tensor> {
    if src.same_storage(target) {
        fresh_copy(src)
    } else {
        Ok(src.clone())
    }
}

/// The C++ type name torch prints for a dtype in "Expected out tensor to have dtype ..."
/// messages.
pub fn cpp_type_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::U8 => "unsigned char",
        DType::I8 => "signed char",
        DType::I16 => "short int",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F32 => "float",
        DType::F64 => "double",
    }
}

/// Writes an op's `result` into the user's `out=` tensor as torch does: `out` must have the
/// result's dtype (else `dtype_error`), and takes the result's shape (`resize_`). Returns
/// `out`.
pub fn write_out(name: &str, out: &Tensor, result: &Tensor, dtype_error: impl FnOnce() -> Error) -> Result<Tensor> {
    check_out(name, out, result, dtype_error)?;
    out.resize_out_(result.shape())?;
    out.copy_(result)?;
    Ok(out.clone())
}

/// The checks of [`write_out`] alone: dtype (else `dtype_error`), autograd and device.
pub fn check_out(name: &str, out: &Tensor, result: &Tensor, dtype_error: impl FnOnce() -> Error) -> Result<()> {
    if out.dtype() != result.dtype() {
        return Err(dtype_error());
    }
    if crate::autograd::record::needs_grad(&[out, result]) {
        return Err(crate::autograd::inplace::out_error(name));
    }
    if out.device() != result.device() {
        bail!("Expected out tensor to have device {}, but got {} instead", result.device(), out.device());
    }
    Ok(())
}

//! Binary elementwise ops with broadcasting and torch's type promotion: arithmetic,
//! comparisons, logical and bitwise ops, maximum/minimum, atan2.

use crate::backend::cpu::arith::{Arith, Bits};
use crate::backend::cpu::map::{map2, Operand};
use crate::backend::cpu::math::FloatMath;
use crate::device::Device;
use crate::dtype::{DType, ResultType, Scalar};
use crate::error::{Error, Result};
use crate::layout::{broadcast_shapes, Layout};
use crate::ops::copy::overlaps_differently;
use crate::ops::Arg;
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Rem,
    Pow,
    Atan2,
    Maximum,
    Minimum,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl BinaryOp {
    /// torch's kernel name, for "not implemented for 'Bool'" messages.
    pub fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            FloorDiv => "floor_divide",
            Rem => "remainder",
            Pow => "pow",
            Atan2 => "atan2",
            Maximum => "maximum",
            Minimum => "minimum",
            Eq => "eq",
            Ne => "ne",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
            LogicalAnd => "logical_and",
            LogicalOr => "logical_or",
            LogicalXor => "logical_xor",
            BitAnd => "bitwise_and",
            BitOr => "bitwise_or",
            BitXor => "bitwise_xor",
            Shl => "bitwise_left_shift",
            Shr => "bitwise_right_shift",
        }
    }

    fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    fn is_logical(self) -> bool {
        matches!(self, BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::LogicalXor)
    }

    fn is_bitwise(self) -> bool {
        use BinaryOp::*;
        matches!(self, BitAnd | BitOr | BitXor | Shl | Shr)
    }
}

fn arg_dtype(a: Arg) -> DType {
    match a {
        Arg::Tensor(t) => t.dtype(),
        Arg::Scalar(s) => s.weak_dtype(),
    }
}

fn arg_device(a: Arg) -> Option<Device> {
    match a {
        Arg::Tensor(t) if t.ndim() > 0 || t.device() != Device::Cpu => Some(t.device()),
        _ => None,
    }
}

/// The (compute dtype, output dtype) of `op` on these operands, or torch's error.
fn dtypes(op: BinaryOp, a: Arg, b: Arg) -> Result<(DType, DType)> {
    let mut rt = ResultType::default();
    for x in [a, b] {
        rt = match x {
            Arg::Tensor(t) => rt.tensor(t.dtype(), t.ndim()),
            Arg::Scalar(s) => rt.scalar(s),
        };
    }
    let common = rt.result();
    let not_impl = |d: DType| Error::Runtime(format!("\"{}_cpu\" not implemented for '{}'", op.name(), d.scalar_name()));
    use BinaryOp::*;
    Ok(match op {
        _ if op.is_comparison() => (common, DType::Bool),
        _ if op.is_logical() => (DType::Bool, DType::Bool),
        _ if op.is_bitwise() => {
            if common.is_floating_point() || (common == DType::Bool && matches!(op, Shl | Shr)) {
                return Err(not_impl(common));
            }
            (common, common)
        }
        Div | Atan2 => {
            let d = if common.is_floating_point() { common } else { crate::default_dtype() };
            (d, d)
        }
        Sub if arg_dtype(a) == DType::Bool && arg_dtype(b) == DType::Bool => {
            bail!("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")
        }
        Sub if common == DType::Bool || arg_dtype(a) == DType::Bool || arg_dtype(b) == DType::Bool => {
            bail!("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        }
        FloorDiv | Rem | Pow if common == DType::Bool => return Err(not_impl(common)),
        _ => (common, common),
    })
}

/// Errors when several elements of `t` share memory (an expanded view): writing through it
/// would race, so torch refuses.
pub fn check_no_internal_overlap(t: &Tensor) -> Result<()> {
    if t.shape().iter().zip(t.strides()).any(|(&d, &s)| d > 1 && s == 0) {
        bail!("unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.");
    }
    Ok(())
}

/// Can a value of `from` be stored in `to` without changing kind (float into int, etc.)?
pub fn can_cast(from: DType, to: DType) -> bool {
    let kind = |d: DType| if d == DType::Bool { 0 } else if d.is_floating_point() { 2 } else { 1 };
    kind(from) <= kind(to)
}

/// The tensor of an operand in `dtype`: scalars become 0-dim tensors.
fn materialize(a: Arg, dtype: DType, device: Device) -> Result<Tensor> {
    match a {
        Arg::Tensor(t) => {
            let t = t.to_dtype(dtype)?;
            if t.device() != device && t.ndim() == 0 {
                t.to_device(device)
            } else {
                Ok(t)
            }
        }
        Arg::Scalar(s) => crate::ops::creation::full(&[], s, dtype, device),
    }
}

fn expand_to(t: &Tensor, shape: &[usize]) -> Result<Layout> {
    t.layout().expand(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>())
}

/// Checks that an integer divisor holds no zero (torch raises instead of dividing).
fn check_no_zero_divisor(b: &Tensor) -> Result<()> {
    let has_zero = crate::with_dtype!(b.dtype(), T => {
        let v = b.to_vec::<T>()?;
        v.iter().any(|x| crate::backend::cpu::arith::Arith::is_zero(*x))
    });
    if has_zero {
        bail!("ZeroDivisionError");
    }
    Ok(())
}

/// Runs `op` on CPU tensors already in the compute dtype, writing `out` (broadcast shape).
// Generic comparisons instantiate for bool too, where clippy would rather see `&`/`!`.
#[allow(clippy::bool_comparison)]
fn run(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let shape = out.shape().to_vec();
    let (la, lb) = (expand_to(a, &shape)?, expand_to(b, &shape)?);
    let (a, b) = (a.with_layout(la), b.with_layout(lb));
    let compute = a.dtype();
    use BinaryOp::*;
    macro_rules! go {
        ($T:ty, $O:ty, $f:expr) => {{
            let (pa, pb, po) = (a.cpu_ptr::<$T>()?, b.cpu_ptr::<$T>()?, out.cpu_ptr::<$O>()?);
            // SAFETY: a, b are views broadcast to out's shape; out does not overlap them unless
            // identical in layout (callers clone otherwise).
            unsafe { map2::<$T, $T, $O>(&shape, Operand::new(po, out.strides()), Operand::new(pa, a.strides()), Operand::new(pb, b.strides()), #[inline(always)] $f) }
        }};
    }
    if op.is_comparison() {
        crate::with_dtype!(compute, T => match op {
            Eq => go!(T, bool, |x, y| x == y),
            Ne => go!(T, bool, |x, y| x != y),
            Lt => go!(T, bool, |x, y| x < y),
            Le => go!(T, bool, |x, y| x <= y),
            Gt => go!(T, bool, |x, y| x > y),
            _ => go!(T, bool, |x, y| x >= y),
        });
        return Ok(());
    }
    if op.is_logical() || op.is_bitwise() {
        crate::with_int_dtype!(compute, T => match op {
            LogicalAnd | BitAnd => go!(T, T, |x: T, y: T| x.and(y)),
            LogicalOr | BitOr => go!(T, T, |x: T, y: T| x.or(y)),
            LogicalXor | BitXor => go!(T, T, |x: T, y: T| x.xor(y)),
            Shl => go!(T, T, |x: T, y: T| x.shl(y)),
            _ => go!(T, T, |x: T, y: T| x.shr(y)),
        }, d => return Err(Error::Runtime(format!("\"{}_cpu\" not implemented for '{}'", op.name(), d.scalar_name()))));
        return Ok(());
    }
    if op == Atan2 {
        crate::with_float_dtype!(compute, T => go!(T, T, |x: T, y: T| FloatMath::atan2(x, y)),
            H => go!(H, H, |x: H, y: H| <H>::from_f32(x.to_f32().atan2(y.to_f32()))),
            d => bail!("atan2 expects floating point inputs, got {}", d.scalar_name()));
        return Ok(());
    }
    crate::with_dtype!(compute, T => match op {
        Add => go!(T, T, |x: T, y: T| x.add(y)),
        Sub => go!(T, T, |x: T, y: T| x.sub(y)),
        Mul => go!(T, T, |x: T, y: T| x.mul(y)),
        Div => go!(T, T, |x: T, y: T| x.div(y)),
        FloorDiv => go!(T, T, |x: T, y: T| x.floor_div(y)),
        Rem => go!(T, T, |x: T, y: T| Arith::rem(x, y)),
        Pow => go!(T, T, |x: T, y: T| Arith::pow(x, y)),
        Maximum => go!(T, T, |x: T, y: T| x.max_nan(y)),
        _ => go!(T, T, |x: T, y: T| x.min_nan(y)),
    });
    Ok(())
}

/// Whether `op` on these operands is a float16/bfloat16 tensor times or over a number.
fn scalar_in_float32(op: BinaryOp, compute: DType, a: Arg, b: Arg) -> bool {
    matches!(compute, DType::F16 | DType::BF16)
        && matches!(op, BinaryOp::Mul | BinaryOp::Div)
        && matches!((a, b), (Arg::Tensor(_), Arg::Scalar(_)) | (Arg::Scalar(_), Arg::Tensor(_)))
}

/// The tensors among the operands.
fn arg_tensors<'a>(a: Arg<'a>, b: Arg<'a>) -> impl Iterator<Item = &'a Tensor> {
    [a, b].into_iter().filter_map(|x| match x {
        Arg::Tensor(t) => Some(t),
        Arg::Scalar(_) => None,
    })
}

/// `op(a, b)` into a fresh tensor, or into `out` when given; recorded for autograd when an
/// operand requires grad.
pub fn binary(op: BinaryOp, a: Arg, b: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    if let Some(o) = out {
        o.check_inplace_allowed()?;
    }
    let tensors: Vec<&Tensor> = arg_tensors(a, b).chain(out).collect();
    if !crate::autograd::record::needs_grad(&tensors) {
        return binary_kernel(op, a, b, out);
    }
    if out.is_some() {
        return Err(crate::autograd::inplace::out_error(op.name()));
    }
    let r = binary_kernel(op, a, b, None)?;
    crate::autograd::formulas::binary::record_binary(op, a, b, &r)?;
    Ok(r)
}

fn binary_kernel(op: BinaryOp, a: Arg, b: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let (compute, out_dtype) = dtypes(op, a, b)?;
    let device = match (arg_device(a), arg_device(b)) {
        (Some(x), Some(y)) if x != y => bail!(
            "Expected all tensors to be on the same device, but found at least two devices, {x} and {y}!"
        ),
        (Some(x), _) | (None, Some(x)) => x,
        (None, None) => match (a, b) {
            (Arg::Tensor(t), _) | (_, Arg::Tensor(t)) => t.device(),
            _ => Device::Cpu,
        },
    };
    let shape_of = |x: Arg| match x {
        Arg::Tensor(t) => t.shape().to_vec(),
        Arg::Scalar(_) => vec![],
    };
    let shape = broadcast_shapes(&shape_of(a), &shape_of(b))?;
    if let (Arg::Scalar(Scalar::Int(e)), true, BinaryOp::Pow) = (b, compute.is_integral(), op) {
        if e < 0 {
            bail!("Integers to negative integer powers are not allowed.");
        }
    }
    let ta = materialize(a, compute, device)?;
    let tb = materialize(b, compute, device)?;
    if compute.is_integral() && matches!(op, BinaryOp::FloorDiv | BinaryOp::Rem) {
        check_no_zero_divisor(&tb)?;
    }
    let target = match out {
        Some(o) => {
            if o.device() != device {
                bail!("Expected out tensor to have device {device}, but got {} instead", o.device());
            }
            check_no_internal_overlap(o)?;
            if !can_cast(out_dtype, o.dtype()) {
                bail!(
                    "result type {} can't be cast to the desired output type {}",
                    out_dtype.scalar_name(),
                    o.dtype().scalar_name()
                );
            }
            if o.shape() != shape.as_slice() {
                // torch resizes an `out=` of another shape; in-place ops check their shape
                // before they get here (binary_inplace). Only after the checks, so a refused call
                // leaves `out` as it was.
                o.resize_out_(&shape)?;
            }
            o.clone()
        }
        None => Tensor::empty(&shape, out_dtype, device)?,
    };
    let direct = target.dtype() == out_dtype;
    let dst = if direct { target.clone() } else { Tensor::empty(&shape, out_dtype, device)? };
    let ta = if overlaps_differently(&dst, &ta) { ta.deep_clone()? } else { ta };
    let tb = if overlaps_differently(&dst, &tb) { tb.deep_clone()? } else { tb };
    if device == Device::Cpu && scalar_in_float32(op, compute, a, b) {
        // torch multiplies and divides a float16/bfloat16 tensor by a Python number in float32,
        // with the number unrounded, and rounds once: do the same.
        let wide = |x: Arg, t: &Tensor| -> Result<Tensor> {
            match x {
                Arg::Scalar(s) => crate::ops::creation::full(&[], s, DType::F32, device),
                Arg::Tensor(_) => t.to_dtype(DType::F32),
            }
        };
        let wa = wide(a, &ta)?;
        let wide_out = Tensor::empty(&shape, DType::F32, device)?;
        if op == BinaryOp::Div && matches!(a, Arg::Scalar(_)) {
            // `2.0 / x` is x.reciprocal() * 2.0 in torch: the reciprocal is rounded first.
            let reciprocal = tb.reciprocal()?.to_dtype(DType::F32)?;
            run(BinaryOp::Mul, &wa, &reciprocal, &wide_out)?;
        } else {
            run(op, &wa, &wide(b, &tb)?, &wide_out)?;
        }
        dst.copy_(&wide_out)?;
    } else if device == Device::Cpu {
        run(op, &ta, &tb, &dst)?;
    } else {
        crate::backend::cuda::binary(op, &ta, &tb, &dst)?;
    }
    if direct {
        if out.is_some() {
            target.bump_version();
        }
    } else {
        target.copy_(&dst)?;
    }
    Ok(target)
}

macro_rules! binary_methods {
    ($($name:ident, $name_:ident => $op:ident;)*) => {
        impl Tensor {
            $(
                pub fn $name<'a>(&self, other: impl Into<Arg<'a>>) -> Result<Tensor> {
                    binary(BinaryOp::$op, Arg::Tensor(self), other.into(), None)
                }
                /// In place: the result is cast back into `self`'s dtype.
                pub fn $name_<'a>(&self, other: impl Into<Arg<'a>>) -> Result<Tensor> {
                    binary_inplace(BinaryOp::$op, self, other.into())
                }
            )*
        }
    };
}

binary_methods! {
    add, add_ => Add;
    sub, sub_ => Sub;
    mul, mul_ => Mul;
    div, div_ => Div;
    floor_divide, floor_divide_ => FloorDiv;
    remainder, remainder_ => Rem;
    pow, pow_ => Pow;
    atan2, atan2_ => Atan2;
    maximum, maximum_ => Maximum;
    minimum, minimum_ => Minimum;
    eq, eq_ => Eq;
    ne, ne_ => Ne;
    lt, lt_ => Lt;
    le, le_ => Le;
    gt, gt_ => Gt;
    ge, ge_ => Ge;
    logical_and, logical_and_ => LogicalAnd;
    logical_or, logical_or_ => LogicalOr;
    logical_xor, logical_xor_ => LogicalXor;
    bitwise_and, bitwise_and_ => BitAnd;
    bitwise_or, bitwise_or_ => BitOr;
    bitwise_xor, bitwise_xor_ => BitXor;
    bitwise_left_shift, bitwise_left_shift_ => Shl;
    bitwise_right_shift, bitwise_right_shift_ => Shr;
}

/// `self op= other`: the broadcast shape must be `self`'s own.
pub fn binary_inplace(op: BinaryOp, target: &Tensor, other: Arg) -> Result<Tensor> {
    target.check_inplace_allowed()?;
    if let Arg::Tensor(o) = other {
        let shape = broadcast_shapes(target.shape(), o.shape())?;
        if shape.as_slice() != target.shape() {
            bail!(
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                target.shape(),
                shape
            );
        }
    }
    let mut tensors = vec![target];
    tensors.extend(arg_tensors(other, Arg::Scalar(Scalar::Int(0))));
    if crate::autograd::record::needs_grad(&tensors) {
        return crate::autograd::inplace::inplace(target, |snapshot| binary(op, Arg::Tensor(snapshot), other, None));
    }
    binary_kernel(op, Arg::Tensor(target), other, Some(target))
}

//! Unary elementwise ops: the math family, rounding, activations, predicates.

use crate::backend::cpu::arith::{Arith, Bits};
use crate::backend::cpu::map::{map1, Operand};
use crate::backend::cpu::math::FloatMath;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::ops::binary::can_cast;
use crate::ops::copy::overlaps_differently;
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg, Abs, Sign, Square, Relu,
    Floor, Ceil, Round, Trunc, Frac,
    Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt, Rsqrt, Reciprocal,
    Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh,
    Sigmoid, Erf, Erfinv, Gelu, GeluTanh, Silu,
    LogicalNot, BitNot, IsNan, IsInf, IsPosInf, IsNegInf, IsFinite,
}

/// How an op treats dtypes.
enum Kind {
    /// Same dtype out as in, for every numeric dtype.
    Keep,
    /// Float math: integers and bool are promoted to the default float dtype.
    Float,
    /// Float math that torch does not define for integers.
    FloatOnly,
    /// A bool-valued predicate.
    Predicate,
}

impl UnaryOp {
    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }

    fn kind(self) -> Kind {
        use UnaryOp::*;
        match self {
            Neg | Abs | Sign | Square | Relu | Floor | Ceil | Round | Trunc | BitNot => Kind::Keep,
            Frac | Gelu | GeluTanh | Silu => Kind::FloatOnly,
            LogicalNot | IsNan | IsInf | IsPosInf | IsNegInf | IsFinite => Kind::Predicate,
            _ => Kind::Float,
        }
    }
}

fn not_impl(op: UnaryOp, d: DType) -> Error {
    Error::Runtime(format!("\"{}_cpu\" not implemented for '{}'", op.name(), d.scalar_name()))
}

/// Float math on f32/f64 tensors with identical shapes (`out` may be `x` itself).
fn float_math<T: FloatMath + crate::dtype::Element>(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    use UnaryOp::*;
    let (px, po) = (x.cpu_ptr::<T>()?, out.cpu_ptr::<T>()?);
    macro_rules! go {
        ($f:expr) => {
            // SAFETY: same shape; out is fresh or identical in layout to x.
            unsafe { map1::<T, T>(x.shape(), Operand::new(po, out.strides()), Operand::new(px, x.strides()), #[inline(always)] $f) }
        };
    }
    match op {
        Exp => go!(|v| v.exp()),
        Exp2 => go!(|v| v.exp2()),
        Expm1 => go!(|v| v.expm1()),
        Log => go!(|v| v.ln()),
        Log2 => go!(|v| v.log2()),
        Log10 => go!(|v| v.log10()),
        Log1p => go!(|v| v.log1p()),
        Sqrt => go!(|v| v.sqrt()),
        Rsqrt => go!(|v| v.rsqrt()),
        Reciprocal => go!(|v| v.recip()),
        Sin => go!(|v| v.sin()),
        Cos => go!(|v| v.cos()),
        Tan => go!(|v| v.tan()),
        Asin => go!(|v| v.asin()),
        Acos => go!(|v| v.acos()),
        Atan => go!(|v| v.atan()),
        Sinh => go!(|v| v.sinh()),
        Cosh => go!(|v| v.cosh()),
        Tanh => go!(|v| v.tanh()),
        Sigmoid => go!(|v| v.sigmoid()),
        Erf => go!(|v| v.erf()),
        Erfinv => go!(|v| v.erfinv()),
        Gelu => go!(|v| v.gelu()),
        GeluTanh => go!(|v| v.gelu_tanh()),
        Silu => go!(|v| v.silu()),
        Frac => go!(|v| v.frac()),
        Floor => go!(|v| v.floor()),
        Ceil => go!(|v| v.ceil()),
        Round => go!(|v| v.round_even()),
        Trunc => go!(|v| v.trunc()),
        Relu => go!(|v| v.relu()),
        _ => return Err(Error::Runtime(format!("{op:?} is not a float op"))),
    }
    Ok(())
}

/// Ops that keep any numeric dtype (`out` has x's dtype and shape).
// relu's `v > zero` instantiates for bool too, where clippy would rather see `&`/`!`.
#[allow(clippy::bool_comparison)]
fn keep_dtype(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    use UnaryOp::*;
    let d = x.dtype();
    if d.is_floating_point() && matches!(op, Floor | Ceil | Round | Trunc | Relu) {
        return float_dispatch(op, x, out);
    }
    if op == Neg && d == DType::Bool {
        bail!("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
    }
    if op == BitNot {
        return crate::with_int_dtype!(d, T => {
            let (px, po) = (x.cpu_ptr::<T>()?, out.cpu_ptr::<T>()?);
            // SAFETY: same shape; out is fresh or identical in layout to x.
            unsafe { map1::<T, T>(x.shape(), Operand::new(po, out.strides()), Operand::new(px, x.strides()), |v| v.not()) };
            Ok(())
        }, d => Err(not_impl(op, d)));
    }
    crate::with_dtype!(d, T => {
        let (px, po) = (x.cpu_ptr::<T>()?, out.cpu_ptr::<T>()?);
        macro_rules! go {
            ($f:expr) => {
                // SAFETY: same shape; out is fresh or identical in layout to x.
                unsafe { map1::<T, T>(x.shape(), Operand::new(po, out.strides()), Operand::new(px, x.strides()), #[inline(always)] $f) }
            };
        }
        match op {
            Neg => go!(|v: T| Arith::neg(v)),
            Abs => go!(|v: T| Arith::abs(v)),
            Sign => go!(|v: T| Arith::sign(v)),
            Square => go!(|v: T| Arith::mul(v, v)),
            Relu => {
                if d == DType::Bool {
                    return Err(not_impl(op, d));
                }
                let z = T::zero();
                go!(move |v: T| if v > z { v } else { z })
            }
            _ => go!(|v: T| v),
        }
    });
    Ok(())
}

/// Float math on any float dtype: halves compute through f32.
fn float_dispatch(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    crate::with_float_dtype!(x.dtype(),
        T => float_math::<T>(op, x, out),
        H => {
            let xf = x.to_dtype(DType::F32)?;
            let tmp = Tensor::empty(x.shape(), DType::F32, Device::Cpu)?;
            float_math::<f32>(op, &xf, &tmp)?;
            out.copy_(&tmp)
        },
        d => Err(not_impl(op, d)))
}

fn predicate(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    use UnaryOp::*;
    crate::with_dtype!(x.dtype(), T => {
        let (px, po) = (x.cpu_ptr::<T>()?, out.cpu_ptr::<bool>()?);
        macro_rules! go {
            ($f:expr) => {
                // SAFETY: same shape; out is a fresh bool tensor.
                unsafe { map1::<T, bool>(x.shape(), Operand::new(po, out.strides()), Operand::new(px, x.strides()), #[inline(always)] $f) }
            };
        }
        let fl = T::IS_FLOAT;
        match op {
            LogicalNot => go!(|v: T| v.to_f64() == 0.0),
            IsNan => go!(move |v: T| fl && v.to_f64().is_nan()),
            IsInf => go!(move |v: T| fl && v.to_f64().is_infinite()),
            IsPosInf => go!(move |v: T| fl && v.to_f64() == f64::INFINITY),
            IsNegInf => go!(move |v: T| fl && v.to_f64() == f64::NEG_INFINITY),
            _ => go!(move |v: T| !fl || v.to_f64().is_finite()),
        }
    });
    Ok(())
}

/// `op(x)` into a fresh tensor, or into `out` (which may be `x`, for in-place forms).
pub fn unary(op: UnaryOp, x: &Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    if let Some(o) = out {
        o.check_inplace_allowed()?;
    }
    let tensors: Vec<&Tensor> = std::iter::once(x).chain(out).collect();
    if !crate::autograd::record::needs_grad(&tensors) {
        return unary_kernel(op, x, out);
    }
    match out {
        None => {
            let r = unary_kernel(op, x, None)?;
            crate::autograd::formulas::unary::record_unary(op, x, &r)?;
            Ok(r)
        }
        Some(o) if o.same_storage(x) && o.layout() == x.layout() => {
            crate::autograd::inplace::inplace(x, |snapshot| unary(op, snapshot, None))
        }
        Some(_) => Err(crate::autograd::inplace::out_error(&op.name())),
    }
}

fn unary_kernel(op: UnaryOp, x: &Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    x.expect_cpu(&op.name())?;
    let d = x.dtype();
    use UnaryOp::*;
    if d == DType::Bool && matches!(op, Abs | Floor | Ceil | Round | Trunc | Relu) {
        return Err(not_impl(op, d));
    }
    if d == DType::Bool && op == Square {
        return unary(Square, &x.to_dtype(DType::I64)?, out);
    }
    let (input, out_dtype) = match op.kind() {
        Kind::Keep => (x.clone(), d),
        Kind::Predicate => (x.clone(), DType::Bool),
        Kind::FloatOnly if !d.is_floating_point() => return Err(not_impl(op, d)),
        Kind::FloatOnly => (x.clone(), d),
        Kind::Float if d.is_floating_point() => (x.clone(), d),
        Kind::Float => {
            let f = crate::default_dtype();
            (x.to_dtype(f)?, f)
        }
    };
    let target = match out {
        Some(o) => {
            if !can_cast(out_dtype, o.dtype()) {
                bail!(
                    "result type {} can't be cast to the desired output type {}",
                    out_dtype.scalar_name(),
                    o.dtype().scalar_name()
                );
            }
            if o.shape() != x.shape() {
                // torch resizes an `out=` of another shape (in-place forms never get here);
                // only after the checks, so a refused call leaves `out` as it was.
                o.resize_out_(x.shape())?;
            }
            crate::ops::binary::check_no_internal_overlap(o)?;
            o.clone()
        }
        None => Tensor::empty(x.shape(), out_dtype, Device::Cpu)?,
    };
    let direct = target.dtype() == out_dtype && !overlaps_differently(&target, &input);
    let dst = if direct { target.clone() } else { Tensor::empty(x.shape(), out_dtype, Device::Cpu)? };
    match op.kind() {
        Kind::Keep => keep_dtype(op, &input, &dst)?,
        Kind::Predicate => predicate(op, &input, &dst)?,
        _ => float_dispatch(op, &input, &dst)?,
    }
    if !direct {
        target.copy_(&dst)?;
    } else if out.is_some() {
        target.bump_version();
    }
    Ok(target)
}

macro_rules! unary_methods {
    ($($name:ident, $name_:ident => $op:ident;)*) => {
        impl Tensor {
            $(
                pub fn $name(&self) -> Result<Tensor> {
                    unary(UnaryOp::$op, self, None)
                }
                pub fn $name_(&self) -> Result<Tensor> {
                    unary(UnaryOp::$op, self, Some(self))
                }
            )*
        }
    };
}

unary_methods! {
    neg, neg_ => Neg; abs, abs_ => Abs; sign, sign_ => Sign; square, square_ => Square;
    relu, relu_ => Relu; floor, floor_ => Floor; ceil, ceil_ => Ceil; round, round_ => Round;
    trunc, trunc_ => Trunc; frac, frac_ => Frac; exp, exp_ => Exp; exp2, exp2_ => Exp2;
    expm1, expm1_ => Expm1; log, log_ => Log; log2, log2_ => Log2; log10, log10_ => Log10;
    log1p, log1p_ => Log1p; sqrt, sqrt_ => Sqrt; rsqrt, rsqrt_ => Rsqrt;
    reciprocal, reciprocal_ => Reciprocal; sin, sin_ => Sin; cos, cos_ => Cos; tan, tan_ => Tan;
    asin, asin_ => Asin; acos, acos_ => Acos; atan, atan_ => Atan; sinh, sinh_ => Sinh;
    cosh, cosh_ => Cosh; tanh, tanh_ => Tanh; sigmoid, sigmoid_ => Sigmoid; erf, erf_ => Erf;
    erfinv, erfinv_ => Erfinv; gelu, gelu_ => Gelu; gelu_tanh, gelu_tanh_ => GeluTanh;
    silu, silu_ => Silu; logical_not, logical_not_ => LogicalNot;
    bitwise_not, bitwise_not_ => BitNot;
}

impl Tensor {
    pub fn isnan(&self) -> Result<Tensor> {
        unary(UnaryOp::IsNan, self, None)
    }
    pub fn isinf(&self) -> Result<Tensor> {
        unary(UnaryOp::IsInf, self, None)
    }
    pub fn isposinf(&self) -> Result<Tensor> {
        unary(UnaryOp::IsPosInf, self, None)
    }
    pub fn isneginf(&self) -> Result<Tensor> {
        unary(UnaryOp::IsNegInf, self, None)
    }
    pub fn isfinite(&self) -> Result<Tensor> {
        unary(UnaryOp::IsFinite, self, None)
    }
}

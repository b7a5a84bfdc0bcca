//! Backward of the elementwise unary ops.

use std::f64::consts::{LN_10, LN_2, PI};

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::record;
use crate::autograd::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::unary::UnaryOp;
use crate::ops::Arg;
use crate::tensor::Tensor;

fn f(v: f64) -> Scalar {
    Scalar::Float(v)
}

/// torch's node name (`ExpBackward0`), or None for ops without a gradient.
fn name(op: UnaryOp) -> Option<&'static str> {
    use UnaryOp::*;
    Some(match op {
        Neg => "NegBackward0",
        Abs => "AbsBackward0",
        Sign => "SignBackward0",
        Square => "PowBackward0",
        Relu => "ReluBackward0",
        Floor => "FloorBackward0",
        Ceil => "CeilBackward0",
        Round => "RoundBackward0",
        Trunc => "TruncBackward0",
        Frac => "FracBackward0",
        Exp => "ExpBackward0",
        Exp2 => "Exp2Backward0",
        Expm1 => "Expm1Backward0",
        Log => "LogBackward0",
        Log2 => "Log2Backward0",
        Log10 => "Log10Backward0",
        Log1p => "Log1PBackward0",
        Sqrt => "SqrtBackward0",
        Rsqrt => "RsqrtBackward0",
        Reciprocal => "ReciprocalBackward0",
        Sin => "SinBackward0",
        Cos => "CosBackward0",
        Tan => "TanBackward0",
        Asin => "AsinBackward0",
        Acos => "AcosBackward0",
        Atan => "AtanBackward0",
        Sinh => "SinhBackward0",
        Cosh => "CoshBackward0",
        Tanh => "TanhBackward0",
        Sigmoid => "SigmoidBackward0",
        Erf => "ErfBackward0",
        Erfinv => "ErfinvBackward0",
        Gelu | GeluTanh => "GeluBackward0",
        Silu => "SiluBackward0",
        _ => return None,
    })
}

/// Records `out = op(x)` when `x` requires grad and the op is differentiable.
pub(crate) fn record_unary(op: UnaryOp, x: &Tensor, out: &Tensor) -> Result<()> {
    let Some(name) = name(op) else { return Ok(()) };
    if !out.dtype().is_floating_point() {
        return Ok(());
    }
    let (sx, sy) = (SavedTensor::input(x)?, SavedTensor::output(out)?);
    record(name, &[x], &[out], backward_fn(move |node, g| {
        let x = || sx.unpack(node);
        let y = || sy.unpack(node);
        Ok(vec![Some(derivative(op, g, x, y)?)])
    }));
    Ok(())
}

/// g * d op(x)/dx, from the input `x` or the output `y` (whichever the formula needs).
fn derivative(op: UnaryOp, g: &Tensor, x: impl Fn() -> Result<Tensor>, y: impl Fn() -> Result<Tensor>) -> Result<Tensor> {
    use UnaryOp::*;
    let zero = || g.mul(f(0.0));
    match op {
        Neg => g.neg(),
        Abs => g.mul(&x()?.sign()?),
        Sign | Floor | Ceil | Round | Trunc => zero(),
        Frac => Ok(g.clone()),
        Square => g.mul(&x()?.mul(f(2.0))?),
        Relu => g.masked_fill(&y()?.le(f(0.0))?, Arg::Scalar(f(0.0))),
        Exp => g.mul(&y()?),
        Exp2 => g.mul(&y()?.mul(f(LN_2))?),
        Expm1 => g.mul(&y()?.add(f(1.0))?),
        Log => g.div(&x()?),
        Log2 => g.div(&x()?.mul(f(LN_2))?),
        Log10 => g.div(&x()?.mul(f(LN_10))?),
        Log1p => g.div(&x()?.add(f(1.0))?),
        Sqrt => g.div(&y()?.mul(f(2.0))?),
        Rsqrt => g.mul(&y()?.pow(f(3.0))?.mul(f(-0.5))?),
        Reciprocal => g.mul(&y()?.mul(&y()?)?.neg()?),
        Sin => g.mul(&x()?.cos()?),
        Cos => g.mul(&x()?.sin()?.neg()?),
        Tan => g.mul(&y()?.mul(&y()?)?.add(f(1.0))?),
        Asin => g.mul(&x()?.mul(&x()?)?.neg()?.add(f(1.0))?.rsqrt()?),
        Acos => g.mul(&x()?.mul(&x()?)?.neg()?.add(f(1.0))?.rsqrt()?.neg()?),
        Atan => g.div(&x()?.mul(&x()?)?.add(f(1.0))?),
        Sinh => g.mul(&x()?.cosh()?),
        Cosh => g.mul(&x()?.sinh()?),
        Tanh => g.mul(&y()?.mul(&y()?)?.neg()?.add(f(1.0))?),
        Sigmoid => {
            let y = y()?;
            g.mul(&y.mul(&y.neg()?.add(f(1.0))?)?)
        }
        Erf => g.mul(&x()?.mul(&x()?)?.neg()?.exp()?.mul(f(2.0 / PI.sqrt()))?),
        Erfinv => g.mul(&y()?.mul(&y()?)?.exp()?.mul(f(PI.sqrt() / 2.0))?),
        Gelu => {
            // d/dx x Phi(x) = Phi(x) + x phi(x)
            let x = x()?;
            let cdf = x.mul(f(std::f64::consts::FRAC_1_SQRT_2))?.erf()?.add(f(1.0))?.mul(f(0.5))?;
            let pdf = x.mul(&x)?.mul(f(-0.5))?.exp()?.mul(f(1.0 / (2.0 * PI).sqrt()))?;
            g.mul(&cdf.add(&x.mul(&pdf)?)?)
        }
        GeluTanh => {
            // y = 0.5 x (1 + tanh(u)), u = k (x + c x^3)
            let (k, c) = ((2.0 / PI).sqrt(), 0.044715);
            let x = x()?;
            let x2 = x.mul(&x)?;
            let t = x.add(&x2.mul(&x)?.mul(f(c))?)?.mul(f(k))?.tanh()?;
            let du = x2.mul(f(3.0 * c))?.add(f(1.0))?.mul(f(k))?;
            let sech2 = t.mul(&t)?.neg()?.add(f(1.0))?;
            let d = t.add(f(1.0))?.mul(f(0.5))?.add(&x.mul(f(0.5))?.mul(&sech2)?.mul(&du)?)?;
            g.mul(&d)
        }
        Silu => {
            let x = x()?;
            let s = x.sigmoid()?;
            g.mul(&s.mul(&x.mul(&s.neg()?.add(f(1.0))?)?.add(f(1.0))?)?)
        }
        _ => zero(),
    }
}

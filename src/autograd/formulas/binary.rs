//! Backward of the elementwise binary ops.

use crate::autograd::formulas::{backward_fn, needs};
use crate::autograd::record::record;
use crate::autograd::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::binary::BinaryOp;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// torch's node name for `op` with these operand kinds.
fn name(op: BinaryOp, a_is_tensor: bool, b_is_tensor: bool) -> Option<&'static str> {
    use BinaryOp::*;
    Some(match op {
        Add => "AddBackward0",
        Sub if !a_is_tensor => "RsubBackward1",
        Sub => "SubBackward0",
        Mul => "MulBackward0",
        Div => "DivBackward0",
        Pow if a_is_tensor && b_is_tensor => "PowBackward1",
        Pow if a_is_tensor => "PowBackward0",
        Pow => "PowBackward2",
        Atan2 => "Atan2Backward0",
        Maximum => "MaximumBackward0",
        Minimum => "MinimumBackward0",
        Rem => "RemainderBackward0",
        _ => return None,
    })
}

/// Records `out = op(a, b)` when some operand requires grad and the op is differentiable.
pub(crate) fn record_binary(op: BinaryOp, a: Arg, b: Arg, out: &Tensor) -> Result<()> {
    let (a_is_t, b_is_t) = (matches!(a, Arg::Tensor(_)), matches!(b, Arg::Tensor(_)));
    let Some(name) = name(op, a_is_t, b_is_t) else { return Ok(()) };
    if !out.dtype().is_floating_point() {
        return Ok(());
    }
    let inputs: Vec<&Tensor> = [a, b].into_iter().filter_map(|x| if let Arg::Tensor(t) = x { Some(t) } else { None }).collect();
    // Which of (a, b) each recorded input is.
    let slots: Vec<usize> = [a_is_t, b_is_t].iter().enumerate().filter(|(_, t)| **t).map(|(i, _)| i).collect();
    // Save only what the formula will read, so that unrelated in-place changes stay legal
    // (and a Python scalar becomes a tensor only when the formula reads it).
    use BinaryOp::*;
    let grad_of = |x: Arg| matches!(x, Arg::Tensor(t) if t.requires_grad());
    let (a_grad, b_grad) = (grad_of(a), grad_of(b));
    let (keep_a, keep_b) = match op {
        Add | Sub => (false, false),
        Mul => (b_grad, a_grad),
        Div => (b_grad, true),
        _ => (true, true),
    };
    let saved_out = (op == Pow && b_grad).then(|| SavedTensor::output(out)).transpose()?;
    let sa = if keep_a { Some(SavedTensor::input(&tensor_of(a, out)?)?) } else { None };
    let sb = if keep_b { Some(SavedTensor::input(&tensor_of(b, out)?)?) } else { None };
    record(name, &inputs, &[out], backward_fn(move |node, g| {
        let want = |k: usize| slots.iter().position(|&s| s == k).is_some_and(|i| needs(node, i));
        // Unsaved operands are never read by the formula; `g` stands in for them.
        let unpack = |s: &Option<SavedTensor>| s.as_ref().map_or_else(|| Ok(g.clone()), |s| s.unpack(node));
        let (a, b) = (unpack(&sa)?, unpack(&sb)?);
        let out = || unpack(&saved_out);
        let (ga, gb) = grads(op, g, &a, &b, out, want(0), want(1))?;
        let both = [ga, gb];
        Ok(slots.iter().map(|&s| both[s].clone()).collect())
    }));
    Ok(())
}

/// The operand as a tensor of the output's dtype (Python scalars become 0-dim constants).
fn tensor_of(a: Arg, out: &Tensor) -> Result<Tensor> {
    match a {
        Arg::Tensor(t) => Ok(t.clone()),
        Arg::Scalar(s) => crate::ops::creation::full(&[], s, out.dtype(), out.device()),
    }
}

type Pair = (Option<Tensor>, Option<Tensor>);

/// d/da and d/db of `op` times `g` (shapes may still be broadcast; the engine sums them).
fn grads(op: BinaryOp, g: &Tensor, a: &Tensor, b: &Tensor, out: impl Fn() -> Result<Tensor>, wa: bool, wb: bool) -> Result<Pair> {
    use BinaryOp::*;
    let when = |w: bool, f: &dyn Fn() -> Result<Tensor>| if w { f().map(Some) } else { Ok(None) };
    match op {
        Add => Ok((when(wa, &|| Ok(g.clone()))?, when(wb, &|| Ok(g.clone()))?)),
        Sub => Ok((when(wa, &|| Ok(g.clone()))?, when(wb, &|| g.neg())?)),
        Mul => Ok((when(wa, &|| g.mul(b))?, when(wb, &|| g.mul(a))?)),
        Div => Ok((when(wa, &|| g.div(b))?, when(wb, &|| g.neg()?.mul(a)?.div(&b.mul(b)?))?)),
        Pow => {
            // d/da a^b = b a^(b-1), taken as 0 where b == 0; d/db a^b = a^b ln a, taken as 0
            // where a == 0 and b >= 0 (torch's masking of the limits).
            let ga = when(wa, &|| {
                let d = b.mul(&a.pow(&b.sub(Scalar::Float(1.0))?)?)?;
                g.mul(&d.masked_fill(&b.eq(Scalar::Float(0.0))?, Arg::Scalar(Scalar::Float(0.0)))?)
            })?;
            let gb = when(wb, &|| {
                let d = out()?.mul(&a.log()?)?;
                let zero_base = a.eq(Scalar::Float(0.0))?.logical_and(&b.ge(Scalar::Float(0.0))?)?;
                g.mul(&d.masked_fill(&zero_base, Arg::Scalar(Scalar::Float(0.0)))?)
            })?;
            Ok((ga, gb))
        }
        Atan2 => {
            let r = a.mul(a)?.add(&b.mul(b)?)?;
            Ok((when(wa, &|| g.mul(b)?.div(&r))?, when(wb, &|| g.neg()?.mul(a)?.div(&r))?))
        }
        Maximum | Minimum => {
            // The larger (smaller) operand takes the gradient; ties split it evenly.
            let (wins_a, wins_b) = if op == Maximum { (a.gt(b)?, b.gt(a)?) } else { (a.lt(b)?, b.lt(a)?) };
            let tie = a.eq(b)?;
            let share = |wins: &Tensor| -> Result<Tensor> {
                let half = g.mul(Scalar::Float(0.5))?.masked_fill(&tie.logical_not()?, Arg::Scalar(Scalar::Float(0.0)))?;
                g.masked_fill(&wins.logical_not()?, Arg::Scalar(Scalar::Float(0.0)))?.add(&half)
            };
            Ok((when(wa, &|| share(&wins_a))?, when(wb, &|| share(&wins_b))?))
        }
        Rem => Ok((when(wa, &|| Ok(g.clone()))?, when(wb, &|| g.neg()?.mul(&a.floor_divide(b)?))?)),
        _ => Ok((None, None)),
    }
}

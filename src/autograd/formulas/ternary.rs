//! Backward of `where` (and so of masked_fill and clamp, which are built on it).

use crate::autograd::formulas::{backward_fn, needs};
use crate::autograd::record::record;
use crate::dtype::Scalar;
use crate::ops::Arg;
use crate::error::Result;
use crate::tensor::Tensor;

/// Records `out = where(cond, a, b)`: each branch gets the gradient where it was chosen.
pub(crate) fn record_where(cond: &Tensor, a: Arg, b: Arg, out: &Tensor) {
    let branches: Vec<(bool, &Tensor)> = [(true, a), (false, b)]
        .into_iter()
        .filter_map(|(chosen_when, x)| match x {
            Arg::Tensor(t) => Some((chosen_when, t)),
            Arg::Scalar(_) => None,
        })
        .collect();
    let inputs: Vec<&Tensor> = branches.iter().map(|(_, t)| *t).collect();
    let chosen_when: Vec<bool> = branches.iter().map(|(w, _)| *w).collect();
    let cond = cond.detach();
    record("WhereBackward0", &inputs, &[out], backward_fn(move |node, g| {
        chosen_when
            .iter()
            .enumerate()
            .map(|(i, &when)| {
                if !needs(node, i) {
                    return Ok(None);
                }
                let not_chosen = if when { cond.logical_not()? } else { cond.to_dtype(crate::dtype::DType::Bool)? };
                Ok(Some(g.masked_fill(&not_chosen, Arg::Scalar(Scalar::Float(0.0)))?))
            })
            .collect()
    }));
}

/// Records `out = x.masked_fill(mask, value)`: `x` gets the gradient outside the mask; a
/// 0-dim tensor `value` gets the sum of the gradient inside it.
pub(crate) fn record_masked_fill(x: &Tensor, mask: &Tensor, value: Option<&Tensor>, out: &Tensor) {
    let mask = mask.detach();
    let (name, inputs): (_, Vec<&Tensor>) = match value {
        Some(v) => ("MaskedFillBackward1", vec![x, v]),
        None => ("MaskedFillBackward0", vec![x]),
    };
    record(name, &inputs, &[out], backward_fn(move |node, g| {
        let zero = Arg::Scalar(Scalar::Float(0.0));
        let gx = if needs(node, 0) { Some(g.masked_fill(&mask, zero)?) } else { None };
        let mut grads = vec![gx];
        if node.next_edges().len() > 1 {
            grads.push(if needs(node, 1) { Some(g.masked_fill(&mask.logical_not()?, zero)?.sum()?) } else { None });
        }
        Ok(grads)
    }));
}

/// Records `out = x.clamp(lo, hi)` with constant bounds: the gradient passes strictly
/// inside the bounds (torch gives 0 at a bound).
pub(crate) fn record_clamp(x: &Tensor, lo: Option<Scalar>, hi: Option<Scalar>, out: &Tensor) -> Result<()> {
    let name = match (lo, hi) {
        (Some(_), Some(_)) => "ClampBackward1",
        (Some(_), None) => "ClampMinBackward0",
        _ => "ClampMaxBackward0",
    };
    let sx = crate::autograd::SavedTensor::input(x)?;
    record(name, &[x], &[out], backward_fn(move |node, g| {
        let x = sx.unpack(node)?;
        let mut blocked: Option<Tensor> = None;
        for outside in [lo.map(|b| x.le(b)), hi.map(|b| x.ge(b))].into_iter().flatten() {
            let outside = outside?;
            blocked = Some(match blocked {
                Some(m) => m.logical_or(&outside)?,
                None => outside,
            });
        }
        let gx = match blocked {
            Some(m) => g.masked_fill(&m, Arg::Scalar(Scalar::Float(0.0)))?,
            None => g.clone(),
        };
        Ok(vec![Some(gx)])
    }));
    Ok(())
}

/// Records `out = x.nan_to_num(...)`: the gradient passes where `x` was finite.
pub(crate) fn record_nan_to_num(x: &Tensor, out: &Tensor) {
    let replaced = x.detach().isfinite().and_then(|f| f.logical_not());
    record("NanToNumBackward0", &[x], &[out], backward_fn(move |_, g| {
        let replaced = replaced.as_ref().map_err(|e| e.clone())?;
        Ok(vec![Some(g.masked_fill(replaced, Arg::Scalar(Scalar::Float(0.0)))?)])
    }));
}

//! Backward of `where` (and so of masked_fill and clamp, which are built on it).

use crate::autograd::formulas::{backward_fn, needs};
use crate::autograd::record::record;
use crate::dtype::Scalar;
use crate::ops::Arg;
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

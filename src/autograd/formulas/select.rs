//! Backward of the ops that pick elements along a dim (sort, topk, kthvalue, median, mode):
//! each picked value's gradient goes back to the position it was picked from.

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::{needs_grad, record};
use crate::error::Result;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// Records `values`, picked from `x` along `dim` at `indices` (which lack `dim` unless
/// `keepdim`).
pub(crate) fn record_selected(name: &'static str, x: &Tensor, dim: usize, values: &Tensor, indices: &Tensor, keepdim: bool) -> Result<()> {
    if !needs_grad(&[x]) || !values.dtype().is_floating_point() {
        return Ok(());
    }
    if x.ndim() == 0 {
        // Picking from one element is the identity.
        record(name, &[x], &[values], backward_fn(|_, g| Ok(vec![Some(g.clone())])));
        return Ok(());
    }
    let idx = if keepdim { indices.clone() } else { indices.unsqueeze(dim as i64)? };
    let shape = x.shape().to_vec();
    record(name, &[x], &[values], backward_fn(move |_, g| {
        let g = if keepdim { g.clone() } else { g.unsqueeze(dim as i64)? };
        let zeros = crate::ops::creation::zeros(&shape, g.dtype(), g.device())?;
        Ok(vec![Some(zeros.scatter(dim as i64, &idx, Arg::Tensor(&g), None)?)])
    }));
    Ok(())
}

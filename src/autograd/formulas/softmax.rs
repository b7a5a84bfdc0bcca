//! Backward of softmax and log_softmax.

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::record;
use crate::autograd::SavedTensor;
use crate::error::Result;
use crate::tensor::Tensor;

/// Records `out = softmax(x, dim)` (or log_softmax).
pub(crate) fn record_softmax(x: &Tensor, dim: i64, log: bool, out: &Tensor) -> Result<()> {
    let sy = SavedTensor::output(out)?;
    let name = if log { "LogSoftmaxBackward0" } else { "SoftmaxBackward0" };
    record(name, &[x], &[out], backward_fn(move |node, g| {
        let y = sy.unpack(node)?;
        let gx = if log {
            // d log_softmax: g - softmax * sum(g)
            g.sub(&y.exp()?.mul(&g.sum_dims(Some(&[dim]), true, None)?)?)?
        } else {
            // d softmax: y * (g - sum(g * y))
            y.mul(&g.sub(&g.mul(&y)?.sum_dims(Some(&[dim]), true, None)?)?)?
        };
        Ok(vec![Some(gx)])
    }));
    Ok(())
}

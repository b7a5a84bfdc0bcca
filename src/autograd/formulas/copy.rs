//! Backward of copies: clone, contiguous, dtype and device conversions pass the gradient
//! through (the engine casts it back to the input's dtype).

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::record;
use crate::tensor::Tensor;

/// Records `out`, a copy of `x` (possibly in another dtype or on another device).
pub(crate) fn record_copy(name: &'static str, x: &Tensor, out: &Tensor) {
    let device = x.device();
    record(name, &[x], &[out], backward_fn(move |_, g| Ok(vec![Some(g.to_device(device)?)])));
}

//! Backward of the samplers: torch defines normal(mean, std), bernoulli(p) and poisson(rate)
//! as differentiable with a zero gradient (derivatives.yaml), so their outputs require grad
//! when an input does, and backward passes zeros.

use crate::autograd::formulas::{backward_fn, needs};
use crate::autograd::record::{needs_grad, record};
use crate::dtype::Scalar;
use crate::tensor::Tensor;

/// Records `out` as a sample of `inputs` whose gradient is zero.
pub(crate) fn record_sample(name: &'static str, inputs: &[&Tensor], out: &Tensor) {
    if !needs_grad(inputs) || !out.dtype().is_floating_point() {
        return;
    }
    let count = inputs.len();
    record(name, inputs, &[out], backward_fn(move |node, g| {
        (0..count).map(|i| if needs(node, i) { g.mul(Scalar::Float(0.0)).map(Some) } else { Ok(None) }).collect()
    }));
}

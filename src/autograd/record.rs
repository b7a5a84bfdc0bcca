//! Recording an op into the graph.

use super::mode::is_grad_enabled;
use super::node::{Backward, Node};
use super::meta::set_history;
use crate::tensor::Tensor;

/// True when an op on these inputs must record a node: grad mode is on and some input
/// requires grad.
#[inline]
pub fn needs_grad(inputs: &[&Tensor]) -> bool {
    inputs.iter().any(|t| t.requires_grad()) && is_grad_enabled()
}

/// Records `backward` as the `grad_fn` of `outputs`, with edges to the producers of
/// `inputs`' gradients.
pub fn record(name: &'static str, inputs: &[&Tensor], outputs: &[&Tensor], backward: impl Backward + 'static) {
    let next = inputs.iter().map(|t| t.gradient_edge()).collect();
    let metas = inputs.iter().map(|t| (t.dtype(), t.shape().to_vec())).collect();
    let node = Node::function(name, Box::new(backward), next, metas, outputs.len());
    for (i, o) in outputs.iter().enumerate() {
        set_history(o, node.clone(), i);
    }
}

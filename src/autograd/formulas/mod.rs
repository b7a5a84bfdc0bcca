//! Backward formulas, one file per op family (PyTorch's derivatives.yaml, in Rust). Each is
//! written with differentiable tensor ops, so that a backward run with `create_graph` is
//! itself recorded and can be differentiated again.

pub mod binary;
pub mod copy;
pub mod index;
pub mod linalg;
pub mod matmul;
pub mod random;
pub mod reduce;
pub mod select;
pub mod softmax;
pub mod ternary;
pub mod unary;
pub mod view;

use std::sync::Arc;

use super::node::{Backward, Node};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// A backward given as a closure of (node, gradient of the single output).
pub struct FnBackward<F>(pub F);

impl<F> Backward for FnBackward<F>
where
    F: Fn(&Arc<Node>, &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync,
{
    fn apply(&self, node: &Arc<Node>, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let g = grads.first().and_then(|g| g.as_ref()).ok_or_else(|| Error::Runtime(format!("{}: missing output gradient", node.name())))?;
        (self.0)(node, g)
    }
}

/// Wraps a single-output backward closure.
pub fn backward_fn<F>(f: F) -> FnBackward<F>
where
    F: Fn(&Arc<Node>, &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync,
{
    FnBackward(f)
}

/// A backward given as a closure of (node, gradients of all outputs, None where none flowed).
pub struct MultiBackward<F>(pub F);

impl<F> Backward for MultiBackward<F>
where
    F: Fn(&Arc<Node>, &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + Sync,
{
    fn apply(&self, node: &Arc<Node>, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        (self.0)(node, grads)
    }
}

/// Wraps a backward closure over the gradients of all outputs.
pub fn backward_multi<F>(f: F) -> MultiBackward<F>
where
    F: Fn(&Arc<Node>, &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + Sync,
{
    MultiBackward(f)
}

/// True when input `i` of the node wants a gradient.
pub fn needs(node: &Node, i: usize) -> bool {
    node.next.get(i).is_some_and(|e| e.is_some())
}

/// Sums `g` down to `shape`, undoing broadcasting: over leading extra dims and over dims
/// where `shape` has 1.
pub fn sum_to(g: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g.clone());
    }
    let lead = g.ndim().checked_sub(shape.len()).ok_or_else(|| {
        Error::Runtime(format!("gradient of shape {:?} cannot be summed to shape {shape:?}", g.shape()))
    })?;
    let mut dims: Vec<i64> = (0..lead as i64).collect();
    for (i, (&s, &gs)) in shape.iter().zip(&g.shape()[lead..]).enumerate() {
        if s == 1 && gs != 1 {
            dims.push((lead + i) as i64);
        } else if s != gs {
            bail!("gradient of shape {:?} cannot be summed to shape {shape:?}", g.shape());
        }
    }
    let summed = if dims.is_empty() { g.clone() } else { g.sum_dims(Some(&dims), true, None)? };
    let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    summed.reshape(&target)
}

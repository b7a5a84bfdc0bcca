//! Tensors a node keeps for its backward, with the version check that catches in-place
//! changes made after they were saved.

use std::sync::Arc;

use super::node::Node;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// A tensor saved for backward.
pub struct SavedTensor {
    tensor: Tensor,
    version: u64,
    /// Saved outputs keep no link to their node (that would be a cycle); it is put back on
    /// unpack, so that a backward using the output is itself differentiable.
    is_output: bool,
}

impl SavedTensor {
    /// Saves an input of the op (kept with its autograd history).
    pub fn input(t: &Tensor) -> SavedTensor {
        SavedTensor { tensor: t.clone(), version: t.version(), is_output: false }
    }

    /// Saves an output of the op.
    pub fn output(t: &Tensor) -> SavedTensor {
        SavedTensor { tensor: t.detach(), version: t.version(), is_output: true }
    }

    /// The saved tensor, or torch's error when it was modified in place since.
    pub fn unpack(&self, node: &Arc<Node>) -> Result<Tensor> {
        let now = self.tensor.version();
        if now != self.version {
            return Err(Error::Runtime(format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [{} {:?}], which is output 0 of {}, is at version {now}; expected version {} instead. Hint: the backtrace further above can help locate the operation that changed it.",
                self.tensor.legacy_type_name(),
                self.tensor.shape(),
                node.name(),
                self.version
            )));
        }
        if self.is_output && crate::autograd::is_grad_enabled() {
            let t = self.tensor.detach();
            super::meta::set_history(&t, node.clone(), 0);
            return Ok(t);
        }
        Ok(self.tensor.clone())
    }
}

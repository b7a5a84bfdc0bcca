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
    /// "output 0 of MulBackward0" for the error message; None for leaves.
    producer: Option<(usize, &'static str)>,
    /// Saved outputs keep no link to their node (that would be a cycle); it is put back on
    /// unpack, so that a backward using the output is itself differentiable.
    is_output: bool,
    /// Which output of its node a saved output is (nodes like svd's have several).
    output_nr: usize,
}

impl SavedTensor {
    /// Saves an input of the op (kept with its autograd history).
    pub fn input(t: &Tensor) -> Result<SavedTensor> {
        check_not_inference(t)?;
        let producer = t.grad_fn().map(|f| (t.output_nr(), f.name()));
        Ok(SavedTensor { tensor: t.clone(), version: t.version(), producer, is_output: false, output_nr: 0 })
    }

    /// Saves the (first) output of the op.
    pub fn output(t: &Tensor) -> Result<SavedTensor> {
        Self::output_at(t, 0)
    }

    /// Saves output `nr` of an op with several outputs.
    pub fn output_at(t: &Tensor, nr: usize) -> Result<SavedTensor> {
        check_not_inference(t)?;
        Ok(SavedTensor { tensor: t.detach(), version: t.version(), producer: None, is_output: true, output_nr: nr })
    }

    /// The saved tensor, or torch's error when it was modified in place since.
    pub fn unpack(&self, node: &Arc<Node>) -> Result<Tensor> {
        let now = self.tensor.version();
        if now != self.version {
            let producer = match (self.is_output, self.producer) {
                (true, _) => format!(", which is output {} of {},", self.output_nr, node.name()),
                (false, Some((nr, name))) => format!(", which is output {nr} of {name},"),
                (false, None) => String::new(),
            };
            return Err(Error::Runtime(format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [{} {:?}]{producer} is at version {now}; expected version {} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).",
                self.tensor.legacy_type_name(),
                self.tensor.shape(),
                self.version
            )));
        }
        if self.is_output && crate::autograd::is_grad_enabled() {
            let t = self.tensor.detach();
            super::meta::set_history(&t, node.clone(), self.output_nr);
            return Ok(t);
        }
        Ok(self.tensor.clone())
    }
}

/// Inference tensors have no version counter torch would track, so they cannot be saved.
fn check_not_inference(t: &Tensor) -> Result<()> {
    if t.is_inference() {
        return Err(Error::Runtime(
            "Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal tensor and use it in autograd.".into(),
        ));
    }
    Ok(())
}

//! In-place ops under autograd: computed out of place on a snapshot (so saved values stay
//! valid), written back, and the tensor's history moved to the new node.

use super::meta::set_history;
use super::mode::GradModeGuard;
use crate::error::Result;
use crate::tensor::Tensor;

/// Runs `f` (the out-of-place op) on a copy of `target`, writes the result into `target` and
/// makes the result's node `target`'s history.
pub fn inplace(target: &Tensor, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    if target.requires_grad() && target.is_leaf() {
        bail!("a leaf Variable that requires grad is being used in an in-place operation.");
    }
    let snapshot = target.deep_clone()?;
    let result = f(&snapshot)?;
    {
        let _off = GradModeGuard::new(false);
        target.copy_(&result)?;
    }
    if let Some(node) = result.grad_fn() {
        set_history(target, node, result.output_nr());
    }
    Ok(target.clone())
}

/// torch's error for `out=` with inputs that require grad.
pub fn out_error(name: &str) -> crate::Error {
    crate::Error::Runtime(format!(
        "{name}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
    ))
}

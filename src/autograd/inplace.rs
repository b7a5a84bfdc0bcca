//! In-place ops under autograd: computed out of place on a snapshot (so saved values stay
//! valid), written back, and the tensor's history moved to the new node. A write into a
//! view also rewrites the history of the tensor it views (torch's CopySlices).

use super::formulas::view::{apply_chain, ViewKind};
use super::formulas::{backward_fn, needs};
use super::meta::set_history;
use super::mode::GradModeGuard;
use super::record::record;
use crate::error::Result;
use crate::tensor::Tensor;

/// Runs `f` (the out-of-place op) on a copy of `target`, writes the result into `target` and
/// makes the result's node `target`'s history.
pub fn inplace(target: &Tensor, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    check_writable(target)?;
    let snapshot = target.deep_clone()?;
    let result = f(&snapshot)?;
    write(target, &result, &snapshot)
}

/// `target[...] = value` (copy_, fill_): like [`inplace`], but the old value is not read, so
/// no snapshot is taken.
pub fn overwrite(target: &Tensor, value: &Tensor) -> Result<Tensor> {
    check_writable(target)?;
    write(target, value, target)
}

/// torch's errors for in-place writes into leaves that require grad, or views of them.
pub(crate) fn check_writable(target: &Tensor) -> Result<()> {
    if target.requires_grad() && target.is_leaf() {
        bail!("a leaf Variable that requires grad is being used in an in-place operation.");
    }
    if let Some((base, _)) = target.view_of() {
        if base.requires_grad() && base.is_leaf() {
            bail!("a view of a leaf Variable that requires grad is being used in an in-place operation.");
        }
    }
    Ok(())
}

/// Writes `result` into `target` and moves `target`'s history to it; `old` carries the
/// history the value had before.
fn write(target: &Tensor, result: &Tensor, old: &Tensor) -> Result<Tensor> {
    let view = target.view_of();
    let carrier;
    let result = if !result.requires_grad() && old.requires_grad() {
        // A constant was written (fill_, copy_ of a constant): no gradient flows to the
        // old value, but the tensor keeps a history, as in torch. The node goes on an alias,
        // so the constant itself (possibly the caller's tensor) stays untouched.
        carrier = result.detach();
        record("CopyBackwards", &[old], &[&carrier], backward_fn(|_, g| Ok(vec![Some(g.mul(crate::Scalar::Float(0.0))?)])));
        &carrier
    } else {
        result
    };
    {
        let _off = GradModeGuard::new(false);
        target.copy_(result)?;
    }
    match view {
        Some((base, chain)) => rebase_view(&base, &chain, target, result)?,
        None => {
            if let Some(node) = result.grad_fn() {
                set_history(target, node, result.output_nr());
            }
        }
    }
    Ok(target.clone())
}

/// After `result` was written into `view` (= `chain` of `base`): `base`'s new history is a
/// CopySlices node (old history outside the region, `result`'s inside), and `view` becomes
/// the same views of the new `base`.
fn rebase_view(base: &Tensor, chain: &[ViewKind], view: &Tensor, result: &Tensor) -> Result<()> {
    let region = chain.to_vec();
    record("CopySlices", &[base, result], &[base], backward_fn(move |node, g| {
        let g_base = if needs(node, 0) {
            let gb = g.detach().deep_clone()?;
            {
                let _off = GradModeGuard::new(false);
                apply_chain(&region, &gb)?.zero_()?;
            }
            Some(gb)
        } else {
            None
        };
        let g_result = if needs(node, 1) { Some(apply_chain(&region, g)?.contiguous()?) } else { None };
        Ok(vec![g_base, g_result])
    }));
    let _on = GradModeGuard::new(true);
    let fresh = apply_chain(chain, base)?;
    if let Some(node) = fresh.grad_fn() {
        set_history(view, node, fresh.output_nr());
    }
    Ok(())
}

/// torch's error for `out=` with inputs that require grad.
pub fn out_error(name: &str) -> crate::Error {
    crate::Error::Runtime(format!(
        "{name}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
    ))
}

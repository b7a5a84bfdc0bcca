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
    if let Some((base, _)) = target.view_of() {
        if base.requires_grad() && base.is_leaf() {
            bail!("a view of a leaf Variable that requires grad is being used in an in-place operation.");
        }
    }
    if target.requires_grad() && target.is_leaf() {
        bail!("a leaf Variable that requires grad is being used in an in-place operation.");
    }
    Ok(())
}

/// Writes `result` into `target` and moves `target`'s history to it; `old` carries the
/// history the value had before.
fn write(target: &Tensor, result: &Tensor, old: &Tensor) -> Result<Tensor> {
    let view = target.view_of();
    if let Some((base, chain)) = &view {
        check_rebase(base, chain)?; // before anything is written
    }
    let carrier;
    let result = if !result.requires_grad() && old.requires_grad() {
        // A constant was written (fill_, copy_ of a constant): no gradient flows to the
        // old value, but the tensor keeps a history, as in torch. The node goes on an alias,
        // so the constant itself (possibly the caller's tensor) stays untouched.
        carrier = result.detach();
        // Zeros, not g * 0: an infinite gradient must not turn into NaN.
        record("CopyBackwards", &[old], &[&carrier], backward_fn(|_, g| Ok(vec![Some(crate::ops::creation::zeros(g.shape(), g.dtype(), g.device())?)])));
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
    // The gradient is laid out so that the views replay on it: like the base when a step is
    // an as_strided (it addresses memory), else contiguous (it may arrive strided).
    let laid_out = addresses_memory(chain).then(|| {
        let mut layout = base.layout().clone();
        layout.offset = 0;
        layout
    });
    record("CopySlices", &[base, result], &[base], backward_fn(move |node, g| {
        let g = match &laid_out {
            Some(layout) => g.copy_laid_out_like(layout)?,
            None => g.contiguous()?,
        };
        let g_base = if needs(node, 0) {
            // g with the written region zeroed; masked_fill, not a product with a 0/1 mask,
            // so an infinite gradient there does not become NaN, and it has a double backward.
            let falses = crate::ops::creation::zeros(g.shape(), crate::DType::Bool, g.device())?;
            let mask = match &laid_out {
                Some(layout) => falses.copy_laid_out_like(layout)?,
                None => falses,
            };
            {
                let _off = GradModeGuard::new(false);
                apply_chain(&region, &mask)?.fill_(crate::Scalar::Bool(true))?;
            }
            Some(g.masked_fill(&mask, crate::ops::Arg::Scalar(crate::Scalar::Float(0.0)))?)
        } else {
            None
        };
        let g_result = if needs(node, 1) { Some(apply_chain(&region, &g)?.contiguous()?) } else { None };
        Ok(vec![g_base, g_result])
    }));
    let _on = GradModeGuard::new(true);
    let fresh = apply_chain(chain, base)?;
    if let Some(node) = fresh.grad_fn() {
        set_history(view, node, fresh.output_nr());
    }
    Ok(())
}

/// Whether a step of `chain` is an as_strided view (which addresses memory, not elements).
fn addresses_memory(chain: &[ViewKind]) -> bool {
    chain.iter().any(|k| matches!(k, ViewKind::AsStrided { .. }))
}

/// Refuses a write whose gradient could not be mapped back to `base`.
fn check_rebase(base: &Tensor, chain: &[ViewKind]) -> Result<()> {
    if addresses_memory(chain) && crate::ops::as_strided::overlaps_itself(base.layout()) {
        bail!("an in-place write into an as_strided view of a tensor whose elements share memory cannot be differentiated; clone() the tensor first");
    }
    Ok(())
}

/// torch's error for `out=` with inputs that require grad.
pub fn out_error(name: &str) -> crate::Error {
    crate::Error::Runtime(format!(
        "{name}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
    ))
}

//! `Tensor::resize_`: giving a tensor a new shape (and, when it needs more room, new
//! memory), as torch does to an `out=` tensor whose shape differs from the result's; and the
//! in-place view ops (`t_`, `unsqueeze_`, ...), which give a tensor the layout of a view of
//! itself.
//!
//! A tensor's storage and layout are read through plain references all over the crate, so
//! they are never changed in place: a resize appends a new (storage, layout) to a chain that
//! the tensor reads its newest entry from. References taken before the resize stay valid
//! (they point at the older entry, which lives as long as the tensor), and the chain only
//! grows when the shape actually changes.

use std::sync::{Arc, OnceLock};

use crate::autograd::formulas::view::ViewKind;
use crate::autograd::meta::{as_strided_from, ViewOrigin};
use crate::error::Result;
use crate::layout::{checked_numel, Layout};
use crate::storage::Storage;
use crate::tensor::Tensor;

/// One resize of a tensor: the storage and layout it has from then on.
pub(crate) struct Resized {
    pub(crate) storage: Arc<Storage>,
    pub(crate) layout: Layout,
    /// After an in-place view op on a recorded view: how it views its base from then on.
    pub(crate) view: Option<ViewOrigin>,
    pub(crate) next: OnceLock<Box<Resized>>,
}

/// The newest entry of a resize chain starting at `slot`, if there is one.
pub(crate) fn newest(slot: &OnceLock<Box<Resized>>) -> Option<&Resized> {
    let mut cur = slot.get()?;
    while let Some(next) = cur.next.get() {
        cur = next;
    }
    Some(cur)
}

impl Tensor {
    /// Gives the tensor the (contiguous) `shape` from its storage offset (torch's `resize_`).
    /// Memory that is too small is replaced by a larger copy, so existing values stay where
    /// they were; new elements are uninitialised. A no-op when the shape already matches.
    /// Views taken before keep the old shape and memory.
    pub fn resize_(&self, shape: &[usize]) -> Result<()> {
        if self.requires_grad() {
            bail!("cannot resize variables that require grad");
        }
        if self.shape() == shape {
            return Ok(());
        }
        self.check_inplace_allowed()?;
        let numel = checked_numel(shape)?;
        let offset = self.storage_offset();
        let end = offset.checked_add(numel).ok_or_else(|| crate::Error::Runtime(format!("resize_: storage offset {offset} plus {numel} elements overflows")))?;
        let old = self.storage().clone();
        let storage = if end <= old.len {
            old
        } else if old.is_foreign() {
            bail!("Trying to resize storage that is not resizable");
        } else {
            let fresh = Tensor::empty(&[end], self.dtype(), self.device())?;
            let before = Tensor::from_parts(old.clone(), Layout::contiguous(&[old.len]));
            fresh.narrow(0, 0, old.len as i64)?.copy_(&before)?;
            fresh.storage().set_version(old.version());
            fresh.storage().clone()
        };
        let mut layout = Layout::contiguous(shape);
        layout.offset = offset;
        self.push_layout(storage, layout, None);
        self.bump_version();
        Ok(())
    }

    /// Resizes an `out=` tensor to the result's `shape`, with torch's deprecation warning
    /// when it had elements (torch will stop resizing those).
    pub fn resize_out_(&self, shape: &[usize]) -> Result<()> {
        if self.shape() != shape && self.numel() != 0 {
            crate::warnings::warn(&format!(
                "An output with one or more elements was resized since it had shape {:?}, which does not match the \
                 required output shape {shape:?}. This behavior is deprecated, and in a future PyTorch release outputs \
                 will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by \
                 resizing it, inplace, to zero elements with t.resize_(0).",
                self.shape()
            ));
        }
        self.resize_(shape)
    }

    /// Makes this tensor the view `f` takes of it (torch's `t_`, `squeeze_`, ...): same memory,
    /// the view's layout, and under autograd the view's history. A recorded view stays a view
    /// of the same base, one view further, so later writes into it still reach the base's
    /// history. Like every in-place op it bumps the version, so a backward that saved the old
    /// tensor refuses to run.
    pub fn view_inplace(&self, name: &str, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        if crate::autograd::is_grad_enabled() {
            crate::autograd::inplace::check_writable(self)?;
        }
        let base = self.view_of();
        let view = f(self)?;
        if !view.same_storage(self) {
            bail!("{name}_(): the op did not return a view");
        }
        let version = self.version() + 1;
        let origin = match (base, view.view_kinds_from(self)) {
            (Some((base, mut chain)), Some(more)) => {
                chain.extend(more);
                Some(ViewOrigin::new(&base, chain.into(), version))
            }
            // The view op was not recorded (grad mode off): still a view of the same base.
            (Some((base, _)), None) => as_strided_from(&base, &view).map(|k| ViewOrigin::new(&base, smallvec::smallvec![k], version)),
            (None, _) => None,
        };
        // Read before the layout changes: after, the view's record of `self` is stale.
        let history = view.grad_fn().map(|node| (node, view.output_nr()));
        self.push_layout(self.storage().clone(), view.layout().clone(), origin);
        self.bump_version();
        if let Some((node, output_nr)) = history {
            crate::autograd::meta::set_history(self, node, output_nr);
        }
        Ok(self.clone())
    }

    /// The views recorded from `source` to this tensor, in order; None when a step between
    /// was not recorded (taken with grad mode off).
    fn view_kinds_from(&self, source: &Tensor) -> Option<Vec<ViewKind>> {
        let mut kinds = Vec::new();
        let mut current = self.clone();
        while !Arc::ptr_eq(&current.0, &source.0) {
            let origin = current.0.view_of.get()?;
            kinds.extend(origin.kinds.iter().rev().cloned());
            let from = origin.source.clone();
            current = from;
        }
        kinds.reverse();
        Some(kinds)
    }

    /// How many times this tensor was resized (or changed by an in-place view op).
    pub(crate) fn resize_count(&self) -> usize {
        let mut count = 0;
        let mut cur = self.0.resized.get();
        while let Some(entry) = cur {
            count += 1;
            cur = entry.next.get();
        }
        count
    }

    /// Appends (storage, layout, view link) to the resize chain: the tensor reads them from
    /// now on.
    fn push_layout(&self, storage: Arc<Storage>, layout: Layout, view: Option<ViewOrigin>) {
        let mut entry = Box::new(Resized { storage, layout, view, next: OnceLock::new() });
        // Another thread may resize at the same time: append after whatever is newest then.
        loop {
            let slot = match newest(&self.0.resized) {
                Some(last) => &last.next,
                None => &self.0.resized,
            };
            match slot.set(entry) {
                Ok(()) => break,
                Err(back) => entry = back,
            }
        }
    }
}

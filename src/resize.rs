//! `Tensor::resize_`: giving a tensor a new shape (and, when it needs more room, new
//! memory), as torch does to an `out=` tensor whose shape differs from the result's.
//!
//! A tensor's storage and layout are read through plain references all over the crate, so
//! they are never changed in place: a resize appends a new (storage, layout) to a chain that
//! the tensor reads its newest entry from. References taken before the resize stay valid
//! (they point at the older entry, which lives as long as the tensor), and the chain only
//! grows when the shape actually changes.

use std::sync::{Arc, OnceLock};

use crate::error::Result;
use crate::layout::{checked_numel, Layout};
use crate::storage::Storage;
use crate::tensor::Tensor;

/// One resize of a tensor: the storage and layout it has from then on.
pub(crate) struct Resized {
    pub(crate) storage: Arc<Storage>,
    pub(crate) layout: Layout,
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
    /// Gives the tensor the (contiguous) `shape`, keeping its memory when it is large enough
    /// (torch's `resize_`); values are unspecified afterwards. A no-op when the shape already
    /// matches. Views taken before keep the old shape and memory.
    pub fn resize_(&self, shape: &[usize]) -> Result<()> {
        if self.shape() == shape {
            return Ok(());
        }
        if self.requires_grad() {
            bail!("cannot resize variables that require grad");
        }
        self.check_inplace_allowed()?;
        let numel = checked_numel(shape)?;
        let offset = self.storage_offset();
        let storage = if offset.checked_add(numel).is_some_and(|end| end <= self.storage().len) {
            self.storage().clone()
        } else {
            let fresh = Tensor::empty(shape, self.dtype(), self.device())?;
            fresh.storage().clone()
        };
        let mut layout = Layout::contiguous(shape);
        if Arc::ptr_eq(&storage, self.storage()) {
            layout.offset = offset;
        }
        let mut entry = Box::new(Resized { storage, layout, next: OnceLock::new() });
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
        self.bump_version();
        Ok(())
    }
}

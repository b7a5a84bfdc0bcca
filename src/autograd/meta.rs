//! Per-tensor autograd state: `requires_grad`, `.grad`, `grad_fn`, and the `Tensor` methods
//! that read and change it.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::formulas::view::ViewKind;
use super::node::{next_hook_id, Edge, GradHook, Node};
use crate::error::{Error, Result};
use crate::tensor::{Tensor, TensorImpl};

/// What autograd knows about one tensor. Lives behind a mutex in `TensorImpl`; the
/// `requires_grad` flag beside it is an atomic, so the per-op check takes no lock.
#[derive(Default)]
pub(crate) struct AutogradMeta {
    pub(crate) grad: Option<Tensor>,
    /// The node that produced this tensor; None for leaves.
    pub(crate) grad_fn: Option<Arc<Node>>,
    /// Which output of `grad_fn` this tensor is.
    pub(crate) output_nr: usize,
    /// The memory's version when `grad_fn` was set: a view whose memory changed since gets
    /// its history anew from its base.
    pub(crate) history_version: u64,
    /// A leaf's AccumulateGrad node, shared by every op that uses the leaf in one graph.
    pub(crate) grad_accumulator: Weak<Node>,
    pub(crate) retains_grad: bool,
    /// Hooks on a leaf's incoming gradient, run before accumulation: (id, hook).
    pub(crate) leaf_hooks: Vec<(u64, GradHook)>,
    /// Hooks called with the leaf after its `.grad` was updated: (id, hook).
    pub(crate) post_accumulate_hooks: Vec<(u64, PostAccumulateHook)>,
}

/// How a view was made: `kinds` taken, in order, of `source` as it was after its
/// `source_generation`-th resize (see `Tensor::resize_count`), when the memory was at
/// `version`. `root` is the end of the chain of sources, so that asking whether a view's
/// base requires grad does not walk the chain.
pub(crate) struct ViewOrigin {
    pub(crate) source: Tensor,
    pub(crate) root: Tensor,
    pub(crate) kinds: smallvec::SmallVec<[ViewKind; 1]>,
    pub(crate) source_generation: usize,
    pub(crate) version: u64,
}

impl ViewOrigin {
    pub(crate) fn new(source: &Tensor, kinds: smallvec::SmallVec<[ViewKind; 1]>, version: u64) -> ViewOrigin {
        let root = origin(source).map_or_else(|| source.clone(), |o| o.root.clone());
        ViewOrigin { source: source.clone(), root, kinds, source_generation: source.resize_count(), version }
    }
}

/// Notes that `view` (fresh from a view op) is `kind` applied to `source`.
pub(crate) fn set_view_of(view: &Tensor, source: &Tensor, kind: ViewKind) {
    let _ = view.0.view_of.set(ViewOrigin::new(source, smallvec::smallvec![kind], view.version()));
}

/// `view`'s memory as one `as_strided` of `base`; None unless `base` holds that memory and
/// does not overlap itself (the gradient is mapped through `base`'s layout).
pub(crate) fn as_strided_from(base: &Tensor, view: &Tensor) -> Option<ViewKind> {
    let (b, v) = (base.layout(), view.layout());
    let inside = v.numel() == 0 || (v.offset >= b.offset && v.offset + v.storage_span() <= b.offset + b.storage_span());
    if !Arc::ptr_eq(base.storage(), view.storage()) || !inside || crate::ops::as_strided::overlaps_itself(b) {
        return None;
    }
    Some(ViewKind::AsStrided {
        size: v.shape.iter().map(|&d| d as i64).collect(),
        stride: v.strides.iter().map(|&s| s as i64).collect(),
        offset: v.offset as i64 - b.offset as i64,
    })
}

/// How `t` came to be a view: its newest in-place view op (`t_`, ...), or the view op that
/// made it. None for a tensor that is not a recorded view, or was resized since.
fn origin(t: &Tensor) -> Option<&ViewOrigin> {
    match crate::resize::newest(&t.0.resized) {
        Some(entry) => entry.view.as_ref(),
        None => t.0.view_of.get(),
    }
}

/// A hook run after a leaf's `.grad` was accumulated.
pub type PostAccumulateHook = Arc<dyn Fn(&Tensor) -> Result<()> + Send + Sync>;

pub(crate) type MetaSlot = Mutex<Option<Box<AutogradMeta>>>;

fn poisoned() -> Error {
    Error::Runtime("autograd metadata poisoned by a panic".into())
}

impl TensorImpl {
    pub(crate) fn meta(&self) -> Result<MutexGuard<'_, Option<Box<AutogradMeta>>>> {
        self.autograd.lock().map_err(|_| poisoned())
    }
}

/// Makes `node`'s output `output_nr` the history of `t`: a fresh op output, or a tensor
/// changed in place (its `retain_grad` moves to the new node, as in torch).
pub(crate) fn set_history(t: &Tensor, node: Arc<Node>, output_nr: usize) {
    let (old, retains) = {
        let Ok(mut m) = t.0.meta() else { return };
        let meta = m.get_or_insert_with(Default::default);
        let old = meta.grad_fn.replace(node.clone());
        meta.output_nr = output_nr;
        meta.history_version = t.version();
        t.0.requires_grad.store(true, Ordering::Release);
        (old, meta.retains_grad)
    };
    if retains {
        if let Some(old) = &old {
            old.unretain(&t.0);
        }
        let _ = node.retain(output_nr, Arc::downgrade(&t.0));
    }
    // Dropped with the lock released: a node's hooks may run Python finalizers that read `t`.
    drop(old);
}

/// Gives a view whose memory was written since its history was set (through its base or
/// another view of it) the history of the same views of its base now, as torch does: the
/// write rewrote the base's history, and the view's old one misses it.
fn refresh_view_history(view: &Tensor) {
    let Some(origin) = origin(view) else { return };
    let now = view.version();
    let since = match view.0.meta() {
        Ok(m) => match m.as_ref() {
            Some(meta) if meta.grad_fn.is_some() => meta.history_version,
            _ => origin.version,
        },
        Err(_) => return,
    };
    if now == since {
        return;
    }
    let Some((base, chain)) = view.view_of() else { return };
    if !base.requires_grad() {
        return;
    }
    let _on = super::mode::GradModeGuard::new(true);
    if let Ok(fresh) = super::formulas::view::apply_chain(&chain, &base) {
        if let Some(node) = fresh.grad_fn() {
            set_history(view, node, fresh.output_nr());
        }
    }
}

impl Tensor {
    /// True when gradients flow to this tensor: a leaf that requires grad, an op output with
    /// a `grad_fn`, or a view of a tensor that requires grad.
    #[inline]
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.load(Ordering::Acquire) || (self.is_recorded_view() && self.view_base_requires_grad())
    }

    #[inline]
    fn is_recorded_view(&self) -> bool {
        self.0.view_of.get().is_some() || self.0.resized.get().is_some()
    }

    /// Whether the base of this view requires grad now (it may have started to since the
    /// view was taken: `requires_grad_`, or a write of a tensor that does into a view).
    fn view_base_requires_grad(&self) -> bool {
        let Some(o) = origin(self) else { return false };
        // Walks the chain only when the root does require grad (a step may have changed
        // since, leaving the memory outside the root: then it is no view).
        o.root.0.requires_grad.load(Ordering::Acquire) && self.view_of().is_some()
    }

    /// Sets `requires_grad` on a leaf (`requires_grad_`). Non-leaves can only be detached.
    pub fn set_requires_grad(&self, requires_grad: bool) -> Result<&Tensor> {
        let mut m = self.0.meta()?;
        if m.as_ref().is_some_and(|m| m.grad_fn.is_some()) {
            return Err(Error::Runtime("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().".into()));
        }
        if requires_grad && !self.dtype().is_floating_point() {
            return Err(Error::Runtime("Only Tensors of floating point and complex dtype can require gradients".into()));
        }
        if requires_grad && self.is_inference() && !super::mode::is_inference_mode_enabled() {
            return Err(Error::Runtime("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.".into()));
        }
        m.get_or_insert_with(Default::default);
        self.0.requires_grad.store(requires_grad, Ordering::Release);
        Ok(self)
    }

    /// True for tensors not produced by a recorded op.
    pub fn is_leaf(&self) -> bool {
        self.grad_fn().is_none()
    }

    /// The node that produced this tensor (`grad_fn`).
    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        if !self.requires_grad() {
            return None;
        }
        refresh_view_history(self);
        self.0.meta().ok()?.as_ref()?.grad_fn.clone()
    }

    /// Which output of its `grad_fn` this tensor is.
    pub fn output_nr(&self) -> usize {
        if self.is_recorded_view() && self.requires_grad() {
            refresh_view_history(self);
        }
        self.0.meta().ok().and_then(|m| m.as_ref().map(|m| m.output_nr)).unwrap_or(0)
    }

    /// The accumulated gradient (`.grad`).
    pub fn grad(&self) -> Option<Tensor> {
        self.0.meta().ok()?.as_ref()?.grad.clone()
    }

    /// Replaces `.grad`; the new gradient must match this tensor's shape, dtype and device.
    pub fn set_grad(&self, grad: Option<Tensor>) -> Result<()> {
        if let Some(g) = &grad {
            if g.dtype() != self.dtype() {
                bail!("attempting to assign a gradient with dtype '{}' to a tensor with dtype '{}'. Please ensure that the gradient and the tensor have the same dtype", g.dtype(), self.dtype());
            }
            if g.shape() != self.shape() {
                bail!("attempting to assign a gradient of size '{:?}' to a tensor of size '{:?}'. Please ensure that the gradient and the tensor are the same size", g.shape(), self.shape());
            }
            if g.device() != self.device() {
                bail!("attempting to assign a gradient with device type '{}' to a tensor with device type '{}'. Please ensure that the gradient and the tensor are on the same device", g.device().kind(), self.device().kind());
            }
        }
        let mut m = self.0.meta()?;
        m.get_or_insert_with(Default::default).grad = grad;
        Ok(())
    }

    /// True when `retain_grad()` was called on this non-leaf.
    pub fn retains_grad(&self) -> bool {
        self.0.meta().ok().and_then(|m| m.as_ref().map(|m| m.retains_grad)).unwrap_or(false)
    }

    /// Keeps `.grad` for this non-leaf after backward (a no-op on leaves).
    pub fn retain_grad(&self) -> Result<()> {
        if !self.requires_grad() {
            bail!("can't retain_grad on Tensor that has requires_grad=False");
        }
        let Some(node) = self.grad_fn() else { return Ok(()) };
        let nr = self.output_nr();
        node.retain(nr, Arc::downgrade(&self.0))?;
        if let Some(m) = self.0.meta()?.as_mut() {
            m.retains_grad = true;
        }
        Ok(())
    }

    /// Registers a hook on this tensor's gradient (`register_hook`); returns its id.
    pub fn register_hook(&self, hook: GradHook) -> Result<u64> {
        if !self.requires_grad() {
            bail!("cannot register a hook on a tensor that doesn't require gradient");
        }
        if let Some(node) = self.grad_fn() {
            return node.add_hook(self.output_nr(), hook);
        }
        let id = next_hook_id();
        self.0.meta()?.get_or_insert_with(Default::default).leaf_hooks.push((id, hook));
        Ok(id)
    }

    /// Removes a hook registered with [`Tensor::register_hook`].
    pub fn remove_hook(&self, id: u64) -> Result<()> {
        if let Some(node) = self.grad_fn() {
            node.remove_hook(id);
        }
        if let Some(m) = self.0.meta()?.as_mut() {
            m.leaf_hooks.retain(|(i, _)| *i != id);
            m.post_accumulate_hooks.retain(|(i, _)| *i != id);
        }
        Ok(())
    }

    /// Registers a hook run after this leaf's `.grad` is accumulated; returns its id.
    pub fn register_post_accumulate_grad_hook(&self, hook: PostAccumulateHook) -> Result<u64> {
        if !self.requires_grad() {
            bail!("cannot register a hook on a tensor that doesn't require gradient");
        }
        if !self.is_leaf() {
            bail!("post accumulate grad hooks cannot be registered on non-leaf tensors");
        }
        let id = next_hook_id();
        self.0.meta()?.get_or_insert_with(Default::default).post_accumulate_hooks.push((id, hook));
        Ok(id)
    }

    pub(crate) fn leaf_hooks(&self) -> (Vec<GradHook>, Vec<PostAccumulateHook>) {
        match self.0.meta() {
            Ok(m) => match m.as_ref() {
                Some(m) => (
                    m.leaf_hooks.iter().map(|(_, h)| h.clone()).collect(),
                    m.post_accumulate_hooks.iter().map(|(_, h)| h.clone()).collect(),
                ),
                None => (Vec::new(), Vec::new()),
            },
            Err(_) => (Vec::new(), Vec::new()),
        }
    }

    /// The same data without autograd history (`detach`).
    pub fn detach(&self) -> Tensor {
        self.with_layout(self.layout().clone())
    }

    /// The tensor this one is a recorded view of, and the views from it. A step whose source
    /// has changed layout since (`t_()`, `resize_`) no longer describes how the memory
    /// relates; the views from there on are then one `as_strided` of the base, as torch
    /// records them, when the base still holds the memory and does not overlap itself.
    pub(crate) fn view_of(&self) -> Option<(Tensor, Vec<ViewKind>)> {
        let mut chain = Vec::new();
        let mut current = self;
        // The first step (from this end) whose source changed since: the views below it
        // still hold, and the tensor it made is re-expressed from the base.
        let mut stale: Option<(usize, &Tensor)> = None;
        while let Some(o) = origin(current) {
            if stale.is_none() && o.source.resize_count() != o.source_generation {
                stale = Some((chain.len(), current));
            }
            chain.extend(o.kinds.iter().rev().cloned());
            current = &o.source;
        }
        if chain.is_empty() {
            return None;
        }
        if let Some((valid, made)) = stale {
            chain.truncate(valid);
            chain.push(as_strided_from(current, made)?);
        }
        chain.reverse();
        if chain.len() > 1 && chain.iter().any(|k| matches!(k, ViewKind::AsStrided { .. })) {
            // An as_strided step may reach memory its own input does not show: replayed step
            // by step, the gradient there would be lost. One as_strided of the base keeps it.
            if let Some(whole) = as_strided_from(current, self) {
                chain = vec![whole];
            }
        }
        Some((current.clone(), chain))
    }

    /// Removes this tensor's history in place (`detach_`).
    pub fn detach_(&self) -> Result<&Tensor> {
        if self.view_of().is_some() {
            bail!("Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
        }
        let old = self.0.meta()?.as_mut().and_then(|m| {
            m.output_nr = 0;
            m.grad_fn.take()
        });
        self.0.requires_grad.store(false, Ordering::Release);
        drop(old); // with the lock released, as in set_history
        Ok(self)
    }

    /// Where the gradient of this tensor goes in the graph: its `grad_fn`, or for a leaf that
    /// requires grad, its AccumulateGrad node (created on first use).
    pub(crate) fn gradient_edge(&self) -> Option<Edge> {
        if !self.requires_grad() {
            return None;
        }
        if self.is_recorded_view() {
            refresh_view_history(self);
            if !self.0.requires_grad.load(Ordering::Acquire) {
                // Requires grad only through a base that started to after the view was
                // taken, with no write since: torch gives it no history, and its gradient
                // goes nowhere.
                return None;
            }
        }
        let mut m = self.0.meta().ok()?;
        let meta = m.get_or_insert_with(Default::default);
        if let Some(f) = &meta.grad_fn {
            return Some(Edge { node: f.clone(), input_nr: meta.output_nr });
        }
        let acc = match meta.grad_accumulator.upgrade() {
            Some(a) => a,
            None => {
                let a = Node::accumulate_grad(self.clone());
                meta.grad_accumulator = Arc::downgrade(&a);
                a
            }
        };
        Some(Edge { node: acc, input_nr: 0 })
    }
}

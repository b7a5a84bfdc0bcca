//! Graph nodes: one per recorded op (its backward function and the edges to its inputs'
//! producers), plus the `AccumulateGrad` node that ends every path at a leaf.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::{Tensor, TensorImpl};

/// The backward of one op: gradients of its inputs from gradients of its outputs.
pub trait Backward: Send + Sync {
    /// `grads[i]` is the gradient of output `i` (None when nothing flowed into it). Returns
    /// one entry per input edge of the node, None where that input needs no gradient.
    fn apply(&self, node: &Arc<Node>, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>>;
}

/// Where a gradient goes: input `input_nr` of `node`.
#[derive(Clone)]
pub struct Edge {
    pub node: Arc<Node>,
    pub input_nr: usize,
}

pub(crate) enum NodeKind {
    /// A recorded op; the backward is dropped (with its saved tensors) once the graph is freed.
    Function(Mutex<Option<Box<dyn Backward>>>),
    /// Accumulates into a leaf's `.grad`.
    AccumulateGrad(Tensor),
}

/// One node of the graph (`grad_fn` in Python).
pub struct Node {
    name: &'static str,
    pub(crate) kind: NodeKind,
    /// One per input of the op: the producer of that input's gradient, or None.
    pub(crate) next: Vec<Option<Edge>>,
    /// dtype and shape of each input: the engine casts and sums each gradient back to them,
    /// so formulas may return broadcast-shaped gradients.
    pub(crate) input_meta: Vec<(DType, Vec<usize>)>,
    pub(crate) num_outputs: usize,
    /// Creation order: the engine runs later nodes first among those ready.
    pub(crate) sequence_nr: u64,
    /// Non-leaf outputs that asked for `retain_grad`: (output index, tensor).
    retained: Mutex<Vec<(usize, Weak<TensorImpl>)>>,
    /// Hooks registered on non-leaf outputs: (hook id, output index, hook).
    hooks: Mutex<Vec<(u64, usize, GradHook)>>,
}

/// A hook on a gradient: returns a replacement, or None to keep it.
pub type GradHook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

static HOOK_IDS: AtomicU64 = AtomicU64::new(1);

/// A fresh id for a registered hook (used to remove it).
pub(crate) fn next_hook_id() -> u64 {
    HOOK_IDS.fetch_add(1, Ordering::Relaxed)
}

/// Runs `hooks` in order on `g`, each seeing the previous one's result.
pub(crate) fn run_hooks<'a>(hooks: impl Iterator<Item = &'a GradHook>, mut g: Tensor) -> Result<Tensor> {
    for h in hooks {
        if let Some(new) = h(&g)? {
            if new.shape() != g.shape() {
                bail!("hook 'hook' has changed the size of value");
            }
            g = new;
        }
    }
    Ok(g)
}

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

impl Node {
    pub(crate) fn function(
        name: &'static str,
        backward: Box<dyn Backward>,
        next: Vec<Option<Edge>>,
        input_meta: Vec<(DType, Vec<usize>)>,
        num_outputs: usize,
    ) -> Arc<Node> {
        Arc::new(Node {
            name,
            kind: NodeKind::Function(Mutex::new(Some(backward))),
            next,
            input_meta,
            num_outputs,
            sequence_nr: SEQUENCE.fetch_add(1, Ordering::Relaxed),
            retained: Mutex::new(Vec::new()),
            hooks: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn accumulate_grad(leaf: Tensor) -> Arc<Node> {
        Arc::new(Node {
            name: "torch::autograd::AccumulateGrad",
            kind: NodeKind::AccumulateGrad(leaf),
            next: Vec::new(),
            input_meta: Vec::new(),
            num_outputs: 1,
            // Leaves accumulate as soon as they are ready: give them the highest priority.
            sequence_nr: u64::MAX,
            retained: Mutex::new(Vec::new()),
            hooks: Mutex::new(Vec::new()),
        })
    }

    /// Keeps the gradient of output `output_nr` in `tensor.grad` when backward reaches here.
    pub(crate) fn retain(&self, output_nr: usize, tensor: Weak<TensorImpl>) -> Result<()> {
        let mut r = self.retained.lock().map_err(|_| Error::Runtime("autograd node poisoned".into()))?;
        r.push((output_nr, tensor));
        Ok(())
    }

    /// Stops keeping `tensor`'s gradient here (its history moved to another node).
    pub(crate) fn unretain(&self, tensor: &Arc<TensorImpl>) {
        if let Ok(mut r) = self.retained.lock() {
            r.retain(|(_, w)| !std::ptr::eq(w.as_ptr(), Arc::as_ptr(tensor)));
        }
    }

    pub(crate) fn add_hook(&self, output_nr: usize, hook: GradHook) -> Result<u64> {
        let id = next_hook_id();
        self.hooks.lock().map_err(|_| Error::Runtime("autograd node poisoned".into()))?.push((id, output_nr, hook));
        Ok(id)
    }

    pub(crate) fn remove_hook(&self, id: u64) {
        if let Ok(mut h) = self.hooks.lock() {
            h.retain(|(i, _, _)| *i != id);
        }
    }

    /// The hooks on output `output_nr`, in registration order.
    pub(crate) fn hooks_for(&self, output_nr: usize) -> Vec<GradHook> {
        self.hooks
            .lock()
            .map(|h| h.iter().filter(|(_, o, _)| *o == output_nr).map(|(_, _, f)| f.clone()).collect())
            .unwrap_or_default()
    }

    /// The retained tensors waiting for this node's incoming gradients.
    pub(crate) fn retained(&self) -> Vec<(usize, Tensor)> {
        self.retained
            .lock()
            .map(|r| r.iter().filter_map(|(i, w)| w.upgrade().map(|t| (*i, Tensor(t)))).collect())
            .unwrap_or_default()
    }

    /// torch's class name, e.g. `MulBackward0`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The edges to the producers of this node's inputs' gradients (`next_functions`).
    pub fn next_edges(&self) -> &[Option<Edge>] {
        &self.next
    }

    /// The leaf tensor of an `AccumulateGrad` node (its `.variable`).
    pub fn variable(&self) -> Option<&Tensor> {
        match &self.kind {
            NodeKind::AccumulateGrad(t) => Some(t),
            NodeKind::Function(_) => None,
        }
    }

    /// Runs the backward function (not for AccumulateGrad nodes).
    pub(crate) fn call(self: &Arc<Node>, grads: &[Option<Tensor>], release: bool) -> Result<Vec<Option<Tensor>>> {
        let NodeKind::Function(f) = &self.kind else {
            return Err(Error::Runtime("AccumulateGrad is run by the engine".into()));
        };
        let mut slot = f.lock().map_err(|_| Error::Runtime("autograd node poisoned".into()))?;
        let Some(backward) = slot.as_ref() else {
            return Err(freed_error());
        };
        let out = backward.apply(self, grads)?;
        if release {
            *slot = None;
        }
        Ok(out)
    }
}

pub(crate) fn freed_error() -> Error {
    Error::Runtime(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward."
            .into(),
    )
}

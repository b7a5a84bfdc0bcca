//! The backward pass: runs graph nodes in dependency order from the roots.

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use super::mode::GradModeGuard;
use super::node::{run_hooks, Edge, Node, NodeKind};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Node identity for the engine's maps.
fn key(n: &Arc<Node>) -> usize {
    Arc::as_ptr(n) as usize
}

/// A node waiting in the ready queue: later-created nodes first, as in torch.
struct Ready(Arc<Node>);

impl PartialEq for Ready {
    fn eq(&self, o: &Self) -> bool {
        self.0.sequence_nr == o.0.sequence_nr
    }
}
impl Eq for Ready {}
impl PartialOrd for Ready {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ready {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.sequence_nr.cmp(&o.0.sequence_nr)
    }
}

/// The gradient for the root `t`: `grad` if given (checked), else ones for a scalar.
fn root_grad(t: &Tensor, grad: Option<&Tensor>) -> Result<Tensor> {
    match grad {
        Some(g) => {
            if g.shape() != t.shape() {
                bail!("Mismatch in shape: grad_output[0] has a shape of {:?} and output[0] has a shape of {:?}.", g.shape(), t.shape());
            }
            Ok(g.clone())
        }
        None => {
            if t.numel() != 1 {
                bail!("grad can be implicitly created only for scalar outputs");
            }
            crate::ops::creation::ones(t.shape(), t.dtype(), t.device())
        }
    }
}

/// The edges and gradients the pass starts from.
fn roots(outputs: &[Tensor], grads: &[Option<Tensor>]) -> Result<Vec<(Edge, Tensor)>> {
    if !grads.is_empty() && grads.len() != outputs.len() {
        bail!("grad_tensors should have the same length as tensors: got {} and {}", grads.len(), outputs.len());
    }
    outputs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let edge = t.gradient_edge().ok_or_else(|| {
                Error::Runtime(format!("element {i} of tensors does not require grad and does not have a grad_fn"))
            })?;
            Ok((edge, root_grad(t, grads.get(i).and_then(|g| g.as_ref()))?))
        })
        .collect()
}

/// Adds `g` into `slot`: gradients reaching one slot along several paths are summed.
fn accumulate_into(slot: &mut Option<Tensor>, g: Tensor) -> Result<()> {
    *slot = Some(match slot.take() {
        Some(old) => old.add(&g)?,
        None => g,
    });
    Ok(())
}

/// Makes a produced gradient fit input `i` of `node`: its dtype, and its shape (summing
/// over broadcast dims).
fn fit_to_input(node: &Node, i: usize, g: Tensor) -> Result<Tensor> {
    let Some((dtype, shape)) = node.input_meta.get(i) else { return Ok(g) };
    let g = crate::autograd::formulas::sum_to(&g, shape)?;
    if g.dtype() != *dtype {
        return g.to_dtype(*dtype);
    }
    Ok(g)
}

/// Adds `g` into a leaf's `.grad`.
fn accumulate_leaf(leaf: &Tensor, g: Tensor, create_graph: bool) -> Result<()> {
    let old = leaf.grad();
    let new = match old {
        None if create_graph => g,
        // A gradient shared with another leaf (add's backward hands out one tensor twice)
        // must not become a .grad that a later in-place accumulation writes through.
        None if Arc::strong_count(g.storage()) > 1 || !g.is_contiguous() => g.detach().deep_clone()?,
        None => g.detach(),
        Some(old) if create_graph || old.requires_grad() => old.add(&g)?,
        Some(old) => {
            old.add_(&g.detach())?;
            old
        }
    };
    leaf.set_grad(Some(new))
}

/// Runs the pass. With `capture`, the gradients reaching those edges are returned instead
/// of being accumulated into leaves (`autograd.grad`, and `backward(inputs=...)`).
fn execute(
    roots: Vec<(Edge, Tensor)>,
    retain_graph: bool,
    create_graph: bool,
    capture: Option<&[Edge]>,
) -> Result<Vec<Option<Tensor>>> {
    let _mode = GradModeGuard::new(create_graph);
    // Dependencies: how many edges from reachable nodes lead into each node.
    let mut deps: HashMap<usize, usize> = HashMap::new();
    let mut seen: HashSet<usize> = HashSet::new();
    let mut stack: Vec<Arc<Node>> = roots.iter().map(|(e, _)| e.node.clone()).collect();
    while let Some(n) = stack.pop() {
        if !seen.insert(key(&n)) {
            continue;
        }
        for e in n.next.iter().flatten() {
            *deps.entry(key(&e.node)).or_insert(0) += 1;
            stack.push(e.node.clone());
        }
    }
    let wanted: HashMap<(usize, usize), usize> = capture
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .map(|(i, e)| ((key(&e.node), e.input_nr), i))
        .collect();
    let mut captured: Vec<Option<Tensor>> = vec![None; capture.map_or(0, |c| c.len())];
    let mut buffers: HashMap<usize, Vec<Option<Tensor>>> = HashMap::new();
    let mut queue = BinaryHeap::new();
    let mut queued: HashSet<usize> = HashSet::new();
    for (edge, g) in roots {
        let buf = buffers.entry(key(&edge.node)).or_insert_with(|| vec![None; edge.node.num_outputs]);
        accumulate_into(&mut buf[edge.input_nr], g)?;
        if deps.get(&key(&edge.node)).copied().unwrap_or(0) == 0 && queued.insert(key(&edge.node)) {
            queue.push(Ready(edge.node.clone()));
        }
    }
    while let Some(Ready(node)) = queue.pop() {
        let mut grads = buffers.remove(&key(&node)).unwrap_or_else(|| vec![None; node.num_outputs]);
        // Tensor hooks see (and may replace) the gradient before anyone else does.
        for (i, g) in grads.iter_mut().enumerate() {
            if let Some(x) = g.take() {
                *g = Some(match &node.kind {
                    NodeKind::AccumulateGrad(leaf) => run_hooks(leaf.leaf_hooks().0.iter(), x)?,
                    NodeKind::Function(_) => run_hooks(node.hooks_for(i).iter(), x)?,
                });
            }
        }
        for (i, g) in grads.iter().enumerate() {
            if let (Some(slot), Some(g)) = (wanted.get(&(key(&node), i)), g) {
                captured[*slot] = Some(g.clone());
            }
        }
        for (i, t) in node.retained() {
            if let Some(Some(g)) = grads.get(i) {
                let g = if create_graph { g.clone() } else { g.detach() };
                t.set_grad(Some(match t.grad() {
                    Some(old) => old.add(&g)?,
                    None => g.deep_clone()?,
                }))?;
            }
        }
        let produced = match &node.kind {
            NodeKind::AccumulateGrad(leaf) => {
                if capture.is_none() {
                    if let Some(Some(g)) = grads.into_iter().next() {
                        accumulate_leaf(leaf, g, create_graph)?;
                        for h in leaf.leaf_hooks().1 {
                            h(leaf)?;
                        }
                    }
                }
                continue;
            }
            NodeKind::Function(_) if grads.iter().all(|g| g.is_none()) => vec![None; node.next.len()],
            NodeKind::Function(_) => node.call(&grads, !retain_graph)?,
        };
        if produced.len() != node.next.len() {
            bail!("function {} returned an incorrect number of gradients (expected {}, got {})", node.name(), node.next.len(), produced.len());
        }
        for (i, (edge, g)) in node.next.iter().zip(produced).enumerate() {
            let Some(edge) = edge else { continue };
            if let Some(g) = g {
                let g = fit_to_input(&node, i, g)?;
                let buf = buffers.entry(key(&edge.node)).or_insert_with(|| vec![None; edge.node.num_outputs]);
                accumulate_into(&mut buf[edge.input_nr], g)?;
            }
            let d = deps.entry(key(&edge.node)).or_insert(1);
            *d -= 1;
            if *d == 0 && queued.insert(key(&edge.node)) {
                queue.push(Ready(edge.node.clone()));
            }
        }
    }
    Ok(captured)
}

/// `torch.autograd.backward`: accumulates d(outputs)/d(leaf) into every reachable leaf's
/// `.grad` (or only into `inputs`' when given).
pub fn backward(
    outputs: &[Tensor],
    grad_outputs: &[Option<Tensor>],
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<&[Tensor]>,
) -> Result<()> {
    let roots = roots(outputs, grad_outputs)?;
    let retain = retain_graph.unwrap_or(create_graph);
    match inputs {
        None => execute(roots, retain, create_graph, None).map(|_| ()),
        Some([]) => bail!("`inputs` argument to `backward()` cannot be empty."),
        Some(inputs) => {
            let edges = input_edges(inputs)?;
            let grads = execute(roots, retain, create_graph, Some(&edges))?;
            for (t, g) in inputs.iter().zip(grads) {
                if let Some(g) = g {
                    accumulate_leaf(t, crate::autograd::formulas::sum_to(&g, t.shape())?, create_graph)?;
                    for h in t.leaf_hooks().1 {
                        h(t)?;
                    }
                }
            }
            Ok(())
        }
    }
}

fn input_edges(inputs: &[Tensor]) -> Result<Vec<Edge>> {
    inputs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.gradient_edge().ok_or_else(|| Error::Runtime(format!("One of the differentiated Tensors (input {i}) does not require grad")))
        })
        .collect()
}

/// `torch.autograd.grad`: the gradients of `outputs` with respect to `inputs`, returned
/// rather than accumulated.
pub fn grad(
    outputs: &[Tensor],
    inputs: &[Tensor],
    grad_outputs: &[Option<Tensor>],
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
) -> Result<Vec<Option<Tensor>>> {
    let roots = roots(outputs, grad_outputs)?;
    let edges = input_edges(inputs)?;
    let grads = execute(roots, retain_graph.unwrap_or(create_graph), create_graph, Some(&edges))?;
    if !allow_unused {
        if let Some(i) = grads.iter().position(|g| g.is_none()) {
            bail!("One of the differentiated Tensors (input {i}) appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.");
        }
    }
    Ok(grads)
}

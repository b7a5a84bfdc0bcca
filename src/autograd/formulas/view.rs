//! Backward of the view ops: the gradient mapped back to the input's shape.

use crate::autograd::formulas::backward_fn;
use crate::autograd::mode::GradModeGuard;
use crate::autograd::record::{needs_grad, record};
use crate::error::Result;
use crate::tensor::Tensor;

/// A shape or permutation held inline (no allocation for up to 6 dims).
pub(crate) type ViewShape = smallvec::SmallVec<[i64; 6]>;

/// Which view produced the output, with what the inverse mapping needs.
#[derive(Clone, Debug)]
pub(crate) enum ViewKind {
    /// view, reshape, flatten, unflatten, squeeze, unsqueeze: (node name, output shape).
    Reshape(&'static str, ViewShape),
    /// transpose and t: (node name, dims).
    Transpose(&'static str, i64, i64),
    Permute(ViewShape),
    /// To the output shape; the engine sums the gradient back over the broadcast dims.
    Expand(ViewShape),
    Narrow { dim: i64, start: i64, length: i64 },
    Select { dim: i64, index: i64 },
    Slice { dim: i64, start: i64, stop: i64, step: i64 },
    /// The diagonal of two dims (wrapped), as a new last dim.
    Diagonal { offset: i64, dim1: usize, dim2: usize },
    /// Sliding windows along `dim` (wrapped), as a new last dim.
    Unfold { dim: i64, size: usize, step: usize },
    /// Any sizes and strides, from an offset relative to the input's.
    AsStrided { size: ViewShape, stride: ViewShape, offset: i64 },
}

impl ViewKind {
    fn name(&self) -> &'static str {
        match self {
            ViewKind::Reshape(n, _) | ViewKind::Transpose(n, ..) => n,
            ViewKind::Permute(_) => "PermuteBackward0",
            ViewKind::Expand(_) => "ExpandBackward0",
            ViewKind::Narrow { .. } | ViewKind::Slice { .. } => "SliceBackward0",
            ViewKind::Select { .. } => "SelectBackward0",
            ViewKind::Unfold { .. } => "UnfoldBackward0",
            ViewKind::Diagonal { .. } => "DiagonalBackward0",
            ViewKind::AsStrided { .. } => "AsStridedBackward0",
        }
    }

    /// The same view taken of `t`.
    pub(crate) fn apply(&self, t: &Tensor) -> Result<Tensor> {
        match self {
            ViewKind::Reshape(_, shape) => t.view(shape),
            ViewKind::Transpose(_, a, b) => t.transpose(*a, *b),
            ViewKind::Permute(p) => t.permute(p),
            ViewKind::Expand(shape) => t.expand(shape),
            ViewKind::Narrow { dim, start, length } => t.narrow(*dim, *start, *length),
            ViewKind::Select { dim, index } => t.select(*dim, *index),
            ViewKind::Slice { dim, start, stop, step } => t.slice(*dim, *start, *stop, *step),
            ViewKind::Unfold { dim, size, step } => t.unfold(*dim, *size, *step),
            ViewKind::Diagonal { offset, dim1, dim2 } => t.diagonal(*offset, *dim1 as i64, *dim2 as i64),
            ViewKind::AsStrided { size, stride, offset } => {
                let at = (t.storage_offset() as i64).checked_add(*offset);
                t.as_strided(size, stride, Some(at.ok_or_else(|| crate::Error::Runtime("as_strided: storage offset overflows".into()))?))
            }
        }
    }
}

/// Records `out`, a view of `x`.
pub(crate) fn record_view(kind: ViewKind, x: &Tensor, out: &Tensor) {
    let shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    let geometry = matches!(kind, ViewKind::AsStrided { .. }).then(|| (x.layout().clone(), out.layout().clone()));
    let name = kind.name();
    record(name, &[x], &[out], backward_fn(move |_, g| {
        let gx = match &kind {
            ViewKind::Reshape(..) => g.reshape(&shape)?,
            ViewKind::Transpose(_, a, b) => g.transpose(*a, *b)?,
            ViewKind::Permute(p) => {
                let mut inverse = vec![0i64; p.len()];
                for (i, &d) in p.iter().enumerate() {
                    inverse[crate::error::wrap_dim(d, p.len())?] = i as i64;
                }
                g.permute(&inverse)?
            }
            ViewKind::Expand(_) => g.clone(),
            ViewKind::AsStrided { .. } => {
                let missing = || crate::Error::Runtime("as_strided backward: the view's geometry was not kept".into());
                let (input, output) = geometry.as_ref().ok_or_else(missing)?;
                crate::ops::as_strided::as_strided_backward(g, input, output)?
            }
            ViewKind::Unfold { dim, size, step } => fold_windows(g, &shape, *dim, *size, *step)?,
            region => embed(g, &shape, region.clone())?,
        };
        Ok(vec![Some(gx)])
    }));
}

/// Zeros of `shape` with `g` written into the region `kind` selects: the adjoint of taking
/// that region, itself recorded so that double backward takes the region again.
fn embed(g: &Tensor, shape: &[i64], kind: ViewKind) -> Result<Tensor> {
    let dims: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    let z = crate::ops::creation::zeros(&dims, g.dtype(), g.device())?;
    {
        let _off = GradModeGuard::new(false);
        kind.apply(&z)?.copy_(&g.detach())?;
    }
    if needs_grad(&[g]) {
        record("SliceBackwardBackward0", &[g], &[&z], backward_fn(move |_, gg| Ok(vec![Some(kind.apply(gg)?)])));
    }
    Ok(z)
}

/// The adjoint of `unfold`: window element `k` of every window comes from the strided slice
/// `k, k + step, ...` of the input, so the gradient is the sum over `k` of those slices
/// embedded back (windows may overlap, hence a sum). Built from recorded ops, so it has a
/// double backward; it loops over the window size, which is small in practice.
fn fold_windows(g: &Tensor, shape: &[i64], dim: i64, size: usize, step: usize) -> Result<Tensor> {
    if shape.is_empty() {
        // A 0-dim input unfolds into `size` (0 or 1) copies of itself.
        return g.sum();
    }
    let windows = g.shape()[dim as usize] as i64;
    let dims: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    let mut total = crate::ops::creation::zeros(&dims, g.dtype(), g.device())?;
    for k in 0..size as i64 {
        let stop = k + (windows - 1) * step as i64 + 1;
        let part = g.select(-1, k)?;
        let region = ViewKind::Slice { dim, start: k, stop, step: step as i64 };
        total = total.add(&embed(&part, shape, region)?)?;
    }
    Ok(total)
}

/// Takes the views of `chain`, in order, of `t`.
pub(crate) fn apply_chain(chain: &[ViewKind], t: &Tensor) -> Result<Tensor> {
    chain.iter().try_fold(t.clone(), |v, k| k.apply(&v))
}

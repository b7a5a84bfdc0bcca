//! Backward of the index ops. Reading through an index and writing through it are each
//! other's adjoints: gather <-> scatter_add, index_select <-> index_add, masked_select <->
//! masked_scatter. Index tensors and masks get no gradient.

use crate::autograd::formulas::{backward_fn, needs};
use crate::autograd::record::record;
use crate::autograd::SavedTensor;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::layout::contiguous_strides;
use crate::ops::creation::{ones, zeros};
use crate::ops::index::put::Positions;
use crate::ops::index::scatter::ScatterReduce;
use crate::ops::Arg;
use crate::tensor::Tensor;

const ZERO: Arg<'static> = Arg::Scalar(Scalar::Float(0.0));

/// `small` written into the leading corner of zeros of `shape` (the gradient of an operand
/// of which only that corner was read); `small` itself when it has the shape. Built with a
/// recorded in-place copy, so that it is differentiable.
fn embed_corner(small: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if small.shape() == shape {
        return Ok(small.clone());
    }
    let z = zeros(shape, small.dtype(), small.device())?;
    corner(&z, small.shape())?.copy_(small)?;
    Ok(z)
}

/// The leading corner of `t` with `shape` (a view).
fn corner(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if t.shape() == shape {
        return Ok(t.clone());
    }
    shape.iter().enumerate().try_fold(t.clone(), |v, (d, &n)| v.narrow(d as i64, 0, n as i64))
}

/// Records `out = x.index_select(dim, index)`: the gradient is added back into the slices.
pub(crate) fn record_index_select(x: &Tensor, dim: usize, index: &Tensor, out: &Tensor) -> Result<()> {
    let (shape, si) = (x.shape().to_vec(), SavedTensor::input(index)?);
    record("IndexSelectBackward0", &[x], &[out], backward_fn(move |node, g| {
        let z = zeros(&shape, g.dtype(), g.device())?;
        Ok(vec![Some(z.index_add(dim as i64, &si.unpack(node)?, g, Scalar::Int(1))?)])
    }));
    Ok(())
}

/// Records `out = x.take(index)`: the gradient is added back at the flat positions.
pub(crate) fn record_take(x: &Tensor, index: &Tensor, out: &Tensor) -> Result<()> {
    let (shape, n) = (x.shape().iter().map(|&d| d as i64).collect::<Vec<_>>(), x.numel());
    let flat = index.detach().reshape(&[-1])?;
    let flat = flat.add(&flat.lt(Scalar::Int(0))?.to_dtype(DType::I64)?.mul(Scalar::Int(n as i64))?)?;
    record("TakeBackward0", &[x], &[out], backward_fn(move |_, g| {
        let z = zeros(&[n], g.dtype(), g.device())?;
        Ok(vec![Some(z.index_add(0, &flat, &g.reshape(&[-1])?, Scalar::Int(1))?.reshape(&shape)?)])
    }));
    Ok(())
}

/// Records `out = x.gather(dim, index)`: the gradient is scattered back, duplicates adding.
pub(crate) fn record_gather(x: &Tensor, dim: usize, index: &Tensor, out: &Tensor) -> Result<()> {
    let (shape, si) = (x.shape().to_vec(), SavedTensor::input(index)?);
    record("GatherBackward0", &[x], &[out], backward_fn(move |node, g| {
        let z = zeros(&shape, g.dtype(), g.device())?;
        Ok(vec![Some(z.scatter_add(dim as i64, &si.unpack(node)?, g)?)])
    }));
    Ok(())
}

/// Records `out = x.scatter(dim, index, src)` (ScatterBackward0) or with a value
/// (ScatterBackward1): the overwritten elements pass no gradient to `x`; `src` gets the
/// gradient at the positions it was written to.
pub(crate) fn record_scatter(x: &Tensor, dim: usize, index: &Tensor, src: Option<&Tensor>, out: &Tensor) -> Result<()> {
    let si = SavedTensor::input(index)?;
    let d = dim as i64;
    let Some(src) = src else {
        record("ScatterBackward1", &[x], &[out], backward_fn(move |node, g| {
            Ok(vec![Some(g.scatter(d, &si.unpack(node)?, ZERO, None)?)])
        }));
        return Ok(());
    };
    let src_shape = src.shape().to_vec();
    record("ScatterBackward0", &[x, src], &[out], backward_fn(move |node, g| {
        let index = si.unpack(node)?;
        let gx = if needs(node, 0) { Some(g.scatter(d, &index, ZERO, None)?) } else { None };
        let gs = if needs(node, 1) { Some(embed_corner(&g.gather(d, &index)?, &src_shape)?) } else { None };
        Ok(vec![gx, gs])
    }));
    Ok(())
}

/// Records `out = x.scatter_add(dim, index, src)`.
pub(crate) fn record_scatter_add(x: &Tensor, dim: usize, index: &Tensor, src: &Tensor, out: &Tensor) -> Result<()> {
    let (si, src_shape, d) = (SavedTensor::input(index)?, src.shape().to_vec(), dim as i64);
    record("ScatterAddBackward0", &[x, src], &[out], backward_fn(move |node, g| {
        let gs = if needs(node, 1) { Some(embed_corner(&g.gather(d, &si.unpack(node)?)?, &src_shape)?) } else { None };
        Ok(vec![Some(g.clone()), gs])
    }));
    Ok(())
}

/// Records `out = x.scatter_reduce(dim, index, src, reduce, include_self)`, with torch's
/// formulas: sum and mean spread the gradient (mean divided by the counts), amax / amin
/// share it evenly among the elements equal to the result, prod divides the product by
/// each factor (computing products without the zero factor where there is one).
pub(crate) fn record_scatter_reduce(x: &Tensor, dim: usize, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool, out: &Tensor) -> Result<()> {
    let (sx, ss, si, sy) = (SavedTensor::input(x)?, SavedTensor::input(src)?, SavedTensor::input(index)?, SavedTensor::output(out)?);
    let d = dim as i64;
    record("ScatterReduceBackward0", &[x, src], &[out], backward_fn(move |node, g| {
        let (x, src, index, result) = (sx.unpack(node)?, ss.unpack(node)?, si.unpack(node)?, sy.unpack(node)?);
        let src_c = corner(&src, index.shape())?;
        let (gx, gs) = match reduce {
            ScatterReduce::Sum => (g.clone(), g.gather(d, &index)?),
            ScatterReduce::Mean => {
                let base = if include_self { ones(x.shape(), g.dtype(), g.device())? } else { zeros(x.shape(), g.dtype(), g.device())? };
                let counts = base.scatter_add(d, &index, &ones(index.shape(), g.dtype(), g.device())?)?;
                let counts = counts.masked_fill(&counts.eq(Scalar::Float(0.0))?, Arg::Scalar(Scalar::Float(1.0)))?;
                let share = g.div(&counts)?;
                let gs = share.gather(d, &index)?;
                (share, gs)
            }
            ScatterReduce::Amax | ScatterReduce::Amin => {
                let value = result.gather(d, &index)?;
                // As torch: an element of self equal to the result counts in the share even
                // where include_self left it out (its own gradient is zeroed below).
                let self_is = x.eq(&result)?.to_dtype(g.dtype())?;
                let src_is = src_c.eq(&value)?.to_dtype(g.dtype())?;
                let share = g.div(&self_is.scatter_add(d, &index, &src_is)?)?;
                (self_is.mul(&share)?, src_is.mul(&share.gather(d, &index)?)?)
            }
            ScatterReduce::Prod => {
                let one = Arg::Scalar(Scalar::Float(1.0));
                let masked_self = x.masked_fill(&x.eq(Scalar::Float(0.0))?, one)?;
                let without_self = masked_self.scatter_reduce(d, &index, &src_c, reduce, include_self)?;
                let gx = g.mul(&without_self)?.div(&masked_self)?;
                let src_zero = src_c.eq(Scalar::Float(0.0))?;
                let zeros_per_target = zeros(x.shape(), g.dtype(), g.device())?.scatter_add(d, &index, &src_zero.to_dtype(g.dtype())?)?;
                let single_zero = src_zero.logical_and(&zeros_per_target.gather(d, &index)?.eq(Scalar::Float(1.0))?)?;
                let without_zero = x.scatter_reduce(d, &index, &src_c.masked_fill(&single_zero, one)?, reduce, include_self)?;
                let at_zero = g.mul(&without_zero)?.gather(d, &index)?;
                let elsewhere = g.mul(&result)?.gather(d, &index)?.div(&src_c.masked_fill(&src_zero, one)?)?;
                (gx, crate::ops::ternary::where_(&single_zero, Arg::Tensor(&at_zero), Arg::Tensor(&elsewhere))?)
            }
        };
        // Without include_self, the elements that received values forgot their own.
        let gx = if include_self { gx } else { gx.scatter(d, &index, ZERO, None)? };
        let gx = if needs(node, 0) { Some(gx) } else { None };
        let gs = if needs(node, 1) { Some(embed_corner(&gs, src.shape())?) } else { None };
        Ok(vec![gx, gs])
    }));
    Ok(())
}

/// Records `out = x.index_add(dim, index, source, alpha)`.
pub(crate) fn record_index_add(x: &Tensor, dim: usize, index: &Tensor, source: &Tensor, alpha: Scalar, out: &Tensor) -> Result<()> {
    let (si, source_shape) = (SavedTensor::input(index)?, source.shape().iter().map(|&d| d as i64).collect::<Vec<_>>());
    record("IndexAddBackward0", &[x, source], &[out], backward_fn(move |node, g| {
        let gs = if needs(node, 1) {
            let picked = g.index_select(dim as i64, &si.unpack(node)?)?;
            let picked = if alpha == Scalar::Int(1) { picked } else { picked.mul(alpha)? };
            Some(picked.reshape(&source_shape)?)
        } else {
            None
        };
        Ok(vec![Some(g.clone()), gs])
    }));
    Ok(())
}

/// Records `out = x.index_copy(dim, index, source)`.
pub(crate) fn record_index_copy(x: &Tensor, dim: usize, index: &Tensor, source: &Tensor, out: &Tensor) -> Result<()> {
    let (si, source_shape) = (SavedTensor::input(index)?, source.shape().iter().map(|&d| d as i64).collect::<Vec<_>>());
    let d = dim as i64;
    record("IndexCopyBackward0", &[x, source], &[out], backward_fn(move |node, g| {
        let index = si.unpack(node)?;
        let gx = if needs(node, 0) { Some(g.index_fill(d, &index, ZERO)?) } else { None };
        let gs = if needs(node, 1) { Some(g.index_select(d, &index)?.reshape(&source_shape)?) } else { None };
        Ok(vec![gx, gs])
    }));
    Ok(())
}

/// Records `out = x.index_fill(dim, index, value)`: a 0-dim tensor `value`
/// (IndexFillBackward1) gets the gradient of every filled element once.
pub(crate) fn record_index_fill(x: &Tensor, dim: usize, index: &Tensor, value: Option<&Tensor>, out: &Tensor) -> Result<()> {
    let (si, d) = (SavedTensor::input(index)?, dim as i64);
    let Some(value) = value else {
        record("IndexFillBackward0", &[x], &[out], backward_fn(move |node, g| Ok(vec![Some(g.index_fill(d, &si.unpack(node)?, ZERO)?)])));
        return Ok(());
    };
    record("IndexFillBackward1", &[x, value], &[out], backward_fn(move |node, g| {
        let outside = g.index_fill(d, &si.unpack(node)?, ZERO)?;
        let gv = if needs(node, 1) { Some(g.sub(&outside)?.sum()?) } else { None };
        Ok(vec![Some(outside), gv])
    }));
    Ok(())
}

/// Records `out = x.index_put(indices, values, accumulate)`: without `accumulate` the
/// overwritten elements pass no gradient to `x`; `values` gets the gradient at the indexed
/// positions (summed back over its broadcasting by the engine).
pub(crate) fn record_index_put(x: &Tensor, positions: Positions, values: &Tensor, accumulate: bool, out: &Tensor) -> Result<()> {
    let k = positions.indices.len();
    let flat = positions.linear(&contiguous_strides(&x.shape()[..k]))?;
    let mut rows: Vec<i64> = vec![-1];
    rows.extend(x.shape()[k..].iter().map(|&d| d as i64));
    let result_shape: Vec<i64> = positions.result_shape(x.shape()).iter().map(|&d| d as i64).collect();
    record("IndexPutBackward0", &[x, values], &[out], backward_fn(move |node, g| {
        let gx = if !needs(node, 0) {
            None
        } else if accumulate {
            Some(g.clone())
        } else {
            Some(g.index_put(&positions.indices, &zeros(&[], g.dtype(), g.device())?, false)?)
        };
        let gv = if needs(node, 1) { Some(g.reshape(&rows)?.index_select(0, &flat)?.reshape(&result_shape)?) } else { None };
        Ok(vec![gx, gv])
    }));
    Ok(())
}

/// Records `out = x.masked_select(mask)` (`shape`: x and mask broadcast together).
pub(crate) fn record_masked_select(x: &Tensor, mask: &Tensor, shape: &[usize], out: &Tensor) -> Result<()> {
    let (mask, shape) = (mask.detach(), shape.to_vec());
    record("MaskedSelectBackward0", &[x], &[out], backward_fn(move |_, g| {
        Ok(vec![Some(zeros(&shape, g.dtype(), g.device())?.masked_scatter(&mask, g)?)])
    }));
    Ok(())
}

/// Records `out = x.masked_scatter(mask, source)`: `source` element k gets the gradient of
/// the k-th masked position, unused source elements none.
pub(crate) fn record_masked_scatter(x: &Tensor, mask: &Tensor, source: &Tensor, out: &Tensor) -> Result<()> {
    let mask = mask.detach();
    let (n, source_shape) = (source.numel(), source.shape().iter().map(|&d| d as i64).collect::<Vec<_>>());
    record("MaskedScatterBackward0", &[x, source], &[out], backward_fn(move |node, g| {
        let gx = if needs(node, 0) { Some(g.masked_fill(&mask, ZERO)?) } else { None };
        let gs = if needs(node, 1) { Some(embed_corner(&g.masked_select(&mask)?, &[n])?.reshape(&source_shape)?) } else { None };
        Ok(vec![gx, gs])
    }));
    Ok(())
}

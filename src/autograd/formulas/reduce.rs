//! Backward of the reductions: the gradient broadcast back over the reduced dims.

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::record;
use crate::autograd::SavedTensor;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// `g` (the reduced result's gradient) reshaped with the reduced dims kept as 1, then
/// expanded to the input's shape.
fn expand_back(g: &Tensor, in_shape: &[usize], mask: &[bool]) -> Result<Tensor> {
    let keep: Vec<i64> = in_shape.iter().zip(mask).map(|(&d, &m)| if m { 1 } else { d as i64 }).collect();
    let full: Vec<i64> = in_shape.iter().map(|&d| d as i64).collect();
    g.reshape(&keep)?.expand(&full)
}

/// Records a sum (or mean) of `x` over the dims in `mask`.
pub(crate) fn record_sum(x: &Tensor, mask: &[bool], out: &Tensor, mean: bool) {
    let shape = x.shape().to_vec();
    let mask = mask.to_vec();
    let count: usize = shape.iter().zip(&mask).filter(|(_, &m)| m).map(|(&d, _)| d).product();
    let all = mask.iter().all(|&m| m);
    let name = match (mean, all) {
        (false, true) => "SumBackward0",
        (false, false) => "SumBackward1",
        (true, true) => "MeanBackward0",
        (true, false) => "MeanBackward1",
    };
    record(name, &[x], &[out], backward_fn(move |_, g| {
        let g = expand_back(g, &shape, &mask)?;
        Ok(vec![Some(if mean { g.div(Scalar::Float(count as f64))? } else { g })])
    }));
}

/// Records amax/amin of `x` over `mask`: the gradient is shared evenly among the entries
/// equal to the extreme.
pub(crate) fn record_extreme(x: &Tensor, mask: &[bool], out: &Tensor, max: bool) -> Result<()> {
    let (sx, sy) = (SavedTensor::input(x)?, SavedTensor::output(out)?);
    let shape = x.shape().to_vec();
    let mask = mask.to_vec();
    // torch names the full reduction (x.max()) MaxBackward1, the dim form of amax AmaxBackward0.
    let name = match (max, mask.iter().all(|&m| m)) {
        (true, true) => "MaxBackward1",
        (false, true) => "MinBackward1",
        (true, false) => "AmaxBackward0",
        (false, false) => "AminBackward0",
    };
    record(name, &[x], &[out], backward_fn(move |node, g| {
        let (x, y) = (sx.unpack(node)?, sy.unpack(node)?);
        let hit = x.eq(&expand_back(&y, &shape, &mask)?)?.to_dtype(g.dtype())?;
        let dims: Vec<i64> = mask.iter().enumerate().filter(|(_, &m)| m).map(|(i, _)| i as i64).collect();
        let count = hit.sum_dims(Some(&dims), true, None)?;
        Ok(vec![Some(expand_back(g, &shape, &mask)?.mul(&hit)?.div(&count)?)])
    }));
    Ok(())
}

/// Records the values of max/min over `dim`: the gradient goes to the index chosen.
pub(crate) fn record_max_dim(x: &Tensor, dim: usize, keepdim: bool, max: bool, values: &Tensor, indices: &Tensor) -> Result<()> {
    let shape = x.shape().to_vec();
    let idx = if keepdim { indices.clone() } else { indices.unsqueeze(dim as i64)? };
    record(if max { "MaxBackward0" } else { "MinBackward0" }, &[x], &[values], backward_fn(move |_, g| {
        let g = if keepdim { g.clone() } else { g.unsqueeze(dim as i64)? };
        // One-hot along `dim`: positions 0..n compared with the chosen index.
        let mut pos_shape = vec![1i64; shape.len()];
        pos_shape[dim] = shape[dim] as i64;
        let n = Scalar::Int(shape[dim] as i64);
        let pos = crate::ops::creation::arange(Scalar::Int(0), n, Scalar::Int(1), crate::dtype::DType::I64, g.device())?.reshape(&pos_shape)?;
        let chosen = pos.eq(&idx)?;
        let full: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        Ok(vec![Some(g.expand(&full)?.masked_fill(&chosen.logical_not()?, Arg::Scalar(Scalar::Float(0.0)))?)])
    }));
    Ok(())
}

/// Records a product of `x` over the dims in `mask`. d prod / d x_i is the product of the
/// others: prod / x_i without zeros; with exactly one zero in the slice, the product of the
/// rest at that zero and 0 elsewhere; with more zeros, 0.
pub(crate) fn record_prod(x: &Tensor, mask: &[bool], out: &Tensor) -> Result<()> {
    let (sx, sy) = (SavedTensor::input(x)?, SavedTensor::output(out)?);
    let shape = x.shape().to_vec();
    let mask = mask.to_vec();
    let name = if mask.iter().all(|&m| m) { "ProdBackward0" } else { "ProdBackward1" };
    record(name, &[x], &[out], backward_fn(move |node, g| {
        let (x, y) = (sx.unpack(node)?, sy.unpack(node)?);
        let dims: Vec<i64> = mask.iter().enumerate().filter(|(_, &m)| m).map(|(i, _)| i as i64).collect();
        let zero = x.eq(Scalar::Float(0.0))?;
        if crate::autograd::is_grad_enabled() && zero.all_dims(None, false, false)?.item()?.to_i64() != 0 {
            // create_graph with a zero: the masked formula below is piecewise constant in
            // the zeros, so build the product of the others from differentiable ops instead.
            return Ok(vec![Some(expand_back(g, &shape, &mask)?.mul(&product_of_others(&x, &mask)?)?)]);
        }
        let zeros = expand_back(&zero.to_dtype(x.dtype())?.sum_dims(Some(&dims), true, None)?, &shape, &mask)?;
        let g = expand_back(g, &shape, &mask)?;
        // No zero in the slice: prod / x.
        let safe_x = x.masked_fill(&zero, Arg::Scalar(Scalar::Float(1.0)))?;
        let plain = expand_back(&y, &shape, &mask)?.div(&safe_x)?;
        // One zero: the product of the other entries, at the zero.
        let others = expand_back(&safe_x.prod_dims(Some(&dims), true, None)?, &shape, &mask)?;
        let one_zero = zeros.eq(Scalar::Float(1.0))?.logical_and(&zero)?;
        let d = plain
            .masked_fill(&zeros.ne(Scalar::Float(0.0))?, Arg::Scalar(Scalar::Float(0.0)))?
            .add(&others.masked_fill(&one_zero.logical_not()?, Arg::Scalar(Scalar::Float(0.0)))?)?;
        Ok(vec![Some(g.mul(&d)?)])
    }));
    Ok(())
}

/// For every entry of `x`, the product of the other entries of its slice over the dims in
/// `mask`: each slice (flattened to n entries) is repeated n times with the diagonal set to
/// 1, then multiplied along. O(n^2) memory, so only the double-backward path uses it.
pub(crate) fn product_of_others(x: &Tensor, mask: &[bool]) -> Result<Tensor> {
    let kept: Vec<usize> = (0..mask.len()).filter(|&d| !mask[d]).collect();
    let reduced: Vec<usize> = (0..mask.len()).filter(|&d| mask[d]).collect();
    let perm: Vec<i64> = kept.iter().chain(&reduced).map(|&d| d as i64).collect();
    let n: usize = reduced.iter().map(|&d| x.shape()[d]).product();
    let mut flat: Vec<i64> = kept.iter().map(|&d| x.shape()[d] as i64).collect();
    let permuted_shape: Vec<i64> = perm.iter().map(|&d| x.shape()[d as usize] as i64).collect();
    flat.push(n as i64);
    let rows = x.permute(&perm)?.reshape(&flat)?.unsqueeze(-2)?;
    let mut square = flat.clone();
    square.push(n as i64);
    let diagonal = crate::ops::creation::eye(n, n, crate::dtype::DType::Bool, x.device())?;
    let others = crate::ops::ternary::where_(&diagonal, Arg::Scalar(Scalar::Float(1.0)), Arg::Tensor(&rows.expand(&square)?))?
        .prod_dims(Some(&[-1]), false, None)?;
    let mut inverse = vec![0i64; perm.len()];
    for (i, &d) in perm.iter().enumerate() {
        inverse[d as usize] = i as i64;
    }
    others.reshape(&permuted_shape)?.permute(&inverse)
}

//! `x[key]` and `x[key] = value` with torch's rules: ints, slices, None and Ellipsis give
//! views; index tensors and bool masks ("advanced" indices) gather copies, broadcast
//! together, and place their dims where the first one stood when they are adjacent, else
//! first.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::contiguous_strides;
use crate::ops::index::put::resolve;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// One entry of an indexing key.
#[derive(Clone, Debug)]
pub enum TensorIndex {
    Int(i64),
    /// start, stop, step (step > 0; bounds clamp as in Python).
    Slice(i64, i64, i64),
    /// `None`: a new dim of size 1.
    NewAxis,
    Ellipsis,
    /// Integer positions (int64/int32) or a bool/uint8 mask over as many dims as it has.
    Tensor(Tensor),
}

/// The basic part of a key applied (a view), and the advanced indices with the view dims
/// they start at.
struct Plan {
    view: Tensor,
    advanced: Vec<(usize, Tensor)>,
}

fn is_mask(t: &Tensor) -> bool {
    matches!(t.dtype(), DType::Bool | DType::U8)
}

fn plan(x: &Tensor, key: &[TensorIndex]) -> Result<Plan> {
    let consumed: usize = key
        .iter()
        .map(|k| match k {
            TensorIndex::Int(_) | TensorIndex::Slice(..) => 1,
            TensorIndex::Tensor(t) if is_mask(t) => t.ndim(),
            TensorIndex::Tensor(_) => 1,
            TensorIndex::NewAxis | TensorIndex::Ellipsis => 0,
        })
        .sum();
    if consumed > x.ndim() {
        return Err(Error::Index(format!("too many indices for tensor of dimension {}", x.ndim())));
    }
    let (mut view, mut dim, mut advanced) = (x.clone(), 0usize, Vec::new());
    let mut seen_ellipsis = false;
    for k in key {
        match k {
            TensorIndex::Int(i) => view = view.select(dim as i64, *i)?,
            TensorIndex::Slice(start, stop, step) => {
                view = view.slice(dim as i64, *start, *stop, *step)?;
                dim += 1;
            }
            TensorIndex::NewAxis => {
                view = view.unsqueeze(dim as i64)?;
                dim += 1;
            }
            TensorIndex::Ellipsis => {
                if std::mem::replace(&mut seen_ellipsis, true) {
                    return Err(Error::Index("an index can only have a single ellipsis ('...')".into()));
                }
                dim += x.ndim() - consumed;
            }
            TensorIndex::Tensor(t) if is_mask(t) && t.ndim() == 0 => {
                // x[True] adds a dim of size 1, x[False] one of size 0.
                view = view.unsqueeze(dim as i64)?;
                let keep = t.to_vec::<i64>()?[0] != 0;
                advanced.push((dim, Tensor::from_vec(if keep { vec![0i64] } else { vec![] }, &[usize::from(keep)])?));
                dim += 1;
            }
            TensorIndex::Tensor(t) => {
                advanced.push((dim, t.clone()));
                dim += if is_mask(t) { t.ndim() } else { 1 };
            }
        }
    }
    Ok(Plan { view, advanced })
}

impl Plan {
    /// The view dims the advanced indices cover, in order.
    fn advanced_dims(&self) -> Vec<usize> {
        self.advanced
            .iter()
            .flat_map(|(d, t)| *d..*d + if is_mask(t) { t.ndim().max(1) } else { 1 })
            .collect()
    }

    /// The view with the advanced dims first (a permutation view), and where their result
    /// dims go back to: the first advanced dim when they are adjacent, else 0.
    fn advanced_first(&self) -> Result<(Tensor, usize)> {
        let dims = self.advanced_dims();
        let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
        let rest = (0..self.view.ndim()).filter(|d| !dims.contains(d));
        let perm: Vec<i64> = dims.iter().copied().chain(rest).map(|d| d as i64).collect();
        let home = if adjacent { dims.first().copied().unwrap_or(0) } else { 0 };
        Ok((self.view.permute(&perm)?, home))
    }
}

/// Moves the leading `n` dims of `t` to start at `home`.
fn place(t: Tensor, n: usize, home: usize) -> Result<Tensor> {
    if home == 0 || n == 0 {
        return Ok(t);
    }
    let from: Vec<i64> = (0..n as i64).collect();
    let to: Vec<i64> = (home as i64..(home + n) as i64).collect();
    t.movedim(&from, &to)
}

impl Tensor {
    /// `self[key]`: a view for basic keys, a copy when the key holds index tensors or masks.
    pub fn index(&self, key: &[TensorIndex]) -> Result<Tensor> {
        let plan = plan(self, key)?;
        if plan.advanced.is_empty() {
            return Ok(plan.view);
        }
        if let [(0, mask)] = plan.advanced.as_slice() {
            if is_mask(mask) && mask.dtype() == DType::Bool && mask.shape() == plan.view.shape() {
                return plan.view.masked_select(mask); // x[mask] over every dim
            }
        }
        let (p, home) = plan.advanced_first()?;
        let tensors: Vec<Tensor> = plan.advanced.iter().map(|(_, t)| t.clone()).collect();
        let positions = resolve(&p, &tensors)?;
        let k = positions.indices.len();
        let rest: Vec<i64> = p.shape()[k..].iter().map(|&s| s as i64).collect();
        let lead: Vec<usize> = p.shape()[..k].to_vec();
        let linear = positions.linear(&contiguous_strides(&lead))?;
        let mut flat_shape = vec![lead.iter().product::<usize>() as i64];
        flat_shape.extend(&rest);
        let picked = p.reshape(&flat_shape)?.index_select(0, &linear)?;
        let mut shape: Vec<i64> = positions.shape.iter().map(|&s| s as i64).collect();
        shape.extend(&rest);
        place(picked.reshape(&shape)?, positions.shape.len(), home)
    }

    /// `self[key] = value`: writes through views for basic keys, and through `index_put_`
    /// for index tensors and masks (`value` broadcasts to `self[key]`'s shape).
    pub fn index_assign(&self, key: &[TensorIndex], value: Arg) -> Result<()> {
        let plan = plan(self, key)?;
        if plan.advanced.is_empty() {
            return match value {
                Arg::Scalar(s) => plan.view.fill_(s),
                Arg::Tensor(v) => plan.view.copy_(v),
            };
        }
        let value = match value {
            Arg::Tensor(v) => v.clone(), // index_put_ wants the same dtype, as in torch
            Arg::Scalar(s) => crate::ops::creation::full(&[], s, self.dtype(), self.device())?,
        };
        let (p, home) = plan.advanced_first()?;
        let tensors: Vec<Tensor> = plan.advanced.iter().map(|(_, t)| t.clone()).collect();
        let positions = resolve(&p, &tensors)?;
        let b = positions.shape.len();
        // The value is shaped like self[key]; put its index dims first, like `p`'s.
        let result_shape: Vec<i64> = {
            let mut s: Vec<i64> = p.shape()[positions.indices.len()..].iter().map(|&d| d as i64).collect();
            for (i, &d) in positions.shape.iter().enumerate() {
                s.insert(home + i, d as i64);
            }
            s
        };
        let value = value.broadcast_to_shape(&result_shape)?;
        let value = if home > 0 && b > 0 {
            let from: Vec<i64> = (home as i64..(home + b) as i64).collect();
            value.movedim(&from, &(0..b as i64).collect::<Vec<_>>())?
        } else {
            value
        };
        p.index_put_(&tensors, &value, false)?;
        Ok(())
    }

    /// `expand` with torch's setitem message when the value does not fit.
    fn broadcast_to_shape(&self, shape: &[i64]) -> Result<Tensor> {
        self.expand(shape).map_err(|_| {
            Error::Runtime(format!(
                "shape mismatch: value tensor of shape {:?} cannot be broadcast to indexing result of shape {:?}",
                self.shape(),
                shape
            ))
        })
    }
}

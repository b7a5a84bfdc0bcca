//! Joining and splitting: cat, stack and their h/v/d/column forms, split, chunk,
//! tensor_split, unbind, broadcast_tensors and meshgrid. Splits return views.

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::{needs_grad, record};
use crate::autograd::GradModeGuard;
use crate::dtype::{promote_types, DType};
use crate::error::{wrap_dim, Error, Result};
use crate::layout::{broadcast_shapes, fmt_shape};
use crate::tensor::Tensor;

/// torch skips 1-d empty tensors in `cat` whatever the other shapes (a legacy rule), though
/// they still take part in type promotion.
fn skipped_in_cat(t: &Tensor) -> bool {
    t.shape() == [0]
}

/// The dtype `cat` gives: all inputs promoted together.
fn cat_dtype(tensors: &[Tensor]) -> DType {
    tensors.iter().skip(1).fold(tensors[0].dtype(), |d, t| promote_types(d, t.dtype()))
}

/// Concatenates `tensors` along `dim`. All must have the same shape except along `dim`.
pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    cat_into(tensors, dim, None)
}

/// `cat` writing into `out` (which must have the result's shape; it is cast into).
pub fn cat_out(tensors: &[Tensor], dim: i64, out: &Tensor) -> Result<Tensor> {
    cat_into(tensors, dim, Some(out))
}

fn cat_into(tensors: &[Tensor], dim: i64, out: Option<&Tensor>) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(Error::Value("torch.cat(): expected a non-empty list of Tensors".into()));
    }
    if let Some(i) = tensors.iter().position(|t| t.ndim() == 0) {
        bail!("zero-dimensional tensor (at position {i}) cannot be concatenated");
    }
    let device = tensors[0].device();
    if let Some(t) = tensors.iter().find(|t| t.device() != device) {
        bail!("Expected all tensors to be on the same device, but found at least two devices, {device} and {}!", t.device());
    }
    let dtype = cat_dtype(tensors);
    let Some(reference) = tensors.iter().find(|t| !skipped_in_cat(t)) else {
        // Only legacy empties: the result is one of them.
        return finish_out(crate::ops::creation::zeros(&[0], dtype, device)?, out);
    };
    let d = wrap_dim(dim, reference.ndim())?;
    let mut shape = reference.shape().to_vec();
    shape[d] = 0;
    for (i, t) in tensors.iter().enumerate().filter(|(_, t)| !skipped_in_cat(t)) {
        if t.ndim() != reference.ndim() {
            bail!("Tensors must have same number of dimensions: got {} and {}", reference.ndim(), t.ndim());
        }
        for (k, (&want, &got)) in reference.shape().iter().zip(t.shape()).enumerate() {
            if k != d && want != got {
                bail!("Sizes of tensors must match except in dimension {d}. Expected size {want} but got size {got} for tensor number {i} in the list.");
            }
        }
        shape[d] += t.shape()[d];
    }
    if let Some(o) = out {
        check_out("torch.cat()", dtype, &shape, o)?;
    }
    let result = {
        let _off = GradModeGuard::new(false);
        let result = match out {
            Some(o) => o.clone(),
            None => Tensor::empty(&shape, dtype, device)?,
        };
        let mut start = 0;
        for t in tensors.iter().filter(|t| !skipped_in_cat(t)) {
            let len = t.shape()[d];
            result.narrow(d as i64, start as i64, len as i64)?.copy_(t)?;
            start += len;
        }
        result
    };
    let inputs: Vec<&Tensor> = tensors.iter().collect();
    if needs_grad(&inputs) {
        if out.is_some() {
            return Err(crate::autograd::inplace::out_error("cat"));
        }
        record_cat(&inputs, d, &result);
    }
    Ok(result)
}

/// `out=` rules: the inputs' dtype must cast to `out`'s; `out` takes the result's shape.
fn check_out(op: &str, dtype: DType, shape: &[usize], out: &Tensor) -> Result<()> {
    if !crate::ops::binary::can_cast(dtype, out.dtype()) {
        return Err(Error::Type(format!("{op}: input types can't be cast to the desired output type {}", out.dtype().scalar_name())));
    }
    out.resize_out_(shape)
}

fn finish_out(result: Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    match out {
        Some(o) => {
            check_out("torch.cat()", result.dtype(), result.shape(), o)?;
            Ok(o.clone())
        }
        None => Ok(result),
    }
}

/// Each input's gradient is its slice of the output's gradient.
fn record_cat(inputs: &[&Tensor], dim: usize, out: &Tensor) {
    let pieces: Vec<Option<usize>> = inputs.iter().map(|t| (!skipped_in_cat(t)).then(|| t.shape()[dim])).collect();
    record("CatBackward0", inputs, &[out], backward_fn(move |_, g| {
        let mut start = 0;
        pieces
            .iter()
            .map(|len| match len {
                Some(len) => {
                    let piece = g.narrow(dim as i64, start as i64, *len as i64)?;
                    start += len;
                    Ok(Some(piece))
                }
                None => Ok(Some(crate::ops::creation::zeros(&[0], g.dtype(), g.device())?)),
            })
            .collect()
    }));
}

/// Stacks equally shaped tensors along a new dim `dim`.
pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let pieces = stack_pieces(tensors, dim)?;
    cat(&pieces, dim)
}

/// `stack` writing into `out`.
pub fn stack_out(tensors: &[Tensor], dim: i64, out: &Tensor) -> Result<Tensor> {
    let pieces = stack_pieces(tensors, dim)?;
    cat_out(&pieces, dim, out)
}

fn stack_pieces(tensors: &[Tensor], dim: i64) -> Result<Vec<Tensor>> {
    let Some(first) = tensors.first() else { bail!("stack expects a non-empty TensorList") };
    let d = wrap_dim(dim, first.ndim() + 1)?;
    for (i, t) in tensors.iter().enumerate() {
        if t.shape() != first.shape() {
            bail!(
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {i}",
                fmt_shape(first.shape()),
                fmt_shape(t.shape())
            );
        }
    }
    tensors.iter().map(|t| t.unsqueeze(d as i64)).collect()
}

/// Views with at least `n` dims, as torch's atleast_1d/2d/3d place them.
pub fn at_least(t: &Tensor, n: usize) -> Result<Tensor> {
    let s: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
    match (n, s.len()) {
        (_, 0) if n > 0 => t.reshape(&vec![1; n]),
        (2, 1) => t.reshape(&[1, s[0]]),
        (3, 1) => t.reshape(&[1, s[0], 1]),
        (3, 2) => t.reshape(&[s[0], s[1], 1]),
        _ => Ok(t.clone()),
    }
}

fn non_empty<'a>(tensors: &'a [Tensor], op: &str) -> Result<&'a [Tensor]> {
    if tensors.is_empty() {
        bail!("{op} expects a non-empty TensorList");
    }
    Ok(tensors)
}

/// Concatenates column-wise: along dim 1, or dim 0 for 1-d inputs.
pub fn hstack(tensors: &[Tensor]) -> Result<Tensor> {
    let ts = at_least_all(non_empty(tensors, "hstack")?, 1)?;
    cat(&ts, if ts[0].ndim() == 1 { 0 } else { 1 })
}

/// Concatenates row-wise, as 2-d.
pub fn vstack(tensors: &[Tensor]) -> Result<Tensor> {
    cat(&at_least_all(non_empty(tensors, "vstack")?, 2)?, 0)
}

/// Concatenates depth-wise (dim 2), as 3-d.
pub fn dstack(tensors: &[Tensor]) -> Result<Tensor> {
    cat(&at_least_all(non_empty(tensors, "dstack")?, 3)?, 2)
}

/// Stacks 0-d and 1-d inputs as columns, then concatenates along dim 1.
pub fn column_stack(tensors: &[Tensor]) -> Result<Tensor> {
    let cols = non_empty(tensors, "column_stack")?
        .iter()
        .map(|t| if t.ndim() <= 1 { t.reshape(&[t.numel() as i64, 1]) } else { Ok(t.clone()) })
        .collect::<Result<Vec<_>>>()?;
    cat(&cols, 1)
}

fn at_least_all(tensors: &[Tensor], n: usize) -> Result<Vec<Tensor>> {
    tensors.iter().map(|t| at_least(t, n)).collect()
}

impl Tensor {
    /// Views of consecutive pieces of `sizes` along `dim`.
    fn pieces(&self, dim: usize, sizes: impl IntoIterator<Item = usize>) -> Result<Vec<Tensor>> {
        let mut start = 0;
        sizes
            .into_iter()
            .map(|len| {
                let piece = self.narrow(dim as i64, start as i64, len as i64);
                start += len;
                piece
            })
            .collect()
    }

    fn split_dim(&self, dim: i64) -> Result<usize> {
        if self.ndim() == 0 {
            return Err(Error::Index("Dimension specified as 0 but tensor has no dimensions".into()));
        }
        wrap_dim(dim, self.ndim())
    }

    /// Pieces of `split_size` along `dim` (the last one may be smaller).
    pub fn split(&self, split_size: i64, dim: i64) -> Result<Vec<Tensor>> {
        let d = self.split_dim(dim)?;
        let size = self.shape()[d];
        if split_size < 0 {
            bail!("split expects split_size be non-negative, but got split_size={split_size}");
        }
        if split_size == 0 && size != 0 {
            bail!("split_size can only be 0 if dimension size is 0, but got dimension size of {size}");
        }
        let step = split_size as usize;
        if size == 0 {
            return self.pieces(d, [0]);
        }
        self.pieces(d, (0..size.div_ceil(step)).map(|i| step.min(size - i * step)))
    }

    /// Pieces of the given sizes along `dim`; they must sum to the dim's size.
    pub fn split_with_sizes(&self, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
        let d = self.split_dim(dim)?;
        let size = self.shape()[d];
        if sizes.iter().any(|&s| s < 0) {
            bail!("split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={sizes:?}");
        }
        if sizes.iter().sum::<i64>() != size as i64 {
            bail!("split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension {d}), but got split_sizes={sizes:?}");
        }
        self.pieces(d, sizes.iter().map(|&s| s as usize))
    }

    /// `chunks` pieces (or fewer) of ceil(size / chunks) along `dim`.
    pub fn chunk(&self, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
        if chunks <= 0 {
            bail!("chunk expects `chunks` to be greater than 0, got: {chunks}");
        }
        let d = self.split_dim(dim)?;
        let size = self.shape()[d];
        if size == 0 {
            return self.pieces(d, std::iter::repeat_n(0, chunks as usize));
        }
        self.split(size.div_ceil(chunks as usize) as i64, dim)
    }

    /// `sections` pieces as even as possible (the first `size % sections` one larger).
    pub fn tensor_split_sections(&self, sections: i64, dim: i64) -> Result<Vec<Tensor>> {
        self.check_tensor_split()?;
        if sections <= 0 {
            bail!("number of sections must be larger than 0, got {sections}");
        }
        let d = wrap_dim(dim, self.ndim())?;
        let (size, n) = (self.shape()[d], sections as usize);
        self.pieces(d, (0..n).map(|i| size / n + usize::from(i < size % n)))
    }

    /// Pieces between the given indices along `dim` (clamped to the dim, as in numpy).
    pub fn tensor_split_indices(&self, indices: &[i64], dim: i64) -> Result<Vec<Tensor>> {
        self.check_tensor_split()?;
        let d = wrap_dim(dim, self.ndim())?;
        let size = self.shape()[d] as i64;
        let clamp = |i: i64| (if i < 0 { i + size } else { i }).clamp(0, size);
        let mut start = 0;
        let mut out = Vec::with_capacity(indices.len() + 1);
        for end in indices.iter().map(|&i| clamp(i)).chain([size]) {
            out.push(self.narrow(d as i64, start, (end - start).max(0))?);
            start = end;
        }
        Ok(out)
    }

    fn check_tensor_split(&self) -> Result<()> {
        if self.ndim() == 0 {
            bail!("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
        }
        Ok(())
    }

    /// Every slice along `dim`, as views without that dim.
    pub fn unbind(&self, dim: i64) -> Result<Vec<Tensor>> {
        let d = self.split_dim(dim)?;
        (0..self.shape()[d]).map(|i| self.select(d as i64, i as i64)).collect()
    }
}

/// Expanded views of all inputs at their common broadcast shape.
pub fn broadcast_tensors(tensors: &[Tensor]) -> Result<Vec<Tensor>> {
    let mut shape: Vec<usize> = Vec::new();
    for t in tensors {
        shape = broadcast_shapes(&shape, t.shape())?.to_vec();
    }
    let sizes: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    tensors.iter().map(|t| t.expand(&sizes)).collect()
}

/// Coordinate grids of 0-d/1-d inputs, as expanded views. `xy` indexing swaps the roles of
/// the first two inputs (Cartesian, as numpy's default).
pub fn meshgrid(tensors: &[Tensor], xy: bool) -> Result<Vec<Tensor>> {
    if tensors.iter().any(|t| t.ndim() > 1) {
        bail!("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {}", tensors.iter().map(|t| format!("{:?}", t.shape())).collect::<Vec<_>>().join(", "));
    }
    if let Some(first) = tensors.first() {
        if tensors.iter().any(|t| t.dtype() != first.dtype()) {
            bail!("meshgrid expects all tensors to have the same dtype");
        }
    }
    let swap = xy && tensors.len() >= 2;
    let mut order: Vec<usize> = (0..tensors.len()).collect();
    if swap {
        order.swap(0, 1);
    }
    let shape: Vec<i64> = order.iter().map(|&i| tensors[i].numel() as i64).collect();
    let mut grids: Vec<Tensor> = order
        .iter()
        .enumerate()
        .map(|(axis, &i)| {
            let mut s = vec![1; shape.len()];
            s[axis] = -1;
            tensors[i].reshape(&s)?.expand(&shape)
        })
        .collect::<Result<Vec<_>>>()?;
    if swap {
        grids.swap(0, 1);
    }
    Ok(grids)
}

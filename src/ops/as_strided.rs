//! `as_strided`: any (shape, strides, offset) over a tensor's memory, and `empty_strided`;
//! with the gradient of `as_strided`, which works on memory addresses because the view may
//! overlap itself or reach memory its input does not show.

use std::sync::Arc;

use crate::autograd::formulas::view::ViewKind;
use crate::error::Result;
use crate::layout::{fmt_shape, Dims, Layout};
use crate::ops::creation::zeros;
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::{DType, Device};

/// Checks a size/stride pair and converts them, with the messages torch gives for
/// `as_strided` (`view`) or `empty_strided`.
fn checked_geometry(size: &[i64], stride: &[i64], view: bool, itemsize: usize) -> Result<(Dims, Dims)> {
    if size.len() != stride.len() {
        if view {
            bail!("mismatch in length of strides and shape");
        }
        bail!("dimensionality of sizes ({}) must match dimensionality of strides ({})", size.len(), stride.len());
    }
    let negative_size = size.iter().find(|&&d| d < 0);
    if let (Some(&d), false) = (negative_size, view) {
        bail!("Trying to create tensor with negative dimension {d}: {size:?}");
    }
    if negative_size.is_some() || (!view && stride.iter().any(|&s| s < 0)) {
        bail!("Storage size calculation overflowed with sizes={size:?} and strides={stride:?}");
    }
    if stride.iter().any(|&s| s < 0) {
        bail!("as_strided: Negative strides are not supported at the moment, got strides: {stride:?}");
    }
    let (shape, strides): (Dims, Dims) = (size.iter().map(|&d| d as usize).collect(), stride.iter().map(|&s| s as usize).collect());
    if checked_span(&shape, &strides).and_then(|n| n.checked_mul(itemsize)).is_none() {
        bail!("Storage size calculation overflowed with sizes={size:?} and strides={stride:?}");
    }
    if shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).is_none() {
        bail!("numel: integer multiplication overflow");
    }
    Ok((shape, strides))
}

/// `Layout::storage_span` with overflow checked: user geometry may be anything.
fn checked_span(shape: &[usize], strides: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    shape.iter().zip(strides).try_fold(1usize, |acc, (&d, &s)| acc.checked_add((d - 1).checked_mul(s)?))
}

/// The layout `size`/`stride` from `offset`, checked to fit in `storage_len` elements.
fn fitted_layout(size: &[i64], stride: &[i64], offset: i64, storage_len: usize, dtype: DType) -> Result<Layout> {
    let (shape, strides) = checked_geometry(size, stride, true, dtype.size())?;
    if offset < 0 {
        bail!("Tensor: invalid storage offset {offset}");
    }
    let layout = Layout { shape, strides, offset: offset as usize };
    let span = layout.storage_span();
    let needed = if span == 0 { Some(0) } else { layout.offset.checked_add(span) };
    let Some(bytes) = needed.and_then(|n| n.checked_mul(dtype.size())) else {
        bail!("Storage size calculation overflowed with sizes={size:?} and strides={stride:?}");
    };
    if bytes > storage_len * dtype.size() {
        bail!(
            "setStorage: sizes {}, strides {stride:?}, storage offset {offset}, and itemsize {} requiring a storage size of {bytes} are out of bounds for storage of size {}",
            fmt_shape(&layout.shape),
            dtype.size(),
            storage_len * dtype.size()
        );
    }
    Ok(layout)
}

impl Tensor {
    /// A view of this tensor's memory with the given sizes and strides (in elements), from
    /// `storage_offset` (default: this tensor's own offset). Shapes: any.
    pub fn as_strided(&self, size: &[i64], stride: &[i64], storage_offset: Option<i64>) -> Result<Tensor> {
        let own = self.storage_offset() as i64;
        let offset = storage_offset.unwrap_or(own);
        let layout = fitted_layout(size, stride, offset, self.storage().len, self.dtype())?;
        if self.requires_grad() {
            // Of a view: taken of its base, as torch does, since it may reach memory the view
            // does not show (whose gradient would be lost going through the view).
            if let Some((base, _)) = self.view_of().filter(|(b, _)| Arc::ptr_eq(b.storage(), self.storage())) {
                return base.as_strided(size, stride, Some(offset));
            }
        }
        let kind = ViewKind::AsStrided { size: size.into(), stride: stride.into(), offset: offset - own };
        Ok(self.view_as_kind(layout, kind))
    }

    /// Uninitialised memory laid out with the given sizes and strides (torch's
    /// `empty_strided`): just enough elements for the furthest one.
    pub fn empty_strided(size: &[i64], stride: &[i64], dtype: DType, device: Device) -> Result<Tensor> {
        let (shape, strides) = checked_geometry(size, stride, false, dtype.size())?;
        over_fresh_memory(Layout { shape, strides, offset: 0 }, dtype, device)
    }

    /// A tensor laid out like `like` (strides and, relative to the start of its memory,
    /// offset), holding this tensor's values. `like` must not overlap itself.
    pub(crate) fn copy_laid_out_like(&self, like: &Layout) -> Result<Tensor> {
        let out = over_fresh_memory(like.clone(), self.dtype(), self.device())?;
        out.copy_(self)?;
        Ok(out)
    }
}

/// Fresh memory just large enough for `layout` (from its offset to its furthest element).
fn over_fresh_memory(layout: Layout, dtype: DType, device: Device) -> Result<Tensor> {
    let len = layout.offset + layout.storage_span();
    let storage: Arc<Storage> = Tensor::empty(&[len], dtype, device)?.storage().clone();
    Ok(Tensor::from_parts(storage, layout))
}

/// Each element's storage address in `layout`, minus `origin`, in row-major element order.
fn addresses(layout: &Layout, origin: usize) -> Vec<i64> {
    let mut out = Vec::with_capacity(layout.numel());
    let mut index = vec![0usize; layout.ndim()];
    if layout.numel() == 0 {
        return out;
    }
    loop {
        let addr: usize = layout.offset + index.iter().zip(&layout.strides).map(|(i, s)| i * s).sum::<usize>();
        out.push(addr as i64 - origin as i64);
        // Odometer step over the shape, last dim fastest.
        let mut d = layout.ndim();
        loop {
            if d == 0 {
                return out;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < layout.shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

/// True when two elements of `layout` share a memory address.
pub(crate) fn overlaps_itself(layout: &Layout) -> bool {
    let mut dims: Vec<(usize, usize)> = layout.shape.iter().zip(&layout.strides).map(|(&d, &s)| (s, d)).filter(|&(_, d)| d > 1).collect();
    if layout.numel() == 0 {
        return false;
    }
    dims.sort_unstable();
    // Sorted by stride, each stride must step past everything the smaller ones reach.
    let mut reach = 0usize;
    for (stride, size) in dims {
        if stride <= reach {
            return true;
        }
        reach += stride * (size - 1);
    }
    false
}

/// The gradient of `y = as_strided(x)`: each element of `g` adds into the memory address it
/// was read from, and each element of `x` takes the sum at its address (shared evenly when
/// several elements of `x` share one, as torch does). Built from recorded ops, so it has a
/// double backward.
pub(crate) fn as_strided_backward(g: &Tensor, input: &Layout, output: &Layout) -> Result<Tensor> {
    let origin = input.offset.min(output.offset);
    let read = addresses(output, origin);
    let held = addresses(input, origin);
    let len = read.iter().chain(&held).max().map_or(0, |&m| m as usize + 1);
    let device = g.device();
    let index = |v: Vec<i64>| -> Result<Tensor> {
        let n = v.len();
        Tensor::from_vec(v, &[n])?.to_device(device)
    };
    let (read, held) = (index(read)?, index(held)?);
    let sums = zeros(&[len], g.dtype(), device)?.index_add(0, &read, &g.reshape(&[-1])?, crate::Scalar::Int(1))?;
    let input_shape: Vec<i64> = input.shape.iter().map(|&d| d as i64).collect();
    let mut gx = sums.index_select(0, &held)?;
    if overlaps_itself(input) {
        let ones = crate::ops::creation::ones(&[input.numel()], g.dtype(), device)?;
        let counts = zeros(&[len], g.dtype(), device)?.index_add(0, &held, &ones, crate::Scalar::Int(1))?;
        gx = gx.div(&counts.index_select(0, &held)?)?;
    }
    gx.reshape(&input_shape)
}

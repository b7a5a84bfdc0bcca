//! Diagonals and triangles of matrices (batched over leading dims): diagonal (a view),
//! diag_embed, diag, trace, tril/triu and their index lists.

use crate::autograd::formulas::backward_fn;
use crate::autograd::formulas::view::ViewKind;
use crate::autograd::record::{needs_grad, record};
use crate::autograd::GradModeGuard;
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::error::{wrap_dim, Error, Result};
use crate::ops::Arg;
use crate::tensor::Tensor;

/// Two distinct wrapped dims, or torch's error naming them as given.
fn diagonal_dims(dim1: i64, dim2: i64, ndim: usize) -> Result<(usize, usize)> {
    let (d1, d2) = (wrap_dim(dim1, ndim)?, wrap_dim(dim2, ndim)?);
    if d1 == d2 {
        bail!("diagonal dimensions cannot be identical {dim1}, {dim2}");
    }
    Ok((d1, d2))
}

impl Tensor {
    /// The diagonal of dims `dim1`, `dim2` shifted by `offset`, as a view whose last dim
    /// runs along it.
    pub fn diagonal(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
        let (d1, d2) = diagonal_dims(dim1, dim2, self.ndim())?;
        Ok(self.view_as_kind(self.layout().diagonal(offset, d1, d2), ViewKind::Diagonal { offset, dim1: d1, dim2: d2 }))
    }

    /// Matrices (in dims `dim1`, `dim2` of the result) whose diagonal `offset` holds the last
    /// dim of `self`; zeros elsewhere.
    pub fn diag_embed(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
        let ndim = self.ndim() + 1;
        let (d1, d2) = diagonal_dims(dim1, dim2, ndim)?;
        let n = self.shape().last().copied().unwrap_or(1) + offset.unsigned_abs() as usize;
        let mut shape: Vec<usize> = self.shape()[..self.ndim().saturating_sub(1)].to_vec();
        for d in [d1.min(d2), d1.max(d2)] {
            shape.insert(d, n);
        }
        let out = crate::ops::creation::zeros(&shape, self.dtype(), self.device())?;
        {
            let _off = GradModeGuard::new(false);
            out.diagonal(offset, d1 as i64, d2 as i64)?.copy_(self)?;
        }
        if needs_grad(&[self]) {
            record("DiagEmbedBackward0", &[self], &[&out], backward_fn(move |_, g| {
                Ok(vec![Some(g.diagonal(offset, d1 as i64, d2 as i64)?)])
            }));
        }
        Ok(out)
    }

    /// A 1-d input as the diagonal `offset` of a square matrix; a 2-d input's diagonal
    /// `offset`, copied.
    pub fn diag(&self, offset: i64) -> Result<Tensor> {
        match self.ndim() {
            1 => self.diag_embed(offset, 0, 1),
            2 => self.diagonal(offset, 0, 1)?.deep_clone(),
            n => bail!("diag(): Supports 1D or 2D tensors. Got {n}D"),
        }
    }

    /// Sum of the main diagonal of a matrix (integers sum as int64).
    pub fn trace(&self) -> Result<Tensor> {
        if self.ndim() != 2 {
            bail!("trace: expected a matrix, but got tensor with dim {}", self.ndim());
        }
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented("\"trace\" not implemented for 'Bool'".into()));
        }
        self.diagonal(0, 0, 1)?.sum()
    }

    /// The lower triangle (on and below diagonal `diagonal`) of the last two dims; zeros above.
    pub fn tril(&self, diagonal: i64) -> Result<Tensor> {
        self.triangle(diagonal, true)
    }

    /// The upper triangle (on and above diagonal `diagonal`) of the last two dims.
    pub fn triu(&self, diagonal: i64) -> Result<Tensor> {
        self.triangle(diagonal, false)
    }

    /// `tril` in place.
    pub fn tril_(&self, diagonal: i64) -> Result<Tensor> {
        let r = self.tril(diagonal)?;
        self.copy_(&r)?;
        Ok(self.clone())
    }

    /// `triu` in place.
    pub fn triu_(&self, diagonal: i64) -> Result<Tensor> {
        let r = self.triu(diagonal)?;
        self.copy_(&r)?;
        Ok(self.clone())
    }

    fn triangle(&self, diagonal: i64, lower: bool) -> Result<Tensor> {
        let name = if lower { "tril" } else { "triu" };
        if self.ndim() < 2 {
            bail!("{name}: input tensor must have at least 2 dimensions");
        }
        let (rows, cols) = (self.shape()[self.ndim() - 2], self.shape()[self.ndim() - 1]);
        let keep = triangle_mask(rows, cols, diagonal, lower, self.device())?;
        let zero = if self.dtype() == DType::Bool { Scalar::Bool(false) } else { Scalar::Int(0) };
        crate::ops::ternary::where_(&keep, Arg::Tensor(self), Arg::Scalar(zero))
    }
}

/// Bool (rows, cols) mask of the entries a triangle keeps: col - row <= diagonal (lower)
/// or >= diagonal (upper).
fn triangle_mask(rows: usize, cols: usize, diagonal: i64, lower: bool, device: Device) -> Result<Tensor> {
    let mut keep = Vec::with_capacity(rows * cols);
    for r in 0..rows as i64 {
        for c in 0..cols as i64 {
            keep.push(if lower { c - r <= diagonal } else { c - r >= diagonal });
        }
    }
    Tensor::from_vec(keep, &[rows, cols])?.to_device(device)
}

/// The (2, N) row and column indices of a `rows` x `cols` matrix's lower (or upper)
/// triangle from diagonal `offset`, in row-major order.
pub fn triangle_indices(rows: i64, cols: i64, offset: i64, lower: bool, dtype: DType, device: Device) -> Result<Tensor> {
    if rows < 0 {
        bail!("row must be non-negative, got{rows}");
    }
    if cols < 0 {
        bail!("col must be non-negative, got{cols}");
    }
    let (mut rs, mut cs) = (Vec::new(), Vec::new());
    for r in 0..rows {
        for c in 0..cols {
            if if lower { c - r <= offset } else { c - r >= offset } {
                rs.push(r);
                cs.push(c);
            }
        }
    }
    let n = rs.len();
    rs.extend(cs);
    Tensor::from_vec(rs, &[2, n])?.to_dtype(dtype)?.to_device(device)
}

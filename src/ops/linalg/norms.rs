//! Vector and matrix norms: linalg.vector_norm, linalg.matrix_norm, linalg.norm.

use crate::dtype::DType;
use crate::error::{wrap_dim, Result};
use crate::ops::reduce::NormOrd;
use crate::tensor::Tensor;

use super::spectral::svdvals;

/// torch.linalg.vector_norm: the `ord`-norm over `dims` (all when None), computed in
/// `dtype` when given. The gradient at a zero vector is 0, as in torch.
pub fn vector_norm(x: &Tensor, ord: NormOrd, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let name = "linalg.vector_norm";
    let x = match dtype {
        Some(d) => {
            if !d.is_floating_point() {
                bail!("{name}: dtype should be floating point or complex, but got {}", d.scalar_name());
            }
            super::check_widening(x.dtype(), d, name)?;
            x.to_dtype(d)?
        }
        None => x.clone(),
    };
    if matches!(ord, NormOrd::Inf | NormOrd::NegInf) && x.numel() == 0 {
        let which = if ord == NormOrd::Inf { "inf" } else { "-inf" };
        let mask = crate::ops::reduce::reduced_mask(x.ndim(), dims)?;
        if mask.iter().all(|&m| m) {
            bail!("{name} cannot compute the {which} norm on an empty tensor because the operation does not have an identity");
        }
        if let Some(d) = (0..x.ndim()).find(|&d| mask[d] && x.shape()[d] == 0) {
            bail!("{name} cannot compute the {which} norm on the dimension {d} because this dimension is empty and the operation does not have an identity");
        }
    }
    x.norm_dims(ord, dims, keepdim)
}

/// The `ord` of a matrix norm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MatrixOrd {
    Fro,
    Nuc,
    /// 1, -1, 2, -2, inf or -inf.
    P(f64),
}

impl MatrixOrd {
    pub fn from_number(p: f64) -> Result<MatrixOrd> {
        if [1.0, -1.0, 2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY].contains(&p) {
            Ok(MatrixOrd::P(p))
        } else {
            bail!("linalg.matrix_norm: Order {p} not supported.")
        }
    }

    pub fn from_name(s: &str) -> Result<MatrixOrd> {
        match s {
            "fro" => Ok(MatrixOrd::Fro),
            "nuc" => Ok(MatrixOrd::Nuc),
            _ => bail!("linalg.matrix_norm: Order {s} not supported."),
        }
    }
}

/// torch.linalg.matrix_norm over the two dims `dims` (default (-2, -1)).
pub fn matrix_norm(a: &Tensor, ord: MatrixOrd, dims: (i64, i64), keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let name = "linalg.matrix_norm";
    if a.ndim() < 2 {
        bail!("{name}: The input tensor A must have at least 2 dimensions.");
    }
    if !a.dtype().is_floating_point() {
        return Err(crate::Error::NotImplemented(format!("{name}: Expected a floating point or complex tensor as input. Got {}", a.dtype().scalar_name())));
    }
    let a = match dtype {
        Some(d) => {
            super::check_widening(a.dtype(), d, name)?;
            a.to_dtype(d)?
        }
        None => a.clone(),
    };
    let nd = a.ndim();
    let (d0, d1) = (wrap_dim(dims.0, nd)?, wrap_dim(dims.1, nd)?);
    if d0 == d1 {
        bail!("{name}: dims must be different. Got ({}, {})", dims.0, dims.1);
    }
    let (d0i, d1i) = (d0 as i64, d1 as i64);
    if a.shape()[d0] == 0 || a.shape()[d1] == 0 {
        // Every norm of an empty matrix is 0 (no identity is needed for a sum).
        return a.abs()?.sum_dims(Some(&[d0i, d1i]), keepdim, None);
    }
    let kept = match ord {
        MatrixOrd::Fro => return a.norm_dims(NormOrd::P(2.0), Some(&[d0i, d1i]), keepdim),
        MatrixOrd::Nuc | MatrixOrd::P(2.0) | MatrixOrd::P(-2.0) => {
            let s = svdvals(&a.movedim(&[d0i, d1i], &[-2, -1])?)?;
            // 'nuc' sums the singular values; 2 / -2 take the largest / smallest.
            let r = match ord {
                MatrixOrd::P(p) => s.amax_dims(Some(&[-1]), false, p > 0.0)?,
                _ => s.sum_dims(Some(&[-1]), false, None)?,
            };
            if !keepdim {
                return Ok(r);
            }
            let (lo, hi) = (d0.min(d1) as i64, d0.max(d1) as i64);
            return r.unsqueeze(lo)?.unsqueeze(hi);
        }
        // 1: largest column sum (sum over rows d0); inf: largest row sum (sum over d1).
        MatrixOrd::P(p) => {
            let (sum_dim, max_dim) = if p.abs() == 1.0 { (d0i, d1i) } else { (d1i, d0i) };
            a.abs()?.sum_dims(Some(&[sum_dim]), true, None)?.amax_dims(Some(&[max_dim]), true, p > 0.0)?
        }
    };
    if keepdim { Ok(kept) } else { kept.squeeze(Some(&[d0i, d1i])) }
}

/// torch.linalg.norm: a vector norm when `dims` has one dim (or `ord` is None and `dims` is
/// None: the flattened input), a matrix norm when it has two or the input is 2-d with `ord`.
pub fn norm(a: &Tensor, ord: Option<NormOrMatrix>, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if let Some(NormOrMatrix::Matrix(m)) = ord {
        // A named order ('fro', 'nuc') always means a matrix norm.
        let d = dims.unwrap_or(&[-2, -1]);
        if d.len() != 2 {
            bail!("linalg.matrix_norm: dim must be a 2-tuple. Got {}", d.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" "));
        }
        return matrix_norm(a, m, (d[0], d[1]), keepdim, dtype);
    }
    match (dims, ord) {
        (Some(d), ord) if d.len() == 2 => {
            let ord = match ord {
                None => MatrixOrd::Fro,
                Some(NormOrMatrix::Matrix(m)) => m,
                Some(NormOrMatrix::Number(p)) => MatrixOrd::from_number(p)?,
            };
            matrix_norm(a, ord, (d[0], d[1]), keepdim, dtype)
        }
        (Some(d), ord) if d.len() == 1 => match ord {
            Some(NormOrMatrix::Matrix(_)) => bail!("linalg.norm: If dim is specified, it must be of length 1 or 2. Got [{}]", d[0]),
            Some(NormOrMatrix::Number(p)) => vector_norm(a, number_ord(p), Some(d), keepdim, dtype),
            None => vector_norm(a, NormOrd::P(2.0), Some(d), keepdim, dtype),
        },
        (Some(d), _) => bail!("linalg.norm: If dim is specified, it must be of length 1 or 2. Got {d:?}"),
        (None, None) => vector_norm(a, NormOrd::P(2.0), None, keepdim, dtype),
        (None, Some(ord)) => match (a.ndim(), ord) {
            (1, NormOrMatrix::Number(p)) => vector_norm(a, number_ord(p), None, keepdim, dtype),
            (2, NormOrMatrix::Number(p)) => matrix_norm(a, MatrixOrd::from_number(p)?, (-2, -1), keepdim, dtype),
            (2, NormOrMatrix::Matrix(m)) => matrix_norm(a, m, (-2, -1), keepdim, dtype),
            (d, _) => bail!("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {d}D."),
        },
    }
}

/// The `ord` of linalg.norm: a number or a matrix-norm name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrMatrix {
    Number(f64),
    Matrix(MatrixOrd),
}

/// A number as a vector-norm order.
pub fn number_ord(p: f64) -> NormOrd {
    if p == f64::INFINITY {
        NormOrd::Inf
    } else if p == f64::NEG_INFINITY {
        NormOrd::NegInf
    } else {
        NormOrd::P(p)
    }
}

//! QR, SVD and the symmetric eigendecomposition, and pinv built on them.

use crate::autograd::formulas::linalg as grad;
use crate::autograd::record::needs_grad;
use crate::backend::cpu::linalg::{eigh as symmetric_eigen, qr as householder, svd as jacobi_svd};
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

use super::{assemble, check_float, check_matrix, Matrices};

/// The `mode` of torch.linalg.qr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrMode {
    Reduced,
    Complete,
    /// R only; Q is returned empty.
    R,
}

impl QrMode {
    pub fn parse(s: &str) -> Result<QrMode> {
        match s {
            "reduced" => Ok(QrMode::Reduced),
            "complete" => Ok(QrMode::Complete),
            "r" => Ok(QrMode::R),
            _ => bail!("qr received unrecognized mode '{s}' but expected one of 'reduced' (default), 'r', or 'complete'"),
        }
    }
}

/// torch.linalg.qr: A = Q R with Q orthonormal columns and R upper triangular.
pub fn qr(a: &Tensor, mode: QrMode) -> Result<(Tensor, Tensor)> {
    let name = "linalg.qr";
    check_matrix(a, name, "A", false)?;
    check_float(a, name)?;
    let mats = Matrices::of(a)?;
    let (m, n) = (mats.m, mats.n);
    let complete = mode == QrMode::Complete;
    let parts = mats.map(|x| householder::qr(x.to_vec(), m, n, complete));
    let cols = if complete { m } else { m.min(n) };
    let r = assemble(&mats.batch, &[cols, n], parts.iter().map(|p| p.1.clone()), a.dtype())?;
    let q = if mode == QrMode::R {
        crate::ops::creation::zeros(&[0], a.dtype(), a.device())?
    } else {
        assemble(&mats.batch, &[m, cols], parts.into_iter().map(|p| p.0), a.dtype())?
    };
    if needs_grad(&[a]) {
        grad::record_qr(a, &q, &r, mode)?;
    }
    Ok((q, r))
}

/// torch.linalg.svd: A = U diag(S) Vh, S descending. `full_matrices` makes U (m x m) and
/// Vh (n x n); otherwise they are m x k and k x n with k = min(m, n).
pub fn svd(a: &Tensor, full_matrices: bool) -> Result<(Tensor, Tensor, Tensor)> {
    let name = "linalg.svd";
    check_matrix(a, name, "A", false)?;
    check_float(a, name)?;
    let (u, s, vh) = svd_no_grad(a, full_matrices)?;
    if needs_grad(&[a]) {
        grad::record_svd(a, &u, &s, &vh, full_matrices)?;
    }
    Ok((u, s, vh))
}

fn svd_no_grad(a: &Tensor, full: bool) -> Result<(Tensor, Tensor, Tensor)> {
    let mats = Matrices::of(a)?;
    let (m, n) = (mats.m, mats.n);
    let k = m.min(n);
    let parts = mats.map(|x| jacobi_svd::svd(x, m, n, full));
    let (uc, vr) = if full { (m, n) } else { (k, k) };
    let d = a.dtype();
    let u = assemble(&mats.batch, &[m, uc], parts.iter().map(|p| p.u.clone()), d)?;
    let s = assemble(&mats.batch, &[k], parts.iter().map(|p| p.s.clone()), d)?;
    // The kernel's Vh is n x n when m >= n and full-width otherwise; keep the first rows.
    let vh = assemble(&mats.batch, &[vr, n], parts.into_iter().map(|p| p.vh[..vr * n].to_vec()), d)?;
    Ok((u, s, vh))
}

/// torch.linalg.svdvals: the singular values, descending.
pub fn svdvals(a: &Tensor) -> Result<Tensor> {
    let name = "linalg.svd";
    check_matrix(a, name, "A", false)?;
    check_float(a, name)?;
    if needs_grad(&[a]) {
        return Ok(svd(a, false)?.1);
    }
    Ok(svd_no_grad(a, false)?.1)
}

fn uplo_lower(uplo: &str) -> Result<bool> {
    match uplo {
        "L" | "l" => Ok(true),
        "U" | "u" => Ok(false),
        _ => Err(Error::Runtime(format!("Expected UPLO argument to be 'L' or 'U', but got {uplo}"))),
    }
}

/// The symmetric matrix that the `uplo` triangle of `a` describes.
fn symmetric_from(x: &[f64], n: usize, lower: bool) -> Vec<f64> {
    let mut s = x.to_vec();
    for i in 0..n {
        for j in 0..i {
            let v = if lower { x[i * n + j] } else { x[j * n + i] };
            s[i * n + j] = v;
            s[j * n + i] = v;
        }
    }
    s
}

/// torch.linalg.eigh: eigenvalues (ascending) and orthonormal eigenvectors (columns) of the
/// symmetric matrices whose `uplo` ("L" or "U") triangle `a` holds.
pub fn eigh(a: &Tensor, uplo: &str) -> Result<(Tensor, Tensor)> {
    let (w, v) = eigh_no_grad(a, uplo, "linalg.eigh")?;
    if needs_grad(&[a]) {
        grad::record_eigh(a, &w, &v)?;
    }
    Ok((w, v))
}

fn eigh_no_grad(a: &Tensor, uplo: &str, name: &str) -> Result<(Tensor, Tensor)> {
    check_matrix(a, name, "A", true)?;
    if !matches!(a.dtype(), crate::DType::F32 | crate::DType::F64) {
        return Err(Error::NotImplemented(format!("\"linalg_eigh_cpu\" not implemented for '{}'", a.dtype().scalar_name())));
    }
    let lower = uplo_lower(uplo)?;
    let mats = Matrices::of(a)?;
    let n = mats.n;
    let parts = mats.map(|x| symmetric_eigen::eigh(&symmetric_from(x, n, lower), n));
    let w = assemble(&mats.batch, &[n], parts.iter().map(|p| p.0.clone()), a.dtype())?;
    let v = assemble(&mats.batch, &[n, n], parts.into_iter().map(|p| p.1), a.dtype())?;
    Ok((w, v))
}

/// torch.linalg.eigvalsh: the eigenvalues of eigh.
/// With a gradient it records eigh's node, whose saved V keeps second derivatives exact.
pub fn eigvalsh(a: &Tensor, uplo: &str) -> Result<Tensor> {
    if needs_grad(&[a]) {
        return Ok(eigh(a, uplo)?.0);
    }
    Ok(eigh_no_grad(a, uplo, "linalg.eigh")?.0)
}

/// torch.linalg.pinv: the Moore-Penrose pseudo-inverse through the SVD (or eigh when
/// `hermitian`), dropping singular values below max(atol, rtol * largest). When both
/// tolerances are None, rtol = eps(dtype) * max(m, n); when only atol is given, rtol = 0.
pub fn pinv(a: &Tensor, atol: Option<&Tensor>, rtol: Option<&Tensor>, hermitian: bool) -> Result<Tensor> {
    let name = "linalg.pinv";
    if a.ndim() < 2 || !matches!(a.dtype(), crate::DType::F32 | crate::DType::F64) {
        bail!(
            "{name}({}{{{:?}}}): expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types",
            a.dtype().scalar_name(),
            a.shape()
        );
    }
    check_matrix(a, name, "A", hermitian)?;
    let (m, n) = (a.shape()[a.ndim() - 2], a.shape()[a.ndim() - 1]);
    let eps = if a.dtype() == crate::DType::F32 { f32::EPSILON as f64 } else { f64::EPSILON };
    let zero = || crate::ops::creation::zeros(&[], a.dtype(), a.device());
    // torch: rtol defaults to eps * max(m, n), or to 0 when a positive atol is given.
    let atol_positive = match atol {
        Some(t) => t.to_dtype(crate::DType::F64)?.to_vec::<f64>()?.iter().any(|&x| x > 0.0),
        None => false,
    };
    let rtol = match rtol {
        Some(t) => t.clone(),
        None if atol_positive => zero()?,
        None => crate::ops::creation::full(&[], Scalar::Float(eps * m.max(n) as f64), a.dtype(), a.device())?,
    };
    let atol = match atol { Some(t) => t.clone(), None => zero()? };
    // s: (batch, k); tolerances broadcast against the batch and apply per matrix.
    let (left, s, right) = if hermitian {
        let (w, v) = eigh(a, "L")?;
        (v.clone(), w, v.mt()?)
    } else {
        svd(a, false)?
    };
    let abs = s.abs()?;
    let smax = if abs.numel() == 0 { abs.clone() } else { abs.amax_dims(Some(&[-1]), true, true)? };
    let tol = atol.unsqueeze(-1)?.maximum(&rtol.unsqueeze(-1)?.mul(&smax)?)?;
    let keep = abs.gt(&tol)?;
    let inv_s = keep.where_self(&s.reciprocal()?, &s.mul(Scalar::Float(0.0))?)?;
    // pinv = V diag(1/s) U^T.
    right.mt()?.mul(&inv_s.unsqueeze(-2)?)?.matmul(&left.mt()?)
}


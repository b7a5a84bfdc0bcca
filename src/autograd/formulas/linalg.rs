//! Backward of the factorizations (det, slogdet, inv, solve, cholesky, qr, svd, eigh), in
//! the forms of PyTorch's linalg derivatives, written with differentiable ops.

use crate::autograd::formulas::{backward_fn, backward_multi, needs};
use crate::autograd::record::record;
use crate::autograd::SavedTensor;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::ops::linalg::{self as la, QrMode};
use crate::ops::reduce::NormOrd;
use crate::tensor::Tensor;

fn f(v: f64) -> Scalar {
    Scalar::Float(v)
}

/// `t[..., None, None]`: a per-matrix scalar against its matrix.
fn per_matrix(t: &Tensor) -> Result<Tensor> {
    t.unsqueeze(-1)?.unsqueeze(-1)
}

/// Gradient of an absent output: zeros shaped like that output.
fn or_zeros(g: Option<&Tensor>, like: &Tensor) -> Result<Tensor> {
    match g {
        Some(g) => Ok(g.clone()),
        None => like.mul(f(0.0)),
    }
}

/// 1 / (x_j - x_i) off the diagonal, 0 on it: the coupling of two eigen/singular pairs.
/// The diagonal's zero gaps are replaced by 1 before dividing, so that a double backward
/// through here sees no 0 * inf.
fn inverse_gaps(x: &Tensor) -> Result<Tensor> {
    let n = x.shape()[x.ndim() - 1];
    let gaps = x.unsqueeze(-2)?.sub(&x.unsqueeze(-1)?)?;
    let diagonal = crate::ops::creation::eye(n, n, DType::Bool, x.device())?;
    let safe = gaps.masked_fill(&diagonal, f(1.0).into())?;
    safe.reciprocal()?.masked_fill(&diagonal, f(0.0).into())
}

/// The cofactor matrix adj(A)^T (= det(A) A^-T when A is invertible), through the SVD so
/// that it is defined for singular A too.
fn cofactor(a: &Tensor) -> Result<Tensor> {
    let (u, s, vh) = la::svd(a, false)?;
    let nd = s.ndim();
    let mut mask = vec![false; nd];
    mask[nd - 1] = true;
    let others = crate::autograd::formulas::reduce::product_of_others(&s, &mask)?;
    let sign = la::det(&u)?.mul(&la::det(&vh)?)?;
    per_matrix(&sign)?.mul(&u.mul(&others.unsqueeze(-2)?)?.matmul(&vh)?)
}

pub(crate) fn record_det(a: &Tensor, det: &Tensor) -> Result<()> {
    let (sa, sd) = (SavedTensor::input(a)?, SavedTensor::output(det)?);
    record("LinalgDetBackward0", &[a], &[det], backward_fn(move |node, g| {
        let (a, d) = (sa.unpack(node)?, sd.unpack(node)?);
        // d det(A) / dA = det(A) A^-T; the cofactor form where A is singular.
        let ga = match la::inv(&a) {
            Ok(ainv) => per_matrix(&g.mul(&d)?)?.mul(&ainv.mt()?)?,
            Err(Error::LinAlg(_)) => per_matrix(g)?.mul(&cofactor(&a)?)?,
            Err(e) => return Err(e),
        };
        Ok(vec![Some(ga)])
    }));
    Ok(())
}

pub(crate) fn record_slogdet(a: &Tensor, logabs: &Tensor) -> Result<()> {
    let sa = SavedTensor::input(a)?;
    record("LinalgSlogdetBackward0", &[a], &[logabs], backward_fn(move |node, g| {
        let a = sa.unpack(node)?;
        Ok(vec![Some(per_matrix(g)?.mul(&la::inv(&a)?.mt()?)?)])
    }));
    Ok(())
}

pub(crate) fn record_inv(a: &Tensor, out: &Tensor) -> Result<()> {
    let sy = SavedTensor::output(out)?;
    record("LinalgInvExBackward0", &[a], &[out], backward_fn(move |node, g| {
        let yt = sy.unpack(node)?.mt()?;
        Ok(vec![Some(yt.matmul(g)?.matmul(&yt)?.neg()?)])
    }));
    Ok(())
}

/// X = A^-1 B (B a batch of matrices): gB = A^-T g, gA = -gB X^T.
pub(crate) fn record_solve(a: &Tensor, b: &Tensor, x: &Tensor) -> Result<()> {
    let (sa, sx) = (SavedTensor::input(a)?, SavedTensor::output(x)?);
    record("LinalgSolveExBackward0", &[a, b], &[x], backward_fn(move |node, g| {
        let gb = la::solve(&sa.unpack(node)?.mt()?, g, true)?;
        let ga = if needs(node, 0) { Some(gb.matmul(&sx.unpack(node)?.mt()?)?.neg()?) } else { None };
        Ok(vec![ga, needs(node, 1).then_some(gb)])
    }));
    Ok(())
}

/// A = L L^T: gA = L^-T S L^-1 with S the symmetric matrix whose lower triangle is
/// tril(L^T gL) with its diagonal halved.
pub(crate) fn record_cholesky(a: &Tensor, l: &Tensor) -> Result<()> {
    let sl = SavedTensor::output(l)?;
    record("LinalgCholeskyExBackward0", &[a], &[l], backward_fn(move |node, g| {
        let l = sl.unpack(node)?;
        let t = l.mt()?.matmul(g)?.tril(0)?;
        let s = t.add(&t.tril(-1)?.mt()?)?.mul(f(0.5))?;
        let linv = la::inv(&l)?;
        Ok(vec![Some(linv.mt()?.matmul(&s)?.matmul(&linv)?)])
    }));
    Ok(())
}

/// The QR backward for m >= n (Q: m x n, R: n x n), as in the literature (Walter and
/// Lehmann; TensorFlow's QrGrad): with M = skew(Q^T gQ) + skew(R gR^T),
/// gA = Q (gR + tril(M) R^-T) + (gQ - Q Q^T gQ) R^-T.
fn qr_backward_tall(q: &Tensor, r: &Tensor, gq: &Tensor, gr: &Tensor) -> Result<Tensor> {
    let qdq = q.mt()?.matmul(gq)?;
    let rdr = r.matmul(&gr.mt()?)?;
    let m = qdq.sub(&qdq.mt()?)?.add(&rdr.sub(&rdr.mt()?)?)?.tril(0)?;
    let rinv_t = la::inv(r)?.mt()?;
    let left = q.matmul(&gr.add(&m.matmul(&rinv_t)?)?)?;
    let right = gq.sub(&q.matmul(&qdq)?)?.matmul(&rinv_t)?;
    left.add(&right)
}

pub(crate) fn record_qr(a: &Tensor, q: &Tensor, r: &Tensor, mode: QrMode) -> Result<()> {
    let (sa, sq, sr) = (SavedTensor::input(a)?, SavedTensor::output_at(q, 0)?, SavedTensor::output_at(r, 1)?);
    let outputs: &[&Tensor] = &[q, r];
    record("LinalgQrBackward0", &[a], outputs, backward_multi(move |node, grads| {
        if mode == QrMode::R {
            bail!("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
        }
        let (a, q, r) = (sa.unpack(node)?, sq.unpack(node)?, sr.unpack(node)?);
        let (m, n) = (a.shape()[a.ndim() - 2], a.shape()[a.ndim() - 1]);
        if mode == QrMode::Complete && m > n {
            bail!("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
        }
        let gq = or_zeros(grads.first().and_then(Option::as_ref), &q)?;
        let gr = or_zeros(grads.get(1).and_then(Option::as_ref), &r)?;
        if m >= n {
            return Ok(vec![Some(qr_backward_tall(&q, &r, &gq, &gr)?)]);
        }
        // Wide A = [X | Y]: X = Q R_X is a square QR and R = [R_X | Q^T Y].
        let (mi, ni) = (m as i64, n as i64);
        let (rx, gry) = (r.narrow(-1, 0, mi)?, gr.narrow(-1, mi, ni - mi)?);
        let y = a.narrow(-1, mi, ni - mi)?;
        let gx = qr_backward_tall(&q, &rx, &gq.add(&y.matmul(&gry.mt()?)?)?, &gr.narrow(-1, 0, mi)?)?;
        let gy = q.matmul(&gry)?;
        Ok(vec![Some(crate::ops::join::cat(&[gx, gy], -1)?)])
    }));
    Ok(())
}

/// The SVD backward (Townsend, "Differentiating the Singular Value Decomposition"): with
/// F_ij = 1/(s_j^2 - s_i^2), J = F o (U^T gU - gU^T U), K = F o (V^T gV - gV^T V),
/// gA = U (J S + diag(gS) + S K) V^T + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T).
/// With full_matrices the extra columns of U and rows of Vh are ignored, as in torch.
pub(crate) fn record_svd(a: &Tensor, u: &Tensor, s: &Tensor, vh: &Tensor, full: bool) -> Result<()> {
    let (su, ss, svh) = (SavedTensor::output_at(u, 0)?, SavedTensor::output_at(s, 1)?, SavedTensor::output_at(vh, 2)?);
    let outputs: &[&Tensor] = &[u, s, vh];
    record("LinalgSvdBackward0", &[a], outputs, backward_multi(move |node, grads| {
        let (mut u, s, mut vh) = (su.unpack(node)?, ss.unpack(node)?, svh.unpack(node)?);
        let k = s.shape()[s.ndim() - 1] as i64;
        let mut gu = grads.first().cloned().flatten();
        let mut gvh = grads.get(2).cloned().flatten();
        if full {
            u = u.narrow(-1, 0, k)?;
            vh = vh.narrow(-2, 0, k)?;
            gu = gu.map(|g| g.narrow(-1, 0, k)).transpose()?;
            gvh = gvh.map(|g| g.narrow(-2, 0, k)).transpose()?;
        }
        let v = vh.mt()?;
        let gs = or_zeros(grads.get(1).and_then(Option::as_ref), &s)?;
        let mut inner = gs.diag_embed(0, -2, -1)?;
        if gu.is_none() && gvh.is_none() {
            return Ok(vec![Some(u.matmul(&inner)?.matmul(&vh)?)]);
        }
        let fgap = inverse_gaps(&s.mul(&s)?)?;
        let s_row = s.unsqueeze(-2)?;
        let s_col = s.unsqueeze(-1)?;
        let mut extra: Option<Tensor> = None;
        if let Some(gu) = &gu {
            let utgu = u.mt()?.matmul(gu)?;
            let j = fgap.mul(&utgu.sub(&utgu.mt()?)?)?;
            inner = inner.add(&j.mul(&s_row)?)?;
            // (I - U U^T) gU S^-1 V^T
            let proj = gu.sub(&u.matmul(&utgu)?)?;
            extra = Some(proj.div(&s_row)?.matmul(&vh)?);
        }
        if let Some(gvh) = &gvh {
            let gv = gvh.mt()?;
            let vtgv = v.mt()?.matmul(&gv)?;
            let kk = fgap.mul(&vtgv.sub(&vtgv.mt()?)?)?;
            inner = inner.add(&s_col.mul(&kk)?)?;
            // U S^-1 gV^T (I - V V^T)
            let proj = gv.sub(&v.matmul(&vtgv)?)?.mt()?;
            let term = u.matmul(&proj.div(&s_col)?)?;
            extra = Some(match extra { Some(e) => e.add(&term)?, None => term });
        }
        let mut ga = u.matmul(&inner)?.matmul(&vh)?;
        if let Some(e) = extra {
            ga = ga.add(&e)?;
        }
        Ok(vec![Some(ga)])
    }));
    Ok(())
}

/// A = V diag(w) V^T: gA = V (diag(gw) + F o skew(V^T gV)) V^T with F_ij = 1/(w_j - w_i).
pub(crate) fn record_eigh(a: &Tensor, w: &Tensor, v: &Tensor) -> Result<()> {
    let (sw, sv) = (SavedTensor::output_at(w, 0)?, SavedTensor::output_at(v, 1)?);
    let outputs: &[&Tensor] = &[w, v];
    record("LinalgEighBackward0", &[a], outputs, backward_multi(move |node, grads| {
        let (w, v) = (sw.unpack(node)?, sv.unpack(node)?);
        let gw = or_zeros(grads.first().and_then(Option::as_ref), &w)?;
        let mut inner = gw.diag_embed(0, -2, -1)?;
        if let Some(gv) = grads.get(1).and_then(Option::as_ref) {
            let x = v.mt()?.matmul(gv)?;
            let skew = x.sub(&x.mt()?)?.mul(f(0.5))?;
            inner = inner.add(&inverse_gaps(&w)?.mul(&skew)?)?;
        }
        Ok(vec![Some(v.matmul(&inner)?.matmul(&v.mt()?)?)])
    }));
    Ok(())
}

/// Vector p-norm, with torch's subgradients: 0 at a zero vector, ties of the inf-norm share
/// the gradient equally.
pub(crate) fn record_vector_norm(x: &Tensor, p: NormOrd, dims: Option<&[i64]>, keepdim: bool, out: &Tensor) -> Result<()> {
    let mask = crate::ops::reduce::reduced_mask(x.ndim(), dims)?;
    let (sx, sy) = (SavedTensor::input(x)?, SavedTensor::output(out)?);
    record("LinalgVectorNormBackward0", &[x], &[out], backward_fn(move |node, g| {
        let (x, mut norm) = (sx.unpack(node)?, sy.unpack(node)?);
        let mut g = g.clone();
        if !keepdim {
            for (d, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
                g = g.unsqueeze(d as i64)?;
                norm = norm.unsqueeze(d as i64)?;
            }
        }
        let zero_norm = norm.eq(f(0.0))?;
        let safe_div = |num: &Tensor, den: &Tensor| -> Result<Tensor> { num.div(den)?.masked_fill(&zero_norm, f(0.0).into()) };
        let reduced: Vec<i64> = mask.iter().enumerate().filter(|(_, &m)| m).map(|(d, _)| d as i64).collect();
        let gx = match p {
            NormOrd::P(0.0) => x.mul(f(0.0))?,
            NormOrd::P(1.0) => x.sign()?.mul(&g)?,
            NormOrd::P(2.0) => x.mul(&safe_div(&g, &norm)?)?,
            NormOrd::Inf | NormOrd::NegInf => {
                let hit = x.abs()?.eq(&norm)?.to_dtype(x.dtype())?;
                let count = hit.sum_dims(Some(&reduced), true, None)?;
                x.sign()?.mul(&hit)?.mul(&g.div(&count)?)?
            }
            NormOrd::P(p) if p < 1.0 => {
                let scaled = x.abs()?.pow(f(p - 1.0))?.masked_fill(&x.eq(f(0.0))?, f(0.0).into())?;
                x.sign()?.mul(&scaled)?.mul(&g)?.mul(&norm.pow(f(1.0 - p))?)?
            }
            NormOrd::P(p) if p < 2.0 => x.sign()?.mul(&x.abs()?.pow(f(p - 1.0))?)?.mul(&safe_div(&g, &norm.pow(f(p - 1.0))?)?)?,
            NormOrd::P(p) => x.mul(&x.abs()?.pow(f(p - 2.0))?)?.mul(&safe_div(&g, &norm.pow(f(p - 1.0))?)?)?,
        };
        Ok(vec![Some(gx)])
    }));
    Ok(())
}

//! LU-based det/slogdet/inv/solve, and Cholesky.


use crate::autograd::formulas::linalg as grad;
use crate::autograd::record::needs_grad;
use crate::backend::cpu::linalg::scratch::F64Buf;
use crate::backend::cpu::linalg::{cholesky as chol, lu};
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::tensor::Tensor;

use super::{assemble, check_float, check_matrix, first_failure, Matrices};

fn square_input(a: &Tensor, name: &str) -> Result<Matrices> {
    check_matrix(a, name, "A", true)?;
    check_float(a, name)?;
    Matrices::of(a)
}

/// torch.linalg.det: determinant of each square matrix of `a` (batch..., n, n).
pub fn det(a: &Tensor) -> Result<Tensor> {
    let mats = square_input(a, "linalg.det")?;
    let n = mats.n;
    let dets = mats.map(|m| vec![lu::lu(m, n).det()]);
    let out = assemble(&mats.batch, &[], dets, a.dtype())?;
    if needs_grad(&[a]) {
        grad::record_det(a, &out)?;
    }
    Ok(out)
}

/// torch.linalg.slogdet: (sign, log|det|), free of the overflow of det.
pub fn slogdet(a: &Tensor) -> Result<(Tensor, Tensor)> {
    let mats = square_input(a, "linalg.slogdet")?;
    let n = mats.n;
    let parts = mats.map(|m| lu::lu(m, n).slogdet());
    let sign = assemble(&mats.batch, &[], parts.iter().map(|p| vec![p.0]), a.dtype())?;
    let logabs = assemble(&mats.batch, &[], parts.iter().map(|p| vec![p.1]), a.dtype())?;
    if needs_grad(&[a]) {
        grad::record_slogdet(a, &logabs)?;
    }
    Ok((sign, logabs))
}

/// torch.logdet: log(det), NaN where the determinant is negative.
pub fn logdet(a: &Tensor) -> Result<Tensor> {
    check_matrix(a, "logdet", "A", true)?;
    check_float(a, "logdet")?;
    let (sign, logabs) = slogdet(a)?;
    logabs.add(&sign.log()?)
}

/// torch.linalg.inv: the inverse of each square matrix; LinAlgError when one is singular.
pub fn inv(a: &Tensor) -> Result<Tensor> {
    let mats = square_input(a, "linalg.inv")?;
    let n = mats.n;
    let parts = mats.map(|m| {
        let f = lu::lu(m, n);
        if f.info > 0 {
            Err(format!("The diagonal element {} is zero, the inversion could not be completed because the input matrix is singular.", f.info))
        } else {
            Ok(f.inverse())
        }
    });
    first_failure("linalg.inv", !mats.batch.is_empty(), parts.iter().map(|p| p.as_ref().err().map(String::as_str)))?;
    let out = assemble(&mats.batch, &[n, n], parts.into_iter().flatten(), a.dtype())?;
    if needs_grad(&[a]) {
        grad::record_inv(a, &out)?;
    }
    Ok(out)
}

/// torch.linalg.solve: X with A X = B (`left`) or X A = B. B is a batch of vectors when it
/// is 1-d or has A's shape without its last dim; batch dims broadcast.
pub fn solve(a: &Tensor, b: &Tensor, left: bool) -> Result<Tensor> {
    if !left {
        // X A = B  <=>  A^T X^T = B^T.
        return solve(&a.mt()?, &b.mt()?, true)?.mt();
    }
    let name = "linalg.solve";
    check_matrix(a, name, "A", true)?;
    check_float(a, name)?;
    if a.dtype() != b.dtype() {
        bail!("{name}: Expected A and B to have the same dtype, but found A of type {} and B of type {} instead", a.dtype().scalar_name(), b.dtype().scalar_name());
    }
    let n = a.shape()[a.ndim() - 1];
    let vector = b.ndim() == 1 || (b.ndim() + 1 == a.ndim() && b.shape() == &a.shape()[..a.ndim() - 1]);
    let b2 = if vector { b.unsqueeze(-1)? } else { b.clone() };
    if b2.ndim() < 2 {
        bail!("{name}: The input tensor B must have at least 2 dimensions.");
    }
    if b2.shape()[b2.ndim() - 2] != n {
        bail!(
            "{name}: Incompatible shapes of A and B for the equation AX = B ({}x{} and {}x{})",
            n, n, b2.shape()[b2.ndim() - 2], b2.shape()[b2.ndim() - 1]
        );
    }
    let batch = broadcast_shapes(&a.shape()[..a.ndim() - 2], &b2.shape()[..b2.ndim() - 2])?;
    let k = b2.shape()[b2.ndim() - 1];
    let full = |t: &Tensor, cols: usize| -> Result<Tensor> {
        let mut s: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
        s.extend([n as i64, cols as i64]);
        t.expand(&s)
    };
    let (ma, mb) = (Matrices::of(&full(a, n)?)?, Matrices::of(&full(&b2, k)?)?);
    let parts: Vec<Option<F64Buf>> = if n == 0 {
        (0..ma.count()).map(|_| Some(F64Buf::zeroed(0))).collect()
    } else {
        let one = |i: usize| {
            let f = lu::lu(&ma.data()[i * n * n..(i + 1) * n * n], n);
            (f.info == 0).then(|| f.solve(&mb.data()[i * n * k..(i + 1) * n * k], k))
        };
        // The batch in parallel, as Matrices::map does for one operand.
        if ma.count() > 1 && n * n * (n + k) >= 1 << 12 {
            crate::backend::cpu::pool::parallel_map(ma.count(), crate::backend::cpu::threads::get_num_threads(), one)
        } else {
            (0..ma.count()).map(one).collect()
        }
    };
    let singular = "The solver failed because the input matrix is singular.";
    first_failure("torch.linalg.solve", !batch.is_empty(), parts.iter().map(|p| p.is_none().then_some(singular)))?;
    let x = assemble(&batch, &[n, k], parts.into_iter().flatten(), a.dtype())?;
    if needs_grad(&[a, &b2]) {
        grad::record_solve(a, &b2, &x)?;
    }
    if vector { x.squeeze(Some(&[-1])) } else { Ok(x) }
}

/// torch.linalg.cholesky: L with A = L L^T read from A's lower triangle, or U with
/// A = U^T U read from its upper triangle when `upper`. LinAlgError when A is not
/// positive-definite.
pub fn cholesky(a: &Tensor, upper: bool) -> Result<Tensor> {
    if upper {
        // U^T U = A read from its upper triangle is the lower factor of A^T.
        check_matrix(a, "linalg.cholesky", "A", true)?;
        return cholesky(&a.mt()?, false)?.mt();
    }
    let name = "linalg.cholesky";
    let mats = square_input(a, name)?;
    let n = mats.n;
    let parts = mats.map(|m| {
        chol::cholesky(m, n).map_err(|k| {
            format!("The factorization could not be completed because the input is not positive-definite (the leading minor of order {k} is not positive-definite).")
        })
    });
    first_failure(name, !mats.batch.is_empty(), parts.iter().map(|p| p.as_ref().err().map(String::as_str)))?;
    let l = assemble(&mats.batch, &[n, n], parts.into_iter().flatten(), a.dtype())?;
    if needs_grad(&[a]) {
        grad::record_cholesky(a, &l)?;
    }
    Ok(l)
}

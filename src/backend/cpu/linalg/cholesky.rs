//! Cholesky factorization A = L L^T of a symmetric positive-definite matrix.

use super::blocked::{gemm_sub, Block};
use super::dot;

/// Columns per block of the factorization: narrow, since the block's row-by-row dot products
/// cost more than the GEMM gains from wider blocks (measured best at 16 for n = 256..512).
const BLOCK: usize = 16;

/// The lower factor of the n x n row-major `a` (only its lower triangle is read), or the
/// 1-based order of the first leading minor that is not positive-definite.
///
/// Right-looking and blocked: a block of columns is factored (its diagonal block and the
/// rows below it), then the trailing matrix gets one GEMM update `A22 -= L21 L21^T`.
pub fn cholesky(a: &[f64], n: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        l[i * n..i * n + i + 1].copy_from_slice(&a[i * n..i * n + i + 1]);
    }
    for kb in (0..n).step_by(BLOCK) {
        let end = (kb + BLOCK).min(n);
        for j in kb..end {
            let lj = &l[j * n + kb..j * n + j];
            let s = l[j * n + j] - dot(lj, lj);
            // Also catches NaN: not positive-definite.
            if s.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                return Err(j + 1);
            }
            let d = s.sqrt();
            l[j * n + j] = d;
            for i in j + 1..n {
                let v = l[i * n + j] - dot(&l[i * n + kb..i * n + j], &l[j * n + kb..j * n + j]);
                l[i * n + j] = v / d;
            }
        }
        let rest = n - end;
        let l21 = Block::at(end * n + kb, n);
        gemm_sub(&mut l, Block::at(end * n + end, n), None, l21, None, l21.t(), (rest, rest, end - kb));
    }
    // The updates also wrote above the diagonal (a full product is cheaper than a triangle).
    for i in 0..n {
        l[i * n + i + 1..(i + 1) * n].iter_mut().for_each(|v| *v = 0.0);
    }
    Ok(l)
}

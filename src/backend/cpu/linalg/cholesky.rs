//! Cholesky factorization A = L L^T of a symmetric positive-definite matrix.

use super::dot;

/// The lower factor of the n x n row-major `a` (only its lower triangle is read), or the
/// 1-based order of the first leading minor that is not positive-definite.
pub fn cholesky(a: &[f64], n: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let s = a[j * n + j] - dot(&l[j * n..j * n + j], &l[j * n..j * n + j]);
        // Also catches NaN: not positive-definite.
        if s.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(j + 1);
        }
        let d = s.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let v = a[i * n + j] - dot(&l[i * n..i * n + j], &l[j * n..j * n + j]);
            l[i * n + j] = v / d;
        }
    }
    Ok(l)
}

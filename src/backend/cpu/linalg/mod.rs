//! Dense factorizations on one row-major f64 matrix at a time: LU with partial pivoting,
//! Cholesky, Householder QR, one-sided Jacobi for the SVD, and tridiagonal QL for the
//! symmetric eigenproblem. The op layer converts inputs to f64 and runs the batch in parallel. LU (recursive) and
//! Cholesky are blocked around a GEMM update (`blocked`); the rest are plain safe loops whose
//! inner loops run along contiguous rows (auto-vectorized).

mod blocked;
pub mod cholesky;
pub mod eigh;
pub mod lu;
pub mod qr;
pub mod scratch;
pub mod svd;

/// Row `i` of a row-major matrix with `cols` columns.
#[inline]
pub(crate) fn row(a: &[f64], cols: usize, i: usize) -> &[f64] {
    &a[i * cols..(i + 1) * cols]
}

/// `y += alpha * x` over equal-length slices.
#[inline]
pub(crate) fn axpy(y: &mut [f64], alpha: f64, x: &[f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

#[inline]
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// Two distinct rows `i < j` of a row-major matrix, mutably.
#[inline]
pub(crate) fn two_rows(a: &mut [f64], cols: usize, i: usize, j: usize) -> (&mut [f64], &mut [f64]) {
    debug_assert!(i < j);
    let (lo, hi) = a.split_at_mut(j * cols);
    (&mut lo[i * cols..(i + 1) * cols], &mut hi[..cols])
}

/// The transpose of a row-major `rows x cols` matrix.
pub fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut t = vec![0.0; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = a[i * cols + j];
        }
    }
    t
}

/// Fills the rows of `q` (`k x m`, orthonormal rows where `filled[r]`) that are not filled
/// with unit vectors orthogonal to all others: Gram-Schmidt (twice, for stability) of the
/// standard basis vectors with the largest residuals. Completes singular vectors of zero
/// singular values and the extra columns of a full SVD.
pub fn complete_orthonormal_rows(q: &mut [f64], k: usize, m: usize, filled: &mut [bool]) {
    for r in 0..k {
        if filled[r] {
            continue;
        }
        let mut best: Option<(f64, Vec<f64>)> = None;
        for e in 0..m {
            let mut v = vec![0.0; m];
            v[e] = 1.0;
            for _ in 0..2 {
                for (o, _) in filled.iter().enumerate().filter(|(_, &f)| f) {
                    let p = dot(row(q, m, o), &v);
                    axpy(&mut v, -p, row(q, m, o));
                }
            }
            let nrm = dot(&v, &v).sqrt();
            if best.as_ref().is_none_or(|(b, _)| nrm > *b) {
                best = Some((nrm, v));
            }
            if nrm > 0.7 {
                break;
            }
        }
        if let Some((nrm, v)) = best {
            for (d, s) in q[r * m..(r + 1) * m].iter_mut().zip(&v) {
                *d = if nrm > 0.0 { s / nrm } else { 0.0 };
            }
        }
        filled[r] = true;
    }
}

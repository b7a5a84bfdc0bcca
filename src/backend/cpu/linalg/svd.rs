//! Singular value decomposition by one-sided Jacobi (Hestenes): rotate pairs of columns
//! until all are orthogonal; their norms are the singular values. Accurate to the last bits
//! of the small singular values, and simple; O(m n^2) per sweep.

use super::{complete_orthonormal_rows, dot, transpose, two_rows};

const MAX_SWEEPS: usize = 80;

/// A = U diag(S) Vh.
pub struct Svd {
    /// m x (m if full else k), row-major.
    pub u: Vec<f64>,
    /// k = min(m, n) values, descending.
    pub s: Vec<f64>,
    /// (n if full else k) x n, row-major.
    pub vh: Vec<f64>,
}

/// The SVD of the row-major m x n `a`.
pub fn svd(a: &[f64], m: usize, n: usize, full: bool) -> Svd {
    if m < n {
        // A^T = U' S Vh'  =>  A = Vh'^T S U'^T.
        let t = svd(&transpose(a, m, n), n, m, full);
        let ucols = if full { n } else { m };
        return Svd { u: transpose(&t.vh, m, m), s: t.s, vh: transpose(&t.u, n, ucols) };
    }
    // m >= n: the rows of w are the columns of A V; the rows of vt those of V^T.
    let mut w = transpose(a, m, n);
    let mut vt = vec![0.0; n * n];
    (0..n).for_each(|i| vt[i * n + i] = 1.0);
    for _ in 0..MAX_SWEEPS {
        let mut rotated = false;
        for i in 0..n {
            for j in i + 1..n {
                let (wi, wj) = two_rows(&mut w, m, i, j);
                let (alpha, beta, gamma) = (dot(wi, wi), dot(wj, wj), dot(wi, wj));
                if gamma == 0.0 || gamma.abs() <= f64::EPSILON * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                rotate(wi, wj, c, s);
                let (vi, vj) = two_rows(&mut vt, n, i, j);
                rotate(vi, vj, c, s);
            }
        }
        if !rotated {
            break;
        }
    }
    let norms: Vec<f64> = (0..n).map(|i| dot(&w[i * m..(i + 1) * m], &w[i * m..(i + 1) * m]).sqrt()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| norms[y].total_cmp(&norms[x]));
    let s: Vec<f64> = order.iter().map(|&i| norms[i]).collect();
    let smax = s.first().copied().unwrap_or(0.0);
    let ucols = if full { m } else { n };
    // Rows of U^T: normalised columns of A V; those of (near-)zero singular values, and the
    // extra ones of a full U, are completed to an orthonormal set.
    let mut ut = vec![0.0; ucols * m];
    let mut filled = vec![false; ucols];
    for (r, &i) in order.iter().enumerate() {
        if s[r] > smax * f64::EPSILON * m as f64 && s[r] > 0.0 {
            for (d, x) in ut[r * m..(r + 1) * m].iter_mut().zip(&w[i * m..(i + 1) * m]) {
                *d = x / s[r];
            }
            filled[r] = true;
        }
    }
    complete_orthonormal_rows(&mut ut, ucols, m, &mut filled);
    let mut vh = vec![0.0; n * n];
    for (r, &i) in order.iter().enumerate() {
        vh[r * n..(r + 1) * n].copy_from_slice(&vt[i * n..(i + 1) * n]);
    }
    Svd { u: transpose(&ut, ucols, m), s, vh }
}

/// (x, y) <- (c x - s y, s x + c y).
fn rotate(x: &mut [f64], y: &mut [f64], c: f64, s: f64) {
    for (a, b) in x.iter_mut().zip(y.iter_mut()) {
        let (xa, yb) = (*a, *b);
        *a = c * xa - s * yb;
        *b = s * xa + c * yb;
    }
}

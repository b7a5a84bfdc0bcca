//! Symmetric eigendecomposition by cyclic two-sided Jacobi rotations.

use super::two_rows;

const MAX_SWEEPS: usize = 80;

/// Eigenvalues (ascending) and eigenvectors (the columns of the row-major n x n `v`) of the
/// symmetric row-major `a` (already symmetrised by the caller).
pub fn eigh(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    // Rows of vt are the eigenvectors, so the rotations run along contiguous rows.
    let mut vt = vec![0.0; n * n];
    (0..n).for_each(|i| vt[i * n + i] = 1.0);
    let frob: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _ in 0..MAX_SWEEPS {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                // Negligible next to the diagonal (relative accuracy) or to the whole matrix.
                let eps = f64::EPSILON;
                if apq.abs() <= eps * (app * aqq).abs().sqrt() || apq.abs() <= eps * eps * frob || apq.abs() < f64::MIN_POSITIVE {
                    continue;
                }
                rotated = true;
                let theta = (aqq - app) / (2.0 * apq);
                let t = if theta >= 0.0 { 1.0 } else { -1.0 } / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // Rows p and q of J^T A; the matrix stays symmetric, so mirror them into the
                // columns instead of a second strided pass.
                {
                    let (rp, rq) = two_rows(&mut a, n, p, q);
                    for (x, y) in rp.iter_mut().zip(rq.iter_mut()) {
                        let (xp, yq) = (*x, *y);
                        *x = c * xp - s * yq;
                        *y = s * xp + c * yq;
                    }
                }
                for k in 0..n {
                    if k != p && k != q {
                        a[k * n + p] = a[p * n + k];
                        a[k * n + q] = a[q * n + k];
                    }
                }
                a[p * n + p] = app - t * apq;
                a[q * n + q] = aqq + t * apq;
                a[p * n + q] = 0.0;
                a[q * n + p] = 0.0;
                let (vp, vq) = two_rows(&mut vt, n, p, q);
                for (x, y) in vp.iter_mut().zip(vq.iter_mut()) {
                    let (xp, yq) = (*x, *y);
                    *x = c * xp - s * yq;
                    *y = s * xp + c * yq;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let diag: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| diag[x].total_cmp(&diag[y]));
    let w = order.iter().map(|&i| diag[i]).collect();
    let mut v = vec![0.0; n * n];
    for (col, &i) in order.iter().enumerate() {
        for r in 0..n {
            v[r * n + col] = vt[i * n + r];
        }
    }
    (w, v)
}

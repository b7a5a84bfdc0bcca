//! Householder QR of an m x n matrix.

use super::axpy;

/// Q (`m x q_cols`) and R (`r_rows x n`) of the row-major `a`, where `q_cols = r_rows` is
/// `min(m, n)` (reduced) or `m` (complete).
pub fn qr(mut a: Vec<f64>, m: usize, n: usize, complete: bool) -> (Vec<f64>, Vec<f64>) {
    let k = m.min(n);
    let mut reflectors: Vec<Vec<f64>> = Vec::with_capacity(k);
    let mut w = vec![0.0; n];
    for c in 0..k {
        // v = x - alpha e1 with alpha = -sign(x0) |x|, normalised: H = I - 2 v v^T.
        let mut v: Vec<f64> = (c..m).map(|i| a[i * n + c]).collect();
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            reflectors.push(Vec::new());
            continue;
        }
        let alpha = if v[0] > 0.0 { -norm } else { norm };
        v[0] -= alpha;
        let vn = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if vn == 0.0 {
            reflectors.push(Vec::new());
            continue;
        }
        v.iter_mut().for_each(|x| *x /= vn);
        // A[c.., c..] -= 2 v (v^T A[c.., c..]).
        let wc = &mut w[c..];
        wc.iter_mut().for_each(|x| *x = 0.0);
        for (i, &vi) in v.iter().enumerate() {
            axpy(wc, vi, &a[(c + i) * n + c..(c + i + 1) * n]);
        }
        for (i, &vi) in v.iter().enumerate() {
            axpy(&mut a[(c + i) * n + c..(c + i + 1) * n], -2.0 * vi, wc);
        }
        reflectors.push(v);
    }
    let cols = if complete { m } else { k };
    let mut r = vec![0.0; cols * n];
    for i in 0..cols.min(m) {
        for j in i..n {
            r[i * n + j] = a[i * n + j];
        }
    }
    // Q = H_0 H_1 ... H_{k-1} applied to the first `cols` columns of I, last reflector first.
    let mut q = vec![0.0; m * cols];
    (0..cols).for_each(|i| q[i * cols + i] = 1.0);
    let mut wq = vec![0.0; cols];
    for (c, v) in reflectors.iter().enumerate().rev() {
        if v.is_empty() {
            continue;
        }
        wq.iter_mut().for_each(|x| *x = 0.0);
        for (i, &vi) in v.iter().enumerate() {
            axpy(&mut wq, vi, &q[(c + i) * cols..(c + i + 1) * cols]);
        }
        for (i, &vi) in v.iter().enumerate() {
            axpy(&mut q[(c + i) * cols..(c + i + 1) * cols], -2.0 * vi, &wq);
        }
    }
    (q, r)
}

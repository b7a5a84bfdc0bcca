//! LU factorization with partial pivoting, and solves with it.

use super::{axpy, two_rows};

/// An LU factorization `P A = L U` stored in one matrix (L unit lower, U upper).
pub struct Lu {
    pub n: usize,
    pub lu: Vec<f64>,
    /// `perm[i]`: the row of A that ends up in row i.
    pub perm: Vec<usize>,
    /// +1 or -1: the sign of the permutation.
    pub sign: f64,
    /// 1-based index of the first zero pivot (LAPACK's `info`), 0 when nonsingular.
    pub info: usize,
}

/// Factors the n x n row-major `a`.
pub fn lu(mut a: Vec<f64>, n: usize) -> Lu {
    let mut perm: Vec<usize> = (0..n).collect();
    let (mut sign, mut info) = (1.0, 0);
    for k in 0..n {
        let mut p = k;
        for i in k + 1..n {
            if a[i * n + k].abs() > a[p * n + k].abs() {
                p = i;
            }
        }
        if p != k {
            let (rk, rp) = two_rows(&mut a, n, k, p);
            rk.swap_with_slice(rp);
            perm.swap(k, p);
            sign = -sign;
        }
        let pivot = a[k * n + k];
        if pivot == 0.0 {
            if info == 0 {
                info = k + 1;
            }
            continue;
        }
        for i in k + 1..n {
            let (rk, ri) = two_rows(&mut a, n, k, i);
            let l = ri[k] / pivot;
            ri[k] = l;
            if l != 0.0 {
                axpy(&mut ri[k + 1..], -l, &rk[k + 1..]);
            }
        }
    }
    Lu { n, lu: a, perm, sign, info }
}

impl Lu {
    /// The determinant: sign * product of U's diagonal.
    pub fn det(&self) -> f64 {
        (0..self.n).fold(self.sign, |d, i| d * self.lu[i * self.n + i])
    }

    /// (sign, log|det|) without overflow.
    pub fn slogdet(&self) -> (f64, f64) {
        let mut sign = self.sign;
        let mut log = 0.0;
        for i in 0..self.n {
            let u = self.lu[i * self.n + i];
            if u == 0.0 {
                return (0.0, f64::NEG_INFINITY);
            }
            sign *= u.signum();
            log += u.abs().ln();
        }
        (sign, log)
    }

    /// Solves `A X = B` for the row-major `n x m` right-hand side `b` (needs `info == 0`).
    pub fn solve(&self, b: &[f64], m: usize) -> Vec<f64> {
        let n = self.n;
        let mut x = vec![0.0; n * m];
        for (i, &p) in self.perm.iter().enumerate() {
            x[i * m..(i + 1) * m].copy_from_slice(&b[p * m..(p + 1) * m]);
        }
        // Forward substitution with the unit lower factor, a row of X at a time.
        for i in 1..n {
            let (done, rest) = x.split_at_mut(i * m);
            let xi = &mut rest[..m];
            for j in 0..i {
                let l = self.lu[i * n + j];
                if l != 0.0 {
                    axpy(xi, -l, &done[j * m..(j + 1) * m]);
                }
            }
        }
        // Back substitution with U.
        for i in (0..n).rev() {
            let (head, tail) = x.split_at_mut((i + 1) * m);
            let xi = &mut head[i * m..];
            for j in i + 1..n {
                let u = self.lu[i * n + j];
                if u != 0.0 {
                    axpy(xi, -u, &tail[(j - i - 1) * m..(j - i) * m]);
                }
            }
            let d = self.lu[i * n + i];
            xi.iter_mut().for_each(|v| *v /= d);
        }
        x
    }

    /// A^-1 (needs `info == 0`).
    pub fn inverse(&self) -> Vec<f64> {
        let n = self.n;
        let mut eye = vec![0.0; n * n];
        (0..n).for_each(|i| eye[i * n + i] = 1.0);
        self.solve(&eye, n)
    }
}

//! LU factorization with partial pivoting, and solves with it.

use super::blocked::{gemm_sub, Block};
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

/// Columns per panel of the factorization: narrow, since the panel's row-by-row updates
/// cost more than the GEMM gains from wider blocks (measured best at 16 for n = 256..512;
/// the triangular solves too).
const BLOCK: usize = 16;

/// Factors the n x n row-major `a`: right-looking blocked LU. Each panel of BLOCK columns is
/// factored with row swaps (whole rows, so L's finished columns swap too), then the rows to
/// its right are solved with the panel's L and the trailing matrix gets one GEMM update.
pub fn lu(mut a: Vec<f64>, n: usize) -> Lu {
    let mut perm: Vec<usize> = (0..n).collect();
    let (mut sign, mut info) = (1.0, 0);
    for kb in (0..n).step_by(BLOCK) {
        let end = (kb + BLOCK).min(n);
        for k in kb..end {
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
                continue; // the whole column below is zero too: nothing to eliminate
            }
            for i in k + 1..n {
                let (rk, ri) = two_rows(&mut a, n, k, i);
                let l = ri[k] / pivot;
                ri[k] = l;
                if l != 0.0 {
                    axpy(&mut ri[k + 1..end], -l, &rk[k + 1..end]);
                }
            }
        }
        if end == n {
            break;
        }
        // U12 = L11^-1 A12, then A22 -= L21 U12.
        for i in kb + 1..end {
            for j in kb..i {
                let l = a[i * n + j];
                if l != 0.0 {
                    let (rj, ri) = two_rows(&mut a, n, j, i);
                    axpy(&mut ri[end..], -l, &rj[end..]);
                }
            }
        }
        let rest = n - end;
        gemm_sub(&mut a, Block::at(end * n + end, n), None, Block::at(end * n + kb, n), None, Block::at(kb * n + end, n), (rest, rest, end - kb));
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
    /// Columns of `B` are independent: with many of them, each thread solves a band of
    /// columns (copied out and back), since at n = 256 the substitutions' own products are
    /// too small to split.
    pub fn solve(&self, b: &[f64], m: usize) -> Vec<f64> {
        let n = self.n;
        let threads = crate::backend::cpu::threads::get_num_threads();
        let bands = if n * n * m >= 1 << 21 { threads.min(m.div_ceil(32)) } else { 1 };
        if bands <= 1 {
            return self.solve_band(b, m, 0, m);
        }
        let width = m.div_ceil(bands);
        let parts = crate::backend::cpu::pool::parallel_map(m.div_ceil(width), threads, |t| {
            let c0 = t * width;
            (c0, self.solve_band(b, m, c0, (c0 + width).min(m)))
        });
        let mut x = vec![0.0; n * m];
        for (c0, part) in parts {
            let w = part.len() / n.max(1);
            for (row, src) in x.chunks_mut(m).zip(part.chunks(w.max(1))) {
                row[c0..c0 + w].copy_from_slice(src);
            }
        }
        x
    }

    /// Columns `[c0, c1)` of the solution of `A X = B` (`b` row-major with `ld` columns), as
    /// a row-major `n x (c1 - c0)` matrix.
    fn solve_band(&self, b: &[f64], ld: usize, c0: usize, c1: usize) -> Vec<f64> {
        let (n, m) = (self.n, c1 - c0);
        let mut x = vec![0.0; n * m];
        for (i, &p) in self.perm.iter().enumerate() {
            x[i * m..(i + 1) * m].copy_from_slice(&b[p * ld + c0..p * ld + c1]);
        }
        // Forward substitution with the unit lower factor, a block of rows of X at a time:
        // first the finished rows above enter through one GEMM, then the block's own rows.
        for kb in (0..n).step_by(BLOCK) {
            let end = (kb + BLOCK).min(n);
            gemm_sub(&mut x, Block::at(kb * m, m), Some(&self.lu), Block::at(kb * n, n), None, Block::at(0, m), (end - kb, m, kb));
            for i in kb + 1..end {
                for j in kb..i {
                    let l = self.lu[i * n + j];
                    if l != 0.0 {
                        let (xj, xi) = two_rows(&mut x, m, j, i);
                        axpy(xi, -l, xj);
                    }
                }
            }
        }
        // Back substitution with U, blocks from the bottom.
        for kb in (0..n).step_by(BLOCK).rev() {
            let end = (kb + BLOCK).min(n);
            gemm_sub(&mut x, Block::at(kb * m, m), Some(&self.lu), Block::at(kb * n + end, n), None, Block::at(end * m, m), (end - kb, m, n - end));
            for i in (kb..end).rev() {
                let (head, tail) = x.split_at_mut((i + 1) * m);
                let xi = &mut head[i * m..];
                for j in i + 1..end {
                    let u = self.lu[i * n + j];
                    if u != 0.0 {
                        axpy(xi, -u, &tail[(j - i - 1) * m..(j - i) * m]);
                    }
                }
                let d = self.lu[i * n + i];
                xi.iter_mut().for_each(|v| *v /= d);
            }
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

//! LU factorization with partial pivoting, and solves with it.

use super::blocked::{gemm_sub, Block};
use std::ops::Range;

use super::scratch::F64Buf;
use super::{axpy, two_rows};

/// An LU factorization `P A = L U` stored in one matrix (L unit lower, U upper).
pub struct Lu {
    pub n: usize,
    pub lu: F64Buf,
    /// `perm[i]`: the row of A that ends up in row i.
    pub perm: Vec<usize>,
    /// +1 or -1: the sign of the permutation.
    pub sign: f64,
    /// 1-based index of the first zero pivot (LAPACK's `info`), 0 when nonsingular.
    pub info: usize,
}

/// Columns of the narrowest panels, factored row by row; wider column ranges are split in
/// two. Also the row-block height of the triangular solves.
const BLOCK: usize = 16;

/// The factorization's running state: the row permutation, its sign, LAPACK's `info`.
struct Pivots {
    perm: Vec<usize>,
    sign: f64,
    info: usize,
}

/// Factors the n x n row-major `a`: recursive LU (Toledo). The columns are split in halves:
/// the left half is factored, the top of the right half solved with its L, the rest of the
/// right half updated with one GEMM of half the width, and the right half factored. So most
/// of the work is in large products (threaded), not in rank-16 updates; row swaps move
/// whole rows, so every column already factored or still to come swaps with them.
pub fn lu(matrix: &[f64], n: usize) -> Lu {
    let mut a = F64Buf::copy_of(matrix);
    let mut piv = Pivots { perm: (0..n).collect(), sign: 1.0, info: 0 };
    factor_columns(&mut a, n, 0, n, &mut piv);
    Lu { n, lu: a, perm: piv.perm, sign: piv.sign, info: piv.info }
}

/// Where the recursions halve `[lo, hi)`: the middle, rounded up to a multiple of BLOCK
/// from `lo`, so that the leaves are whole blocks but the last.
fn split(lo: usize, hi: usize) -> usize {
    lo + ((hi - lo) / 2).div_ceil(BLOCK) * BLOCK
}

/// Factors columns `[c0, c1)` of `a`, rows `c0..n` (the columns left of `c0` are done).
fn factor_columns(a: &mut [f64], n: usize, c0: usize, c1: usize, piv: &mut Pivots) {
    let width = c1 - c0;
    if width <= BLOCK {
        factor_panel(a, n, c0, c1, piv);
        return;
    }
    let mid = split(c0, c1);
    factor_columns(a, n, c0, mid, piv);
    // U12 = L11^-1 A12: rows c0..mid of columns mid..c1.
    solve_unit_lower(a, n, mid..c1, None, n, c0, mid);
    // A22 -= L21 U12.
    gemm_sub(a, Block::at(mid * n + mid, n), None, Block::at(mid * n + c0, n), None, Block::at(c0 * n + mid, n), (n - mid, c1 - mid, mid - c0));
    factor_columns(a, n, mid, c1, piv);
}

/// Defines `$name` to run the `#[inline(always)]` function `$body` compiled for AVX2 when
/// the CPU has it: the crate targets baseline x86-64, where these row updates would be
/// 2-wide SSE2 (measured: det 256 -35% with the recursive LU).
macro_rules! with_avx2 {
    ($name:ident, $fast:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    return unsafe { $fast($($arg),*) };
                }
            }
            $body($($arg),*)
        }

        /// # Safety
        /// The CPU must support AVX2.
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        unsafe fn $fast($($arg: $ty),*) {
            $body($($arg),*)
        }
    };
}

with_avx2!(factor_panel, factor_panel_avx2, factor_panel_body, (a: &mut [f64], n: usize, c0: usize, c1: usize, piv: &mut Pivots));

/// Unblocked LU of the narrow panel of columns `[c0, c1)`, rows `c0..n`.
#[inline(always)]
fn factor_panel_body(a: &mut [f64], n: usize, c0: usize, c1: usize, piv: &mut Pivots) {
    for k in c0..c1 {
        let mut p = k;
        for i in k + 1..n {
            if a[i * n + k].abs() > a[p * n + k].abs() {
                p = i;
            }
        }
        if p != k {
            let (rk, rp) = two_rows(a, n, k, p);
            rk.swap_with_slice(rp);
            piv.perm.swap(k, p);
            piv.sign = -piv.sign;
        }
        let pivot = a[k * n + k];
        if pivot == 0.0 {
            if piv.info == 0 {
                piv.info = k + 1;
            }
            continue; // the whole column below is zero too: nothing to eliminate
        }
        for i in k + 1..n {
            let (rk, ri) = two_rows(a, n, k, i);
            let l = ri[k] / pivot;
            ri[k] = l;
            if l != 0.0 {
                axpy(&mut ri[k + 1..c1], -l, &rk[k + 1..c1]);
            }
        }
    }
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
    pub fn solve(&self, b: &[f64], m: usize) -> F64Buf {
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
        let mut x = F64Buf::unset(n * m); // every column lies in one band
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
    fn solve_band(&self, b: &[f64], ld: usize, c0: usize, c1: usize) -> F64Buf {
        let (n, m) = (self.n, c1 - c0);
        let mut x = F64Buf::unset(n * m); // every row is copied in below
        for (i, &p) in self.perm.iter().enumerate() {
            x[i * m..(i + 1) * m].copy_from_slice(&b[p * ld + c0..p * ld + c1]);
        }
        solve_unit_lower(&mut x, m, 0..m, Some(&self.lu), n, 0, n);
        solve_upper(&mut x, m, 0..m, &self.lu, n, 0, n);
        x
    }

    /// A^-1 (needs `info == 0`).
    pub fn inverse(&self) -> F64Buf {
        let n = self.n;
        let mut eye = F64Buf::zeroed(n * n);
        (0..n).for_each(|i| eye[i * n + i] = 1.0);
        self.solve(&eye, n)
    }
}

/// Solves `L X = B` in place for rows `[r0, r1)`, where L is unit lower triangular (element
/// (i, j) at `i * ldl + j` of `l`, or of `x` itself when `l` is None) and X/B row i is row i
/// of `x` (leading dimension `ldx`) over the columns `cols`. Halves recursively, so the work
/// is in GEMMs of half the height; the rows above must already be final.
fn solve_unit_lower(x: &mut [f64], ldx: usize, cols: Range<usize>, l: Option<&[f64]>, ldl: usize, r0: usize, r1: usize) {
    if r1 - r0 <= BLOCK {
        lower_leaf(x, ldx, cols, l, ldl, r0, r1);
        return;
    }
    let mid = split(r0, r1);
    solve_unit_lower(x, ldx, cols.clone(), l, ldl, r0, mid);
    let c = cols.start;
    gemm_sub(x, Block::at(mid * ldx + c, ldx), l, Block::at(mid * ldl + r0, ldl), None, Block::at(r0 * ldx + c, ldx), (r1 - mid, cols.len(), mid - r0));
    solve_unit_lower(x, ldx, cols, l, ldl, mid, r1);
}

/// Solves `U X = B` in place for rows `[r0, r1)`: U upper triangular with its diagonal
/// (element (i, j) at `i * ldu + j` of `u`), X/B as in [`solve_unit_lower`].
fn solve_upper(x: &mut [f64], ldx: usize, cols: Range<usize>, u: &[f64], ldu: usize, r0: usize, r1: usize) {
    if r1 - r0 <= BLOCK {
        upper_leaf(x, ldx, cols, u, ldu, r0, r1);
        return;
    }
    let mid = split(r0, r1);
    solve_upper(x, ldx, cols.clone(), u, ldu, mid, r1);
    let c = cols.start;
    gemm_sub(x, Block::at(r0 * ldx + c, ldx), Some(u), Block::at(r0 * ldu + mid, ldu), None, Block::at(mid * ldx + c, ldx), (mid - r0, cols.len(), r1 - mid));
    solve_upper(x, ldx, cols, u, ldu, r0, mid);
}

with_avx2!(lower_leaf, lower_leaf_avx2, lower_leaf_body, (x: &mut [f64], ldx: usize, cols: Range<usize>, l: Option<&[f64]>, ldl: usize, r0: usize, r1: usize));

/// [`solve_unit_lower`] on at most BLOCK rows, row by row.
#[inline(always)]
fn lower_leaf_body(x: &mut [f64], ldx: usize, cols: Range<usize>, l: Option<&[f64]>, ldl: usize, r0: usize, r1: usize) {
    for i in r0 + 1..r1 {
        for j in r0..i {
            let lij = match l {
                Some(l) => l[i * ldl + j],
                None => x[i * ldl + j],
            };
            if lij != 0.0 {
                let (xj, xi) = two_rows(x, ldx, j, i);
                axpy(&mut xi[cols.clone()], -lij, &xj[cols.clone()]);
            }
        }
    }
}

with_avx2!(upper_leaf, upper_leaf_avx2, upper_leaf_body, (x: &mut [f64], ldx: usize, cols: Range<usize>, u: &[f64], ldu: usize, r0: usize, r1: usize));

/// [`solve_upper`] on at most BLOCK rows, from the bottom row up.
#[inline(always)]
fn upper_leaf_body(x: &mut [f64], ldx: usize, cols: Range<usize>, u: &[f64], ldu: usize, r0: usize, r1: usize) {
    for i in (r0..r1).rev() {
        let (head, tail) = x.split_at_mut((i + 1) * ldx);
        let xi = &mut head[i * ldx + cols.start..i * ldx + cols.end];
        for j in i + 1..r1 {
            let uij = u[i * ldu + j];
            if uij != 0.0 {
                let at = (j - i - 1) * ldx;
                axpy(xi, -uij, &tail[at + cols.start..at + cols.end]);
            }
        }
        let d = u[i * ldu + i];
        xi.iter_mut().for_each(|v| *v /= d);
    }
}

//! Products of small matrices (a batch of 32 x 32 heads, say), where the `gemm` crate's
//! packing and blocking cost more than the multiply itself (it ran at half of torch's speed
//! on 1024 products of 32 x 32).
//!
//! Unless its rows are already contiguous and a multiple of `W` long, `b` is first copied
//! into a zero-padded row-major buffer. Then each block of `R` rows of
//! `c` is accumulated in registers, `W` columns at a time: per step of k, one row of `b` is
//! loaded and each of the `R` values of `a` is broadcast against it. `R * W` accumulators
//! hide the multiply-add latency; plain loops over fixed-size arrays, which LLVM vectorises
//! for the instruction set that `simd` dispatches to.

use std::cell::RefCell;

use super::gemm::Strided;
use super::map::simd;

/// Products with at most this many multiply-adds (and no side above `MAX_SIDE`) take the
/// small path.
const MAX_WORK: usize = 96 * 96 * 96;
const MAX_SIDE: usize = 256;

/// True when an `m x k` by `k x n` product is small enough for [`gemm`].
pub fn fits(m: usize, n: usize, k: usize) -> bool {
    m.max(n).max(k) <= MAX_SIDE && m.saturating_mul(n).saturating_mul(k) <= MAX_WORK
}

/// An element type the small kernel handles.
pub trait Float: Copy + Default + 'static {
    /// `self * b + c`, rounded once (one FMA instruction where the CPU has it).
    fn fma(self, b: Self, c: Self) -> Self;
}
impl Float for f32 {
    #[inline(always)]
    fn fma(self, b: f32, c: f32) -> f32 {
        self.mul_add(b, c)
    }
}
impl Float for f64 {
    #[inline(always)]
    fn fma(self, b: f64, c: f64) -> f64 {
        self.mul_add(b, c)
    }
}

thread_local! {
    static PACKED_B: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// `c = a @ b` (c is overwritten) for an `m x k` `a` and a `k x n` `b`.
///
/// # Safety
/// The operands must address valid `m x n`, `m x k` and `k x n` matrices; `c` must not
/// overlap `a` or `b`.
pub unsafe fn gemm<T: Float>(m: usize, n: usize, k: usize, c: &Strided<T>, a: &Strided<T>, b: &Strided<T>) {
    // Lanes of a SIMD register; the accumulators (rows x one or two registers) must fit in
    // the register file: 32 registers with AVX-512, 16 with AVX2 or NEON.
    let wide = simd_bytes() == 64;
    let lanes = simd_bytes() / std::mem::size_of::<T>();
    let (w, rows) = match (n <= lanes, wide) {
        (true, true) => (lanes, 12),
        (false, true) => (2 * lanes, 8),
        (true, false) => (lanes, 8),
        (false, false) => (2 * lanes, 4),
    };
    // SAFETY: forwarded from the caller; pb holds k rows of ld elements, ld a multiple of w.
    with_packed(n, k, b, w, |pb, ld| unsafe {
        match rows {
            12 => blocks::<T, 12>(m, n, k, c, a, pb, ld, w),
            8 => blocks::<T, 8>(m, n, k, c, a, pb, ld, w),
            _ => blocks::<T, 4>(m, n, k, c, a, pb, ld, w),
        }
    })
}

/// Bytes in the SIMD registers that `simd` dispatches to.
fn simd_bytes() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            64
        } else if std::arch::is_x86_feature_detected!("avx2") {
            32
        } else {
            16
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        16
    }
}

/// Runs `f(b's rows, their stride)` with rows of `b` that are contiguous and a multiple of
/// `w` long: `b` itself when it already is, else a copy padded with zeros in this thread's
/// scratch buffer.
///
/// # Safety
/// `b` must address a valid `k x n` matrix.
unsafe fn with_packed<T: Float>(n: usize, k: usize, b: &Strided<T>, w: usize, f: impl Fn(*const T, usize)) {
    if b.cs == 1 && n % w == 0 && b.rs >= 0 {
        return f(b.ptr.get() as *const T, b.rs as usize);
    }
    let ld = n.next_multiple_of(w);
    let fill = |buf: &mut Vec<u8>| {
        let bytes = (k * ld + 1) * std::mem::size_of::<T>() + 64;
        if buf.len() < bytes {
            buf.resize(bytes, 0);
        }
        let start = (64 - buf.as_ptr() as usize % 64) % 64;
        // SAFETY: the buffer holds k * ld elements of T past `start` (sized above), aligned.
        let pb = unsafe { buf.as_mut_ptr().add(start) as *mut T };
        for p in 0..k {
            // SAFETY: row p of the buffer holds ld elements; (p, j) is inside b for j < n
            // (the caller's contract).
            unsafe {
                let row = std::slice::from_raw_parts_mut(pb.add(p * ld), ld);
                for (j, v) in row[..n].iter_mut().enumerate() {
                    *v = *b.ptr.get().offset(p as isize * b.rs + j as isize * b.cs);
                }
                row[n..].fill(T::default());
            }
        }
        pb as *const T
    };
    match PACKED_B.try_with(|cell| cell.try_borrow_mut().ok().map(|mut buf| f(fill(&mut buf), ld))) {
        Ok(Some(())) => {}
        // Re-entered (or during thread teardown): a buffer of our own.
        _ => f(fill(&mut Vec::new()), ld),
    }
}

/// All of `c`, in blocks of `R` rows by `w` columns (one or two registers' lanes), then
/// leftover rows four and one at a time. (Copying blocks of `a`'s rows side by side first
/// would shorten the kernel's address arithmetic, but at these sizes the copy cost more than
/// it saved.)
///
/// # Safety
/// As for [`gemm`]; `pb` holds `k` rows of `ld` (a multiple of `w`) elements.
#[allow(clippy::too_many_arguments)]
unsafe fn blocks<T: Float, const R: usize>(m: usize, n: usize, k: usize, c: &Strided<T>, a: &Strided<T>, pb: *const T, ld: usize, w: usize) {
    for j0 in (0..n).step_by(w) {
        let mut i0 = 0;
        while i0 < m {
            let rows = if m - i0 >= R { R } else if m - i0 >= 4 { 4 } else { 1 };
            // SAFETY: rows [i0, i0 + rows) and columns [j0, j0 + w) of the padded product.
            unsafe {
                macro_rules! by_width {
                    ($r:expr) => {
                        match w {
                            2 => block::<T, $r, 2>(i0, j0, n, k, c, a, pb, ld),
                            4 => block::<T, $r, 4>(i0, j0, n, k, c, a, pb, ld),
                            8 => block::<T, $r, 8>(i0, j0, n, k, c, a, pb, ld),
                            16 => block::<T, $r, 16>(i0, j0, n, k, c, a, pb, ld),
                            _ => block::<T, $r, 32>(i0, j0, n, k, c, a, pb, ld),
                        }
                    };
                }
                match rows {
                    4 if R != 4 => by_width!(4),
                    1 => by_width!(1),
                    _ => by_width!(R),
                }
            }
            i0 += rows;
        }
    }
}

/// One `R x W` block of `c` at (`i0`, `j0`), columns past `n` dropped.
///
/// # Safety
/// As for [`blocks`], with the block's rows inside `c`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn block<T: Float, const R: usize, const W: usize>(i0: usize, j0: usize, n: usize, k: usize, c: &Strided<T>, a: &Strided<T>, pb: *const T, ld: usize) {
    let (pa, ars, acs) = (a.ptr.get() as *const T, a.rs, a.cs);
    let acc = simd(#[inline(always)] move || {
        let mut acc = [[T::default(); W]; R];
        for p in 0..k {
            // SAFETY: row p of the packed b has ld >= j0 + W elements; (i0 + r, p) is in a.
            let row = unsafe { &*(pb.add(p * ld + j0) as *const [T; W]) };
            for (r, acc_r) in acc.iter_mut().enumerate() {
                // SAFETY: as above.
                let x = unsafe { *pa.offset((i0 + r) as isize * ars + p as isize * acs) };
                for (s, &y) in acc_r.iter_mut().zip(row) {
                    *s = x.fma(y, *s);
                }
            }
        }
        acc
    });
    let cols = W.min(n - j0);
    for (r, acc_r) in acc.iter().enumerate() {
        // SAFETY: (i0 + r, j0 + j) is inside c for j < cols.
        unsafe {
            let to = c.ptr.get().offset((i0 + r) as isize * c.rs + j0 as isize * c.cs);
            if c.cs == 1 {
                std::ptr::copy_nonoverlapping(acc_r.as_ptr(), to, cols);
            } else {
                for (j, &v) in acc_r[..cols].iter().enumerate() {
                    *to.offset(j as isize * c.cs) = v;
                }
            }
        }
    }
}

//! The GEMM update that blocked factorizations are built on: the bulk of their work becomes
//! one matrix product per block (cache-blocked, SIMD, threaded by cpu::gemm) instead of
//! row-by-row axpy loops.

use crate::backend::cpu::gemm::{gemm, is_threaded, Strided};
use crate::backend::cpu::iter::SendPtr;

/// A block of a row-major f64 buffer: element (i, j) is at `off + i * ld + j`, or at
/// `off + j * ld + i` when `transposed` (the block is the transpose of what is stored).
#[derive(Clone, Copy)]
pub(crate) struct Block {
    pub off: usize,
    pub ld: usize,
    pub transposed: bool,
}

impl Block {
    pub(crate) fn at(off: usize, ld: usize) -> Block {
        Block { off, ld, transposed: false }
    }

    pub(crate) fn t(self) -> Block {
        Block { transposed: !self.transposed, ..self }
    }

    /// (row stride, column stride) in elements.
    fn strides(self) -> (isize, isize) {
        if self.transposed { (1, self.ld as isize) } else { (self.ld as isize, 1) }
    }

    /// One past the largest index a `rows x cols` block touches.
    fn end(self, rows: usize, cols: usize) -> usize {
        let (rs, cs) = self.strides();
        self.off + (rows - 1) * rs as usize + (cols - 1) * cs as usize + 1
    }
}

/// `c -= a * b` (`(rows, cols, k)` = `dims`) with `c` a `rows x cols` block of `cbuf`, `a` a `rows x k` block and `b` a
/// `k x cols` block of `abuf` / `bbuf`; `None` means the block lives in `cbuf` itself (it
/// must then not overlap `c`).
pub(crate) fn gemm_sub(
    cbuf: &mut [f64], c: Block, abuf: Option<&[f64]>, a: Block, bbuf: Option<&[f64]>, b: Block,
    (rows, cols, k): (usize, usize, usize),
) {
    if rows == 0 || cols == 0 || k == 0 {
        return;
    }
    let base = cbuf.as_mut_ptr();
    let ptr_of = |buf: Option<&[f64]>, blk: Block, r: usize, cl: usize| -> *const f64 {
        let len = buf.map_or(cbuf.len(), |s| s.len());
        assert!(blk.end(r, cl) <= len, "gemm_sub: block out of bounds");
        // SAFETY: the block's last element is in bounds (asserted), so is its first.
        unsafe { buf.map_or(base as *const f64, |s| s.as_ptr()).add(blk.off) }
    };
    let (pa, pb) = (ptr_of(abuf, a, rows, k), ptr_of(bbuf, b, k, cols));
    assert!(c.end(rows, cols) <= cbuf.len(), "gemm_sub: block out of bounds");
    let threads = if is_threaded(rows, cols, k) { crate::backend::cpu::threads::get_num_threads() } else { 1 };
    let mat = |p: *const f64, blk: Block| {
        let (rs, cs) = blk.strides();
        Strided { ptr: SendPtr(p as *mut f64), rs, cs }
    };
    // SAFETY: all three blocks are in bounds of their buffers (asserted above); c is only
    // written, and the callers pass blocks of c's buffer that do not overlap c.
    unsafe {
        let cm = mat(base.add(c.off), c);
        gemm((rows, cols, k), &cm, true, &mat(pa, a), &mat(pb, b), 1.0, -1.0, threads);
    }
}

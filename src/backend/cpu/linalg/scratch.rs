//! `F64Buf`: an f64 buffer from the caching allocator. Factorizations of 256 x 256 and up
//! need half a megabyte or more per matrix; from `Vec` (malloc) that memory came back from
//! the OS on every call, page fault by page fault (14% of a det's time at n = 256).

use std::ops::{Deref, DerefMut};

use crate::backend::cpu::alloc::Block;

/// `len` f64s in a block of the caching allocator.
pub struct F64Buf {
    block: Block,
    len: usize,
}

impl F64Buf {
    /// `len` values left as the allocator hands them out (initialised, but any values), for
    /// a buffer whose every value is written before it is read.
    pub fn unset(len: usize) -> F64Buf {
        // The sizes come from tensors that exist, so they fit; out of memory aborts, as a Vec's does.
        let layout = std::alloc::Layout::array::<f64>(len).unwrap_or(std::alloc::Layout::new::<f64>());
        let block = Block::new(layout.size()).unwrap_or_else(|| std::alloc::handle_alloc_error(layout));
        F64Buf { block, len: layout.size() / 8 }
    }

    pub fn zeroed(len: usize) -> F64Buf {
        let mut b = F64Buf::unset(len);
        b.fill(0.0);
        b
    }

    pub fn copy_of(values: &[f64]) -> F64Buf {
        let mut b = F64Buf::unset(values.len());
        b.copy_from_slice(values);
        b
    }
}

impl Deref for F64Buf {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        // SAFETY: the block holds at least len * 8 initialised bytes, 64-byte aligned, owned
        // by this buffer alone; any bit pattern is a valid f64.
        unsafe { std::slice::from_raw_parts(self.block.as_ptr() as *const f64, self.len) }
    }
}

impl DerefMut for F64Buf {
    fn deref_mut(&mut self) -> &mut [f64] {
        // SAFETY: as in deref, and `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.block.as_ptr() as *mut f64, self.len) }
    }
}

impl AsRef<[f64]> for F64Buf {
    fn as_ref(&self) -> &[f64] {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::F64Buf;

    #[test]
    fn buffers_hold_what_was_put_in_even_when_reused() {
        for len in [0, 1, 7, 512, 300_000] {
            let values: Vec<f64> = (0..len).map(|i| i as f64 * 0.5).collect();
            let mut b = F64Buf::copy_of(&values);
            assert_eq!(&b[..], &values[..]);
            b.iter_mut().for_each(|v| *v = -1.0);
            drop(b);
            let z = F64Buf::zeroed(len); // may reuse the block just freed
            assert!(z.len() == len && z.iter().all(|&v| v == 0.0));
        }
    }
}

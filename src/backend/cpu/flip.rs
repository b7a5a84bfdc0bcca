//! Copy from a layout with signed strides into a contiguous buffer: the kernel of `flip`
//! (our layouts have unsigned strides, so a reversed dim cannot be a view).


/// Elements above which rows are copied in parallel.
const PARALLEL_NUMEL: usize = 1 << 15;

/// Copies the `shape`-shaped array at `src` (element strides `strides`, which may be
/// negative) into the contiguous `dst`, for elements of `elem_size` bytes.
///
/// # Safety
/// For every index within `shape`, `src + sum(index * strides)` must be a valid element,
/// `dst` must hold `shape`'s product of elements, and the two must not overlap.
pub unsafe fn copy_signed_strides(src: *const u8, dst: *mut u8, elem_size: usize, shape: &[usize], strides: &[isize]) {
    // SAFETY (all arms): the caller's contract, per element type of the same size.
    unsafe {
        match elem_size {
            1 => copy_typed::<u8>(src.cast(), dst.cast(), shape, strides),
            2 => copy_typed::<u16>(src.cast(), dst.cast(), shape, strides),
            4 => copy_typed::<u32>(src.cast(), dst.cast(), shape, strides),
            _ => copy_typed::<u64>(src.cast(), dst.cast(), shape, strides),
        }
    }
}

/// Raw addresses, movable across the worker threads (each writes its own rows).
#[derive(Clone, Copy)]
struct Ptrs<T>(*const T, *mut T);
// SAFETY: the rows written by different threads are disjoint; sources are only read.
unsafe impl<T> Send for Ptrs<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Ptrs<T> {}

unsafe fn copy_typed<T: Copy>(src: *const T, dst: *mut T, shape: &[usize], strides: &[isize]) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    let (row_len, row_stride) = match shape.last() {
        Some(&n) => (n, strides[strides.len() - 1]),
        None => (1, 0),
    };
    let outer = &shape[..shape.len().saturating_sub(1)];
    let outer_strides = &strides[..strides.len().saturating_sub(1)];
    let rows = numel / row_len;
    let ptrs = Ptrs(src, dst);
    let copy_row = move |r: usize| {
        let p = ptrs;
        // The row's first source element: unravel r over the outer dims.
        let (mut rest, mut offset) = (r, 0isize);
        for (&n, &s) in outer.iter().zip(outer_strides).rev() {
            offset += (rest % n) as isize * s;
            rest /= n;
        }
        // SAFETY: offsets stay within the source by the caller's contract; row r of the
        // contiguous destination is [r * row_len, (r + 1) * row_len).
        unsafe {
            let from = p.0.offset(offset);
            let to = p.1.add(r * row_len);
            for j in 0..row_len {
                *to.add(j) = *from.offset(j as isize * row_stride);
            }
        }
    };
    let threads = super::threads::get_num_threads();
    if numel >= PARALLEL_NUMEL && rows > 1 && threads > 1 {
        super::pool::parallel_each(rows, threads, copy_row);
    } else {
        (0..rows).for_each(copy_row);
    }
}

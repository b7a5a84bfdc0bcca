//! Sorting and selection along a dim: sort, argsort, msort, topk, kthvalue, median, mode.
//! Values and int64 indices; the values' gradient goes back to the selected positions.

use crate::backend::cpu::sort::{self as kernels, Kth};
use crate::dtype::{DType, Element};
use crate::error::{wrap_dim, Error, Result};
use crate::tensor::Tensor;

/// The input laid out as contiguous rows along `dim`: (rows, row length, wrapped dim).
struct Rows {
    data: Tensor,
    n: usize,
    dim: usize,
    zero_dim: bool,
}

impl Rows {
    fn new(x: &Tensor, dim: i64, op: &str) -> Result<Rows> {
        x.expect_cpu(op)?;
        let x = x.detach();
        if x.ndim() == 0 {
            wrap_dim(dim, 0)?;
            return Ok(Rows { data: x.reshape(&[1])?, n: 1, dim: 0, zero_dim: true });
        }
        let d = wrap_dim(dim, x.ndim())?;
        let data = x.movedim(&[d as i64], &[-1])?.contiguous()?;
        Ok(Rows { n: x.shape()[d], data, dim: d, zero_dim: false })
    }

    /// Fresh (values, indices) rows of length `m`, filled by `fill`, put back in the
    /// input's layout (`keepdim` only matters for reductions, m == 1).
    fn run(&self, m: usize, keepdim: bool, fill: impl Fn(&Tensor, &Tensor) -> Result<()>) -> Result<(Tensor, Tensor)> {
        let mut shape = self.data.shape().to_vec();
        if let Some(last) = shape.last_mut() {
            *last = m;
        }
        let values = Tensor::empty(&shape, self.data.dtype(), self.data.device())?;
        let indices = Tensor::empty(&shape, DType::I64, self.data.device())?;
        fill(&values, &indices)?;
        let back = |t: Tensor| -> Result<Tensor> {
            if self.zero_dim {
                return t.reshape(&[]);
            }
            let t = t.movedim(&[-1], &[self.dim as i64])?.contiguous()?;
            if keepdim { Ok(t) } else { t.squeeze(Some(&[self.dim as i64])) }
        };
        Ok((back(values)?, back(indices)?))
    }

    /// Reductions need a non-empty dim (torch's IndexError).
    fn check_reducible(&self, op: &str) -> Result<()> {
        if self.n == 0 {
            return Err(Error::Index(format!("{op}(): Expected reduction dim {} to have non-zero size.", self.dim)));
        }
        Ok(())
    }

    fn rows(&self) -> usize {
        self.data.numel().checked_div(self.n).unwrap_or(0)
    }
}

/// Typed views of a contiguous input and two fresh outputs, for a kernel.
///
/// # Safety
/// `src` must be contiguous with `src_len` elements of `T`; `values`/`indices` fresh
/// contiguous tensors of `out_len` elements of `T` and i64, shared with no one.
#[allow(clippy::mut_from_ref)] // the outputs are fresh tensors nobody else sees
unsafe fn slices<'a, T: Element>(src: &'a Tensor, src_len: usize, values: &'a Tensor, indices: &'a Tensor, out_len: usize) -> Result<(&'a [T], &'a mut [T], &'a mut [i64])> {
    // SAFETY: per the contract above.
    unsafe {
        Ok((
            std::slice::from_raw_parts(src.cpu_ptr::<T>()?, src_len),
            std::slice::from_raw_parts_mut(values.cpu_ptr::<T>()?, out_len),
            std::slice::from_raw_parts_mut(indices.cpu_ptr::<i64>()?, out_len),
        ))
    }
}

impl Tensor {
    /// Sorts along `dim`: (values, indices). Always stable (`stable` only documents intent).
    pub fn sort(&self, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
        let r = Rows::new(self, dim, "sort")?;
        let (values, indices) = r.run(r.n, true, |v, i| {
            let len = r.data.numel();
            crate::with_dtype!(r.data.dtype(), T => {
                // SAFETY: rows data is contiguous; v and i are fresh and of the same size.
                let (src, vs, is) = unsafe { slices::<T>(&r.data, len, v, i, len)? };
                kernels::sort_rows(src, r.n, descending, vs, is);
            });
            Ok(())
        })?;
        crate::autograd::formulas::select::record_selected("SortBackward0", self, r.dim, &values, &indices, true)?;
        Ok((values, indices))
    }

    /// The positions that sort along `dim`.
    pub fn argsort(&self, dim: i64, descending: bool) -> Result<Tensor> {
        Ok(self.detach().sort(dim, descending)?.1)
    }

    /// The `k` largest (or smallest) along `dim`: (values, indices).
    pub fn topk(&self, k: i64, dim: i64, largest: bool, sorted: bool) -> Result<(Tensor, Tensor)> {
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented("topk does not support bool dtypes on CPU".into()));
        }
        let r = Rows::new(self, dim, "topk")?;
        if k < 0 || k as usize > r.n {
            return Err(Error::Runtime("selected index k out of range".into()));
        }
        let k = k as usize;
        let (values, indices) = r.run(k, true, |v, i| {
            crate::with_dtype!(r.data.dtype(), T => {
                // SAFETY: as in sort, with k elements per output row.
                let (src, vs, is) = unsafe { slices::<T>(&r.data, r.data.numel(), v, i, r.rows() * k)? };
                kernels::topk_rows(src, r.n, k, largest, sorted, vs, is);
            });
            Ok(())
        })?;
        crate::autograd::formulas::select::record_selected("TopkBackward0", self, r.dim, &values, &indices, true)?;
        Ok((values, indices))
    }

    /// The `k`-th smallest (1-based) along `dim`: (values, indices).
    pub fn kthvalue(&self, k: i64, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let r = Rows::new(self, dim, "kthvalue")?;
        r.check_reducible("kthvalue")?;
        if k < 1 || k as usize > r.n {
            bail!("kthvalue(): selected number k out of range for dimension {}", r.dim);
        }
        self.select_kth(r, Kth::Fixed(k as usize), keepdim, "KthvalueBackward0")
    }

    /// The lower median along `dim` (NaN when a slice holds NaN): (values, indices).
    pub fn median_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.median_like(dim, keepdim, false)
    }

    /// The lower median along `dim` ignoring NaN (NaN only when a slice is all NaN).
    pub fn nanmedian_dim(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.median_like(dim, keepdim, true)
    }

    fn median_like(&self, dim: i64, keepdim: bool, skip_nan: bool) -> Result<(Tensor, Tensor)> {
        let op = if skip_nan { "nanmedian" } else { "median" };
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented(format!("\"{op}_out\" not implemented for 'Bool'")));
        }
        let r = Rows::new(self, dim, op)?;
        r.check_reducible(op)?;
        let (kth, name) = if skip_nan { (Kth::NanMedian, "NanmedianBackward1") } else { (Kth::Median, "MedianBackward1") };
        self.select_kth(r, kth, keepdim, name)
    }

    /// The lower median of all elements (NaN when any is NaN, or when empty).
    pub fn median(&self) -> Result<Tensor> {
        self.median_all(false)
    }

    /// The lower median of all non-NaN elements.
    pub fn nanmedian(&self) -> Result<Tensor> {
        self.median_all(true)
    }

    fn median_all(&self, skip_nan: bool) -> Result<Tensor> {
        if self.numel() == 0 && self.dtype() != DType::Bool {
            return crate::ops::creation::full(&[], crate::dtype::Scalar::Float(f64::NAN), self.dtype(), self.device());
        }
        Ok(self.reshape(&[-1])?.median_like(0, false, skip_nan)?.0)
    }

    fn select_kth(&self, r: Rows, kth: Kth, keepdim: bool, name: &'static str) -> Result<(Tensor, Tensor)> {
        let (values, indices) = r.run(1, keepdim, |v, i| {
            crate::with_dtype!(r.data.dtype(), T => {
                // SAFETY: as in sort, with one element per output row.
                let (src, vs, is) = unsafe { slices::<T>(&r.data, r.data.numel(), v, i, r.rows())? };
                kernels::kth_rows(src, r.n, kth, vs, is);
            });
            Ok(())
        })?;
        crate::autograd::formulas::select::record_selected(name, self, r.dim, &values, &indices, keepdim)?;
        Ok((values, indices))
    }

    /// The most frequent value along `dim` (smallest on ties) and its last position.
    pub fn mode(&self, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let r = Rows::new(self, dim, "mode")?;
        r.check_reducible("mode")?;
        let (values, indices) = r.run(1, keepdim, |v, i| {
            crate::with_dtype!(r.data.dtype(), T => {
                // SAFETY: as in sort, with one element per output row.
                let (src, vs, is) = unsafe { slices::<T>(&r.data, r.data.numel(), v, i, r.rows())? };
                kernels::mode_rows(src, r.n, vs, is);
            });
            Ok(())
        })?;
        crate::autograd::formulas::select::record_selected("ModeBackward0", self, r.dim, &values, &indices, keepdim)?;
        Ok((values, indices))
    }
}

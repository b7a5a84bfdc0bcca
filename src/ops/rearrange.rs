//! Rearranging ops: repeat, tile, repeat_interleave, roll, flip, rot90, movedim.
//! All copy except movedim (a permutation view).

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::{needs_grad, record};
use crate::error::{wrap_dim, Error, Result};
use crate::tensor::Tensor;

/// Wraps each dim and rejects repeats with torch's message.
fn distinct_dims(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut seen = vec![false; ndim.max(1)];
    dims.iter()
        .map(|&d| {
            let w = wrap_dim(d, ndim)?;
            if std::mem::replace(&mut seen[w], true) {
                bail!("dim {w} appears multiple times in the list of dims");
            }
            Ok(w)
        })
        .collect()
}

impl Tensor {
    /// The tensor repeated `repeats[i]` times along each dim (leading new dims allowed).
    pub fn repeat(&self, repeats: &[i64]) -> Result<Tensor> {
        if repeats.len() < self.ndim() {
            bail!("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        }
        let lead = repeats.len() - self.ndim();
        let padded: Vec<i64> = std::iter::repeat_n(1, lead).chain(self.shape().iter().map(|&d| d as i64)).collect();
        let target: Vec<i64> = repeats.iter().zip(&padded).map(|(&r, &s)| r * s).collect();
        if let Some(&bad) = target.iter().find(|&&d| d < 0) {
            bail!("Trying to create tensor with negative dimension {bad}: {target:?}");
        }
        // [s0, s1, ...] -> [1, s0, 1, s1, ...] expanded to [r0, s0, r1, s1, ...], then copied.
        let split: Vec<i64> = padded.iter().flat_map(|&s| [1, s]).collect();
        let expanded: Vec<i64> = repeats.iter().zip(&padded).flat_map(|(&r, &s)| [r, s]).collect();
        self.reshape(&split)?.expand(&expanded)?.deep_clone()?.reshape(&target)
    }

    /// `repeat` with `reps` padded with leading 1s to the tensor's dims (numpy's tile).
    pub fn tile(&self, reps: &[i64]) -> Result<Tensor> {
        let lead = self.ndim().saturating_sub(reps.len());
        let full: Vec<i64> = std::iter::repeat_n(1, lead).chain(reps.iter().copied()).collect();
        self.repeat(&full)
    }

    /// Each element repeated `repeats` times along `dim` (of the flattened tensor when `dim`
    /// is None).
    pub fn repeat_interleave(&self, repeats: i64, dim: Option<i64>) -> Result<Tensor> {
        if repeats < 0 {
            bail!("Repeats must be non-negative");
        }
        let (x, d) = self.interleave_input(dim)?;
        let mut shape: Vec<i64> = x.shape().iter().map(|&s| s as i64).collect();
        shape.insert(d + 1, repeats);
        x.unsqueeze(d as i64 + 1)?.expand(&shape)?.deep_clone()?.flatten(d as i64, d as i64 + 1)
    }

    /// Element `i` repeated `repeats[i]` times along `dim` (a one-element `repeats` applies
    /// to every element).
    pub fn repeat_interleave_counts(&self, repeats: &[i64], dim: Option<i64>) -> Result<Tensor> {
        if repeats.iter().any(|&r| r < 0) {
            bail!("repeats can not be negative");
        }
        if let [r] = repeats {
            return self.repeat_interleave(*r, dim);
        }
        let (x, d) = self.interleave_input(dim)?;
        if repeats.len() != x.shape()[d] {
            bail!(
                "repeats must have the same size as input along dim, but got repeats.size(0) = {} and input.size(0) = {}",
                repeats.len(),
                x.shape()[d]
            );
        }
        let picks: Vec<i64> = repeats.iter().enumerate().flat_map(|(i, &r)| std::iter::repeat_n(i as i64, r as usize)).collect();
        let n = picks.len();
        x.index_select(d as i64, &Tensor::from_vec(picks, &[n])?.to_device(x.device())?)
    }

    fn interleave_input(&self, dim: Option<i64>) -> Result<(Tensor, usize)> {
        match dim {
            None => Ok((self.flatten(0, -1)?, 0)),
            Some(d) => {
                let x = if self.ndim() == 0 { self.reshape(&[1])? } else { self.clone() };
                let d = wrap_dim(d, x.ndim())?;
                Ok((x, d))
            }
        }
    }

    /// Shifts elements along `dims` by `shifts`, wrapping around; with no dims, the
    /// flattened tensor is shifted and the shape restored.
    pub fn roll(&self, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
        if dims.is_empty() {
            if shifts.len() != 1 {
                bail!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len());
            }
            let shape: Vec<i64> = self.shape().iter().map(|&d| d as i64).collect();
            return self.flatten(0, -1)?.roll(shifts, &[0])?.view(&shape);
        }
        if shifts.len() != dims.len() {
            bail!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len());
        }
        if self.ndim() == 0 {
            return Err(Error::Index("Dimension specified as 0 but tensor has no dimensions".into()));
        }
        let mut out = self.clone();
        for (&shift, &dim) in shifts.iter().zip(dims) {
            let d = wrap_dim(dim, self.ndim())?;
            let size = self.shape()[d] as i64;
            let s = if size == 0 { 0 } else { shift.rem_euclid(size) };
            if s != 0 {
                let head = out.narrow(d as i64, size - s, s)?;
                let tail = out.narrow(d as i64, 0, size - s)?;
                out = crate::ops::join::cat(&[head, tail], d as i64)?;
            }
        }
        // Always a new tensor, even when nothing moved.
        if out.same_storage(self) {
            out = out.deep_clone()?;
        }
        Ok(out)
    }

    /// The tensor with the order of elements reversed along `dims` (a copy).
    pub fn flip(&self, dims: &[i64]) -> Result<Tensor> {
        self.expect_cpu("flip")?;
        let mut flipped = distinct_dims(dims, self.ndim())?;
        if self.ndim() == 0 {
            flipped.clear(); // dim 0 (or -1) of a 0-d tensor: nothing to reverse
        }
        let out = Tensor::empty(self.shape(), self.dtype(), self.device())?;
        let mut offset = self.storage_offset() as isize;
        let mut strides: Vec<isize> = self.strides().iter().map(|&s| s as isize).collect();
        for &d in &flipped {
            if self.shape()[d] > 0 {
                offset += (self.shape()[d] as isize - 1) * strides[d];
            }
            strides[d] = -strides[d];
        }
        if out.numel() > 0 {
            let elem = self.dtype().size();
            let base = self.storage().cpu_ptr()? as *const u8;
            let dst = out.storage().cpu_ptr()?;
            // SAFETY: the flipped layout visits exactly the source view's elements (each
            // reversed dim starts at its last index and walks back to its first); `out` is a
            // fresh contiguous tensor of the same shape.
            unsafe {
                crate::backend::cpu::flip::copy_signed_strides(base.offset(offset * elem as isize), dst, elem, self.shape(), &strides);
            }
        }
        if needs_grad(&[self]) {
            let dims: Vec<i64> = flipped.iter().map(|&d| d as i64).collect();
            record("FlipBackward0", &[self], &[&out], backward_fn(move |_, g| Ok(vec![Some(g.flip(&dims)?)])));
        }
        Ok(out)
    }

    /// Rotates by 90 degrees `k` times in the plane of `dims`, from the first towards the
    /// second.
    pub fn rot90(&self, k: i64, dims: &[i64]) -> Result<Tensor> {
        if dims.len() != 2 {
            bail!("expected total rotation dims == 2, but got dims = {}", dims.len());
        }
        if self.ndim() < 2 {
            bail!("expected total dims >= 2, but got total dims = {}", self.ndim());
        }
        let (a, b) = (wrap_dim(dims[0], self.ndim())?, wrap_dim(dims[1], self.ndim())?);
        if a == b {
            bail!("expected rotation dims to be different, but got dim0 = {a} and dim1 = {b}");
        }
        let (a, b) = (a as i64, b as i64);
        match k.rem_euclid(4) {
            1 => self.flip(&[b])?.transpose(a, b),
            2 => self.flip(&[a, b]),
            3 => self.flip(&[a])?.transpose(a, b),
            _ => self.deep_clone(),
        }
    }

    /// Moves the dims `source` to the positions `destination`; the others keep their order.
    pub fn movedim(&self, source: &[i64], destination: &[i64]) -> Result<Tensor> {
        let n = self.ndim();
        if source.len() != destination.len() {
            bail!(
                "movedim: Invalid source or destination dims: source ({source:?} dims) should contain the same number of dims as destination ({destination:?} dims)"
            );
        }
        let wrap_all = |dims: &[i64], what: &str| -> Result<Vec<usize>> {
            let wrapped = dims.iter().map(|&d| wrap_dim(d, n)).collect::<Result<Vec<_>>>()?;
            let mut sorted = wrapped.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != wrapped.len() {
                bail!("movedim: repeated dim in `{what}` ({dims:?})");
            }
            Ok(wrapped)
        };
        let (src, dst) = (wrap_all(source, "source")?, wrap_all(destination, "destination")?);
        let mut perm: Vec<Option<usize>> = vec![None; n];
        for (&s, &d) in src.iter().zip(&dst) {
            perm[d] = Some(s);
        }
        let mut rest = (0..n).filter(|d| !src.contains(d));
        let perm: Vec<i64> = perm.into_iter().map(|p| p.or_else(|| rest.next()).unwrap_or(0) as i64).collect();
        self.permute(&perm)
    }
}


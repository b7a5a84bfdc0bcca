//! Shapes, strides and broadcasting: the pure arithmetic of views, with no storage attached.

use smallvec::SmallVec;

use crate::error::{wrap_dim, Error, Result};

/// A shape or strides: up to 6 dims inline, so making a tensor of ordinary rank allocates
/// nothing for its layout (the per-op cost of small tensors is mostly allocation).
pub type Dims = SmallVec<[usize; 6]>;

/// Where a tensor's elements sit in its storage: shape, strides (in elements) and offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub shape: Dims,
    pub strides: Dims,
    pub offset: usize,
}

/// Row-major strides for `shape`.
pub fn contiguous_strides(shape: &[usize]) -> Dims {
    let mut strides: Dims = smallvec::smallvec![1; shape.len()];
    let mut acc = 1usize;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = acc;
        acc = acc.saturating_mul(d.max(1));
    }
    strides
}

/// Number of elements; errors when it overflows.
pub fn checked_numel(shape: &[usize]) -> Result<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(|| {
        Error::Runtime(format!("size {shape:?} is too large: the number of elements overflows"))
    })
}

/// Formats a shape as torch does in messages: `[2, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    format!("{shape:?}")
}

impl Layout {
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout { shape: Dims::from_slice(shape), strides: contiguous_strides(shape), offset: 0 }
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Row-major contiguous (size-1 dims may have any stride, as in torch).
    pub fn is_contiguous(&self) -> bool {
        if self.shape.contains(&0) {
            return true;
        }
        let mut expected = 1usize;
        for (&d, &s) in self.shape.iter().zip(&self.strides).rev() {
            if d == 0 {
                return true;
            }
            if d != 1 {
                if s != expected {
                    return false;
                }
                expected *= d;
            }
        }
        true
    }

    /// The span of storage elements this layout touches, from its offset: max index + 1.
    pub fn storage_span(&self) -> usize {
        if self.shape.contains(&0) {
            return 0;
        }
        1 + self.shape.iter().zip(&self.strides).map(|(&d, &s)| (d - 1) * s).sum::<usize>()
    }

    pub fn dim(&self, dim: i64) -> Result<usize> {
        wrap_dim(dim, self.ndim())
    }

    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Layout> {
        let (a, b) = (self.dim(d0)?, self.dim(d1)?);
        let mut l = self.clone();
        if l.ndim() > 0 {
            l.shape.swap(a, b);
            l.strides.swap(a, b);
        }
        Ok(l)
    }

    pub fn permute(&self, dims: &[i64]) -> Result<Layout> {
        let n = self.ndim();
        if dims.len() != n {
            bail!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                n,
                dims.len()
            );
        }
        let mut seen = vec![false; n];
        let mut shape = Dims::with_capacity(n);
        let mut strides = Dims::with_capacity(n);
        for &d in dims {
            let d = wrap_dim(d, n)?;
            if seen[d] {
                bail!("permute(): duplicate dims are not allowed.");
            }
            seen[d] = true;
            shape.push(self.shape[d]);
            strides.push(self.strides[d]);
        }
        Ok(Layout { shape, strides, offset: self.offset })
    }

    pub fn narrow(&self, dim: i64, start: i64, length: i64) -> Result<Layout> {
        if self.ndim() == 0 {
            bail!("narrow() cannot be applied to a 0-dim tensor.");
        }
        let d = self.dim(dim)?;
        let size = self.shape[d] as i64;
        let start = if start < 0 { start + size } else { start };
        if start < 0 || start > size {
            return Err(Error::Index(format!(
                "start out of range (expected to be in range of [{}, {}], but got {})",
                -size, size, start
            )));
        }
        if length < 0 || start + length > size {
            bail!("start ({start}) + length ({length}) exceeds dimension size ({size}).");
        }
        let mut l = self.clone();
        l.offset += start as usize * l.strides[d];
        l.shape[d] = length as usize;
        Ok(l)
    }

    /// The diagonal of dims `d1` and `d2` (already wrapped and distinct) shifted by
    /// `offset` (above the main diagonal when positive), as a new last dim.
    pub fn diagonal(&self, offset: i64, d1: usize, d2: usize) -> Layout {
        let (s1, s2) = (self.shape[d1] as i64, self.shape[d2] as i64);
        let (len, shift) = if offset >= 0 {
            ((s2 - offset).min(s1).max(0), offset as usize * self.strides[d2])
        } else {
            ((s1 + offset).min(s2).max(0), (-offset) as usize * self.strides[d1])
        };
        let mut l = self.clone();
        if len > 0 {
            l.offset += shift;
        }
        let step = self.strides[d1] + self.strides[d2];
        for d in [d1.max(d2), d1.min(d2)] {
            l.shape.remove(d);
            l.strides.remove(d);
        }
        l.shape.push(len as usize);
        l.strides.push(step);
        l
    }

    /// Python-style slice `start:stop:step` along `dim` (bounds already clamped or not).
    pub fn slice(&self, dim: usize, start: i64, stop: i64, step: i64) -> Result<Layout> {
        if step <= 0 {
            return Err(Error::Value("step must be greater than zero".into()));
        }
        let size = self.shape[dim] as i64;
        let clamp = |v: i64| if v < 0 { (v + size).max(0) } else { v.min(size) };
        let (start, stop) = (clamp(start), clamp(stop));
        let len = if stop > start { (stop - start + step - 1) / step } else { 0 };
        let mut l = self.clone();
        if len > 0 {
            l.offset += start as usize * l.strides[dim];
        }
        l.shape[dim] = len as usize;
        l.strides[dim] *= step as usize;
        Ok(l)
    }

    pub fn select(&self, dim: i64, index: i64) -> Result<Layout> {
        if self.ndim() == 0 {
            return Err(Error::Index("select() cannot be applied to a 0-dim tensor.".into()));
        }
        let d = self.dim(dim)?;
        let size = self.shape[d] as i64;
        if index < -size || index >= size {
            return Err(Error::Index(format!(
                "index {index} is out of bounds for dimension {d} with size {size}"
            )));
        }
        let i = if index < 0 { index + size } else { index } as usize;
        let mut l = self.clone();
        l.offset += i * l.strides[d];
        l.shape.remove(d);
        l.strides.remove(d);
        Ok(l)
    }

    pub fn unsqueeze(&self, dim: i64) -> Result<Layout> {
        let d = wrap_dim(dim, self.ndim() + 1)?;
        let mut l = self.clone();
        let stride = if d < l.ndim() { l.strides[d] * l.shape[d] } else { 1 };
        l.shape.insert(d, 1);
        l.strides.insert(d, stride);
        Ok(l)
    }

    /// Drops the given dims where their size is 1 (others are kept, as torch does).
    pub fn squeeze(&self, dims: Option<&[i64]>) -> Result<Layout> {
        let n = self.ndim();
        let mut drop = vec![false; n];
        match dims {
            None => drop.iter_mut().zip(&self.shape).for_each(|(x, &s)| *x = s == 1),
            Some(ds) => {
                for &d in ds {
                    let d = wrap_dim(d, n)?;
                    if n > 0 && self.shape[d] == 1 {
                        drop[d] = true;
                    }
                }
            }
        }
        let mut l = Layout { shape: Dims::new(), strides: Dims::new(), offset: self.offset };
        for ((&size, &stride), &dropped) in self.shape.iter().zip(&self.strides).zip(&drop) {
            if !dropped {
                l.shape.push(size);
                l.strides.push(stride);
            }
        }
        Ok(l)
    }

    /// Broadcasts to `shape` with stride 0 on new or size-1 dims (torch's `expand`).
    pub fn expand(&self, sizes: &[i64]) -> Result<Layout> {
        let n = self.ndim();
        if sizes.len() < n {
            bail!(
                "expand(torch.FloatTensor{{{}}}, size=[{}]): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
                self.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                sizes.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                sizes.len(),
                n
            );
        }
        let lead = sizes.len() - n;
        let mut shape = Dims::with_capacity(sizes.len());
        let mut strides = Dims::with_capacity(sizes.len());
        for (i, &want) in sizes.iter().enumerate() {
            if i < lead {
                if want < 0 {
                    bail!("The expanded size of the tensor ({want}) isn't allowed in a leading, non-existing dimension {i}");
                }
                shape.push(want as usize);
                strides.push(0);
                continue;
            }
            let (have, stride) = (self.shape[i - lead], self.strides[i - lead]);
            if want == -1 || want as usize == have {
                shape.push(have);
                strides.push(stride);
            } else if have == 1 && want >= 0 {
                shape.push(want as usize);
                strides.push(0);
            } else {
                bail!(
                    "The expanded size of the tensor ({want}) must match the existing size ({have}) at non-singleton dimension {i}.  Target sizes: {sizes:?}.  Tensor sizes: {:?}",
                    self.shape
                );
            }
        }
        Ok(Layout { shape, strides, offset: self.offset })
    }

    /// A view with a new shape, when the strides allow it (torch's `computeStride`).
    pub fn view(&self, shape: &[usize]) -> Option<Layout> {
        if self.is_contiguous() {
            let mut l = Layout::contiguous(shape);
            l.offset = self.offset;
            return Some(l);
        }
        let numel = self.numel();
        let mut new_strides: Dims = smallvec::smallvec![0usize; shape.len()];
        if numel == 0 {
            let mut l = Layout::contiguous(shape);
            l.offset = self.offset;
            return Some(l);
        }
        // Walk old dims in chunks that are contiguous among themselves and match them to
        // runs of new dims with the same element count.
        let mut view_d = shape.len() as isize - 1;
        let mut chunk_base_stride = *self.strides.last().unwrap_or(&1);
        let mut tensor_numel = 1usize;
        let mut view_numel = 1usize;
        for tensor_d in (0..self.ndim()).rev() {
            tensor_numel *= self.shape[tensor_d];
            let chunk_end = tensor_d == 0
                || (self.shape[tensor_d - 1] != 1
                    && self.strides[tensor_d - 1] != tensor_numel * chunk_base_stride);
            if chunk_end {
                while view_d >= 0
                    && (view_numel < tensor_numel || shape[view_d as usize] == 1)
                {
                    new_strides[view_d as usize] = view_numel * chunk_base_stride;
                    view_numel *= shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base_stride = self.strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(Layout { shape: Dims::from_slice(shape), strides: new_strides, offset: self.offset })
    }

    /// `unfold(dim, size, step)`: a new last dim of windows.
    pub fn unfold(&self, dim: i64, size: usize, step: usize) -> Result<Layout> {
        let n = self.ndim();
        let d = wrap_dim(dim, n)?;
        let dim_size = if n == 0 { 1 } else { self.shape[d] };
        if size > dim_size {
            bail!("maximum size for tensor at dimension {d} is {dim_size} but size is {size}");
        }
        if step == 0 {
            bail!("step is {step} but must be > 0");
        }
        let mut l = self.clone();
        if n == 0 {
            l.shape.push(size);
            l.strides.push(1);
            return Ok(l);
        }
        let stride = l.strides[d];
        l.shape[d] = (dim_size - size) / step + 1;
        l.strides[d] = stride * step;
        l.shape.push(size);
        l.strides.push(stride);
        Ok(l)
    }
}

/// The broadcast shape of two shapes, with torch's error message.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Dims> {
    let n = a.len().max(b.len());
    let mut out: Dims = smallvec::smallvec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            bail!(
                "The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
            );
        };
    }
    Ok(out)
}

/// Resolves a requested shape that may hold one `-1` against `numel`.
pub fn infer_shape(shape: &[i64], numel: usize) -> Result<Vec<usize>> {
    let mut infer = None;
    let mut known = 1usize;
    for (i, &d) in shape.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                bail!("only one dimension can be inferred");
            }
            infer = Some(i);
        } else if d < 0 {
            bail!("invalid shape dimension {d}");
        } else {
            known = known.checked_mul(d as usize).ok_or_else(|| {
                Error::Runtime(format!("shape '{shape:?}' is invalid for input of size {numel}"))
            })?;
        }
    }
    let bad = || Error::Runtime(format!("shape '{:?}' is invalid for input of size {numel}", shape));
    let mut out: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
    match infer {
        Some(i) => {
            if known == 0 || numel % known != 0 {
                return Err(bad());
            }
            out[i] = numel / known;
        }
        None if known != numel => return Err(bad()),
        None => {}
    }
    Ok(out)
}

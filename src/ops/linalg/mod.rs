//! `torch.linalg` and the matrix products around it. Factorizations convert each matrix of
//! the batch to f64, factor it on the CPU kernels of `backend::cpu::linalg` (batch in
//! parallel) and round back to the input dtype; everything else (einsum, norms, pinv,
//! matrix_power, ...) is written with differentiable ops, so autograd comes for free.

pub mod distance;
pub mod einsum;
pub mod factor;
pub mod norms;
pub mod products;
pub mod spectral;


use crate::autograd::GradModeGuard;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

pub use distance::cdist;
pub use einsum::einsum;
pub use factor::{cholesky, det, inv, logdet, slogdet, solve};
pub use norms::{matrix_norm, norm, number_ord, vector_norm, MatrixOrd, NormOrMatrix};
pub use products::{cross, kron, matrix_power, tensordot};
pub use spectral::{eigh, eigvalsh, pinv, qr, svd, svdvals, QrMode};

/// torch's check that a linalg input is float32/float64.
pub(crate) fn check_float(a: &Tensor, name: &str) -> Result<()> {
    match a.dtype() {
        DType::F32 | DType::F64 => Ok(()),
        DType::F16 | DType::BF16 => bail!("{name}: Low precision dtypes not supported. Got {}", a.dtype().scalar_name()),
        d => Err(Error::NotImplemented(format!("{name}: Expected a floating point or complex tensor as input. Got {}", d.scalar_name()))),
    }
}

/// At least 2-d, and square when `square`.
pub(crate) fn check_matrix(a: &Tensor, name: &str, arg: &str, square: bool) -> Result<()> {
    if a.ndim() < 2 {
        bail!("{name}: The input tensor {arg} must have at least 2 dimensions.");
    }
    let (m, n) = (a.shape()[a.ndim() - 2], a.shape()[a.ndim() - 1]);
    if square && m != n {
        bail!("{name}: {arg} must be batches of square matrices, but they are {m} by {n} matrices");
    }
    Ok(())
}

/// The matrices of a (batch..., m, n) tensor as contiguous f64.
pub(crate) struct Matrices {
    pub batch: Vec<usize>,
    pub m: usize,
    pub n: usize,
    /// The matrices, one after another: a contiguous f64 CPU tensor, read in place.
    values: Tensor,
}

impl Matrices {
    pub fn of(a: &Tensor) -> Result<Matrices> {
        a.expect_cpu("linalg")?;
        let _off = GradModeGuard::new(false);
        let nd = a.ndim();
        let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
        let values = a.to_dtype(DType::F64)?.contiguous()?;
        Ok(Matrices { batch: a.shape()[..nd - 2].to_vec(), m, n, values })
    }

    /// All the matrices' values, row-major, one matrix after another.
    pub fn data(&self) -> &[f64] {
        let len = self.values.numel();
        match self.values.cpu_ptr::<f64>() {
            // SAFETY: `values` is a contiguous f64 CPU tensor of `len` elements, kept alive
            // (and not written: it is private) as long as the borrow of `self`.
            Ok(p) if len > 0 => unsafe { std::slice::from_raw_parts(p, len) },
            _ => &[],
        }
    }

    pub fn count(&self) -> usize {
        self.batch.iter().product()
    }

    /// `f` on every matrix, in parallel when the work is large enough to pay for it.
    pub fn map<R: Send>(&self, f: impl Fn(&[f64]) -> R + Sync + Send) -> Vec<R> {
        let size = self.m * self.n;
        if size == 0 {
            return (0..self.count()).map(|_| f(&[])).collect();
        }
        if self.count() > 1 && size * self.m.max(self.n) >= 1 << 12 {
            let threads = crate::backend::cpu::threads::get_num_threads();
            crate::backend::cpu::pool::parallel_map(self.count(), threads, |i| f(&self.data()[i * size..(i + 1) * size]))
        } else {
            self.data().chunks(size).map(f).collect()
        }
    }
}

/// A tensor of shape batch + `tail` from per-matrix f64 parts, in `dtype`.
pub(crate) fn assemble<P: AsRef<[f64]>>(batch: &[usize], tail: &[usize], parts: impl IntoIterator<Item = P>, dtype: DType) -> Result<Tensor> {
    let mut shape = batch.to_vec();
    shape.extend_from_slice(tail);
    let _off = GradModeGuard::new(false);
    let out = Tensor::empty(&shape, DType::F64, crate::Device::Cpu)?;
    let total = out.numel();
    let dst = out.cpu_ptr::<f64>()?;
    let mut written = 0;
    for part in parts {
        let part = part.as_ref();
        if written + part.len() > total {
            bail!("linalg: the parts hold more values than shape {shape:?}");
        }
        // SAFETY: `out` is a fresh contiguous f64 tensor of `total` elements, and
        // [written, written + len) lies inside it (checked above).
        unsafe { std::ptr::copy_nonoverlapping(part.as_ptr(), dst.add(written), part.len()) };
        written += part.len();
    }
    if written != total {
        bail!("linalg: the parts hold {written} values for shape {shape:?}");
    }
    out.to_dtype(dtype)
}

/// torch's prefix for an error in one matrix of a batch.
pub(crate) fn batch_prefix(batched: bool, index: usize) -> String {
    if batched {
        format!("(Batch element {index}): ")
    } else {
        String::new()
    }
}

/// torch's check that `dtype` holds the input's values without narrowing.
pub(crate) fn check_widening(from: DType, to: DType, name: &str) -> Result<()> {
    if crate::dtype::promote_types(from, to) != to {
        bail!(
            "{name}: the dtype of the input ({}) should be convertible without narrowing to the specified dtype ({})",
            from.scalar_name(),
            to.scalar_name()
        );
    }
    Ok(())
}

/// A `LinAlgError` for the first failing matrix, if any: "name: (Batch element i): msg".
pub(crate) fn first_failure<'a>(name: &str, batched: bool, failures: impl IntoIterator<Item = Option<&'a str>>) -> Result<()> {
    for (i, f) in failures.into_iter().enumerate() {
        if let Some(msg) = f {
            return Err(Error::LinAlg(format!("{name}: {}{msg}", batch_prefix(batched, i))));
        }
    }
    Ok(())
}

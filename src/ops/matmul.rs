//! matmul and its family (mm, bmm, mv, dot, outer) with batch broadcasting. Float products
//! go to `cpu::small_gemm` (small ones) or `cpu::gemm` (the `gemm` crate, threaded on the
//! pool) with the operands' own strides, so transposed views are never copied.

use crate::backend::cpu::gemm::{is_threaded, Strided as Mat};
use crate::backend::cpu::iter::SendPtr;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::tensor::Tensor;

/// One (m x k) @ (k x n) product into dst, on `threads` threads (see cpu::gemm).
///
/// # Safety
/// Pointers and strides must describe valid m x k, k x n and m x n matrices; dst disjoint.
unsafe fn gemm_one<T: Element>(m: usize, n: usize, k: usize, dst: &Mat<T>, a: &Mat<T>, b: &Mat<T>, threads: usize) {
    macro_rules! call {
        ($t:ty, $zero:expr, $one:expr) => {
            // SAFETY: forwarded from the caller; T is $t (checked through DTYPE).
            unsafe {
                crate::backend::cpu::gemm::gemm::<$t>((m, n, k), &dst.cast(), false, &a.cast(), &b.cast(), $zero, $one, threads)
            }
        };
    }
    macro_rules! call_small {
        ($t:ty) => {
            // SAFETY: as for call!.
            unsafe { crate::backend::cpu::small_gemm::gemm::<$t>(m, n, k, &dst.cast(), &a.cast(), &b.cast()) }
        };
    }
    let small = threads == 1 && crate::backend::cpu::small_gemm::fits(m, n, k);
    match T::DTYPE {
        DType::F32 if small => call_small!(f32),
        DType::F64 if small => call_small!(f64),
        DType::F32 => call!(f32, 0.0f32, 1.0f32),
        DType::F64 => call!(f64, 0.0f64, 1.0f64),
        DType::F16 => call!(half::f16, half::f16::ZERO, half::f16::ONE),
        _ => {
            // Integer (and bf16) matmul: a plain triple loop, accumulating in i64 / f64.
            for i in 0..m {
                for j in 0..n {
                    let (mut si, mut sf) = (0i64, 0f64);
                    for p in 0..k {
                        // SAFETY: indices are within the m x k and k x n matrices.
                        let (x, y) = unsafe {
                            (*a.ptr.get().offset(i as isize * a.rs + p as isize * a.cs), *b.ptr.get().offset(p as isize * b.rs + j as isize * b.cs))
                        };
                        if T::IS_FLOAT {
                            sf += x.to_f64() * y.to_f64();
                        } else {
                            si = si.wrapping_add(x.to_i64().wrapping_mul(y.to_i64()));
                        }
                    }
                    let v = if T::IS_FLOAT { T::from_f64(sf) } else { T::from_i64(si) };
                    // SAFETY: (i, j) is within dst.
                    unsafe { *dst.ptr.get().offset(i as isize * dst.rs + j as isize * dst.cs) = v };
                }
            }
        }
    }
}

fn batched<T: Element>(a: &Tensor, b: &Tensor, batch: &[usize], m: usize, k: usize, n: usize) -> Result<Tensor> {
    let mut a_shape: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
    a_shape.extend([m as i64, k as i64]);
    let mut b_shape: Vec<i64> = batch.iter().map(|&d| d as i64).collect();
    b_shape.extend([k as i64, n as i64]);
    let (a, b) = (a.expand(&a_shape)?, b.expand(&b_shape)?);
    let mut out_shape = batch.to_vec();
    out_shape.extend([m, n]);
    let out = Tensor::empty(&out_shape, T::DTYPE, crate::Device::Cpu)?;
    let nb: usize = batch.iter().product();
    if out.numel() == 0 {
        return Ok(out);
    }
    if k == 0 {
        out.zero_()?;
        return Ok(out);
    }
    let (pa, pb, po) = (SendPtr(a.cpu_ptr::<T>()?), SendPtr(b.cpu_ptr::<T>()?), SendPtr(out.cpu_ptr::<T>()?));
    let nd = batch.len();
    let offset = |t: &Tensor, mut i: usize| {
        let mut off = 0usize;
        for d in (0..nd).rev() {
            off += (i % batch[d]) * t.strides()[d];
            i /= batch[d];
        }
        off
    };
    let st = |t: &Tensor| (t.strides()[nd] as isize, t.strides()[nd + 1] as isize);
    let ((ars, acs), (brs, bcs)) = (st(&a), st(&b));
    let one = |i: usize, threads: usize| {
        // SAFETY: offsets index batch i of views expanded to the batch shape; each batch
        // writes its own m x n block of the fresh output.
        unsafe {
            let dst = Mat { ptr: SendPtr(po.get().add(i * m * n)), rs: n as isize, cs: 1 };
            let am = Mat { ptr: SendPtr(pa.get().add(offset(&a, i))), rs: ars, cs: acs };
            let bm = Mat { ptr: SendPtr(pb.get().add(offset(&b, i))), rs: brs, cs: bcs };
            gemm_one::<T>(m, n, k, &dst, &am, &bm, threads);
        }
    };
    let threads = crate::backend::cpu::threads::get_num_threads();
    let each = if is_threaded(m, n, k) { threads } else { 1 };
    // With at least a batch per thread, whole products run side by side, each on one thread:
    // splitting every product across threads pays a synchronisation per product instead.
    let spread = if each == 1 { nb > 1 } else { nb >= threads };
    if spread && nb * m * n * k >= 1 << 16 {
        crate::backend::cpu::pool::parallel_each(nb, threads, |i| one(i, 1));
    } else {
        (0..nb).for_each(|i| one(i, each));
    }
    Ok(out)
}

fn check_same_dtype(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        bail!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            a.dtype().name().replace("float32", "float").replace("float64", "double").replace("int64", "long"),
            b.dtype().name().replace("float32", "float").replace("float64", "double").replace("int64", "long")
        );
    }
    if a.dtype() == DType::Bool {
        bail!("\"addmm_impl_cpu_\" not implemented for 'Bool'");
    }
    a.expect_cpu("matmul")?;
    b.expect_cpu("matmul")
}

impl Tensor {
    /// torch.matmul: 1-d and 2-d products, batched with broadcasting above that.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        if !crate::autograd::record::needs_grad(&[self, other]) {
            return self.matmul_kernel(other);
        }
        let out = {
            let _off = crate::autograd::GradModeGuard::new(false);
            self.matmul_kernel(other)?
        };
        crate::autograd::formulas::matmul::record_matmul(self, other, &out)?;
        Ok(out)
    }

    fn matmul_kernel(&self, other: &Tensor) -> Result<Tensor> {
        let (a, b) = (self, other);
        let (da, db) = (a.ndim(), b.ndim());
        if da == 0 || db == 0 {
            bail!("both arguments to matmul need to be at least 1D, but they are {da}D and {db}D");
        }
        check_same_dtype(a, b)?;
        let a2 = if da == 1 { a.unsqueeze(0)? } else { a.clone() };
        let b2 = if db == 1 { b.unsqueeze(1)? } else { b.clone() };
        let (m, k) = (a2.shape()[a2.ndim() - 2], a2.shape()[a2.ndim() - 1]);
        let (k2, n) = (b2.shape()[b2.ndim() - 2], b2.shape()[b2.ndim() - 1]);
        if k != k2 {
            if da == 1 && db == 1 {
                bail!("inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively", k, k2, k, k2);
            }
            bail!(
                "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                a2.shape()[..a2.ndim() - 1].iter().product::<usize>(), k, k2, n
            );
        }
        let batch = broadcast_shapes(&a2.shape()[..a2.ndim() - 2], &b2.shape()[..b2.ndim() - 2])?;
        let out = crate::with_dtype!(a.dtype(), T => batched::<T>(&a2, &b2, &batch, m, k, n))?;
        match (da, db) {
            (1, 1) => out.reshape(&[]),
            (1, _) => out.squeeze(Some(&[-2])),
            (_, 1) => out.squeeze(Some(&[-1])),
            _ => Ok(out),
        }
    }

    /// Matrix product of two 2-d tensors.
    pub fn mm(&self, other: &Tensor) -> Result<Tensor> {
        if self.ndim() != 2 || other.ndim() != 2 {
            bail!("{} must be a matrix", if self.ndim() != 2 { "self" } else { "mat2" });
        }
        self.matmul(other)
    }

    /// Batched product of two 3-d tensors with equal batch sizes.
    pub fn bmm(&self, other: &Tensor) -> Result<Tensor> {
        if self.ndim() != 3 || other.ndim() != 3 {
            bail!("batch1 must be a 3D tensor");
        }
        if self.shape()[0] != other.shape()[0] {
            bail!("batch1 and batch2 must have same number of batches, got {} and {}", self.shape()[0], other.shape()[0]);
        }
        self.matmul(other)
    }

    /// Matrix-vector product.
    pub fn mv(&self, vec: &Tensor) -> Result<Tensor> {
        if self.ndim() != 2 || vec.ndim() != 1 {
            bail!("vector + matrix @ vector expected, got {}, {}, {}", 1, self.ndim(), vec.ndim());
        }
        self.matmul(vec)
    }

    /// Inner product of two 1-d tensors.
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
        if self.ndim() != 1 || other.ndim() != 1 {
            bail!("1D tensors expected, but got {}D and {}D tensors", self.ndim(), other.ndim());
        }
        if self.dtype() != other.dtype() {
            bail!("dot : expected both vectors to have same dtype, but found {} and {}", self.dtype().scalar_name(), other.dtype().scalar_name());
        }
        self.matmul(other)
    }

    /// Outer product of two 1-d tensors.
    pub fn outer(&self, other: &Tensor) -> Result<Tensor> {
        if self.ndim() != 1 || other.ndim() != 1 {
            bail!("outer: expected 1D tensors, but got {}D and {}D tensors", self.ndim(), other.ndim());
        }
        self.unsqueeze(1)?.mul(&other.unsqueeze(0)?)
    }
}

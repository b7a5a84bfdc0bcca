//! softmax and log_softmax over one dim, fused per row on the CPU.


use crate::backend::cpu::iter::SendPtr;
use crate::backend::cpu::math::FloatMath;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::tensor::Tensor;

/// Numeric ops a softmax row needs.
pub trait RowFloat:
    FloatMath + Element + std::ops::Sub<Output = Self> + std::ops::Mul<Output = Self> + std::ops::Add<Output = Self>
{
    /// e^x for x <= 0 and not NaN (rows holding NaN never get here).
    fn exp_nonpositive(self) -> Self;
}
impl RowFloat for f32 {
    #[inline(always)]
    fn exp_nonpositive(self) -> f32 {
        crate::backend::cpu::math::exp_f32_nonpositive(self)
    }
}
impl RowFloat for f64 {
    #[inline(always)]
    fn exp_nonpositive(self) -> f64 {
        self.exp()
    }
}

/// Lanes per vectorised step: 16 f32 fill one AVX-512 register (two AVX2 ones).
const LANES: usize = 16;

/// out = e^(x - m), returning the sum of out: one pass, summed in independent lanes so
/// that the loop vectorises.
#[inline(always)]
fn exp_and_sum<T: RowFloat>(x: &[T], m: T, out: &mut [T]) -> f64 {
    let mut lanes = [T::zero(); LANES];
    let mut xs = x.chunks_exact(LANES);
    let mut os = out.chunks_exact_mut(LANES);
    for (xc, oc) in (&mut xs).zip(&mut os) {
        for i in 0..LANES {
            let e = (xc[i] - m).exp_nonpositive();
            oc[i] = e;
            lanes[i] = lanes[i] + e;
        }
    }
    let mut tail = 0.0;
    for (o, &v) in os.into_remainder().iter_mut().zip(xs.remainder()) {
        *o = (v - m).exp_nonpositive();
        tail += o.to_f64();
    }
    lanes.iter().map(|v| v.to_f64()).sum::<f64>() + tail
}

/// The largest value of a row (-inf for an empty row), or None when the row holds a NaN.
/// Kept in lanes so that the loop vectorises.
#[inline(always)]
fn row_max<T: RowFloat>(x: &[T]) -> Option<T> {
    let neg_inf = T::from_f64(f64::NEG_INFINITY);
    let mut lanes = [neg_inf; LANES];
    let mut nan = [false; LANES];
    let mut it = x.chunks_exact(LANES);
    for c in &mut it {
        for i in 0..LANES {
            lanes[i] = if c[i] > lanes[i] { c[i] } else { lanes[i] };
            #[allow(clippy::eq_op)] // x != x is the NaN test that vectorises for any float type
            let is_nan = c[i] != c[i];
            nan[i] |= is_nan;
        }
    }
    let mut m = neg_inf;
    for &v in lanes.iter().chain(it.remainder()) {
        #[allow(clippy::eq_op)]
        let is_nan = v != v;
        if is_nan {
            return None;
        }
        m = if v > m { v } else { m };
    }
    if nan.iter().any(|&n| n) { None } else { Some(m) }
}

/// One row of length n (stride 1): out = softmax(x) or log_softmax(x).
#[inline(always)]
fn row<T: RowFloat>(x: &[T], out: &mut [T], log: bool) {
    // A NaN, or x - max = inf - inf at a +inf entry, makes the sum and every output NaN.
    let mut m = match row_max(x) {
        Some(m) if m.to_f64() != f64::INFINITY => m,
        _ => {
            out.iter_mut().for_each(|o| *o = T::from_f64(f64::NAN));
            return;
        }
    };
    if m.to_f64() == f64::NEG_INFINITY {
        m = T::zero(); // every entry is -inf: e^-inf = 0, and 0/0 gives NaN as in torch
    }
    let sum = exp_and_sum(x, m, out);
    if log {
        let ls = T::from_f64(sum.ln());
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v - m - ls;
        }
    } else {
        let inv = T::from_f64(1.0 / sum);
        for o in out.iter_mut() {
            *o = *o * inv;
        }
    }
}

fn softmax_typed<T: RowFloat>(x: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    // Move `dim` last and make rows contiguous; the result is moved back afterwards.
    let last = x.ndim() - 1;
    let xt = x.transpose(dim as i64, last as i64)?.contiguous()?;
    let out = Tensor::empty(xt.shape(), x.dtype(), crate::Device::Cpu)?;
    let n = xt.shape()[last];
    let rows = xt.numel().checked_div(n).unwrap_or(0);
    let (px, po) = (SendPtr(xt.cpu_ptr::<T>()?), SendPtr(out.cpu_ptr::<T>()?));
    let one = |r: usize| {
        // SAFETY: rows are disjoint contiguous spans of n elements in xt and out.
        unsafe {
            let xs = std::slice::from_raw_parts(px.get().add(r * n) as *const T, n);
            let os = std::slice::from_raw_parts_mut(po.get().add(r * n), n);
            crate::backend::cpu::map::simd(#[inline(always)] move || row(xs, os, log));
        }
    };
    crate::backend::cpu::pool::parallel_items(rows, n, one);
    let res = out.transpose(dim as i64, last as i64)?;
    if dim == last { Ok(res) } else { res.contiguous() }
}

impl Tensor {
    /// softmax (or log_softmax) over `dim`, optionally computing in `dtype`.
    pub fn softmax(&self, dim: i64, log: bool, dtype: Option<DType>) -> Result<Tensor> {
        self.expect_cpu("softmax")?;
        let x = match dtype {
            Some(d) => self.to_dtype(d)?,
            None => self.clone(),
        };
        let name = if log { "log_softmax" } else { "softmax" };
        if !x.dtype().is_floating_point() {
            bail!("\"{name}_lastdim_kernel_impl\" not implemented for '{}'", x.dtype().scalar_name());
        }
        if x.ndim() == 0 {
            crate::error::wrap_dim(dim, 0)?;
            return x.reshape(&[1])?.softmax(0, log, None)?.reshape(&[]);
        }
        let d = crate::error::wrap_dim(dim, x.ndim())?;
        let record = crate::autograd::record::needs_grad(&[&x]);
        let out = {
            let _off = record.then(|| crate::autograd::GradModeGuard::new(false));
            match x.dtype() {
                DType::F32 => softmax_typed::<f32>(&x, d, log),
                DType::F64 => softmax_typed::<f64>(&x, d, log),
                other => x.to_dtype(DType::F32)?.softmax(dim, log, None)?.to_dtype(other),
            }?
        };
        if record {
            crate::autograd::formulas::softmax::record_softmax(&x, d as i64, log, &out)?;
        }
        Ok(out)
    }
}

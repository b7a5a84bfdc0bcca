//! Cumulative ops along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp; and diff.

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::{needs_grad, record};
use crate::autograd::{GradModeGuard, SavedTensor};
use crate::backend::cpu::scan as kernels;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{wrap_dim, Error, Result};
use crate::ops::Arg;
use crate::tensor::Tensor;

/// A fresh contiguous copy of `x` as `dtype`, with (wrapped dim, n, inner) for a scan.
fn scan_buffer(x: &Tensor, dim: i64, dtype: DType, op: &str) -> Result<(Tensor, usize, usize, usize)> {
    x.expect_cpu(op)?;
    let d = wrap_dim(dim, x.ndim())?;
    let _off = GradModeGuard::new(false);
    let cast = x.to_dtype(dtype)?;
    let buf = if cast.same_storage(x) || !cast.is_contiguous() { cast.deep_clone()? } else { cast };
    if x.ndim() == 0 {
        return Ok((buf, 0, 1, 1));
    }
    let n = x.shape()[d];
    let inner: usize = x.shape()[d + 1..].iter().product();
    Ok((buf, d, n, inner))
}

/// The buffer of a fresh contiguous tensor we own.
///
/// # Safety
/// `t` must be contiguous, of element type `T`, and not aliased anywhere else.
#[allow(clippy::mut_from_ref)] // the tensor's memory is ours alone (see the contract)
unsafe fn owned_slice<T: Element>(t: &Tensor) -> Result<&mut [T]> {
    // SAFETY: per the contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(t.cpu_ptr::<T>()?, t.numel()) })
}

/// The dtype a sum or product accumulates in: int64 for bool and the integers.
fn accumulate_dtype(x: DType, dtype: Option<DType>) -> DType {
    dtype.unwrap_or(if x.is_floating_point() { x } else { DType::I64 })
}

impl Tensor {
    /// Running sum along `dim` (integers and bool sum as int64 unless `dtype` says).
    pub fn cumsum(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        let out = self.running(dim, accumulate_dtype(self.dtype(), dtype), "cumsum", false)?;
        if needs_grad(&[self]) && out.dtype().is_floating_point() {
            let d = wrap_dim(dim, self.ndim())? as i64;
            record("CumsumBackward0", &[self], &[&out], backward_fn(move |_, g| {
                // Each input feeds every later output: a reversed running sum.
                Ok(vec![Some(g.flip(&[d])?.cumsum(d, None)?.flip(&[d])?)])
            }));
        }
        Ok(out)
    }

    /// Running product along `dim`.
    pub fn cumprod(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        let out = self.running(dim, accumulate_dtype(self.dtype(), dtype), "cumprod", true)?;
        if needs_grad(&[self]) && out.dtype().is_floating_point() {
            let d = wrap_dim(dim, self.ndim())? as i64;
            let (sx, sy) = (SavedTensor::input(self)?, SavedTensor::output(&out)?);
            record("CumprodBackward0", &[self], &[&out], backward_fn(move |node, g| {
                Ok(vec![Some(cumprod_backward(&sx.unpack(node)?, &sy.unpack(node)?, g, d)?)])
            }));
        }
        Ok(out)
    }

    /// `cumsum` in place.
    pub fn cumsum_(&self, dim: i64) -> Result<Tensor> {
        let r = self.cumsum(dim, Some(self.dtype()))?;
        self.copy_(&r)?;
        Ok(self.clone())
    }

    /// `cumprod` in place.
    pub fn cumprod_(&self, dim: i64) -> Result<Tensor> {
        let r = self.cumprod(dim, Some(self.dtype()))?;
        self.copy_(&r)?;
        Ok(self.clone())
    }

    fn running(&self, dim: i64, dtype: DType, op: &str, product: bool) -> Result<Tensor> {
        self.expect_cpu(op)?;
        let d = wrap_dim(dim, self.ndim())?;
        // Half types accumulate in float32, as torch does, and round once at the end.
        let work = if matches!(dtype, DType::F16 | DType::BF16) { DType::F32 } else { dtype };
        let _off = GradModeGuard::new(false);
        let src = self.to_dtype(work)?.contiguous()?;
        let out = Tensor::empty(self.shape(), work, self.device())?;
        let (n, inner) = if self.ndim() == 0 { (1, 1) } else { (self.shape()[d], self.shape()[d + 1..].iter().product()) };
        macro_rules! go {
            ($T:ty) => {{
                // SAFETY: src is contiguous of this dtype with out's numel; out is fresh and ours.
                let (from, to) = unsafe { (std::slice::from_raw_parts(src.cpu_ptr::<$T>()?, src.numel()), owned_slice::<$T>(&out)?) };
                if product {
                    kernels::scan_into(from, to, n, inner, |a: $T, b: $T| a.wrapping_mul_or_mul(b));
                } else {
                    kernels::scan_into(from, to, n, inner, |a: $T, b: $T| a.wrapping_add_or_add(b));
                }
            }};
        }
        match work {
            DType::F32 => go!(f32),
            DType::F64 => go!(f64),
            DType::I64 => go!(i64),
            DType::I32 => go!(i32),
            DType::I16 => go!(i16),
            DType::I8 => go!(i8),
            DType::U8 => go!(u8),
            _ => return Err(Error::NotImplemented(format!("\"{op}_cpu\" not implemented for '{}'", work.scalar_name()))),
        }
        if work != dtype {
            return out.to_dtype(dtype);
        }
        Ok(out)
    }

    /// Running maximum along `dim` and where it came from: (values, indices).
    pub fn cummax(&self, dim: i64) -> Result<(Tensor, Tensor)> {
        self.running_extreme(dim, true)
    }

    /// Running minimum along `dim` and where it came from: (values, indices).
    pub fn cummin(&self, dim: i64) -> Result<(Tensor, Tensor)> {
        self.running_extreme(dim, false)
    }

    fn running_extreme(&self, dim: i64, max: bool) -> Result<(Tensor, Tensor)> {
        let op = if max { "cummax" } else { "cummin" };
        let (values, d, n, inner) = scan_buffer(self, dim, self.dtype(), op)?;
        let indices = crate::ops::creation::zeros(values.shape(), DType::I64, values.device())?;
        crate::with_dtype!(values.dtype(), T => {
            // SAFETY: both are fresh contiguous tensors of the same shape that we own.
            let (v, i) = unsafe { (owned_slice::<T>(&values)?, owned_slice::<i64>(&indices)?) };
            kernels::scan_extreme(v, i, n, inner, max);
        });
        if needs_grad(&[self]) && values.dtype().is_floating_point() {
            let (shape, idx) = (self.shape().to_vec(), indices.clone());
            let name = if max { "CummaxBackward0" } else { "CumminBackward0" };
            record(name, &[self], &[&values], backward_fn(move |_, g| {
                if shape.is_empty() {
                    return Ok(vec![Some(g.clone())]);
                }
                let zeros = crate::ops::creation::zeros(&shape, g.dtype(), g.device())?;
                Ok(vec![Some(zeros.scatter_add(d as i64, &idx, g)?)])
            }));
        }
        Ok((values, indices))
    }

    /// log(cumsum(exp(x))) along `dim`, computed without overflow.
    pub fn logcumsumexp(&self, dim: i64) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            return Err(Error::NotImplemented(format!("\"logcumsumexp_out_cpu\" not implemented for '{}'", self.dtype().scalar_name())));
        }
        let work = if self.dtype() == DType::F64 { DType::F64 } else { DType::F32 };
        let (buf, _, n, inner) = scan_buffer(self, dim, work, "logcumsumexp")?;
        macro_rules! go {
            ($T:ty) => {{
                // SAFETY: scan_buffer returns a fresh contiguous tensor of this dtype.
                let data = unsafe { owned_slice::<$T>(&buf)? };
                kernels::scan(data, n, inner, |a: $T, b: $T| {
                    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
                    if hi == <$T>::NEG_INFINITY || hi.is_nan() || lo.is_nan() {
                        hi + lo // -inf stays -inf; NaN propagates
                    } else {
                        hi + (lo - hi).exp().ln_1p()
                    }
                });
            }};
        }
        if work == DType::F64 { go!(f64) } else { go!(f32) }
        let out = {
            let _off = GradModeGuard::new(false);
            buf.to_dtype(self.dtype())?
        };
        if needs_grad(&[self]) {
            let d = wrap_dim(dim, self.ndim())? as i64;
            let (sx, sy) = (SavedTensor::input(self)?, SavedTensor::output(&out)?);
            record("LogcumsumexpBackward0", &[self], &[&out], backward_fn(move |node, g| {
                // d out_k / d x_i = exp(x_i - out_k) for k >= i; shifted by the last (largest)
                // running value so that the exponentials stay in range.
                let (x, y) = (sx.unpack(node)?, sy.unpack(node)?);
                if x.ndim() == 0 {
                    return Ok(vec![Some(g.clone())]);
                }
                let last = y.narrow(d, y.shape()[d as usize] as i64 - 1, 1)?;
                let weights = g.mul(&last.sub(&y)?.exp()?)?;
                let tail = weights.flip(&[d])?.cumsum(d, None)?.flip(&[d])?;
                Ok(vec![Some(tail.mul(&x.sub(&last)?.exp()?)?)])
            }));
        }
        Ok(out)
    }

    /// The `n`-th forward difference along `dim`, after joining `prepend` and `append`
    /// (logical xor for bool).
    pub fn diff(&self, n: i64, dim: i64, prepend: Option<&Tensor>, append: Option<&Tensor>) -> Result<Tensor> {
        if self.ndim() == 0 {
            bail!("diff expects input to be at least one-dimensional");
        }
        if n < 0 {
            bail!("order must be non-negative but got {n}");
        }
        let d = wrap_dim(dim, self.ndim())? as i64;
        for t in prepend.iter().chain(append.iter()) {
            if t.ndim() != self.ndim() {
                bail!("diff expects prepend or append to be the same dimension as input");
            }
            for (i, (&a, &b)) in self.shape().iter().zip(t.shape()).enumerate() {
                if i as i64 != d && a != b {
                    bail!("diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension; input.size({i}) = {a}, but got tensor.size({i}) = {b}");
                }
            }
        }
        let parts: Vec<Tensor> = prepend.into_iter().cloned().chain([self.clone()]).chain(append.cloned()).collect();
        let mut x = if parts.len() > 1 { crate::ops::join::cat(&parts, d)? } else { self.clone() };
        for _ in 0..n {
            let len = x.shape()[d as usize] as i64;
            if len == 0 {
                break;
            }
            let (hi, lo) = (x.narrow(d, 1, len - 1)?, x.narrow(d, 0, len - 1)?);
            x = if x.dtype() == DType::Bool { hi.logical_xor(&lo)? } else { hi.sub(&lo)? };
        }
        if n == 0 {
            return x.deep_clone();
        }
        Ok(x)
    }
}

/// Gradient of y = cumprod(x) along `d`: sum over k >= i of g_k * y_k / x_i, computed by
/// division when x holds no zero, else through the recurrence s_i = g_i + x_{i+1} s_{i+1}
/// (grad_i = prod_{j<i} x_j * s_i), which needs no division.
fn cumprod_backward(x: &Tensor, y: &Tensor, g: &Tensor, d: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        return Ok(g.clone()); // a scalar's running product is itself
    }
    let zero = Arg::Scalar(Scalar::Float(0.0));
    let any_zero = x.eq(zero)?.all_dims(None, false, false)?.item()?.to_i64() != 0;
    if !any_zero {
        return g.mul(y)?.flip(&[d])?.cumsum(d, None)?.flip(&[d])?.div(x);
    }
    let n = x.shape()[d as usize] as i64;
    let ones = crate::ops::creation::ones(x.narrow(d, 0, 1)?.shape(), x.dtype(), x.device())?;
    let before = crate::ops::join::cat(&[ones, y.narrow(d, 0, n - 1)?], d)?;
    let mut tail = g.narrow(d, n - 1, 1)?;
    let mut sums = vec![tail.clone()];
    for i in (0..n - 1).rev() {
        tail = g.narrow(d, i, 1)?.add(&x.narrow(d, i + 1, 1)?.mul(&tail)?)?;
        sums.push(tail.clone());
    }
    sums.reverse();
    crate::ops::join::cat(&sums, d)?.mul(&before)
}

/// Wrapping integer arithmetic and plain float arithmetic under one name, for the scans.
trait ScanArith {
    fn wrapping_add_or_add(self, o: Self) -> Self;
    fn wrapping_mul_or_mul(self, o: Self) -> Self;
}

macro_rules! int_arith {
    ($($t:ty),*) => {$(
        impl ScanArith for $t {
            fn wrapping_add_or_add(self, o: Self) -> Self { self.wrapping_add(o) }
            fn wrapping_mul_or_mul(self, o: Self) -> Self { self.wrapping_mul(o) }
        }
    )*};
}
int_arith!(i64, i32, i16, i8, u8);

macro_rules! float_arith {
    ($($t:ty),*) => {$(
        impl ScanArith for $t {
            fn wrapping_add_or_add(self, o: Self) -> Self { self + o }
            fn wrapping_mul_or_mul(self, o: Self) -> Self { self * o }
        }
    )*};
}
float_arith!(f32, f64);

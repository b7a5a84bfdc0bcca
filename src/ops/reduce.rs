//! Reductions over dims (int or tuple) with keepdim: sum, mean, prod, max/min (values and
//! indices), amax/amin, argmax/argmin, var/std, norm, logsumexp, all/any, count_nonzero.

use crate::backend::cpu::arith::Arith;
use crate::backend::cpu::reduce::{reduce, Plan, Reducer};
use crate::dtype::{DType, Element, Scalar};
use crate::error::{wrap_dim, Error, Result};
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Which dims a reduction folds: `None` or an empty list means all of them.
pub(crate) fn reduced_mask(ndim: usize, dims: Option<&[i64]>) -> Result<Vec<bool>> {
    let mut mask = vec![false; ndim];
    match dims {
        None | Some([]) => mask.iter_mut().for_each(|m| *m = true),
        Some(ds) => {
            for &d in ds {
                let d = wrap_dim(d, ndim)?;
                if ndim == 0 {
                    continue;
                }
                if mask[d] {
                    bail!("dim {d} appears multiple times in the list of dims");
                }
                mask[d] = true;
            }
        }
    }
    Ok(mask)
}

fn out_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Vec<usize> {
    shape
        .iter()
        .zip(mask)
        .filter_map(|(&s, &m)| if !m { Some(s) } else if keepdim { Some(1) } else { None })
        .collect()
}

/// Runs reducer `r` over the masked dims of `x` (already in the input dtype T).
fn run<T: Element, R: Reducer<T>>(x: &Tensor, mask: &[bool], keepdim: bool, out_dtype: DType, r: &R) -> Result<Tensor>
where
    R::Out: Element,
{
    x.expect_cpu("reduction")?;
    let plan = Plan::new(x.layout(), mask);
    let out = Tensor::empty(&out_shape(x.shape(), mask, keepdim), out_dtype, crate::Device::Cpu)?;
    let po = out.cpu_ptr::<R::Out>()?;
    let px = x.cpu_ptr::<T>()?;
    // SAFETY: the plan is built from x's own layout; out is fresh with plan.outer elements.
    unsafe { reduce(&plan, px, po, r) };
    Ok(out)
}

fn check_nonempty(x: &Tensor, mask: &[bool], name: &str) -> Result<()> {
    if x.numel() == 0 {
        if mask.iter().all(|&m| m) && x.ndim() > 0 {
            return Err(Error::Runtime(format!(
                "{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
            )));
        }
        for (d, (&m, &s)) in mask.iter().zip(x.shape()).enumerate() {
            if m && s == 0 {
                return Err(Error::Index(format!("{name}(): Expected reduction dim {d} to have non-zero size.")));
            }
        }
    }
    Ok(())
}

// ---- reducers ------------------------------------------------------------------------------

/// Float sum accumulated in f64 (exact enough to match numpy's pairwise sums), with `scale`
/// applied at the end (1 for sum, 1/n for mean).
struct SumF<O>(bool, std::marker::PhantomData<O>);

impl<T: Element, O: Element> Reducer<T> for SumF<O> {
    type Acc = f64;
    type Out = O;
    fn init(&self) -> f64 {
        0.0
    }
    #[inline(always)]
    fn step(&self, acc: f64, x: T, _: usize) -> f64 {
        acc + x.to_f64()
    }
    fn combine(&self, a: f64, b: f64) -> f64 {
        a + b
    }
    fn finish(&self, acc: f64, n: usize) -> O {
        O::from_f64(if self.0 { acc / n as f64 } else { acc })
    }
    #[inline(always)]
    fn block(&self, acc: f64, xs: &[T], _: usize) -> f64 {
        if T::DTYPE == DType::F32 {
            // SAFETY: T is f32 (checked through its dtype), so the slice reinterprets exactly.
            let xs = unsafe { std::slice::from_raw_parts(xs.as_ptr() as *const f32, xs.len()) };
            acc + sum_f32(xs)
        } else {
            xs.iter().fold(acc, |a, &x| a + x.to_f64())
        }
    }
}

/// Sums f32 in blocks of 16 lanes (vectorised), each block of 4096 added into an f64 total.
fn sum_f32(xs: &[f32]) -> f64 {
    crate::backend::cpu::map::simd(#[inline(always)] || {
        let mut total = 0.0f64;
        for block in xs.chunks(4096) {
            let mut lanes = [0.0f32; 16];
            let mut it = block.chunks_exact(16);
            for c in &mut it {
                for i in 0..16 {
                    lanes[i] += c[i];
                }
            }
            let tail: f32 = it.remainder().iter().sum();
            total += lanes.iter().map(|&v| v as f64).sum::<f64>() + tail as f64;
        }
        total
    })
}

struct SumI;
impl<T: Element> Reducer<T> for SumI {
    type Acc = i64;
    type Out = i64;
    fn init(&self) -> i64 {
        0
    }
    #[inline(always)]
    fn step(&self, acc: i64, x: T, _: usize) -> i64 {
        acc.wrapping_add(x.to_i64())
    }
    fn combine(&self, a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }
    fn finish(&self, acc: i64, _: usize) -> i64 {
        acc
    }
}

struct ProdF<O>(std::marker::PhantomData<O>);
impl<T: Element, O: Element> Reducer<T> for ProdF<O> {
    type Acc = f64;
    type Out = O;
    fn init(&self) -> f64 {
        1.0
    }
    fn step(&self, acc: f64, x: T, _: usize) -> f64 {
        acc * x.to_f64()
    }
    fn combine(&self, a: f64, b: f64) -> f64 {
        a * b
    }
    fn finish(&self, acc: f64, _: usize) -> O {
        O::from_f64(acc)
    }
}

struct ProdI;
impl<T: Element> Reducer<T> for ProdI {
    type Acc = i64;
    type Out = i64;
    fn init(&self) -> i64 {
        1
    }
    fn step(&self, acc: i64, x: T, _: usize) -> i64 {
        acc.wrapping_mul(x.to_i64())
    }
    fn combine(&self, a: i64, b: i64) -> i64 {
        a.wrapping_mul(b)
    }
    fn finish(&self, acc: i64, _: usize) -> i64 {
        acc
    }
}

/// Max (or min) with its first index; NaN wins, as in torch.
struct Extreme {
    max: bool,
}

impl Extreme {
    #[inline(always)]
    fn better<T: Arith>(&self, x: T, best: T) -> bool {
        if best.is_nan() {
            return false;
        }
        x.is_nan() || if self.max { x > best } else { x < best }
    }
}

/// Accumulator: (best value, its index, any seen).
type ExtAcc<T> = (T, usize, bool);

struct ArgExt(Extreme);
impl<T: Arith> Reducer<T> for ArgExt {
    type Acc = ExtAcc<T>;
    type Out = i64;
    fn init(&self) -> ExtAcc<T> {
        (T::zero(), 0, false)
    }
    #[inline(always)]
    fn step(&self, acc: ExtAcc<T>, x: T, idx: usize) -> ExtAcc<T> {
        if !acc.2 || self.0.better(x, acc.0) {
            (x, idx, true)
        } else {
            acc
        }
    }
    fn combine(&self, a: ExtAcc<T>, b: ExtAcc<T>) -> ExtAcc<T> {
        if !a.2 || (b.2 && self.0.better(b.0, a.0)) {
            b
        } else {
            a
        }
    }
    fn finish(&self, acc: ExtAcc<T>, _: usize) -> i64 {
        acc.1 as i64
    }
}

struct ValExt(Extreme);
impl<T: Arith> Reducer<T> for ValExt {
    type Acc = ExtAcc<T>;
    type Out = T;
    fn init(&self) -> ExtAcc<T> {
        (T::zero(), 0, false)
    }
    #[inline(always)]
    fn step(&self, acc: ExtAcc<T>, x: T, _: usize) -> ExtAcc<T> {
        if !acc.2 || self.0.better(x, acc.0) {
            (x, 0, true)
        } else {
            acc
        }
    }
    fn combine(&self, a: ExtAcc<T>, b: ExtAcc<T>) -> ExtAcc<T> {
        if !a.2 || (b.2 && self.0.better(b.0, a.0)) {
            b
        } else {
            a
        }
    }
    fn finish(&self, acc: ExtAcc<T>, _: usize) -> T {
        acc.0
    }
    #[inline(always)]
    fn block(&self, acc: ExtAcc<T>, xs: &[T], _: usize) -> ExtAcc<T> {
        // Branch-free running extreme (vectorisable), then one NaN check for the block.
        let Some(&first) = xs.first() else { return acc };
        let mut best = first;
        let mut nan = false;
        for &x in xs {
            nan |= x.is_nan();
            best = if (self.0.max && x > best) || (!self.0.max && x < best) { x } else { best };
        }
        if nan {
            best = *xs.iter().find(|x| x.is_nan()).unwrap_or(&best);
        }
        self.step(acc, best, 0)
    }
}

/// all (every element nonzero) or any.
struct Logical {
    all: bool,
}
impl<T: Element> Reducer<T> for Logical {
    type Acc = bool;
    type Out = bool;
    fn init(&self) -> bool {
        self.all
    }
    #[inline(always)]
    fn step(&self, acc: bool, x: T, _: usize) -> bool {
        let nz = x.to_f64() != 0.0;
        if self.all { acc & nz } else { acc | nz }
    }
    fn combine(&self, a: bool, b: bool) -> bool {
        if self.all { a & b } else { a | b }
    }
    fn finish(&self, acc: bool, _: usize) -> bool {
        acc
    }
}

struct CountNonzero;
impl<T: Element> Reducer<T> for CountNonzero {
    type Acc = i64;
    type Out = i64;
    fn init(&self) -> i64 {
        0
    }
    fn step(&self, acc: i64, x: T, _: usize) -> i64 {
        acc + (x.to_f64() != 0.0) as i64
    }
    fn combine(&self, a: i64, b: i64) -> i64 {
        a + b
    }
    fn finish(&self, acc: i64, _: usize) -> i64 {
        acc
    }
}

// ---- public API ----------------------------------------------------------------------------

/// The `p` of a vector norm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrd {
    P(f64),
    Inf,
    NegInf,
}

impl Tensor {
    /// Sum over `dims` (all when `None`); ints and bool sum to int64 unless `dtype` is given.
    pub fn sum_dims(&self, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let x = match dtype {
            Some(d) => self.to_dtype(d)?,
            None => self.clone(),
        };
        let mask = reduced_mask(x.ndim(), dims)?;
        let d = x.dtype();
        if d.is_floating_point() {
            let out = crate::with_dtype!(d, T => run::<T, _>(&x, &mask, keepdim, d, &SumF::<T>(false, Default::default())))?;
            if crate::autograd::record::needs_grad(&[&x]) {
                crate::autograd::formulas::reduce::record_sum(&x, &mask, &out, false);
            }
            Ok(out)
        } else {
            let out = crate::with_dtype!(d, T => run::<T, _>(&x, &mask, keepdim, DType::I64, &SumI))?;
            match dtype {
                Some(dd) if dd != DType::I64 => out.to_dtype(dd),
                _ => Ok(out),
            }
        }
    }

    pub fn sum(&self) -> Result<Tensor> {
        self.sum_dims(None, false, None)
    }

    /// Mean over `dims`; floating dtypes only (or give `dtype`).
    pub fn mean_dims(&self, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let x = match dtype {
            Some(d) => self.to_dtype(d)?,
            None => self.clone(),
        };
        let d = x.dtype();
        if !d.is_floating_point() {
            return Err(crate::Error::NotImplemented(format!(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                d.scalar_name()
            )));
        }
        let mask = reduced_mask(x.ndim(), dims)?;
        let out = crate::with_dtype!(d, T => run::<T, _>(&x, &mask, keepdim, d, &SumF::<T>(true, Default::default())))?;
        if crate::autograd::record::needs_grad(&[&x]) {
            crate::autograd::formulas::reduce::record_sum(&x, &mask, &out, true);
        }
        Ok(out)
    }

    pub fn mean(&self) -> Result<Tensor> {
        self.mean_dims(None, false, None)
    }

    /// Product over one dim (or all); ints and bool multiply in int64.
    pub fn prod_dims(&self, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let x = match dtype {
            Some(d) => self.to_dtype(d)?,
            None => self.clone(),
        };
        let mask = reduced_mask(x.ndim(), dims)?;
        let d = x.dtype();
        if d.is_floating_point() {
            let out = crate::with_dtype!(d, T => run::<T, _>(&x, &mask, keepdim, d, &ProdF::<T>(Default::default())))?;
            if crate::autograd::record::needs_grad(&[&x]) {
                crate::autograd::formulas::reduce::record_prod(&x, &mask, &out)?;
            }
            Ok(out)
        } else {
            let out = crate::with_dtype!(d, T => run::<T, _>(&x, &mask, keepdim, DType::I64, &ProdI))?;
            match dtype {
                Some(dd) if dd != DType::I64 => out.to_dtype(dd),
                _ => Ok(out),
            }
        }
    }

    /// amax/amin over `dims` (all when `None`), NaN-propagating.
    pub fn amax_dims(&self, dims: Option<&[i64]>, keepdim: bool, max: bool) -> Result<Tensor> {
        let mask = reduced_mask(self.ndim(), dims)?;
        check_nonempty(self, &mask, if max { "amax" } else { "amin" })?;
        let d = self.dtype();
        let out = crate::with_dtype!(d, T => run::<T, _>(self, &mask, keepdim, d, &ValExt(Extreme { max })))?;
        if crate::autograd::record::needs_grad(&[self]) && d.is_floating_point() {
            crate::autograd::formulas::reduce::record_extreme(self, &mask, &out, max)?;
        }
        Ok(out)
    }

    /// Index of the max (or min) over one dim, or over the flattened tensor.
    pub fn argmax_dim(&self, dim: Option<i64>, keepdim: bool, max: bool) -> Result<Tensor> {
        let name = if max { "argmax" } else { "argmin" };
        if self.dtype() == DType::Bool {
            bail!("\"{name}_cpu\" not implemented for 'Bool'");
        }
        match dim {
            Some(d) => {
                let mask = reduced_mask(self.ndim(), Some(&[d]))?;
                check_nonempty(self, &mask, name)?;
                crate::with_dtype!(self.dtype(), T => run::<T, _>(self, &mask, keepdim, DType::I64, &ArgExt(Extreme { max })))
            }
            None => {
                let flat = self.reshape(&[-1])?;
                let mask = [true];
                if self.numel() == 0 {
                    return Err(Error::Index(format!("{name}(): Expected reduction dim to be specified for input.numel() == 0.")));
                }
                let r = crate::with_dtype!(flat.dtype(), T => run::<T, _>(&flat, &mask, false, DType::I64, &ArgExt(Extreme { max })))?;
                if keepdim {
                    r.reshape(&vec![1; self.ndim()])
                } else {
                    Ok(r)
                }
            }
        }
    }

    /// `(values, indices)` of the max (or min) over `dim`.
    pub fn max_dim(&self, dim: i64, keepdim: bool, max: bool) -> Result<(Tensor, Tensor)> {
        let values = {
            let mask = reduced_mask(self.ndim(), Some(&[dim]))?;
            check_nonempty(self, &mask, if max { "max" } else { "min" })?;
            let _off = crate::autograd::GradModeGuard::new(false);
            self.amax_dims(Some(&[dim]), keepdim, max)?
        };
        let src = if self.dtype() == DType::Bool { self.to_dtype(DType::U8)? } else { self.clone() };
        let indices = src.argmax_dim(Some(dim), keepdim, max)?;
        if crate::autograd::record::needs_grad(&[self]) && self.dtype().is_floating_point() {
            let d = crate::error::wrap_dim(dim, self.ndim().max(1))?;
            crate::autograd::formulas::reduce::record_max_dim(self, d, keepdim, max, &values, &indices)?;
        }
        Ok((values, indices))
    }

    /// all() / any() over `dims`: bool result (uint8 input gives uint8, as in torch).
    pub fn all_dims(&self, dims: Option<&[i64]>, keepdim: bool, all: bool) -> Result<Tensor> {
        let mask = reduced_mask(self.ndim(), dims)?;
        let out = crate::with_dtype!(self.dtype(), T => run::<T, _>(self, &mask, keepdim, DType::Bool, &Logical { all }))?;
        if self.dtype() == DType::U8 {
            out.to_dtype(DType::U8)
        } else {
            Ok(out)
        }
    }

    pub fn count_nonzero(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        let mask = reduced_mask(self.ndim(), dims)?;
        crate::with_dtype!(self.dtype(), T => run::<T, _>(self, &mask, false, DType::I64, &CountNonzero))
    }

    /// Variance with Bessel's `correction` (1 = unbiased), two-pass for accuracy.
    pub fn var_dims(&self, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            bail!("std and var only support floating point and complex dtypes");
        }
        if matches!(self.dtype(), DType::F16 | DType::BF16) {
            return self.to_dtype(DType::F32)?.var_dims(dims, correction, keepdim)?.to_dtype(self.dtype());
        }
        let mask = reduced_mask(self.ndim(), dims)?;
        let n: usize = self.shape().iter().zip(&mask).filter(|x| *x.1).map(|x| *x.0).product();
        let mean = self.mean_dims(dims, true, None)?;
        let dev = self.sub(&mean)?;
        let ss = dev.mul(&dev)?.sum_dims(dims, keepdim, None)?;
        let denom = (n as f64 - correction).max(0.0);
        ss.div(Scalar::Float(denom))
    }

    pub fn std_dims(&self, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        self.var_dims(dims, correction, keepdim)?.sqrt()
    }

    /// Vector p-norm over `dims` (all when `None`).
    pub fn norm_dims(&self, p: NormOrd, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            return Err(crate::Error::NotImplemented(format!(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
                self.dtype().scalar_name()
            )));
        }
        if crate::autograd::record::needs_grad(&[self]) {
            // The composition below would give NaN gradients at a zero vector; record the
            // norm as one node with torch's subgradient instead.
            let out = {
                let _off = crate::autograd::GradModeGuard::new(false);
                self.norm_dims(p, dims, keepdim)?
            };
            crate::autograd::formulas::linalg::record_vector_norm(self, p, dims, keepdim, &out)?;
            return Ok(out);
        }
        let a = self.abs()?;
        match p {
            NormOrd::Inf => a.amax_dims(dims, keepdim, true),
            NormOrd::NegInf => a.amax_dims(dims, keepdim, false),
            NormOrd::P(0.0) => a.ne(Scalar::Int(0))?.to_dtype(self.dtype())?.sum_dims(dims, keepdim, None),
            NormOrd::P(1.0) => a.sum_dims(dims, keepdim, None),
            NormOrd::P(2.0) => a.mul(&a)?.sum_dims(dims, keepdim, None)?.sqrt(),
            NormOrd::P(p) => a.pow(Scalar::Float(p))?.sum_dims(dims, keepdim, None)?.pow(Scalar::Float(1.0 / p)),
        }
    }

    /// log(sum(exp(x))) over `dims`, computed stably around the max.
    pub fn logsumexp(&self, dims: &[i64], keepdim: bool) -> Result<Tensor> {
        let x = if self.dtype().is_floating_point() { self.clone() } else { self.to_dtype(crate::default_dtype())? };
        if x.numel() == 0 {
            return x.exp()?.sum_dims(Some(dims), keepdim, None)?.log();
        }
        let m = x.amax_dims(Some(dims), true, true)?;
        // An infinite max would turn x - m into NaN; shift by 0 there instead.
        let m = m.isinf()?.where_self(&crate::ops::creation::zeros(&[], m.dtype(), m.device())?, &m)?;
        let s = x.sub(&m)?.exp()?.sum_dims(Some(dims), true, None)?.log()?.add(&m)?;
        if keepdim {
            Ok(s)
        } else {
            let mask = reduced_mask(x.ndim(), Some(dims))?;
            s.reshape(&out_shape(x.shape(), &mask, false).iter().map(|&d| d as i64).collect::<Vec<_>>())
        }
    }
}

/// Layout helper kept for callers that need the output shape of a reduction.
pub fn reduction_shape(layout: &Layout, dims: Option<&[i64]>, keepdim: bool) -> Result<Vec<usize>> {
    Ok(out_shape(&layout.shape, &reduced_mask(layout.ndim(), dims)?, keepdim))
}

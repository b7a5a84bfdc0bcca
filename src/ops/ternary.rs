//! Ops with a condition or bounds: where, masked_fill, clamp, lerp, nan_to_num.

use crate::backend::cpu::map::{map3, Operand};
use crate::dtype::{promote_types, DType, Element, ResultType, Scalar};
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::ops::Arg;
use crate::tensor::Tensor;

fn expand(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    Ok(t.with_layout(t.layout().expand(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>())?))
}

fn tensor_of(a: Arg, dtype: DType) -> Result<Tensor> {
    match a {
        Arg::Tensor(t) => t.to_dtype(dtype),
        Arg::Scalar(s) => crate::ops::creation::full(&[], s, dtype, crate::Device::Cpu),
    }
}

fn shape_of(a: Arg) -> Vec<usize> {
    match a {
        Arg::Tensor(t) => t.shape().to_vec(),
        Arg::Scalar(_) => vec![],
    }
}

fn add_to(rt: ResultType, a: Arg) -> ResultType {
    match a {
        Arg::Tensor(t) => rt.tensor(t.dtype(), t.ndim()),
        Arg::Scalar(s) => rt.scalar(s),
    }
}

/// `torch.where(cond, a, b)`: elements of `a` where `cond`, else of `b`.
pub fn where_(cond: &Tensor, a: Arg, b: Arg) -> Result<Tensor> {
    let tensors: Vec<&Tensor> = [a, b].into_iter().filter_map(|x| if let Arg::Tensor(t) = x { Some(t) } else { None }).collect();
    if !crate::autograd::record::needs_grad(&tensors) {
        return where_kernel(cond, a, b);
    }
    let out = {
        let _off = crate::autograd::GradModeGuard::new(false);
        where_kernel(cond, a, b)?
    };
    if out.dtype().is_floating_point() {
        crate::autograd::formulas::ternary::record_where(cond, a, b, &out);
    }
    Ok(out)
}

fn where_kernel(cond: &Tensor, a: Arg, b: Arg) -> Result<Tensor> {
    if cond.dtype() != DType::Bool && cond.dtype() != DType::U8 {
        bail!("where expected condition to be a boolean tensor, but got a tensor with dtype {}", cond.dtype().scalar_name());
    }
    let dtype = add_to(add_to(ResultType::default(), a), b).result();
    let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), &shape_of(a))?, &shape_of(b))?;
    let c = expand(&cond.to_dtype(DType::Bool)?, &shape)?;
    let (ta, tb) = (expand(&tensor_of(a, dtype)?, &shape)?, expand(&tensor_of(b, dtype)?, &shape)?);
    let out = Tensor::empty(&shape, dtype, crate::Device::Cpu)?;
    crate::with_dtype!(dtype, T => {
        let (pc, pa, pb, po) = (c.cpu_ptr::<bool>()?, ta.cpu_ptr::<T>()?, tb.cpu_ptr::<T>()?, out.cpu_ptr::<T>()?);
        // SAFETY: all operands are views broadcast to out's shape; out is fresh.
        unsafe {
            map3::<bool, T, T, T>(&shape, Operand::new(po, out.strides()), Operand::new(pc, c.strides()),
                Operand::new(pa, ta.strides()), Operand::new(pb, tb.strides()), |c, x, y| if c { x } else { y })
        }
    });
    Ok(out)
}

impl Tensor {
    /// `torch.where(self_as_cond, a, b)` with tensors: convenience for the crate.
    pub fn where_self(&self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        where_(self, Arg::Tensor(a), Arg::Tensor(b))
    }

    /// Elements where `mask` is true set to `value` (out of place).
    pub fn masked_fill(&self, mask: &Tensor, value: Arg) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            bail!("masked_fill_ only supports boolean masks, but got mask with dtype {}", mask.dtype().scalar_name());
        }
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        if shape.as_slice() != self.shape() {
            bail!("The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension 0", self.numel(), mask.numel());
        }
        if let Arg::Tensor(v) = value {
            if v.ndim() != 0 {
                bail!("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).", v.ndim());
            }
        }
        let value_tensor = match value {
            Arg::Tensor(v) => Some(v),
            Arg::Scalar(_) => None,
        };
        let mut inputs = vec![self];
        inputs.extend(value_tensor);
        let _off = crate::autograd::GradModeGuard::new(false);
        let v = tensor_of(value, self.dtype())?;
        let out = where_(mask, Arg::Tensor(&v), Arg::Tensor(self))?;
        drop(_off);
        if crate::autograd::record::needs_grad(&inputs) {
            crate::autograd::formulas::ternary::record_masked_fill(self, mask, value_tensor, &out);
        }
        Ok(out)
    }

    pub fn masked_fill_(&self, mask: &Tensor, value: Arg) -> Result<Tensor> {
        let r = self.masked_fill(mask, value)?;
        self.copy_(&r)?;
        Ok(self.clone())
    }

    /// Clamps into `[min, max]`; either bound may be absent, a scalar or a tensor.
    pub fn clamp(&self, min: Option<Arg>, max: Option<Arg>) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            bail!("torch.clamp: At least one of 'min' or 'max' must not be None");
        }
        let scalar = |a: Option<Arg>| match a {
            Some(Arg::Scalar(s)) => Some(Some(s)),
            None => Some(None),
            Some(Arg::Tensor(_)) => None,
        };
        if let (Some(lo), Some(hi), true) = (scalar(min), scalar(max), crate::autograd::record::needs_grad(&[self])) {
            let out = {
                let _off = crate::autograd::GradModeGuard::new(false);
                self.clamp(min, max)?
            };
            if out.dtype().is_floating_point() {
                crate::autograd::formulas::ternary::record_clamp(self, lo, hi, &out)?;
            }
            return Ok(out);
        }
        if crate::autograd::record::needs_grad(&[self]) || [min, max].iter().flatten().any(|b| matches!(b, Arg::Tensor(t) if t.requires_grad())) {
            // Tensor bounds under autograd: maximum/minimum share the gradient at ties, as
            // torch's clamp does.
            let mut out = self.clone();
            if let Some(lo) = min {
                out = out.maximum(lo)?;
            }
            if let Some(hi) = max {
                out = out.minimum(hi)?;
            }
            return Ok(out);
        }
        let mut rt = ResultType::default().tensor(self.dtype(), self.ndim());
        for b in [min, max].into_iter().flatten() {
            rt = add_to(rt, b);
        }
        let dtype = rt.result();
        let mut out = self.to_dtype(dtype)?;
        if let Some(lo) = min {
            out = out.maximum_keep_nan(lo, dtype)?;
        }
        if let Some(hi) = max {
            out = out.minimum_keep_nan(hi, dtype)?;
        }
        if out.same_storage(self) {
            out = out.deep_clone()?;
        }
        Ok(out)
    }

    /// max(self, bound) where a NaN in self stays NaN (clamp's rule), bound NaN propagates.
    fn maximum_keep_nan(&self, bound: Arg, dtype: DType) -> Result<Tensor> {
        let b = tensor_of(bound, dtype)?;
        let shape = broadcast_shapes(self.shape(), b.shape())?;
        let cond = self.lt(&b)?.logical_or(&b.isnan()?)?;
        where_(&expand(&cond, &shape)?, Arg::Tensor(&b), Arg::Tensor(self))
    }

    fn minimum_keep_nan(&self, bound: Arg, dtype: DType) -> Result<Tensor> {
        let b = tensor_of(bound, dtype)?;
        let shape = broadcast_shapes(self.shape(), b.shape())?;
        let cond = self.gt(&b)?.logical_or(&b.isnan()?)?;
        where_(&expand(&cond, &shape)?, Arg::Tensor(&b), Arg::Tensor(self))
    }

    /// `self + weight * (end - self)`.
    pub fn lerp(&self, end: &Tensor, weight: Arg) -> Result<Tensor> {
        if !self.dtype().is_floating_point() || end.dtype() != self.dtype() {
            bail!("expected dtype {} for `end` but got dtype {}", self.dtype().scalar_name(), end.dtype().scalar_name());
        }
        if matches!(self.dtype(), DType::F16 | DType::BF16) {
            let w = match weight {
                Arg::Tensor(t) => Some(t.to_dtype(DType::F32)?),
                Arg::Scalar(_) => None,
            };
            let w = w.as_ref().map(Arg::Tensor).unwrap_or(weight);
            return self.to_dtype(DType::F32)?.lerp(&end.to_dtype(DType::F32)?, w)?.to_dtype(self.dtype());
        }
        let diff = end.sub(self)?;
        self.add(&diff.mul(weight)?)
    }

    /// NaN to `nan`, +inf to `posinf`, -inf to `neginf` (defaults: 0 and the dtype's extremes).
    pub fn nan_to_num(&self, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> Result<Tensor> {
        let d = self.dtype();
        if !d.is_floating_point() {
            return self.deep_clone();
        }
        if crate::autograd::record::needs_grad(&[self]) {
            let out = {
                let _off = crate::autograd::GradModeGuard::new(false);
                self.nan_to_num(nan, posinf, neginf)?
            };
            crate::autograd::formulas::ternary::record_nan_to_num(self, &out);
            return Ok(out);
        }
        let (hi, lo) = match d {
            DType::F16 => (65504.0, -65504.0),
            DType::BF16 => (half::bf16::MAX.to_f64(), half::bf16::MIN.to_f64()),
            DType::F32 => (f32::MAX as f64, f32::MIN as f64),
            _ => (f64::MAX, f64::MIN),
        };
        let (p, n) = (posinf.unwrap_or(hi), neginf.unwrap_or(lo));
        crate::with_dtype!(d, T => {
            let (nv, pv, ngv) = (T::from_f64(nan), T::from_f64(p), T::from_f64(n));
            let x = self.clone();
            let out = Tensor::empty(self.shape(), d, crate::Device::Cpu)?;
            let (px, po) = (x.cpu_ptr::<T>()?, out.cpu_ptr::<T>()?);
            // SAFETY: same shape; out is fresh.
            unsafe {
                crate::backend::cpu::map::map1::<T, T>(self.shape(), Operand::new(po, out.strides()), Operand::new(px, x.strides()), |v| {
                    let f = v.to_f64();
                    if f.is_nan() { nv } else if f == f64::INFINITY { pv } else if f == f64::NEG_INFINITY { ngv } else { v }
                })
            };
            Ok(out)
        })
    }
}

/// The dtype two values promote to (re-exported for the bindings' `promote_types`).
pub fn promote(a: DType, b: DType) -> DType {
    promote_types(a, b)
}

/// A scalar bound as an `Arg`.
pub fn scalar_arg<'a>(s: Scalar) -> Arg<'a> {
    Arg::Scalar(s)
}

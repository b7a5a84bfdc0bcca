//! Factory functions: full/zeros/ones, arange, linspace, logspace, eye, fill_.

use crate::backend::cpu::map::{map1, Operand};
use crate::device::Device;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// A tensor of `shape` filled with `value`.
pub fn full(shape: &[usize], value: Scalar, dtype: DType, device: Device) -> Result<Tensor> {
    let t = Tensor::empty(shape, dtype, Device::Cpu)?;
    t.fill_(value)?;
    t.to_device(device)
}

pub fn zeros(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
    full(shape, Scalar::Int(0), dtype, device)
}

pub fn ones(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
    full(shape, Scalar::Int(1), dtype, device)
}

/// Values `start, start+step, ...` below `end` (above, for a negative step).
pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: DType, device: Device) -> Result<Tensor> {
    let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
    if st == 0.0 {
        bail!("step must be nonzero");
    }
    if !s.is_finite() || !e.is_finite() {
        bail!("unsupported range: {s} -> {e}");
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        bail!("upper bound and larger bound inconsistent with step sign");
    }
    let integral = !start.is_float() && !end.is_float() && !step.is_float();
    let n = if integral {
        let (s, e, st) = (start.to_i64() as i128, end.to_i64() as i128, step.to_i64() as i128);
        ((e - s + st - st.signum()) / st).max(0) as usize
    } else {
        ((e - s) / st).ceil().max(0.0) as usize
    };
    let out = Tensor::empty(&[n], dtype, Device::Cpu)?;
    crate::with_dtype!(dtype, T => {
        let p = out.cpu_ptr::<T>()?;
        for i in 0..n {
            let v = if integral {
                T::from_i64(start.to_i64().wrapping_add((i as i64).wrapping_mul(step.to_i64())))
            } else {
                T::from_f64(s + i as f64 * st)
            };
            // SAFETY: out holds n contiguous elements.
            unsafe { *p.add(i) = v };
        }
    });
    out.to_device(device)
}

/// `steps` values evenly spaced from `start` to `end` inclusive (torch's symmetric formula).
pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType, device: Device) -> Result<Tensor> {
    if steps < 0 {
        bail!("number of steps must be non-negative");
    }
    let n = steps as usize;
    let out = Tensor::empty(&[n], dtype, Device::Cpu)?;
    let step = if n > 1 { (end - start) / (n - 1) as f64 } else { 0.0 };
    crate::with_dtype!(dtype, T => {
        let p = out.cpu_ptr::<T>()?;
        let half = n / 2;
        for i in 0..n {
            let v = if n == 1 || i < half { start + step * i as f64 } else { end - step * (n - 1 - i) as f64 };
            // SAFETY: out holds n contiguous elements.
            unsafe { *p.add(i) = if dtype.is_floating_point() { T::from_f64(v) } else { T::from_i64(v as i64) } };
        }
    });
    out.to_device(device)
}

/// `base ** linspace(start, end, steps)`.
pub fn logspace(start: f64, end: f64, steps: i64, base: f64, dtype: DType, device: Device) -> Result<Tensor> {
    let lin = linspace(start, end, steps, DType::F64, Device::Cpu)?;
    let vals: Vec<f64> = lin.to_vec::<f64>()?.into_iter().map(|x| base.powf(x)).collect();
    Tensor::from_vec(vals, &[steps.max(0) as usize])?.to_dtype(dtype)?.to_device(device)
}

/// An `n x m` matrix with ones on the diagonal.
pub fn eye(n: usize, m: usize, dtype: DType, device: Device) -> Result<Tensor> {
    let out = zeros(&[n, m], dtype, Device::Cpu)?;
    crate::with_dtype!(dtype, T => {
        let p = out.cpu_ptr::<T>()?;
        for i in 0..n.min(m) {
            // SAFETY: i*m+i < n*m.
            unsafe { *p.add(i * m + i) = T::one() };
        }
    });
    out.to_device(device)
}

/// Checks that a scalar fits the dtype as torch does for fill/full (e.g. no 1.5 into bool is fine,
/// but a float into an integer tensor is truncated, and out-of-range ints overflow errors).
pub(crate) fn check_fill_value(value: Scalar, dtype: DType) -> Result<()> {
    if let (Scalar::Int(v), true) = (value, dtype.is_integral()) {
        let (lo, hi): (i64, i64) = match dtype {
            DType::U8 => (0, 255),
            DType::I8 => (-128, 127),
            DType::I16 => (i16::MIN as i64, i16::MAX as i64),
            DType::I32 => (i32::MIN as i64, i32::MAX as i64),
            _ => (i64::MIN, i64::MAX),
        };
        if v < lo || v > hi {
            // torch names the C++ type.
            let c_type = match dtype {
                DType::U8 => "uint8_t",
                DType::I8 => "int8_t",
                DType::I16 => "int16_t",
                DType::I32 => "int",
                _ => "int64_t",
            };
            return Err(Error::Runtime(format!("value cannot be converted to type {c_type} without overflow")));
        }
    }
    Ok(())
}

impl Tensor {
    /// Sets every element to `value` (`Tensor.fill_`).
    pub fn fill_(&self, value: Scalar) -> Result<()> {
        self.check_inplace_allowed()?;
        check_fill_value(value, self.dtype())?;
        if crate::autograd::record::needs_grad(&[self]) {
            let (dtype, device) = (self.dtype(), self.device());
            crate::autograd::inplace::overwrite(self, &full(self.shape(), value, dtype, device)?)?;
            return Ok(());
        }
        if self.device() != Device::Cpu {
            let src = full(&[], value, self.dtype(), Device::Cpu)?;
            return self.copy_(&src);
        }
        crate::with_dtype!(self.dtype(), T => {
            let v = T::from_scalar(value);
            let p = self.cpu_ptr::<T>()?;
            if self.is_contiguous() {
                // SAFETY: a contiguous tensor's numel elements start at p.
                unsafe { crate::backend::cpu::bulk::fill(p, self.numel(), v) };
            } else {
                // SAFETY: the tensor's own layout; input and output are the same elements.
                unsafe { map1::<T, T>(self.shape(), Operand::new(p, self.strides()), Operand::new(p, self.strides()), |_| v) };
            }
        });
        self.bump_version();
        Ok(())
    }

    pub fn zero_(&self) -> Result<()> {
        self.fill_(Scalar::Int(0))
    }
}

/// Builds a tensor from flat values of any element type (used by nested-list parsing).
pub fn from_flat<T: Element>(data: Vec<T>, shape: &[usize], dtype: DType) -> Result<Tensor> {
    Tensor::from_vec(data, shape)?.to_dtype(dtype)
}

//! Math methods of the Python Tensor: operators, the unary family, reductions, matmul.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use super::args::{arg, dims, tensor_arg, try_arg, OwnedArg};
use super::dtype::parse_dtype;
use super::tensor::{nogil, PyTensor, TensorOut};
use crate::dtype::Scalar;
use crate::ops::binary::{binary, binary_inplace, BinaryOp};
use crate::ops::reduce::NormOrd;
use crate::ops::unary::{unary, UnaryOp};
use crate::ops::Arg;
use crate::tensor::Tensor;

fn out_tensor(out: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Tensor>> {
    match out {
        Some(o) if !o.is_none() => Ok(Some(tensor_arg(o, "out")?)),
        _ => Ok(None),
    }
}

fn numel_of(a: &OwnedArg) -> usize {
    match a {
        OwnedArg::Tensor(t) => t.numel(),
        OwnedArg::Scalar(_) => 1,
    }
}

/// `a op b` for operators: NotImplemented when `b` is not a tensor or number.
fn operator(py: Python<'_>, a: &Tensor, b: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<Py<PyAny>> {
    let Some(b) = try_arg(b)? else {
        return Ok(py.NotImplemented());
    };
    let a = OwnedArg::Tensor(a.clone());
    let n = numel_of(&a).max(numel_of(&b));
    let (x, y) = if reflected { (b, a) } else { (a, b) };
    let t = nogil(py, n, move || binary(op, x.as_arg(), y.as_arg(), None))?;
    Ok(PyTensor::wrap(t).into_pyobject(py)?.into_any().unbind())
}

fn inplace<'py>(slf: &Bound<'py, PyTensor>, other: &Bound<'py, PyAny>, op: BinaryOp) -> PyResult<Bound<'py, PyTensor>> {
    let b = arg(other, op.name())?;
    let t = slf.get().t.clone();
    nogil(slf.py(), t.numel(), move || binary_inplace(op, &t, b.as_arg()))?;
    Ok(slf.clone())
}

/// The result of an op with `out=`: the `out` object itself when given, as in torch.
fn result(py: Python<'_>, t: Tensor, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    match out {
        Some(o) if !o.is_none() => Ok(o.clone().unbind()),
        _ => Ok(PyTensor::wrap(t).into_pyobject(py)?.unbind().into_any()),
    }
}

/// Named binary method with `out=`.
fn named(py: Python<'_>, a: &Tensor, other: &Bound<'_, PyAny>, op: BinaryOp, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let b = match op {
        BinaryOp::Maximum | BinaryOp::Minimum => OwnedArg::Tensor(tensor_arg(other, op.name())?),
        _ => arg(other, op.name())?,
    };
    let o = out_tensor(out)?;
    let a = a.clone();
    let n = a.numel().max(numel_of(&b));
    let t = nogil(py, n, move || binary(op, Arg::Tensor(&a), b.as_arg(), o.as_ref()))?;
    result(py, t, out)
}

/// `other * alpha` when alpha is not 1 (add/sub's `alpha=`).
fn scaled(input: &Tensor, other: OwnedArg, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<OwnedArg> {
    let Some(alpha) = alpha else { return Ok(other) };
    let Some(s) = super::args::to_scalar(alpha)? else {
        return Err(PyTypeError::new_err("alpha must be a number"));
    };
    let other_float = match &other { OwnedArg::Tensor(t) => t.dtype().is_floating_point(), OwnedArg::Scalar(v) => v.is_float() };
    if s.is_float() && !input.dtype().is_floating_point() && !other_float {
        return Err(PyRuntimeError::new_err("For integral input tensors, argument alpha must not be a floating point number."));
    }
    if s == Scalar::Int(1) {
        return Ok(other);
    }
    Ok(match other {
        OwnedArg::Tensor(t) => OwnedArg::Tensor(t.mul(s)?),
        OwnedArg::Scalar(v) => OwnedArg::Scalar(match (v, s) {
            (Scalar::Float(_), _) | (_, Scalar::Float(_)) => Scalar::Float(v.to_f64() * s.to_f64()),
            _ => Scalar::Int(v.to_i64() * s.to_i64()),
        }),
    })
}

macro_rules! operators {
    ($($dunder:ident, $rdunder:ident, $idunder:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $dunder(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    operator(py, &self.t, other, BinaryOp::$op, false)
                }
                fn $rdunder(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    operator(py, &self.t, other, BinaryOp::$op, true)
                }
                fn $idunder(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                    inplace(slf, other, BinaryOp::$op).map(|_| ())
                }
            )*
        }
    };
}

operators! {
    __add__, __radd__, __iadd__ => Add;
    __sub__, __rsub__, __isub__ => Sub;
    __mul__, __rmul__, __imul__ => Mul;
    __truediv__, __rtruediv__, __itruediv__ => Div;
    __floordiv__, __rfloordiv__, __ifloordiv__ => FloorDiv;
    __mod__, __rmod__, __imod__ => Rem;
    __and__, __rand__, __iand__ => BitAnd;
    __or__, __ror__, __ior__ => BitOr;
    __xor__, __rxor__, __ixor__ => BitXor;
    __lshift__, __rlshift__, __ilshift__ => Shl;
    __rshift__, __rrshift__, __irshift__ => Shr;
}

macro_rules! comparisons {
    ($($dunder:ident, $name:ident, $name_:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $dunder(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    operator(py, &self.t, other, BinaryOp::$op, false)
                }
                #[pyo3(signature = (other, *, out=None))]
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                    named(py, &self.t, other, BinaryOp::$op, out)
                }
                fn $name_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                    inplace(slf, other, BinaryOp::$op)
                }
            )*
        }
    };
}

comparisons! {
    __eq__, eq, eq_ => Eq;
    __ne__, ne, ne_ => Ne;
    __lt__, lt, lt_ => Lt;
    __le__, le, le_ => Le;
    __gt__, gt, gt_ => Gt;
    __ge__, ge, ge_ => Ge;
}

macro_rules! named_binary {
    ($($name:ident, $name_:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (other, *, out=None))]
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                    named(py, &self.t, other, BinaryOp::$op, out)
                }
                fn $name_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                    inplace(slf, other, BinaryOp::$op)
                }
            )*
        }
    };
}

named_binary! {
    mul, mul_ => Mul;
    multiply, multiply_ => Mul;
    true_divide, true_divide_ => Div;
    floor_divide, floor_divide_ => FloorDiv;
    remainder, remainder_ => Rem;
    pow, pow_ => Pow;
    atan2, atan2_ => Atan2;
    arctan2, arctan2_ => Atan2;
    maximum, maximum_ => Maximum;
    minimum, minimum_ => Minimum;
    logical_and, logical_and_ => LogicalAnd;
    logical_or, logical_or_ => LogicalOr;
    logical_xor, logical_xor_ => LogicalXor;
    bitwise_and, bitwise_and_ => BitAnd;
    bitwise_or, bitwise_or_ => BitOr;
    bitwise_xor, bitwise_xor_ => BitXor;
    bitwise_left_shift, bitwise_left_shift_ => Shl;
    bitwise_right_shift, bitwise_right_shift_ => Shr;
    greater, greater_ => Gt;
    greater_equal, greater_equal_ => Ge;
    less, less_ => Lt;
    less_equal, less_equal_ => Le;
    not_equal, not_equal_ => Ne;
}

macro_rules! unary_methods {
    ($($name:ident, $name_:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(signature = (*, out=None))]
                fn $name(&self, py: Python<'_>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                    let o = out_tensor(out)?;
                    let t = self.t.clone();
                    let r = nogil(py, t.numel(), move || unary(UnaryOp::$op, &t, o.as_ref()))?;
                    result(py, r, out)
                }
                fn $name_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
                    let t = slf.get().t.clone();
                    nogil(slf.py(), t.numel(), move || unary(UnaryOp::$op, &t, Some(&t)))?;
                    Ok(slf.clone())
                }
            )*
        }
    };
}

unary_methods! {
    neg, neg_ => Neg; negative, negative_ => Neg; abs, abs_ => Abs; absolute, absolute_ => Abs;
    sign, sign_ => Sign; square, square_ => Square; relu, relu_ => Relu;
    floor, floor_ => Floor; ceil, ceil_ => Ceil; trunc, trunc_ => Trunc; fix, fix_ => Trunc;
    frac, frac_ => Frac; exp, exp_ => Exp; exp2, exp2_ => Exp2; expm1, expm1_ => Expm1;
    log, log_ => Log; log2, log2_ => Log2; log10, log10_ => Log10; log1p, log1p_ => Log1p;
    sqrt, sqrt_ => Sqrt; rsqrt, rsqrt_ => Rsqrt; reciprocal, reciprocal_ => Reciprocal;
    sin, sin_ => Sin; cos, cos_ => Cos; tan, tan_ => Tan; asin, asin_ => Asin; arcsin, arcsin_ => Asin;
    acos, acos_ => Acos; arccos, arccos_ => Acos; atan, atan_ => Atan; arctan, arctan_ => Atan;
    sinh, sinh_ => Sinh; cosh, cosh_ => Cosh; tanh, tanh_ => Tanh; sigmoid, sigmoid_ => Sigmoid;
    erf, erf_ => Erf; erfinv, erfinv_ => Erfinv; silu, silu_ => Silu;
    logical_not, logical_not_ => LogicalNot; bitwise_not, bitwise_not_ => BitNot;
}

fn norm_ord(p: Option<&Bound<'_, PyAny>>) -> PyResult<NormOrd> {
    let Some(p) = p.filter(|p| !p.is_none()) else { return Ok(NormOrd::P(2.0)) };
    if let Ok(s) = p.extract::<String>() {
        return match s.as_str() {
            "fro" => Ok(NormOrd::P(2.0)),
            _ => Err(PyRuntimeError::new_err(format!("norm: unsupported p '{s}' for vector norms"))),
        };
    }
    let v: f64 = p.extract()?;
    Ok(if v == f64::INFINITY { NormOrd::Inf } else if v == f64::NEG_INFINITY { NormOrd::NegInf } else { NormOrd::P(v) })
}

/// Reads `correction` / `unbiased` as torch's var/std do.
fn correction_of(unbiased: Option<bool>, correction: Option<f64>) -> f64 {
    match (correction, unbiased) {
        (Some(c), _) => c,
        (None, Some(false)) => 0.0,
        _ => 1.0,
    }
}

fn return_type(py: Python<'_>, name: &str, values: Tensor, indices: Tensor) -> PyResult<Py<PyAny>> {
    let cls = py.import("rtorch.return_types")?.getattr(name)?;
    let (v, i) = (PyTensor::wrap(values).into_pyobject(py)?, PyTensor::wrap(indices).into_pyobject(py)?);
    Ok(cls.call1((v, i))?.unbind())
}

#[pymethods]
impl PyTensor {
    fn __pos__(&self) -> TensorOut {
        PyTensor::wrap(self.t.clone())
    }

    fn __neg__(&self, py: Python<'_>) -> PyResult<TensorOut> {
        let t = self.t.clone();
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.neg())?))
    }

    fn __abs__(&self, py: Python<'_>) -> PyResult<TensorOut> {
        let t = self.t.clone();
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.abs())?))
    }

    fn __invert__(&self) -> PyResult<TensorOut> {
        if self.t.dtype().is_floating_point() {
            return Err(PyTypeError::new_err("~ (operator.invert) is only implemented on integer and Boolean-type tensors"));
        }
        Ok(PyTensor::wrap(self.t.bitwise_not()?))
    }

    fn __pow__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        operator(py, &self.t, other, BinaryOp::Pow, false)
    }

    fn __rpow__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        operator(py, &self.t, other, BinaryOp::Pow, true)
    }

    fn __ipow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, _modulo: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Pow).map(|_| ())
    }

    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(o) = other.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (self.t.clone(), o.get().t.clone());
        let t = nogil(py, a.numel().max(b.numel()), move || a.matmul(&b))?;
        Ok(PyTensor::wrap(t).into_pyobject(py)?.into_any().unbind())
    }

    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(o) = other.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (o.get().t.clone(), self.t.clone());
        let t = nogil(py, a.numel().max(b.numel()), move || a.matmul(&b))?;
        Ok(PyTensor::wrap(t).into_pyobject(py)?.into_any().unbind())
    }

    #[pyo3(signature = (other, *, alpha=None, out=None))]
    fn add(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let b = scaled(&self.t, arg(other, "add")?, alpha)?;
        let (a, o) = (self.t.clone(), out_tensor(out)?);
        let r = nogil(py, a.numel(), move || binary(BinaryOp::Add, Arg::Tensor(&a), b.as_arg(), o.as_ref()))?;
        result(py, r, out)
    }

    #[pyo3(signature = (other, *, alpha=None))]
    fn add_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let b = scaled(&slf.get().t, arg(other, "add_")?, alpha)?;
        let t = slf.get().t.clone();
        nogil(slf.py(), t.numel(), move || binary_inplace(BinaryOp::Add, &t, b.as_arg()))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (other, *, alpha=None, out=None))]
    fn sub(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let b = scaled(&self.t, arg(other, "sub")?, alpha)?;
        let (a, o) = (self.t.clone(), out_tensor(out)?);
        let r = nogil(py, a.numel(), move || binary(BinaryOp::Sub, Arg::Tensor(&a), b.as_arg(), o.as_ref()))?;
        result(py, r, out)
    }

    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let b = scaled(&slf.get().t, arg(other, "sub_")?, alpha)?;
        let t = slf.get().t.clone();
        nogil(slf.py(), t.numel(), move || binary_inplace(BinaryOp::Sub, &t, b.as_arg()))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (other, *, alpha=None, out=None))]
    fn subtract(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        self.sub(py, other, alpha, out)
    }

    #[pyo3(signature = (other, *, rounding_mode=None, out=None))]
    fn div(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rounding_mode: Option<&str>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        match rounding_mode {
            None => named(py, &self.t, other, BinaryOp::Div, out),
            Some("floor") => named(py, &self.t, other, BinaryOp::FloorDiv, out),
            Some("trunc") => {
                let b = arg(other, "div")?;
                let int_result = !self.t.dtype().is_floating_point()
                    && match &b { OwnedArg::Tensor(t) => !t.dtype().is_floating_point(), OwnedArg::Scalar(s) => !s.is_float() };
                if int_result {
                    // Integer division by zero raises, as for floor division.
                    binary(BinaryOp::FloorDiv, Arg::Tensor(&self.t), b.as_arg(), None)?;
                }
                let q = binary(BinaryOp::Div, Arg::Tensor(&self.t), b.as_arg(), None)?.trunc()?;
                let q = if int_result {
                    let bd = match &b { OwnedArg::Tensor(t) => t.dtype(), OwnedArg::Scalar(_) => self.t.dtype() };
                    q.to_dtype(crate::dtype::promote_types(self.t.dtype(), bd))?
                } else { q };
                if let Some(o) = out_tensor(out)? {
                    o.copy_(&q)?;
                }
                result(py, q, out)
            }
            Some(m) => Err(PyValueError::new_err(format!("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"))),
        }
    }

    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, rounding_mode: Option<&str>) -> PyResult<Bound<'py, Self>> {
        let r = slf.get().div(slf.py(), other, rounding_mode, None)?;
        let r = r.bind(slf.py()).cast::<PyTensor>()?.get().t.clone();
        let t = &slf.get().t;
        if !crate::ops::binary::can_cast(r.dtype(), t.dtype()) {
            return Err(PyRuntimeError::new_err(format!("result type {} can't be cast to the desired output type {}", r.dtype().scalar_name(), t.dtype().scalar_name())));
        }
        t.copy_(&r)?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (other, *, rounding_mode=None, out=None))]
    fn divide(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rounding_mode: Option<&str>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        self.div(py, other, rounding_mode, out)
    }

    #[pyo3(signature = (decimals=0, *, out=None))]
    fn round(&self, py: Python<'_>, decimals: i64, out: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        if decimals != 0 && !self.t.dtype().is_floating_point() {
            return Err(PyRuntimeError::new_err(format!("\"round_decimals_cpu\" not implemented for '{}'", self.t.dtype().scalar_name())));
        }
        let out = out_tensor(out)?;
        let t = self.t.clone();
        let r = nogil(py, t.numel(), move || {
            if decimals == 0 || !t.dtype().is_floating_point() {
                unary(UnaryOp::Round, &t, out.as_ref())
            } else {
                let scale = 10f64.powi(decimals as i32);
                let r = t.mul(scale)?.round()?.div(scale)?;
                match out { Some(o) => { o.copy_(&r)?; Ok(o) } None => Ok(r) }
            }
        })?;
        Ok(PyTensor::wrap(r))
    }

    #[pyo3(signature = (decimals=0))]
    fn round_<'py>(slf: &Bound<'py, Self>, decimals: i64) -> PyResult<Bound<'py, Self>> {
        let r = slf.get().round(slf.py(), decimals, None)?;
        slf.get().t.copy_(&r.0)?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (min=None, max=None, *, out=None))]
    fn clamp(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let lo = min.filter(|m| !m.is_none()).map(|m| arg(m, "clamp")).transpose()?;
        let hi = max.filter(|m| !m.is_none()).map(|m| arg(m, "clamp")).transpose()?;
        let out = out_tensor(out)?;
        let t = self.t.clone();
        let r = nogil(py, t.numel(), move || {
            let r = t.clamp(lo.as_ref().map(|a| a.as_arg()), hi.as_ref().map(|a| a.as_arg()))?;
            match out { Some(o) => { o.copy_(&r)?; Ok(o) } None => Ok(r) }
        })?;
        Ok(PyTensor::wrap(r))
    }

    #[pyo3(signature = (min=None, max=None, *, out=None))]
    fn clip(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        self.clamp(py, min, max, out)
    }

    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let r = slf.get().clamp(slf.py(), min, max, None)?;
        let t = &slf.get().t;
        if !crate::ops::binary::can_cast(r.0.dtype(), t.dtype()) {
            return Err(PyRuntimeError::new_err(format!("result type {} can't be cast to the desired output type {}", r.0.dtype().scalar_name(), t.dtype().scalar_name())));
        }
        t.copy_(&r.0)?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (min=None, max=None))]
    fn clip_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        Self::clamp_(slf, min, max)
    }

    fn clamp_min(&self, py: Python<'_>, min: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        self.clamp(py, Some(min), None, None)
    }

    fn clamp_max(&self, py: Python<'_>, max: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        self.clamp(py, None, Some(max), None)
    }

    #[pyo3(name = "where")]
    fn where_method(&self, condition: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        let c = tensor_arg(condition, "where")?;
        let y = arg(y, "where")?;
        Ok(PyTensor::wrap(crate::ops::ternary::where_(&c, Arg::Tensor(&self.t), y.as_arg())?))
    }

    fn masked_fill(&self, mask: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        let m = tensor_arg(mask, "masked_fill")?;
        let v = arg(value, "masked_fill")?;
        Ok(PyTensor::wrap(self.t.masked_fill(&m, v.as_arg())?))
    }

    fn masked_fill_<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let m = tensor_arg(mask, "masked_fill_")?;
        let v = arg(value, "masked_fill_")?;
        slf.get().t.masked_fill_(&m, v.as_arg())?;
        Ok(slf.clone())
    }

    fn lerp(&self, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        let e = tensor_arg(end, "lerp")?;
        let w = arg(weight, "lerp")?;
        Ok(PyTensor::wrap(self.t.lerp(&e, w.as_arg())?))
    }

    fn lerp_<'py>(slf: &Bound<'py, Self>, end: &Bound<'py, PyAny>, weight: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let r = slf.get().lerp(end, weight)?;
        slf.get().t.copy_(&r.0)?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num(&self, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.nan_to_num(nan, posinf, neginf)?))
    }

    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num_<'py>(slf: &Bound<'py, Self>, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Bound<'py, Self>> {
        let r = slf.get().t.nan_to_num(nan, posinf, neginf)?;
        slf.get().t.copy_(&r)?;
        Ok(slf.clone())
    }

    fn isnan(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.isnan()?)) }
    fn isinf(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.isinf()?)) }
    fn isposinf(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.isposinf()?)) }
    fn isneginf(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.isneginf()?)) }
    fn isfinite(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.isfinite()?)) }

    // ---- reductions --------------------------------------------------------------------------

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn sum(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let (d, dt, t) = (dims(dim)?, parse_dtype(dtype)?, self.t.clone());
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.sum_dims(d.as_deref(), keepdim, dt))?))
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn mean(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let (d, dt, t) = (dims(dim)?, parse_dtype(dtype)?, self.t.clone());
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.mean_dims(d.as_deref(), keepdim, dt))?))
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn prod(&self, py: Python<'_>, dim: Option<i64>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let (dt, t) = (parse_dtype(dtype)?, self.t.clone());
        let d = dim.map(|d| vec![d]);
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.prod_dims(d.as_deref(), keepdim, dt))?))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn max(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        self.extreme(py, dim, keepdim, true)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn min(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        self.extreme(py, dim, keepdim, false)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amax(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.amax_dims(dims(dim)?.as_deref(), keepdim, true)?))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amin(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.amax_dims(dims(dim)?.as_deref(), keepdim, false)?))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmax(&self, dim: Option<i64>, keepdim: bool) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.argmax_dim(dim, keepdim, true)?))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmin(&self, dim: Option<i64>, keepdim: bool) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.argmax_dim(dim, keepdim, false)?))
    }

    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn var(&self, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>, keepdim: bool, correction: Option<f64>) -> PyResult<TensorOut> {
        let (d, u) = dim_or_unbiased(dim, unbiased)?;
        Ok(PyTensor::wrap(self.t.var_dims(d.as_deref(), correction_of(u, correction), keepdim)?))
    }

    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn std(&self, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>, keepdim: bool, correction: Option<f64>) -> PyResult<TensorOut> {
        let (d, u) = dim_or_unbiased(dim, unbiased)?;
        Ok(PyTensor::wrap(self.t.std_dims(d.as_deref(), correction_of(u, correction), keepdim)?))
    }

    #[pyo3(signature = (p=None, dim=None, keepdim=false, dtype=None))]
    fn norm(&self, p: Option<&Bound<'_, PyAny>>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let x = match parse_dtype(dtype)? { Some(d) => self.t.to_dtype(d)?, None => self.t.clone() };
        let d = dims(dim)?;
        if p.and_then(|p| p.extract::<String>().ok()).as_deref() == Some("nuc") {
            let (d0, d1) = match d.as_deref() {
                None => (-2, -1),
                Some(&[d0, d1]) => (d0, d1),
                Some(_) => return Err(PyRuntimeError::new_err("norm: 'nuc' needs two dims")),
            };
            return Ok(PyTensor::wrap(crate::ops::linalg::matrix_norm(&x, crate::ops::linalg::MatrixOrd::Nuc, (d0, d1), keepdim, None)?));
        }
        Ok(PyTensor::wrap(x.norm_dims(norm_ord(p)?, d.as_deref(), keepdim)?))
    }

    #[pyo3(signature = (dim, keepdim=false))]
    fn logsumexp(&self, dim: &Bound<'_, PyAny>, keepdim: bool) -> PyResult<TensorOut> {
        let d = dims(Some(dim))?.unwrap_or_default();
        Ok(PyTensor::wrap(self.t.logsumexp(&d, keepdim)?))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn all(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.all_dims(dims(dim)?.as_deref(), keepdim, true)?))
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn any(&self, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.all_dims(dims(dim)?.as_deref(), keepdim, false)?))
    }

    #[pyo3(signature = (dim=None))]
    fn count_nonzero(&self, dim: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.count_nonzero(dims(dim)?.as_deref())?))
    }

    #[pyo3(signature = (dim, dtype=None))]
    fn softmax(&self, py: Python<'_>, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let (dt, t) = (parse_dtype(dtype)?, self.t.clone());
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.softmax(dim, false, dt))?))
    }

    #[pyo3(signature = (dim, dtype=None))]
    fn log_softmax(&self, py: Python<'_>, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let (dt, t) = (parse_dtype(dtype)?, self.t.clone());
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.softmax(dim, true, dt))?))
    }

    // ---- linear algebra ----------------------------------------------------------------------

    #[pyo3(signature = (other, *, out=None))]
    fn matmul(&self, py: Python<'_>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let (a, b, o) = (self.t.clone(), tensor_arg(other, "matmul")?, out_tensor(out)?);
        let r = nogil(py, a.numel().max(b.numel()), move || {
            let r = a.matmul(&b)?;
            if let Some(o) = o { copy_result(&o, &r)?; }
            Ok(r)
        })?;
        result(py, r, out)
    }

    #[pyo3(signature = (mat2, *, out=None))]
    fn mm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let (a, b, o) = (self.t.clone(), tensor_arg(mat2, "mm")?, out_tensor(out)?);
        let r = nogil(py, a.numel().max(b.numel()), move || {
            let r = a.mm(&b)?;
            if let Some(o) = o { copy_result(&o, &r)?; }
            Ok(r)
        })?;
        result(py, r, out)
    }

    fn bmm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        let (a, b) = (self.t.clone(), tensor_arg(mat2, "bmm")?);
        Ok(PyTensor::wrap(nogil(py, a.numel().max(b.numel()), move || a.bmm(&b))?))
    }

    fn mv(&self, vec: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.mv(&tensor_arg(vec, "mv")?)?))
    }

    fn dot(&self, other: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.dot(&tensor_arg(other, "dot")?)?))
    }

    fn outer(&self, vec2: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.outer(&tensor_arg(vec2, "outer")?)?))
    }
}

/// Writes an op's result into a user's `out=` tensor: same dtype, as torch's matmul family
/// requires; resized to the result's shape as torch does.
fn copy_result(out: &Tensor, r: &Tensor) -> crate::Result<()> {
    if crate::autograd::record::needs_grad(&[out, r]) {
        return Err(crate::autograd::inplace::out_error("matmul"));
    }
    if out.dtype() != r.dtype() {
        return Err(crate::Error::Runtime(format!("Expected out tensor to have dtype {}, but got {} instead", r.dtype(), out.dtype())));
    }
    out.resize_out_(r.shape())?;
    out.copy_(r)
}

/// var(dim) and var(unbiased) share the first positional slot in torch.
fn dim_or_unbiased(dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>) -> PyResult<(Option<Vec<i64>>, Option<bool>)> {
    let u = match unbiased {
        Some(u) if !u.is_none() => Some(u.extract::<bool>()?),
        _ => None,
    };
    if let Some(d) = dim {
        if let Ok(b) = d.cast::<pyo3::types::PyBool>() {
            return Ok((None, Some(b.is_true())));
        }
    }
    Ok((dims(dim)?, u))
}

impl PyTensor {
    fn extreme(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, max: bool) -> PyResult<Py<PyAny>> {
        let wrap = |t: Tensor| -> PyResult<Py<PyAny>> { Ok(PyTensor::wrap(t).into_pyobject(py)?.into_any().unbind()) };
        match dim {
            None => wrap(self.t.amax_dims(None, false, max).map_err(|e| match e {
                crate::Error::Index(_) | crate::Error::Runtime(_) if self.t.numel() == 0 => crate::Error::Runtime(format!(
                    "{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
                    if max { "max" } else { "min" }
                )),
                e => e,
            })?),
            Some(d) if d.is_none() => wrap(self.t.amax_dims(None, false, max)?),
            Some(d) => {
                if let Ok(o) = d.cast::<PyTensor>() {
                    let other = o.get().t.clone();
                    return wrap(if max { self.t.maximum(&other)? } else { self.t.minimum(&other)? });
                }
                let dim: i64 = d.extract().map_err(|_| PyTypeError::new_err("max(): argument 'dim' must be int"))?;
                let (v, i) = self.t.max_dim(dim, keepdim, max)?;
                return_type(py, if max { "max" } else { "min" }, v, i)
            }
        }
    }
}

#[pymethods]
impl PyTensor {
    /// Backs `nn.functional.gelu(approximate='none')`.
    fn _gelu(&self, py: Python<'_>) -> PyResult<TensorOut> {
        let t = self.t.clone();
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.gelu())?))
    }

    /// Backs `nn.functional.gelu(approximate='tanh')`.
    fn _gelu_tanh(&self, py: Python<'_>) -> PyResult<TensorOut> {
        let t = self.t.clone();
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.gelu_tanh())?))
    }
}

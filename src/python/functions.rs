//! Module-level functions of `rtorch._C`: factories, random numbers, settings.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use super::args::{factory_shape, shape_of, to_scalar};
use super::convert::{from_numpy, is_array, tensor_from_data};
use super::dtype::{dtype_object, parse_device, parse_dtype, PyDType};
use super::tensor::{nogil, PyTensor, TensorOut};
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::ops::random::Generator;
use crate::tensor::Tensor;

fn dev(device: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    Ok(parse_device(device)?.unwrap_or(Device::Cpu))
}

fn float_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<DType> {
    Ok(parse_dtype(dtype)?.unwrap_or_else(crate::default_dtype))
}

/// A factory's result, made a leaf that requires grad when asked (`requires_grad=True`).
fn leaf(t: Tensor, requires_grad: bool) -> PyResult<Tensor> {
    if requires_grad {
        t.set_requires_grad(true)?;
    }
    Ok(t)
}

#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<TensorOut> {
    let _ = pin_memory;
    let t = tensor_from_data(data, parse_dtype(dtype)?)?;
    Ok(PyTensor::wrap(leaf(t.to_device(dev(device)?)?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor(data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let dtype = parse_dtype(dtype)?;
    let device = parse_device(device)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let tt = &t.get().t;
        if dtype.is_none_or(|d| d == tt.dtype()) && device.is_none_or(|d| d == tt.device()) {
            return Ok(t.clone().into_any().unbind());
        }
    }
    let t = if let Ok(t) = data.cast::<PyTensor>() {
        t.get().t.clone()
    } else if is_array(data) {
        from_numpy(data).or_else(|_| tensor_from_data(data, None))?
    } else {
        tensor_from_data(data, dtype)?
    };
    let t = match dtype { Some(d) => t.to_dtype(d)?, None => t };
    let t = match device { Some(d) => t.to_device(d)?, None => t };
    Ok(PyTensor::wrap(t).into_pyobject(data.py())?.unbind().into_any())
}

#[pyfunction]
#[pyo3(name = "from_numpy")]
pub fn from_numpy_py(array: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
    if !is_array(array) {
        return Err(PyTypeError::new_err(format!("expected np.ndarray (got {})", array.get_type().name()?)));
    }
    Ok(PyTensor::wrap(from_numpy(array)?))
}

macro_rules! filled {
    ($name:ident, $value:expr) => {
        #[pyfunction]
        // out= is handled by the Python wrapper (rtorch._out.factory).
        #[pyo3(signature = (*size, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, **kwargs))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(py: Python<'_>, size: &Bound<'_, PyTuple>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool, kwargs: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<TensorOut> {
            let _ = (layout, pin_memory);
            let shape = match kwargs.map(|k| k.get_item("size")).transpose()?.flatten() {
                Some(s) if size.is_empty() => shape_of(&s)?,
                _ => {
                    if let Some(k) = kwargs.filter(|k| !k.is_empty()) {
                        return Err(PyTypeError::new_err(format!("{}() got unexpected keyword arguments {}", stringify!($name), k.keys())));
                    }
                    factory_shape(stringify!($name), size)?
                }
            };
            let (d, dv) = (float_dtype(dtype)?, dev(device)?);
            let value: Option<Scalar> = $value;
            let t = match value {
                Some(v) => nogil(py, shape.iter().product(), move || crate::full(&shape, v, d, dv))?,
                None => Tensor::empty(&shape, d, dv)?,
            };
            Ok(PyTensor::wrap(leaf(t, requires_grad)?))
        }
    };
}
filled!(zeros, Some(Scalar::Int(0)));
filled!(ones, Some(Scalar::Int(1)));
filled!(empty, None);

/// Uninitialised memory with the given sizes and strides (`torch.empty_strided`).
#[pyfunction]
#[pyo3(signature = (size, stride, *, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
pub fn empty_strided(size: &Bound<'_, PyAny>, stride: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<TensorOut> {
    let _ = (layout, pin_memory);
    let (size, stride) = (super::args::int_tuple(size, "empty_strided", "size", 1)?, super::args::int_tuple(stride, "empty_strided", "stride", 2)?);
    let t = Tensor::empty_strided(&size, &stride, float_dtype(dtype)?, dev(device)?)?;
    Ok(PyTensor::wrap(leaf(t, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (size, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full(size: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let shape = shape_of(size)?;
    let v = to_scalar(fill_value)?.ok_or_else(|| PyTypeError::new_err("full(): argument 'fill_value' must be Number"))?;
    let d = parse_dtype(dtype)?.unwrap_or(match v {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) => DType::I64,
        Scalar::Float(_) => crate::default_dtype(),
    });
    Ok(PyTensor::wrap(leaf(crate::full(&shape, v, d, dev(device)?)?, requires_grad)?))
}

fn like_args(input: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>) -> PyResult<(Vec<usize>, DType, Device)> {
    let t = super::args::tensor_arg(input, "_like")?;
    Ok((t.shape().to_vec(), parse_dtype(dtype)?.unwrap_or(t.dtype()), parse_device(device)?.unwrap_or(t.device())))
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn zeros_like(input: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let (s, d, dv) = like_args(input, dtype, device)?;
    Ok(PyTensor::wrap(leaf(crate::zeros(&s, d, dv)?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn ones_like(input: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let (s, d, dv) = like_args(input, dtype, device)?;
    Ok(PyTensor::wrap(leaf(crate::ones(&s, d, dv)?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn empty_like(input: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let (s, d, dv) = like_args(input, dtype, device)?;
    Ok(PyTensor::wrap(leaf(Tensor::empty(&s, d, dv)?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full_like(input: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let (s, d, dv) = like_args(input, dtype, device)?;
    let v = to_scalar(fill_value)?.ok_or_else(|| PyTypeError::new_err("full_like(): argument 'fill_value' must be Number"))?;
    Ok(PyTensor::wrap(leaf(crate::full(&s, v, d, dv)?, requires_grad)?))
}

fn num(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Scalar> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.get().t.item()?);
    }
    super::args::number(obj, what)
}

#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, dtype=None, device=None, requires_grad=false))]
pub fn arange(start: &Bound<'_, PyAny>, end: Option<&Bound<'_, PyAny>>, step: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let (s, e) = match end.filter(|e| !e.is_none()) {
        Some(e) => (num(start, "start")?, num(e, "end")?),
        None => (Scalar::Int(0), num(start, "end")?),
    };
    let st = match step.filter(|s| !s.is_none()) { Some(s) => num(s, "step")?, None => Scalar::Int(1) };
    let any_float = s.is_float() || e.is_float() || st.is_float();
    let d = parse_dtype(dtype)?.unwrap_or(if any_float { crate::default_dtype() } else { DType::I64 });
    Ok(PyTensor::wrap(leaf(crate::arange(s, e, st, d, dev(device)?)?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, *, dtype=None, device=None, requires_grad=false))]
pub fn linspace(start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, steps: i64, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let (s, e) = (num(start, "start")?.to_f64(), num(end, "end")?.to_f64());
    Ok(PyTensor::wrap(leaf(crate::linspace(s, e, steps, float_dtype(dtype)?, dev(device)?)?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn logspace(start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, steps: i64, base: f64, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let (s, e) = (num(start, "start")?.to_f64(), num(end, "end")?.to_f64());
    Ok(PyTensor::wrap(leaf(crate::logspace(s, e, steps, base, float_dtype(dtype)?, dev(device)?)?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (n, m=None, *, dtype=None, device=None, requires_grad=false))]
pub fn eye(n: i64, m: Option<i64>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let m = m.unwrap_or(n);
    if n < 0 || m < 0 {
        return Err(PyRuntimeError::new_err(format!("n must be greater or equal to 0, got {}", n.min(m))));
    }
    Ok(PyTensor::wrap(leaf(crate::eye(n as usize, m as usize, float_dtype(dtype)?, dev(device)?)?, requires_grad)?))
}

/// `torch.Generator`.
#[pyclass(name = "Generator", module = "rtorch", frozen)]
pub struct PyGenerator {
    pub g: Generator,
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn py_new(device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let _ = parse_device(device)?;
        Ok(PyGenerator { g: Generator::default() })
    }

    fn manual_seed<'py>(slf: &Bound<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().g.manual_seed(seed_value(seed)?)?;
        Ok(slf.clone())
    }

    /// Generators live on the CPU.
    #[getter]
    fn device(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(py.import("rtorch")?.getattr("device")?.call1(("cpu",))?.unbind())
    }

    fn initial_seed(&self) -> PyResult<u64> {
        Ok(self.g.initial_seed()?)
    }

    fn seed(&self) -> PyResult<u64> {
        let s = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
        self.g.manual_seed(s)?;
        Ok(s)
    }

    fn get_state(&self, py: Python<'_>) -> PyResult<TensorOut> {
        let _ = py;
        Ok(PyTensor::wrap(Tensor::from_vec(self.g.get_state()?, &[40])?))
    }

    fn set_state<'py>(slf: &Bound<'py, Self>, state: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let state = state.cast::<PyTensor>().map_err(|_| {
            PyTypeError::new_err(format!("expected a torch.ByteTensor, but got {}", super::args::type_name(state)))
        })?;
        let t = &state.get().t;
        if t.dtype() != DType::U8 {
            return Err(PyTypeError::new_err("RNG state must be a torch.ByteTensor"));
        }
        let size = slf.get().g.get_state()?.len();
        if t.numel() != size {
            return Err(PyRuntimeError::new_err(format!(
                "Expected a CPUGeneratorImplState of size {size} but found the input RNG state size to be {}",
                t.numel()
            )));
        }
        slf.get().g.set_state(&t.to_vec::<u8>()?)?;
        Ok(slf.clone())
    }
}

/// A seed as torch takes it: a Python int, modulo 2^64 (so -1 is 2^64 - 1).
fn seed_value(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    if !seed.is_instance_of::<pyo3::types::PyInt>() || seed.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyRuntimeError::new_err(format!(
            "manual_seed expected a long, but got {}",
            super::args::type_name(seed)
        )));
    }
    let v: i128 = seed.extract().map_err(|_| PyValueError::new_err(format!("Overflow when unpacking long: {seed}")))?;
    if v > u64::MAX as i128 || v < i64::MIN as i128 {
        return Err(PyValueError::new_err(format!("Overflow when unpacking long: {seed}")));
    }
    Ok(v as u64)
}

pub(crate) fn gen_of<'a>(g: Option<&'a Bound<'a, PyAny>>) -> PyResult<Option<Generator>> {
    match g {
        Some(g) if !g.is_none() => Ok(Some(g.cast::<PyGenerator>()?.get().g.clone())),
        _ => Ok(None),
    }
}

/// torch's argument-parser error for a `generator=` that is not a Generator.
fn invalid_generator(name: &str, sizes: &Bound<'_, PyTuple>, generator: Option<&Bound<'_, PyAny>>) -> PyErr {
    let mut got: Vec<String> = sizes.iter().map(|x| super::args::type_name(&x)).collect();
    got.extend(generator.map(|g| format!("generator={}", super::args::type_name(g))));
    PyTypeError::new_err(format!(
        "{name}() received an invalid combination of arguments - got ({}), but expected one of:\n \
         * (tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n \
         * (tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n",
        got.join(", ")
    ))
}

macro_rules! random_fn {
    ($name:ident, $f:path) => {
        #[pyfunction]
        #[pyo3(signature = (*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(sizes: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<TensorOut> {
            let _ = (layout, pin_memory);
            let shape = match size.filter(|s| !s.is_none()) {
                Some(s) if sizes.is_empty() => shape_of(s)?,
                Some(_) => return Err(PyTypeError::new_err(concat!(stringify!($name), "() received an invalid combination of arguments: size given twice"))),
                None => factory_shape(stringify!($name), sizes)?,
            };
            let g = gen_of(generator).map_err(|_| invalid_generator(stringify!($name), sizes, generator))?;
            if let Some(o) = out.filter(|o| !o.is_none()) {
                let o = super::args::tensor_arg(o, "out")?;
                let r = $f(&shape, o.dtype(), o.device(), g.as_ref())?;
                super::sort_ops::write_into(stringify!($name), &o, &r)?;
                return Ok(PyTensor::wrap(o));
            }
            Ok(PyTensor::wrap(leaf($f(&shape, float_dtype(dtype)?, dev(device)?, g.as_ref())?, requires_grad)?))
        }
    };
}
random_fn!(rand, crate::rand);
random_fn!(randn, crate::randn);

#[pyfunction]
#[pyo3(signature = (*args, generator=None, dtype=None, device=None, requires_grad=false, size=None, low=None, high=None))]
#[allow(clippy::too_many_arguments)]
pub fn randint(args: &Bound<'_, PyTuple>, generator: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, size: Option<&Bound<'_, PyAny>>, low: Option<i64>, high: Option<i64>) -> PyResult<TensorOut> {
    let mut ints: Vec<i64> = match (low, high) {
        (l, Some(h)) => vec![l.unwrap_or(0), h],
        (Some(l), None) => vec![l],
        (None, None) => vec![],
    };
    let mut shape = size.map(shape_of).transpose()?;
    for a in args.iter() {
        if a.cast::<PyTuple>().is_ok() || a.cast::<pyo3::types::PyList>().is_ok() {
            shape = Some(shape_of(&a)?);
        } else {
            ints.push(a.extract::<i64>()?);
        }
    }
    let (low, high) = match ints.as_slice() {
        [h] => (0, *h),
        [l, h] => (*l, *h),
        _ => return Err(PyTypeError::new_err("randint() received an invalid combination of arguments: expected (high, size) or (low, high, size)")),
    };
    let shape = shape.ok_or_else(|| PyTypeError::new_err("randint() missing required argument 'size'"))?;
    let d = parse_dtype(dtype)?.unwrap_or(DType::I64);
    Ok(PyTensor::wrap(leaf(crate::randint(low, high, &shape, d, dev(device)?, gen_of(generator)?.as_ref())?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (n, *, generator=None, dtype=None, device=None, requires_grad=false))]
pub fn randperm(n: &Bound<'_, PyAny>, generator: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    if !n.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyTypeError::new_err(format!("randperm(): argument 'n' (position 1) must be int, not {}", n.get_type().name()?)));
    }
    let n: i64 = n.extract()?;
    if n < 0 {
        return Err(PyRuntimeError::new_err(format!("Trying to create tensor with negative dimension {n}: [{n}]")));
    }
    let d = parse_dtype(dtype)?.unwrap_or(DType::I64);
    Ok(PyTensor::wrap(leaf(crate::randperm(n as usize, d, dev(device)?, gen_of(generator)?.as_ref())?, requires_grad)?))
}

#[pyfunction]
#[pyo3(signature = (mean, std=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn normal(mean: &Bound<'_, PyAny>, std: Option<&Bound<'_, PyAny>>, size: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<TensorOut> {
    let g = gen_of(generator)?;
    let one = 1.0f64.into_pyobject(mean.py())?.into_any();
    let std = std.filter(|s| !s.is_none()).unwrap_or(&one);
    // Tensor mean/std: one sample per element, broadcast together.
    if mean.cast::<PyTensor>().is_ok() || std.cast::<PyTensor>().is_ok() {
        let m = super::args::arg(mean, "normal")?;
        let s = super::args::arg(std, "normal")?;
        let zero = crate::zeros(&[], crate::default_dtype(), Device::Cpu)?;
        let shape = crate::layout::broadcast_shapes(
            match &m { super::args::OwnedArg::Tensor(t) => t.shape(), _ => zero.shape() },
            match &s { super::args::OwnedArg::Tensor(t) => t.shape(), _ => zero.shape() },
        )?;
        // The result takes the mean's dtype when the mean is a tensor, else the std's.
        let d = match (&m, &s) { (super::args::OwnedArg::Tensor(t), _) | (_, super::args::OwnedArg::Tensor(t)) => t.dtype(), _ => crate::default_dtype() };
        if let super::args::OwnedArg::Tensor(st) = &s {
            let _off = crate::autograd::GradModeGuard::new(false);
            // not (std >= 0) also catches NaN
            if st.ge(Scalar::Float(0.0))?.logical_not()?.all_dims(None, false, false)?.to_vec::<bool>()?.first() == Some(&true) {
                return Err(PyRuntimeError::new_err("normal expects all elements of std >= 0.0"));
            }
        } else if let super::args::OwnedArg::Scalar(sv) = &s {
            let v = sv.to_f64();
            if v.is_nan() || v < 0.0 {
                return Err(PyRuntimeError::new_err(format!("normal expects std >= 0.0, but found std {v}")));
            }
        }
        let out = {
            let _off = crate::autograd::GradModeGuard::new(false);
            let z = crate::randn(&shape, d, Device::Cpu, g.as_ref())?;
            z.mul(s.as_arg())?.add(m.as_arg())?.to_dtype(d)?
        };
        let inputs: Vec<&Tensor> = [&m, &s].into_iter().filter_map(|a| match a { super::args::OwnedArg::Tensor(t) => Some(t), _ => None }).collect();
        crate::autograd::formulas::random::record_sample("NormalBackward3", &inputs, &out);
        return Ok(PyTensor::wrap(out));
    }
    let shape = size.map(shape_of).transpose()?.ok_or_else(|| {
        PyTypeError::new_err(
            "normal() received an invalid combination of arguments - got (float, float), but expected one of:\n \
             * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n \
             * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n \
             * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n \
             * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n",
        )
    })?;
    let (m, s) = (num(mean, "mean")?.to_f64(), num(std, "std")?.to_f64());
    Ok(PyTensor::wrap(leaf(crate::normal(m, s, &shape, float_dtype(dtype)?, dev(device)?, g.as_ref())?, requires_grad)?))
}

#[pyfunction]
pub fn manual_seed(seed: &Bound<'_, PyAny>) -> PyResult<()> {
    Ok(crate::manual_seed(seed_value(seed)?)?)
}

#[pyfunction]
pub fn initial_seed() -> PyResult<u64> {
    Ok(crate::ops::random::default_generator().initial_seed()?)
}

#[pyfunction]
pub fn _default_generator() -> PyGenerator {
    PyGenerator { g: crate::ops::random::default_generator().clone() }
}

#[pyfunction]
pub fn get_num_threads() -> usize {
    crate::get_num_threads()
}

#[pyfunction]
pub fn set_num_threads(n: i64) -> PyResult<()> {
    if n <= 0 {
        return Err(PyRuntimeError::new_err("Number of threads must be positive"));
    }
    Ok(crate::set_num_threads(n as usize)?)
}

#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> PyResult<Py<PyDType>> {
    dtype_object(py, crate::default_dtype())
}

#[pyfunction]
pub fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    let d = parse_dtype(Some(d))?.ok_or_else(|| PyTypeError::new_err("set_default_dtype expects a dtype"))?;
    Ok(crate::set_default_dtype(d)?)
}

#[pyfunction]
pub fn promote_types(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyDType>> {
    let (a, b) = (parse_dtype(Some(a))?, parse_dtype(Some(b))?);
    match (a, b) {
        (Some(a), Some(b)) => dtype_object(py, crate::promote_types(a, b)),
        _ => Err(PyTypeError::new_err("promote_types expects two dtypes")),
    }
}

#[pyfunction]
pub fn result_type(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyDType>> {
    let mut rt = crate::dtype::ResultType::default();
    for x in [a, b] {
        rt = match super::args::arg(x, "result_type")? {
            super::args::OwnedArg::Tensor(t) => rt.tensor(t.dtype(), t.ndim()),
            super::args::OwnedArg::Scalar(s) => rt.scalar(s),
        };
    }
    dtype_object(py, rt.result())
}

#[pyfunction]
pub fn _rebuild_tensor(data: &Bound<'_, PyBytes>, dtype: &str, shape: Vec<usize>) -> PyResult<TensorOut> {
    let d = DType::from_name(dtype).ok_or_else(|| PyValueError::new_err(format!("unknown dtype {dtype}")))?;
    let bytes = data.as_bytes();
    let t = Tensor::empty(&shape, d, Device::Cpu)?;
    if bytes.len() != t.numel() * d.size() {
        return Err(PyValueError::new_err("pickled tensor data does not match its shape"));
    }
    // SAFETY: t is a fresh contiguous CPU buffer of exactly bytes.len() bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), t.data_ptr() as *mut u8, bytes.len()) };
    if d == DType::Bool {
        // Normalise bytes to 0/1 so the buffer is valid bool data whatever the pickle held.
        return Ok(PyTensor::wrap(t.to_dtype(DType::U8)?.ne(Scalar::Int(0))?));
    }
    Ok(PyTensor::wrap(t))
}

#[pyfunction]
pub fn _empty_cache() {
    crate::backend::cpu::alloc::empty_cache()
}

#[pyfunction]
pub fn _where(condition: &Bound<'_, PyAny>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
    let c = super::args::tensor_arg(condition, "where")?;
    let (a, b) = (super::args::arg(input, "where")?, super::args::arg(other, "where")?);
    Ok(PyTensor::wrap(crate::ops::ternary::where_(&c, a.as_arg(), b.as_arg())?))
}

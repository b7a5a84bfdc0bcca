//! The Python `Tensor` class: protocol methods, views, conversions and indexing.
//! Math methods live in `tensor_math.rs`.

use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::BoundObject;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyEllipsis, PyList, PySlice, PyTuple};

use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, Ordering};

use super::args::{dims, int_list, int_tuple, sizes, to_scalar, try_arg, OwnedArg};
use super::convert::{array_interface, tensor_from_data};
use super::dtype::{dtype_object, parse_device, parse_dtype, PyDType, PyDevice};
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::ops::indexing::TensorIndex;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// Elements above which a kernel runs with the GIL released.
const NOGIL_NUMEL: usize = 1 << 16;

/// What `__reduce__` returns: the rebuild function and its (bytes, dtype name, shape).
type PickleRecipe = (Py<PyAny>, (Py<PyBytes>, String, Vec<usize>));

#[pyclass(name = "Tensor", module = "rtorch", subclass, weakref, frozen)]
pub struct PyTensor {
    pub t: Tensor,
    /// This object's own address once it is the tensor's registered object (see
    /// `TensorImpl::binding_object`); null for objects that never registered.
    this: AtomicPtr<c_void>,
}

impl Drop for PyTensor {
    fn drop(&mut self) {
        let this = *self.this.get_mut();
        // Only unregister ourselves: a newer object may have taken the slot meanwhile. Every
        // access to the slot happens under the GIL, so a plain load and store suffice.
        let slot = &self.t.0.binding_object;
        if !this.is_null() && slot.load(Ordering::Relaxed) == this {
            slot.store(std::ptr::null_mut(), Ordering::Relaxed);
        }
    }
}

impl PyTensor {
    /// The Python object for `t`: its existing object when it has one, else a new one.
    pub fn wrap(t: Tensor) -> TensorOut {
        TensorOut(t)
    }

    /// A Python object that is not (yet) the tensor's registered object.
    pub fn unregistered(t: Tensor) -> PyTensor {
        PyTensor { t, this: AtomicPtr::new(std::ptr::null_mut()) }
    }

    /// Makes `slf` the object its tensor converts to from now on, unless a live object
    /// already is (so `x.grad = g; x.grad is g`, and a leaf is its node's `variable`).
    pub fn adopt(slf: &Bound<'_, PyTensor>) {
        let me = slf.get();
        if registered_object(slf.py(), &me.t).is_none() {
            let ptr = slf.as_ptr() as *mut c_void;
            me.this.store(ptr, Ordering::Release);
            me.t.0.binding_object.store(ptr, Ordering::Release);
        }
    }
}

/// The live registered object of `t`, if any.
fn registered_object<'py>(py: Python<'py>, t: &Tensor) -> Option<Bound<'py, PyTensor>> {
    let p = t.0.binding_object.load(Ordering::Acquire) as *mut pyo3::ffi::PyObject;
    if p.is_null() {
        return None;
    }
    // SAFETY: the slot only holds the address of a PyTensor object, and that object's Drop
    // clears it under the GIL, which we hold, so the object is still allocated. A reference
    // count of 0 means it is being deallocated right now (its Drop has not run yet): it
    // must not be revived, so it counts as absent.
    unsafe {
        if pyo3::ffi::Py_REFCNT(p) <= 0 {
            return None;
        }
        Some(Bound::from_borrowed_ptr(py, p).cast_into_unchecked())
    }
}

/// A tensor on its way to Python: converts to the tensor's one Python object (see
/// `TensorImpl::binding_object`), creating and registering it the first time.
pub struct TensorOut(pub Tensor);

impl<'py> IntoPyObject<'py> for TensorOut {
    type Target = PyTensor;
    type Output = Bound<'py, PyTensor>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyTensor>> {
        if let Some(obj) = registered_object(py, &self.0) {
            return Ok(obj);
        }
        let obj = Bound::new(py, PyTensor::unregistered(self.0))?;
        PyTensor::adopt(&obj);
        Ok(obj)
    }
}

/// Runs `f` with the GIL released when the work is large enough to be worth it.
pub fn nogil<T: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> crate::Result<T> + Send) -> PyResult<T> {
    if numel >= NOGIL_NUMEL {
        Ok(py.detach(f)?)
    } else {
        Ok(f()?)
    }
}

static SIZE_CLASS: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
static STR_FN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `rtorch.Size(shape)`.
pub fn make_size<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let cls = SIZE_CLASS.import(py, "rtorch._size", "Size")?;
    cls.call1((PyTuple::new(py, shape)?,))
}

/// Nested Python lists of a tensor's values.
pub fn tolist(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    let t = t.to_device(Device::Cpu)?;
    let shape = t.shape().to_vec();
    fn build<'py, T: Copy + IntoPyObject<'py>>(py: Python<'py>, vals: &[T], shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
        if shape.is_empty() {
            return Ok(vals[0].into_pyobject(py).map_err(Into::into)?.into_any().into_bound());
        }
        let inner: usize = shape[1..].iter().product();
        let list = PyList::empty(py);
        for i in 0..shape[0] {
            list.append(build(py, &vals[i * inner..(i + 1) * inner], &shape[1..])?)?;
        }
        Ok(list.into_any())
    }
    let out = match t.dtype() {
        DType::Bool => build(py, &t.to_vec::<bool>()?, &shape)?,
        d if d.is_floating_point() => build(py, &t.to_vec::<f64>()?, &shape)?,
        _ => build(py, &t.to_vec::<i64>()?, &shape)?,
    };
    Ok(out.unbind())
}

fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
    })
}

/// Applies one basic index (int, slice, None, Ellipsis, tuple of those) and returns the view.
/// A Python indexing key as a list of entries: ints, slices, None, Ellipsis, bools, and
/// tensors / lists / numpy arrays as index tensors or masks.
fn parse_key(key: &Bound<'_, PyAny>) -> PyResult<Vec<TensorIndex>> {
    let items: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
        Ok(tup) => tup.iter().collect(),
        Err(_) => vec![key.clone()],
    };
    items.iter().map(key_entry).collect()
}

fn key_entry(k: &Bound<'_, PyAny>) -> PyResult<TensorIndex> {
    if k.is_none() {
        return Ok(TensorIndex::NewAxis);
    }
    if k.is_instance_of::<PyEllipsis>() {
        return Ok(TensorIndex::Ellipsis);
    }
    if let Ok(s) = k.cast::<PySlice>() {
        let get = |name: &str, default: i64| -> PyResult<i64> {
            let v = s.getattr(name)?;
            if v.is_none() { Ok(default) } else { v.extract::<i64>().or_else(|_| v.call_method0("__index__")?.extract()) }
        };
        let (start, stop, step) = (get("start", 0)?, get("stop", i64::MAX)?, get("step", 1)?);
        if step <= 0 {
            return Err(PyValueError::new_err("step must be greater than zero"));
        }
        return Ok(TensorIndex::Slice(start, stop, step));
    }
    if k.is_instance_of::<pyo3::types::PyBool>() {
        return Ok(TensorIndex::Tensor(Tensor::scalar_tensor(Scalar::Bool(k.extract()?), DType::Bool)?));
    }
    if let Ok(t) = k.cast::<PyTensor>() {
        return Ok(TensorIndex::Tensor(t.get().t.clone()));
    }
    if let Some(Scalar::Int(i)) = to_scalar(k)?.filter(|s| matches!(s, Scalar::Int(_))) {
        return Ok(TensorIndex::Int(i));
    }
    if k.cast::<PyList>().is_ok() || super::convert::is_array(k) {
        return Ok(TensorIndex::Tensor(tensor_from_data(k, None)?));
    }
    Err(PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
        k.get_type().name()?
    )))
}

#[pymethods]
impl PyTensor {
    #[new]
    #[pyo3(signature = (*args))]
    fn py_new(args: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        // torch.Tensor(2, 3) -> uninitialised float tensor; torch.Tensor([1, 2]) -> data.
        if args.len() == 1 {
            let a = args.get_item(0)?;
            if a.cast::<PyList>().is_ok() || a.cast::<PyTuple>().is_ok() || super::convert::is_array(&a) {
                return Ok(PyTensor::unregistered(tensor_from_data(&a, Some(crate::default_dtype()))?));
            }
            if let Ok(t) = a.cast::<PyTensor>() {
                return Ok(PyTensor::unregistered(t.get().t.clone()));
            }
        }
        let shape = super::args::factory_shape("new", args)?;
        Ok(PyTensor::unregistered(crate::zeros(&shape, crate::default_dtype(), Device::Cpu)?))
    }

    // ---- attributes ------------------------------------------------------------------------

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_size(py, self.t.shape())
    }

    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => make_size(py, self.t.shape()),
            Some(d) => Ok(self.t.size(d)?.into_pyobject(py)?.into_any()),
        }
    }

    #[getter]
    fn dtype(&self, py: Python<'_>) -> PyResult<Py<PyDType>> {
        dtype_object(py, self.t.dtype())
    }

    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice::from_device(self.t.device())
    }

    #[getter]
    fn is_cuda(&self) -> bool {
        matches!(self.t.device(), Device::Cuda(_))
    }

    #[getter]
    fn is_cpu(&self) -> bool {
        self.t.device() == Device::Cpu
    }

    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }

    fn dim(&self) -> usize {
        self.t.ndim()
    }

    fn ndimension(&self) -> usize {
        self.t.ndim()
    }

    fn numel(&self) -> usize {
        self.t.numel()
    }

    fn nelement(&self) -> usize {
        self.t.numel()
    }

    fn element_size(&self) -> usize {
        self.t.dtype().size()
    }

    #[getter]
    fn itemsize(&self) -> usize {
        self.t.dtype().size()
    }

    #[getter]
    fn nbytes(&self) -> usize {
        self.t.numel() * self.t.dtype().size()
    }

    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => {
                if self.t.ndim() == 0 {
                    return Err(PyIndexError::new_err(format!("Dimension specified as {d} but tensor has no dimensions")));
                }
                let d = crate::error::wrap_dim(d, self.t.ndim())?;
                let s = self.t.strides()[d];
                Ok(s.into_pyobject(py)?.into_any())
            }
        }
    }

    fn storage_offset(&self) -> usize {
        self.t.storage_offset()
    }

    fn data_ptr(&self) -> usize {
        self.t.data_ptr()
    }

    fn is_contiguous(&self) -> bool {
        self.t.is_contiguous()
    }

    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_floating_point()
    }

    fn is_complex(&self) -> bool {
        false
    }

    #[getter(_version)]
    fn version(&self) -> u64 {
        self.t.version()
    }

    // ---- views -----------------------------------------------------------------------------

    #[pyo3(signature = (*shape))]
    fn view(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
        if shape.len() == 1 {
            if let Ok(Some(d)) = parse_dtype(Some(&shape.get_item(0)?)) {
                if d == self.t.dtype() {
                    return Ok(PyTensor::wrap(self.t.clone()));
                }
                return Err(PyRuntimeError::new_err("view(dtype) between different dtypes is not supported yet"));
            }
        }
        let _ = py;
        Ok(PyTensor::wrap(self.t.view(&sizes(shape)?)?))
    }

    fn view_as(&self, other: PyRef<'_, PyTensor>) -> PyResult<TensorOut> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        Ok(PyTensor::wrap(self.t.view(&s)?))
    }

    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.reshape(&sizes(shape)?)?))
    }

    fn reshape_as(&self, other: PyRef<'_, PyTensor>) -> PyResult<TensorOut> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        Ok(PyTensor::wrap(self.t.reshape(&s)?))
    }

    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten(&self, start_dim: i64, end_dim: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.flatten(start_dim, end_dim)?))
    }

    fn unflatten(&self, dim: i64, sizes: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.unflatten(dim, &int_list(sizes, "sizes")?)?))
    }

    #[pyo3(signature = (dim=None))]
    fn squeeze(&self, dim: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.squeeze(dims(dim)?.as_deref())?))
    }

    fn unsqueeze(&self, dim: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.unsqueeze(dim)?))
    }

    #[pyo3(signature = (dim=None))]
    fn squeeze_<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let d = dims(dim)?;
        slf.get().t.view_inplace("squeeze", |t| t.squeeze(d.as_deref()))?;
        Ok(slf.clone())
    }

    fn unsqueeze_<'py>(slf: &Bound<'py, Self>, dim: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().t.view_inplace("unsqueeze", |t| t.unsqueeze(dim))?;
        Ok(slf.clone())
    }

    /// Gives the tensor a new contiguous shape in place (`Tensor.resize_`): memory grows when
    /// needed, existing values stay where they were, new elements are uninitialised.
    #[pyo3(signature = (*shape, memory_format=None))]
    fn resize_<'py>(slf: &Bound<'py, Self>, shape: &Bound<'py, PyTuple>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let _ = memory_format;
        let dims = sizes(shape)?;
        if dims.iter().any(|&d| d < 0) {
            return Err(PyRuntimeError::new_err(format!("Trying to create tensor with negative dimension {}: {dims:?}", dims.iter().find(|&&d| d < 0).copied().unwrap_or(-1))));
        }
        let dims: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
        slf.get().t.resize_(&dims)?;
        Ok(slf.clone())
    }

    /// `resize_(other.shape)`.
    #[pyo3(signature = (other, memory_format=None))]
    fn resize_as_<'py>(slf: &Bound<'py, Self>, other: PyRef<'py, PyTensor>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let _ = memory_format;
        slf.get().t.resize_(other.t.shape())?;
        Ok(slf.clone())
    }

    /// A view of the same memory with the given sizes, strides and storage offset (default:
    /// this tensor's). Out-of-bounds geometry raises RuntimeError.
    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided(&self, size: &Bound<'_, PyAny>, stride: &Bound<'_, PyAny>, storage_offset: Option<i64>) -> PyResult<TensorOut> {
        let (size, stride) = (int_tuple(size, "as_strided", "size", 1)?, int_tuple(stride, "as_strided", "stride", 2)?);
        Ok(PyTensor::wrap(self.t.as_strided(&size, &stride, storage_offset)?))
    }

    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided_<'py>(slf: &Bound<'py, Self>, size: &Bound<'py, PyAny>, stride: &Bound<'py, PyAny>, storage_offset: Option<i64>) -> PyResult<Bound<'py, Self>> {
        let (size, stride) = (int_tuple(size, "as_strided_", "size", 1)?, int_tuple(stride, "as_strided_", "stride", 2)?);
        slf.get().t.view_inplace("as_strided", |t| t.as_strided(&size, &stride, storage_offset))?;
        Ok(slf.clone())
    }

    fn t_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        slf.get().t.view_inplace("t", |t| t.t())?;
        Ok(slf.clone())
    }

    fn transpose_<'py>(slf: &Bound<'py, Self>, dim0: i64, dim1: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().t.view_inplace("transpose", |t| t.transpose(dim0, dim1))?;
        Ok(slf.clone())
    }

    fn swapaxes_<'py>(slf: &Bound<'py, Self>, axis0: i64, axis1: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().t.view_inplace("swapaxes", |t| t.transpose(axis0, axis1))?;
        Ok(slf.clone())
    }

    fn swapdims_<'py>(slf: &Bound<'py, Self>, dim0: i64, dim1: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().t.view_inplace("swapdims", |t| t.transpose(dim0, dim1))?;
        Ok(slf.clone())
    }

    fn transpose(&self, dim0: i64, dim1: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.transpose(dim0, dim1)?))
    }

    fn swapaxes(&self, axis0: i64, axis1: i64) -> PyResult<TensorOut> {
        self.transpose(axis0, axis1)
    }

    #[pyo3(signature = (*dims))]
    fn permute(&self, dims: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.permute(&sizes(dims)?)?))
    }

    fn t(&self) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.t()?))
    }

    #[getter(T)]
    fn big_t(&self) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.reverse_dims()?))
    }

    #[getter(mT)]
    fn m_t(&self) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.mt()?))
    }

    #[pyo3(signature = (*sizes_))]
    fn expand(&self, sizes_: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.expand(&sizes(sizes_)?)?))
    }

    fn expand_as(&self, other: PyRef<'_, PyTensor>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.expand_as(&other.t)?))
    }

    fn narrow(&self, dim: i64, start: i64, length: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.narrow(dim, start, length)?))
    }

    fn select(&self, dim: i64, index: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.select(dim, index)?))
    }

    fn unfold(&self, dimension: i64, size: i64, step: i64) -> PyResult<TensorOut> {
        if size < 0 {
            return Err(PyRuntimeError::new_err(format!("size is {size} but must be >= 0")));
        }
        if step <= 0 {
            return Err(PyRuntimeError::new_err(format!("step is {step} but must be > 0")));
        }
        Ok(PyTensor::wrap(self.t.unfold(dimension, size as usize, step as usize)?))
    }

    fn contiguous(&self, py: Python<'_>) -> PyResult<TensorOut> {
        let t = self.t.clone();
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.contiguous())?))
    }

    // ---- copies and conversions --------------------------------------------------------------

    #[pyo3(signature = (*, memory_format=None))]
    fn clone(&self, py: Python<'_>, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let _ = memory_format;
        let t = self.t.clone();
        Ok(PyTensor::wrap(nogil(py, t.numel(), move || t.deep_clone())?))
    }

    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(slf: &Bound<'py, Self>, src: &Bound<'py, PyAny>, non_blocking: bool) -> PyResult<Bound<'py, Self>> {
        let _ = non_blocking;
        let dst = slf.get().t.clone();
        let src = super::args::tensor_arg(src, "copy_")?;
        nogil(slf.py(), dst.numel(), move || dst.copy_(&src))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn to<'py>(slf: &Bound<'py, Self>, args: &Bound<'py, PyTuple>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        let mut dtype = None;
        let mut device = None;
        let mut copy = false;
        for a in args.iter() {
            if let Ok(o) = a.cast::<PyTensor>() {
                dtype = Some(o.get().t.dtype());
                device = Some(o.get().t.device());
            } else if let Ok(Some(d)) = parse_dtype(Some(&a)) {
                dtype = Some(d);
            } else if a.extract::<String>().is_ok() || a.cast::<PyDevice>().is_ok() {
                device = parse_device(Some(&a))?;
            } else if a.extract::<bool>().is_ok() {
                continue;
            } else {
                return Err(PyTypeError::new_err(format!("to() received an invalid combination of arguments: {}", a.repr()?)));
            }
        }
        if let Some(kw) = kwargs {
            if let Some(d) = kw.get_item("dtype")? {
                dtype = parse_dtype(Some(&d))?;
            }
            if let Some(d) = kw.get_item("device")? {
                device = parse_device(Some(&d))?;
            }
            if let Some(c) = kw.get_item("copy")? {
                copy = c.extract()?;
            }
        }
        let t = &slf.get().t;
        let mut out = t.clone();
        if let Some(d) = device {
            out = out.to_device(d)?;
        }
        if let Some(d) = dtype {
            out = out.to_dtype(d)?;
        }
        if copy && out.same_storage(t) {
            out = out.deep_clone()?;
        }
        if out.same_storage(t) && out.layout() == t.layout() && out.dtype() == t.dtype() {
            return Ok(slf.clone().into_any());
        }
        Ok(PyTensor::wrap(out).into_pyobject(slf.py())?.into_any())
    }

    #[pyo3(signature = (dtype=None, non_blocking=false))]
    fn r#type<'py>(slf: &Bound<'py, Self>, dtype: Option<&Bound<'py, PyAny>>, non_blocking: bool) -> PyResult<Bound<'py, PyAny>> {
        let _ = non_blocking;
        let py = slf.py();
        let t = &slf.get().t;
        let Some(dtype) = dtype.filter(|d| !d.is_none()) else {
            return Ok(t.legacy_type_name().into_pyobject(py)?.into_any());
        };
        let d = if let Ok(s) = dtype.extract::<String>() {
            let name = s.trim_start_matches("torch.").trim_start_matches("cuda.").trim_end_matches("Tensor");
            crate::dtype::ALL_DTYPES.iter().copied().find(|d| d.scalar_name() == name)
                .ok_or_else(|| PyValueError::new_err(format!("invalid type: '{s}'")))?
        } else {
            parse_dtype(Some(dtype))?.unwrap_or(t.dtype())
        };
        if d == t.dtype() {
            return Ok(slf.clone().into_any());
        }
        Ok(PyTensor::wrap(t.to_dtype(d)?).into_pyobject(py)?.into_any())
    }

    fn float(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::F32)?)) }
    fn double(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::F64)?)) }
    fn half(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::F16)?)) }
    fn bfloat16(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::BF16)?)) }
    fn long(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::I64)?)) }
    fn int(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::I32)?)) }
    fn short(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::I16)?)) }
    fn char(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::I8)?)) }
    fn byte(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::U8)?)) }
    fn bool(&self) -> PyResult<TensorOut> { Ok(PyTensor::wrap(self.t.to_dtype(DType::Bool)?)) }

    fn cpu<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let t = &slf.get().t;
        if t.device() == Device::Cpu {
            return Ok(slf.clone().into_any());
        }
        Ok(PyTensor::wrap(t.to_device(Device::Cpu)?).into_pyobject(slf.py())?.into_any())
    }

    #[pyo3(signature = (device=None, non_blocking=false))]
    fn cuda(&self, device: Option<&Bound<'_, PyAny>>, non_blocking: bool) -> PyResult<TensorOut> {
        let _ = non_blocking;
        let d = match parse_device(device)? {
            None => Device::Cuda(0),
            Some(Device::Cpu) => return Err(PyRuntimeError::new_err("Invalid device, must be cuda device")),
            Some(d) => d,
        };
        Ok(PyTensor::wrap(self.t.to_device(d)?))
    }

    #[pyo3(signature = (*, force=false))]
    fn numpy<'py>(slf: &Bound<'py, Self>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = &slf.get().t;
        if force && t.device() != Device::Cpu {
            let cpu = PyTensor::wrap(t.to_device(Device::Cpu)?).into_pyobject(py)?;
            return py.import("numpy")?.call_method1("asarray", (cpu,));
        }
        super::convert::typestr(t.dtype())?;
        py.import("numpy")?.call_method1("asarray", (slf,))
    }

    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        array_interface(py, &self.t)
    }

    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(slf: &Bound<'py, Self>, dtype: Option<&Bound<'py, PyAny>>, copy: Option<bool>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let np = py.import("numpy")?;
        let t = &slf.get().t;
        let base = if t.dtype() == DType::BF16 {
            PyTensor::wrap(t.to_dtype(DType::F32)?).into_pyobject(py)?
        } else {
            slf.clone()
        };
        let arr = np.call_method1("asarray", (base,))?;
        let arr = match dtype {
            Some(d) if !d.is_none() => arr.call_method1("astype", (d,))?,
            _ => arr,
        };
        if copy == Some(true) {
            return arr.call_method0("copy");
        }
        Ok(arr)
    }

    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        tolist(py, &self.t)
    }

    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        scalar_to_py(py, self.t.item()?)
    }

    fn __len__(&self) -> PyResult<usize> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(self.t.shape()[0])
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d tensor"));
        }
        let items = (0..self.t.shape()[0] as i64)
            .map(|i| Ok(PyTensor::wrap(self.t.select(0, i)?)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.call_method0("__iter__")?.unbind())
    }

    fn __bool__(&self) -> PyResult<bool> {
        if self.t.numel() != 1 {
            return Err(PyRuntimeError::new_err(format!(
                "Boolean value of Tensor with {} is ambiguous",
                if self.t.numel() == 0 { "no values" } else { "more than one value" }
            )));
        }
        Ok(self.t.item()?.to_f64() != 0.0)
    }

    fn __float__(&self) -> PyResult<f64> {
        if self.t.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        Ok(self.t.item()?.to_f64())
    }

    fn __int__(&self) -> PyResult<i64> {
        if self.t.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        Ok(self.t.item()?.to_i64())
    }

    fn __index__(&self) -> PyResult<i64> {
        if self.t.numel() != 1 || self.t.dtype().is_floating_point() {
            return Err(PyTypeError::new_err("only integer tensors of a single element can be converted to an index"));
        }
        Ok(self.t.item()?.to_i64())
    }

    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let f = STR_FN.import(slf.py(), "rtorch._tensor_str", "_str")?;
        f.call1((slf,))?.extract()
    }

    fn __str__(slf: &Bound<'_, Self>) -> PyResult<String> {
        Self::__repr__(slf)
    }

    fn __format__(slf: &Bound<'_, Self>, spec: &str) -> PyResult<String> {
        let t = &slf.get().t;
        if t.ndim() == 0 && !spec.is_empty() {
            let v = scalar_to_py(slf.py(), t.item()?)?;
            return v.bind(slf.py()).call_method1("__format__", (spec,))?.extract();
        }
        Self::__repr__(slf)
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<PickleRecipe> {
        let t = self.t.to_device(Device::Cpu)?.contiguous()?;
        let nbytes = t.numel() * t.dtype().size();
        let ptr = t.data_ptr() as *const u8;
        // SAFETY: t is contiguous on the CPU with nbytes bytes starting at ptr.
        let bytes = PyBytes::new(py, unsafe { std::slice::from_raw_parts(ptr, nbytes) });
        let f = py.import("rtorch._C")?.getattr("_rebuild_tensor")?.unbind();
        Ok((f, (bytes.unbind(), t.dtype().name().to_string(), t.shape().to_vec())))
    }

    // ---- indexing ----------------------------------------------------------------------------

    fn __getitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.index(&parse_key(key)?)?))
    }

    fn __setitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = parse_key(key)?;
        let t = self.t.clone();
        match try_arg(value)? {
            Some(OwnedArg::Scalar(s)) => t.index_assign(&key, Arg::Scalar(s))?,
            Some(OwnedArg::Tensor(src)) => nogil(py, src.numel(), move || t.index_assign(&key, Arg::Tensor(&src)))?,
            None => t.index_assign(&key, Arg::Tensor(&tensor_from_data(value, Some(self.t.dtype()))?))?,
        }
        Ok(())
    }

    fn fill_<'py>(slf: &Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let s = match try_arg(value)? {
            Some(OwnedArg::Scalar(s)) => s,
            Some(OwnedArg::Tensor(t)) if t.ndim() == 0 => t.item()?,
            Some(OwnedArg::Tensor(_)) => return Err(PyRuntimeError::new_err("fill_ only supports 0-dimension value tensor")),
            None => return Err(PyTypeError::new_err(format!("fill_(): argument 'value' must be Number, not {}", value.get_type().name()?))),
        };
        let t = slf.get().t.clone();
        nogil(slf.py(), t.numel(), move || t.fill_(s))?;
        Ok(slf.clone())
    }

    fn zero_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().t.clone();
        nogil(slf.py(), t.numel(), move || t.zero_())?;
        Ok(slf.clone())
    }
}

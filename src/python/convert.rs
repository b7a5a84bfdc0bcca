//! Python data in and out: nested lists, numpy arrays (zero-copy through the array
//! interface), `tolist`, and pickling support.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::args::to_scalar;
use super::tensor::PyTensor;
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::layout::Layout;
use crate::storage::Storage;
use crate::tensor::Tensor;

/// numpy's type string for a dtype, or torch's error for bfloat16.
pub fn typestr(d: DType) -> PyResult<&'static str> {
    Ok(match d {
        DType::Bool => "|b1",
        DType::U8 => "|u1",
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::F16 => "<f2",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::BF16 => return Err(PyTypeError::new_err("Got unsupported ScalarType BFloat16")),
    })
}

fn dtype_of_typestr(s: &str) -> Option<DType> {
    let s = s.trim_start_matches(['<', '|', '=']);
    Some(match s {
        "b1" => DType::Bool,
        "u1" => DType::U8,
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "f2" => DType::F16,
        "f4" => DType::F32,
        "f8" => DType::F64,
        _ => return None,
    })
}

/// True for numpy arrays (anything exposing the array interface that is not our tensor).
pub fn is_array(obj: &Bound<'_, PyAny>) -> bool {
    !obj.is_instance_of::<PyTensor>() && obj.hasattr("__array_interface__").unwrap_or(false)
}

/// Wraps a numpy array's memory without copying; the tensor keeps the array alive.
pub fn from_numpy(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let iface = obj.getattr("__array_interface__").map_err(|_| {
        PyTypeError::new_err(format!("expected np.ndarray (got {})", obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
    })?;
    let iface = iface.cast::<PyDict>()?;
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        iface.get_item(k)?.ok_or_else(|| PyValueError::new_err(format!("array interface lacks '{k}'")))
    };
    let ts: String = get("typestr")?.extract()?;
    let dtype = dtype_of_typestr(&ts).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "can't convert np.ndarray of type {}. The only supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.",
            obj.getattr("dtype").map(|d| d.to_string()).unwrap_or(ts.clone())
        ))
    })?;
    if ts.starts_with('>') {
        return Err(PyValueError::new_err("given numpy array has byte order different from the native byte order. Conversion between byte orders is currently not supported."));
    }
    let shape: Vec<usize> = get("shape")?.extract()?;
    let (ptr, _readonly): (usize, bool) = get("data")?.extract()?;
    let size = dtype.size();
    let strides: Vec<usize> = match iface.get_item("strides")? {
        Some(s) if !s.is_none() => {
            let bytes: Vec<isize> = s.extract()?;
            let mut out = Vec::with_capacity(bytes.len());
            for b in bytes {
                if b < 0 {
                    return Err(PyValueError::new_err("At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array with array.copy().) "));
                }
                if b as usize % size != 0 {
                    return Err(PyValueError::new_err("given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory."));
                }
                out.push(b as usize / size);
            }
            out
        }
        _ => crate::layout::contiguous_strides(&shape).to_vec(),
    };
    let layout = Layout { shape: shape.into(), strides: strides.into(), offset: 0 };
    let len = layout.storage_span();
    let owner: Py<PyAny> = obj.clone().unbind();
    // SAFETY: the array interface promises `len` elements of `dtype` at `ptr` that live as
    // long as the array object, which the storage owns a reference to.
    let storage = unsafe { Storage::from_foreign(ptr as *mut u8, dtype, len, Box::new(owner)) };
    Ok(Tensor::from_parts(std::sync::Arc::new(storage), layout))
}

/// The `__array_interface__` dict describing a CPU tensor's memory.
pub fn array_interface<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyDict>> {
    if t.device() != Device::Cpu {
        return Err(PyTypeError::new_err(format!(
            "can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
            t.device()
        )));
    }
    let d = PyDict::new(py);
    let size = t.dtype().size();
    d.set_item("shape", PyTuple::new(py, t.shape())?)?;
    d.set_item("typestr", typestr(t.dtype())?)?;
    d.set_item("data", (t.data_ptr(), false))?;
    d.set_item("strides", PyTuple::new(py, t.strides().iter().map(|s| s * size))?)?;
    d.set_item("version", 3)?;
    Ok(d)
}

/// Walks a nested sequence: its shape, and its numbers in row-major order.
fn walk(obj: &Bound<'_, PyAny>, depth: usize, shape: &mut Vec<usize>, out: &mut Vec<Scalar>) -> PyResult<()> {
    if let Some(s) = to_scalar(obj)? {
        if depth < shape.len() {
            return Err(PyTypeError::new_err(format!(
                "not a sequence: expected sequence of length {} at dim {depth} (got a number)",
                shape[depth]
            )));
        }
        out.push(s);
        return Ok(());
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().t;
        if t.ndim() == 0 {
            out.push(t.item()?);
            return Ok(());
        }
        let list = super::tensor::tolist(obj.py(), t)?;
        return walk(&list.into_bound(obj.py()), depth, shape, out);
    }
    if is_array(obj) {
        let list = obj.call_method0("tolist")?;
        return walk(&list, depth, shape, out);
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        let name = obj.get_type().name()?;
        if depth == 0 {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!("Could not infer dtype of {name}")));
        }
        return Err(PyTypeError::new_err(format!("new(): invalid data type '{name}'")));
    };
    if depth == shape.len() {
        if !out.is_empty() {
            return Err(PyValueError::new_err(format!(
                "expected a number at dim {depth} (got a sequence of length {})",
                items.len()
            )));
        }
        shape.push(items.len());
    } else if shape[depth] != items.len() {
        return Err(PyValueError::new_err(format!(
            "expected sequence of length {} at dim {depth} (got {})",
            shape[depth],
            items.len()
        )));
    }
    for it in &items {
        walk(it, depth + 1, shape, out)?;
    }
    if items.is_empty() && depth + 1 < shape.len() {
        return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got 0)", shape[depth + 1], depth + 1)));
    }
    Ok(())
}

/// `rtorch.tensor(data)`: nested lists/tuples of numbers, numbers, numpy arrays, tensors.
pub fn tensor_from_data(obj: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        PyErr::warn(
            obj.py(),
            &obj.py().get_type::<pyo3::exceptions::PyUserWarning>(),
            c"To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            1,
        )?;
        let t = t.get().t.deep_clone()?;
        return Ok(match dtype {
            Some(d) => t.to_dtype(d)?,
            None => t,
        });
    }
    if is_array(obj) && obj.hasattr("dtype")? && dtype_of_typestr(&obj.getattr("__array_interface__")?.get_item("typestr")?.extract::<String>()?).is_some() {
        let t = from_numpy(obj)?.deep_clone()?;
        return Ok(match dtype {
            Some(d) => t.to_dtype(d)?,
            None => t,
        });
    }
    let mut shape = vec![];
    let mut vals = vec![];
    walk(obj, 0, &mut shape, &mut vals)?;
    let inferred = if vals.iter().any(|v| v.is_float()) {
        crate::default_dtype()
    } else if vals.iter().any(|v| matches!(v, Scalar::Int(_))) {
        DType::I64
    } else if vals.is_empty() {
        crate::default_dtype()
    } else {
        DType::Bool
    };
    let dtype = dtype.unwrap_or(inferred);
    let t = if dtype.is_floating_point() || (dtype == DType::Bool && vals.iter().any(|v| v.is_float())) {
        Tensor::from_vec(vals.iter().map(|v| v.to_f64()).collect::<Vec<f64>>(), &shape)?
    } else {
        Tensor::from_vec(vals.iter().map(|v| v.to_i64()).collect::<Vec<i64>>(), &shape)?
    };
    Ok(t.to_dtype(dtype)?)
}

//! `rtorch.dtype` and `rtorch.device`: small value objects. Dtypes are singletons, so
//! `t.dtype is rtorch.float32` holds as in torch.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::device::Device;
use crate::dtype::{DType, ALL_DTYPES};

#[pyclass(name = "dtype", module = "rtorch", frozen, eq, hash, skip_from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDType {
    pub d: DType,
}

static DTYPES: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();

/// The singleton Python object for a dtype.
pub fn dtype_object(py: Python<'_>, d: DType) -> PyResult<Py<PyDType>> {
    let all = DTYPES.get_or_try_init(py, || {
        ALL_DTYPES.iter().map(|&d| Py::new(py, PyDType { d })).collect::<PyResult<Vec<_>>>()
    })?;
    let i = ALL_DTYPES.iter().position(|&x| x == d).unwrap_or(0);
    Ok(all[i].clone_ref(py))
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        self.d.to_string()
    }

    #[getter]
    fn is_floating_point(&self) -> bool {
        self.d.is_floating_point()
    }

    #[getter]
    fn is_complex(&self) -> bool {
        false
    }

    #[getter]
    fn is_signed(&self) -> bool {
        self.d.is_signed()
    }

    #[getter]
    fn itemsize(&self) -> usize {
        self.d.size()
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let f = py.import("rtorch")?.getattr("_dtype_from_name")?.unbind();
        Ok((f, (self.d.name().to_string(),)))
    }
}

/// Reads a dtype argument: an `rtorch.dtype`, a Python type (float, int, bool) or None.
pub fn parse_dtype(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(Some(d.get().d));
    }
    if let Ok(t) = obj.cast::<PyType>() {
        let name: String = t.name()?.extract()?;
        return match name.as_str() {
            "float" => Ok(Some(DType::F64)),
            "int" => Ok(Some(DType::I64)),
            "bool" => Ok(Some(DType::Bool)),
            _ => Err(PyTypeError::new_err(format!("dtype must be an rtorch.dtype, not {name}"))),
        };
    }
    Err(PyTypeError::new_err(format!(
        "dtype must be an rtorch.dtype, not {}",
        obj.get_type().name()?
    )))
}

#[pyclass(name = "device", module = "rtorch", frozen, eq, hash, skip_from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDevice {
    pub kind: &'static str,
    pub index: Option<usize>,
}

impl PyDevice {
    pub fn from_device(d: Device) -> PyDevice {
        PyDevice { kind: d.kind(), index: d.index() }
    }

    pub fn device(&self) -> Device {
        match self.kind {
            "cuda" => Device::Cuda(self.index.unwrap_or(0)),
            _ => Device::Cpu,
        }
    }
}

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (r#type, index=None))]
    fn py_new(r#type: &Bound<'_, PyAny>, index: Option<i64>) -> PyResult<PyDevice> {
        if let Ok(d) = r#type.cast::<PyDevice>() {
            return Ok(*d.get());
        }
        if let Ok(i) = r#type.extract::<i64>() {
            if i < 0 {
                return Err(PyRuntimeError::new_err(format!("Device index must not be negative, got {i}")));
            }
            return Ok(PyDevice { kind: "cuda", index: Some(i as usize) });
        }
        let s: String = r#type.extract()?;
        let has_index = s.contains(':');
        let d = Device::parse(&s)?;
        let mut out = PyDevice { kind: d.kind(), index: if has_index { d.index() } else { None } };
        if let Some(i) = index {
            if has_index {
                return Err(PyRuntimeError::new_err("type (string) must not include an index because index was passed explicitly"));
            }
            if i < 0 {
                return Err(PyRuntimeError::new_err(format!("Device index must not be negative, got {i}")));
            }
            out.index = Some(i as usize);
        }
        Ok(out)
    }

    #[getter]
    fn r#type(&self) -> &'static str {
        self.kind
    }

    #[getter]
    fn index(&self) -> Option<usize> {
        self.index
    }

    fn __repr__(&self) -> String {
        match self.index {
            Some(i) => format!("device(type='{}', index={i})", self.kind),
            None => format!("device(type='{}')", self.kind),
        }
    }

    fn __str__(&self) -> String {
        match self.index {
            Some(i) => format!("{}:{i}", self.kind),
            None => self.kind.to_string(),
        }
    }
}

/// Reads a device argument: None, a string, an `rtorch.device` or a CUDA index.
pub fn parse_device(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Device>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(d) = obj.cast::<PyDevice>() {
        return Ok(Some(d.get().device()));
    }
    if let Ok(s) = obj.extract::<String>() {
        return Ok(Some(Device::parse(&s)?));
    }
    if let Ok(i) = obj.extract::<i64>() {
        if i < 0 {
            return Err(PyRuntimeError::new_err(format!("Device index must not be negative, got {i}")));
        }
        return Ok(Some(Device::Cuda(i as usize)));
    }
    Err(PyTypeError::new_err(format!("expected a device, got {}", obj.get_type().name()?)))
}

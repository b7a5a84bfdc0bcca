//! Bindings of sorting, selection, scans and searching: Tensor methods (function forms
//! forward to them) plus searchsorted/bucketize, which lead with another argument.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{tensor_arg, to_scalar};
use super::dtype::parse_dtype;
use super::tensor::{PyTensor, TensorOut};
use crate::dtype::{DType, Scalar};
use crate::error::Error;
use crate::ops::index::{cpp_type_name, write_out};
use crate::tensor::Tensor;

type Obj<'py> = Bound<'py, PyAny>;

/// `out` gets `result` (same dtype required, resized as needed).
pub(super) fn write_into(name: &str, out: &Tensor, result: &Tensor) -> PyResult<()> {
    write_out(name, out, result, || same_dtype_error(out, result))?;
    Ok(())
}

/// torch's "Expected out tensor to have dtype ..." error.
pub(super) fn same_dtype_error(out: &Tensor, result: &Tensor) -> Error {
    Error::Runtime(format!(
        "Expected out tensor to have dtype {}, but got {} instead",
        cpp_type_name(result.dtype()),
        cpp_type_name(out.dtype())
    ))
}

/// A (values, indices) named tuple of `rtorch.return_types`, or the `out=` pair filled.
fn pair(py: Python<'_>, name: &str, (values, indices): (Tensor, Tensor), out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let cls = py.import("rtorch.return_types")?.getattr(name)?;
    if let Some(o) = out.filter(|o| !o.is_none()) {
        let o = o.cast::<PyTuple>().map_err(|_| PyTypeError::new_err(format!("{name}(): argument 'out' must be tuple of Tensors")))?;
        if o.len() != 2 {
            return Err(PyTypeError::new_err(format!("{name}(): argument 'out' must be tuple of 2 Tensors")));
        }
        let (ov, oi) = (tensor_arg(&o.get_item(0)?, "out")?, tensor_arg(&o.get_item(1)?, "out")?);
        write_into(name, &ov, &values)?;
        write_into(name, &oi, &indices)?;
        return Ok(cls.call1((o.get_item(0)?, o.get_item(1)?))?.unbind());
    }
    let (v, i) = (PyTensor::wrap(values).into_pyobject(py)?, PyTensor::wrap(indices).into_pyobject(py)?);
    Ok(cls.call1((v, i))?.unbind())
}

fn single(py: Python<'_>, name: &str, result: Tensor, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    if let Some(o) = out.filter(|o| !o.is_none()) {
        write_into(name, &tensor_arg(o, "out")?, &result)?;
        return Ok(o.clone().unbind());
    }
    Ok(PyTensor::wrap(result).into_pyobject(py)?.into_any().unbind())
}

fn optional_tensor(obj: Option<&Obj<'_>>, what: &str) -> PyResult<Option<Tensor>> {
    obj.filter(|o| !o.is_none()).map(|o| tensor_arg(o, what)).transpose()
}

/// The values argument of searchsorted/bucketize: a tensor or a Python number.
fn values_arg(obj: &Obj<'_>, like: &Tensor) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.get().t.clone());
    }
    let s = to_scalar(obj)?.ok_or_else(|| PyTypeError::new_err("expected a Tensor or a number"))?;
    Ok(Tensor::scalar_tensor(s, if matches!(s, Scalar::Float(_)) { DType::F64 } else { like.dtype() })?)
}

/// `side` / `right` of searchsorted, reconciled as torch does.
fn right_of(side: Option<&str>, right: bool) -> PyResult<bool> {
    match side {
        None => Ok(right),
        Some("right") => Ok(true),
        Some("left") if right => Err(PyRuntimeError::new_err("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True")),
        Some("left") => Ok(false),
        Some(other) => Err(PyRuntimeError::new_err(format!("torch.searchsorted(): side can only be 'left' or 'right' but got {other}"))),
    }
}

#[pyfunction]
#[pyo3(signature = (sorted_sequence, input, *, out_int32=false, right=false, side=None, sorter=None, out=None))]
#[allow(clippy::too_many_arguments)]
pub fn searchsorted(py: Python<'_>, sorted_sequence: PyRef<'_, PyTensor>, input: &Obj<'_>, out_int32: bool, right: bool, side: Option<&str>, sorter: Option<&Obj<'_>>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let right = right_of(side, right)?;
    let seq = match optional_tensor(sorter, "sorter")? {
        Some(order) => sorted_sequence.t.gather(-1, &order)?,
        None => sorted_sequence.t.clone(),
    };
    let values = values_arg(input, &seq)?;
    single(py, "searchsorted", crate::ops::search::searchsorted(&seq, &values, right, out_int32)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, boundaries, *, out_int32=false, right=false, out=None))]
pub fn bucketize(py: Python<'_>, input: &Obj<'_>, boundaries: PyRef<'_, PyTensor>, out_int32: bool, right: bool, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let values = values_arg(input, &boundaries.t)?;
    single(py, "bucketize", crate::ops::search::bucketize(&values, &boundaries.t, right, out_int32)?, out)
}

/// unique's result: values alone, or a tuple with the inverse and/or the counts.
fn unique_result(py: Python<'_>, u: crate::ops::search::Unique, inverse: bool, counts: bool) -> PyResult<Py<PyAny>> {
    let mut items = vec![PyTensor::wrap(u.values).into_pyobject(py)?.into_any()];
    if inverse {
        items.push(PyTensor::wrap(u.inverse).into_pyobject(py)?.into_any());
    }
    if counts {
        items.push(PyTensor::wrap(u.counts).into_pyobject(py)?.into_any());
    }
    if items.len() == 1 {
        return Ok(items.remove(0).unbind());
    }
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=-1, descending=false, *, stable=None, out=None))]
    fn sort(&self, py: Python<'_>, dim: i64, descending: bool, stable: Option<bool>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
        let _ = stable; // the sort is always stable
        pair(py, "sort", self.t.sort(dim, descending)?, out)
    }

    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn argsort(&self, dim: i64, descending: bool, stable: bool) -> PyResult<TensorOut> {
        let _ = stable;
        Ok(PyTensor::wrap(self.t.argsort(dim, descending)?))
    }

    fn msort(&self) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.sort(0, false)?.0))
    }

    #[pyo3(signature = (k, dim=-1, largest=true, sorted=true, *, out=None))]
    fn topk(&self, py: Python<'_>, k: i64, dim: i64, largest: bool, sorted: bool, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
        pair(py, "topk", self.t.topk(k, dim, largest, sorted)?, out)
    }

    #[pyo3(signature = (k, dim=-1, keepdim=false))]
    fn kthvalue(&self, py: Python<'_>, k: i64, dim: i64, keepdim: bool) -> PyResult<Py<PyAny>> {
        if self.t.dtype() == DType::Bool {
            return Err(Error::NotImplemented("\"kthvalue_cpu\" not implemented for 'Bool'".into()).into());
        }
        pair(py, "kthvalue", self.t.kthvalue(k, dim, keepdim)?, None)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn median(&self, py: Python<'_>, dim: Option<i64>, keepdim: bool) -> PyResult<Py<PyAny>> {
        match dim {
            None => single(py, "median", self.t.median()?, None),
            Some(d) => pair(py, "median", self.t.median_dim(d, keepdim)?, None),
        }
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn nanmedian(&self, py: Python<'_>, dim: Option<i64>, keepdim: bool) -> PyResult<Py<PyAny>> {
        match dim {
            None => single(py, "nanmedian", self.t.nanmedian()?, None),
            Some(d) => pair(py, "nanmedian", self.t.nanmedian_dim(d, keepdim)?, None),
        }
    }

    #[pyo3(signature = (dim=-1, keepdim=false))]
    fn mode(&self, py: Python<'_>, dim: i64, keepdim: bool) -> PyResult<Py<PyAny>> {
        pair(py, "mode", self.t.mode(dim, keepdim)?, None)
    }

    #[pyo3(signature = (dim, *, dtype=None, out=None))]
    fn cumsum(&self, py: Python<'_>, dim: i64, dtype: Option<&Obj<'_>>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
        single(py, "cumsum", self.t.cumsum(dim, scan_dtype(dtype, out)?)?, out)
    }

    #[pyo3(signature = (dim, *, dtype=None, out=None))]
    fn cumprod(&self, py: Python<'_>, dim: i64, dtype: Option<&Obj<'_>>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
        single(py, "cumprod", self.t.cumprod(dim, scan_dtype(dtype, out)?)?, out)
    }

    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumsum_<'py>(slf: &Bound<'py, Self>, dim: i64, dtype: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        in_place_scan(slf, dim, dtype, Tensor::cumsum_)
    }

    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumprod_<'py>(slf: &Bound<'py, Self>, dim: i64, dtype: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        in_place_scan(slf, dim, dtype, Tensor::cumprod_)
    }

    fn cummax(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyAny>> {
        pair(py, "cummax", self.t.cummax(dim)?, None)
    }

    fn cummin(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyAny>> {
        pair(py, "cummin", self.t.cummin(dim)?, None)
    }

    fn logcumsumexp(&self, dim: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.logcumsumexp(dim)?))
    }

    #[pyo3(signature = (n=1, dim=-1, prepend=None, append=None))]
    fn diff(&self, n: i64, dim: i64, prepend: Option<&Obj<'_>>, append: Option<&Obj<'_>>) -> PyResult<TensorOut> {
        let (pre, app) = (optional_tensor(prepend, "prepend")?, optional_tensor(append, "append")?);
        Ok(PyTensor::wrap(self.t.diff(n, dim, pre.as_ref(), app.as_ref())?))
    }

    #[pyo3(signature = (sorted=true, return_inverse=false, return_counts=false, dim=None))]
    fn unique(&self, py: Python<'_>, sorted: bool, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        let _ = sorted; // results are always sorted, which torch allows
        unique_result(py, crate::ops::search::unique(&self.t, dim, true, false)?, return_inverse, return_counts)
    }

    #[pyo3(signature = (return_inverse=false, return_counts=false, dim=None))]
    fn unique_consecutive(&self, py: Python<'_>, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        unique_result(py, crate::ops::search::unique(&self.t, dim, false, true)?, return_inverse, return_counts)
    }

    #[pyo3(signature = (weights=None, minlength=0))]
    fn bincount(&self, weights: Option<&Obj<'_>>, minlength: i64) -> PyResult<TensorOut> {
        let w = optional_tensor(weights, "weights")?;
        Ok(PyTensor::wrap(crate::ops::search::bincount(&self.t, w.as_ref(), minlength)?))
    }

    #[pyo3(signature = (bins=100, min=0.0, max=0.0))]
    fn histc(&self, bins: i64, min: f64, max: f64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(crate::ops::search::histc(&self.t, bins, min, max)?))
    }
}

/// The dtype a scan computes in: `dtype`, else the `out=` tensor's, else the default.
fn scan_dtype(dtype: Option<&Obj<'_>>, out: Option<&Obj<'_>>) -> PyResult<Option<DType>> {
    match (parse_dtype(dtype)?, optional_tensor(out, "out")?) {
        (Some(d), _) => Ok(Some(d)),
        (None, Some(o)) => Ok(Some(o.dtype())),
        (None, None) => Ok(None),
    }
}

/// cumsum_/cumprod_: `dtype`, when given, must be the tensor's own.
fn in_place_scan<'py>(slf: &Bound<'py, PyTensor>, dim: i64, dtype: Option<&Obj<'_>>, op: fn(&Tensor, i64) -> crate::Result<Tensor>) -> PyResult<Bound<'py, PyTensor>> {
    let t = &slf.get().t;
    if let Some(d) = parse_dtype(dtype)? {
        if d != t.dtype() {
            return Err(PyRuntimeError::new_err(format!(
                "Bad in-place call: input tensor dtype {} and output tensor dtype {} should match",
                cpp_type_name(t.dtype()),
                cpp_type_name(d)
            )));
        }
    }
    op(t, dim)?;
    Ok(slf.clone())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(bucketize, m)?)?;
    Ok(())
}

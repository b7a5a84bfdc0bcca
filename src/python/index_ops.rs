//! Bindings of the index ops: Tensor methods (plain and in-place) and the module functions
//! (`rtorch.gather(input, ...)`, with `out=` where torch has it).

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::args::{arg, tensor_arg, to_scalar, OwnedArg};
use super::tensor::{nogil, PyTensor, TensorOut};
use crate::dtype::{DType, Scalar};
use crate::error::Error;
use crate::ops::index::scatter::ScatterReduce;
use crate::ops::index::{cpp_type_name, write_out};
use crate::tensor::Tensor;

type Obj<'py> = Bound<'py, PyAny>;

/// Returns `result`, or writes it into `out=` (checked by `check`) and returns `out` itself.
fn finish(py: Python<'_>, name: &str, result: Tensor, out: Option<&Obj<'_>>, check: impl FnOnce(&Tensor) -> Option<Error>) -> PyResult<Py<PyAny>> {
    let Some(o) = out.filter(|o| !o.is_none()) else {
        return Ok(PyTensor::wrap(result).into_pyobject(py)?.into_any().unbind());
    };
    let target = tensor_arg(o, "out")?;
    if let Some(e) = check(&target) {
        return Err(e.into());
    }
    write_out(name, &target, &result, || {
        Error::Runtime(format!("Expected out tensor to have dtype {}, but got {} instead", cpp_type_name(result.dtype()), cpp_type_name(target.dtype())))
    })?;
    Ok(o.clone().unbind())
}

/// torch's check that `out` has `input`'s dtype, with the op's own message.
fn same_dtype<'a>(input: &'a Tensor, message: impl FnOnce(&Tensor) -> String + 'a) -> impl FnOnce(&Tensor) -> Option<Error> + 'a {
    move |out| (out.dtype() != input.dtype()).then(|| Error::Runtime(message(out)))
}

/// The structured-kernel check: `out` has the result's dtype (done by `write_out`).
fn any_dtype(_: &Tensor) -> Option<Error> {
    None
}

fn scatter_reduce_arg(reduce: Option<&str>) -> PyResult<Option<ScatterReduce>> {
    Ok(reduce.map(ScatterReduce::parse_legacy).transpose()?)
}

/// scatter's third operand: `src` (a tensor or, positionally, a number) or `value=`.
fn scatter_src(src: Option<&Obj<'_>>, value: Option<&Obj<'_>>) -> PyResult<OwnedArg> {
    match (src.filter(|s| !s.is_none()), value.filter(|v| !v.is_none())) {
        (Some(s), None) => arg(s, "scatter"),
        (None, Some(v)) => match to_scalar(v)? {
            Some(s) => Ok(OwnedArg::Scalar(s)),
            None => Err(PyTypeError::new_err("scatter(): argument 'value' must be Number")),
        },
        _ => Err(PyTypeError::new_err("scatter() expects exactly one of 'src' and 'value'")),
    }
}

fn alpha_of(alpha: Option<&Obj<'_>>) -> PyResult<Scalar> {
    match alpha {
        None => Ok(Scalar::Int(1)),
        Some(a) => to_scalar(a)?.ok_or_else(|| PyTypeError::new_err("index_add(): argument 'alpha' must be Number")),
    }
}

/// index_put's `indices`: a tuple or list of tensors.
fn index_list(indices: &Obj<'_>) -> PyResult<Vec<Tensor>> {
    let items: Vec<Obj<'_>> = if let Ok(t) = indices.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = indices.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(PyTypeError::new_err("index_put(): argument 'indices' must be tuple of Tensors"));
    };
    items.iter().map(|i| tensor_arg(i, "index_put(): indices")).collect()
}

fn nonzero_result(py: Python<'_>, x: &Tensor, as_tuple: bool, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let has_out = out.is_some_and(|o| !o.is_none());
    if as_tuple {
        if has_out {
            return Err(PyRuntimeError::new_err("nonzero does not support the out kwarg when as_tuple is True"));
        }
        let x = x.clone();
        let parts = nogil(py, x.numel(), move || x.nonzero_tuple())?;
        let objs = parts.into_iter().map(|t| PyTensor::wrap(t).into_pyobject(py)).collect::<PyResult<Vec<_>>>()?;
        return Ok(PyTuple::new(py, objs)?.into_any().unbind());
    }
    let t = x.clone();
    let r = nogil(py, t.numel(), move || t.nonzero())?;
    finish(py, "nonzero", r, out, |o| {
        (o.dtype() != DType::I64).then(|| Error::Runtime(format!("nonzero: Expected out tensor to have scalar type Long but got scalar type {}", o.dtype().scalar_name())))
    })
}

// ---- the ops, shared by the methods and the functions ------------------------------------

fn index_select(py: Python<'_>, x: &Tensor, dim: i64, index: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i) = (x.clone(), tensor_arg(index, "index_select(): index")?);
    let r = nogil(py, t.numel(), move || t.index_select(dim, &i))?;
    finish(py, "index_select", r, out, same_dtype(x, |_| "index_select(): self and result must have the same scalar type".into()))
}

fn take(py: Python<'_>, x: &Tensor, index: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i) = (x.clone(), tensor_arg(index, "take(): index")?);
    let r = nogil(py, i.numel(), move || t.take(&i))?;
    finish(py, "take", r, out, same_dtype(x, |o| {
        format!("take(): self and out expected to have the same dtype, but got self.dtype = {} and out.dtype = {}", x.dtype().scalar_name(), o.dtype().scalar_name())
    }))
}

fn take_along_dim(py: Python<'_>, x: &Tensor, indices: &Obj<'_>, dim: Option<i64>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i) = (x.clone(), tensor_arg(indices, "take_along_dim(): indices")?);
    let r = nogil(py, i.numel(), move || t.take_along_dim(&i, dim))?;
    finish(py, "take_along_dim", r, out, any_dtype)
}

fn gather(py: Python<'_>, x: &Tensor, dim: i64, index: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i) = (x.clone(), tensor_arg(index, "gather(): index")?);
    let r = nogil(py, i.numel(), move || t.gather(dim, &i))?;
    finish(py, "gather", r, out, any_dtype)
}

fn masked_select(py: Python<'_>, x: &Tensor, mask: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, m) = (x.clone(), tensor_arg(mask, "masked_select(): mask")?);
    let r = nogil(py, t.numel(), move || t.masked_select(&m))?;
    finish(py, "masked_select", r, out, same_dtype(x, |_| "masked_select(): self and result must have the same scalar type".into()))
}

#[allow(clippy::too_many_arguments)]
fn scatter(py: Python<'_>, x: &Tensor, dim: i64, index: &Obj<'_>, src: Option<&Obj<'_>>, value: Option<&Obj<'_>>, reduce: Option<&str>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i, s, r) = (x.clone(), tensor_arg(index, "scatter(): index")?, scatter_src(src, value)?, scatter_reduce_arg(reduce)?);
    let res = nogil(py, i.numel(), move || t.scatter(dim, &i, s.as_arg(), r))?;
    finish(py, "scatter", res, out, any_dtype)
}

fn scatter_add(py: Python<'_>, x: &Tensor, dim: i64, index: &Obj<'_>, src: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i, s) = (x.clone(), tensor_arg(index, "scatter_add(): index")?, tensor_arg(src, "scatter_add(): src")?);
    let r = nogil(py, i.numel(), move || t.scatter_add(dim, &i, &s))?;
    finish(py, "scatter_add", r, out, any_dtype)
}

#[allow(clippy::too_many_arguments)]
fn scatter_reduce(py: Python<'_>, x: &Tensor, dim: i64, index: &Obj<'_>, src: &Obj<'_>, reduce: &str, include_self: bool, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i, s) = (x.clone(), tensor_arg(index, "scatter_reduce(): index")?, tensor_arg(src, "scatter_reduce(): src")?);
    let r = ScatterReduce::parse(reduce)?;
    let res = nogil(py, i.numel(), move || t.scatter_reduce(dim, &i, &s, r, include_self))?;
    finish(py, "scatter_reduce", res, out, any_dtype)
}

#[allow(clippy::too_many_arguments)]
fn index_add(py: Python<'_>, x: &Tensor, dim: i64, index: &Obj<'_>, source: &Obj<'_>, alpha: Option<&Obj<'_>>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i, s, a) = (x.clone(), tensor_arg(index, "index_add(): index")?, tensor_arg(source, "index_add(): source")?, alpha_of(alpha)?);
    let r = nogil(py, s.numel(), move || t.index_add(dim, &i, &s, a))?;
    finish(py, "index_add", r, out, any_dtype)
}

fn index_copy(py: Python<'_>, x: &Tensor, dim: i64, index: &Obj<'_>, source: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (t, i, s) = (x.clone(), tensor_arg(index, "index_copy(): index")?, tensor_arg(source, "index_copy(): source")?);
    let r = nogil(py, s.numel(), move || t.index_copy(dim, &i, &s))?;
    finish(py, "index_copy", r, out, any_dtype)
}

fn index_fill(x: &Tensor, dim: i64, index: &Obj<'_>, value: &Obj<'_>) -> PyResult<Tensor> {
    let (i, v) = (tensor_arg(index, "index_fill(): index")?, arg(value, "index_fill(): value")?);
    Ok(x.index_fill(dim, &i, v.as_arg())?)
}

fn index_put(x: &Tensor, indices: &Obj<'_>, values: &Obj<'_>, accumulate: bool) -> PyResult<Tensor> {
    let (idx, v) = (index_list(indices)?, tensor_arg(values, "index_put(): values")?);
    Ok(x.index_put(&idx, &v, accumulate)?)
}

fn masked_scatter(x: &Tensor, mask: &Obj<'_>, source: &Obj<'_>) -> PyResult<Tensor> {
    let (m, s) = (tensor_arg(mask, "masked_scatter(): mask")?, tensor_arg(source, "masked_scatter(): source")?);
    Ok(x.masked_scatter(&m, &s)?)
}

// ---- Tensor methods ------------------------------------------------------------------------

#[pymethods]
impl PyTensor {
    fn index_select(&self, py: Python<'_>, dim: i64, index: &Obj<'_>) -> PyResult<Py<PyAny>> {
        index_select(py, &self.t, dim, index, None)
    }

    fn take(&self, py: Python<'_>, index: &Obj<'_>) -> PyResult<Py<PyAny>> {
        take(py, &self.t, index, None)
    }

    #[pyo3(signature = (indices, dim=None))]
    fn take_along_dim(&self, py: Python<'_>, indices: &Obj<'_>, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        take_along_dim(py, &self.t, indices, dim, None)
    }

    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather(&self, py: Python<'_>, dim: i64, index: &Obj<'_>, sparse_grad: bool) -> PyResult<Py<PyAny>> {
        let _ = sparse_grad;
        gather(py, &self.t, dim, index, None)
    }

    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter(&self, py: Python<'_>, dim: i64, index: &Obj<'_>, src: Option<&Obj<'_>>, value: Option<&Obj<'_>>, reduce: Option<&str>) -> PyResult<Py<PyAny>> {
        scatter(py, &self.t, dim, index, src, value, reduce, None)
    }

    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Obj<'py>, src: Option<&Obj<'py>>, value: Option<&Obj<'py>>, reduce: Option<&str>) -> PyResult<Bound<'py, Self>> {
        let (t, i, s, r) = (slf.get().t.clone(), tensor_arg(index, "scatter_(): index")?, scatter_src(src, value)?, scatter_reduce_arg(reduce)?);
        nogil(slf.py(), i.numel(), move || t.scatter_(dim, &i, s.as_arg(), r))?;
        Ok(slf.clone())
    }

    fn scatter_add(&self, py: Python<'_>, dim: i64, index: &Obj<'_>, src: &Obj<'_>) -> PyResult<Py<PyAny>> {
        scatter_add(py, &self.t, dim, index, src, None)
    }

    fn scatter_add_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Obj<'py>, src: &Obj<'py>) -> PyResult<Bound<'py, Self>> {
        let (t, i, s) = (slf.get().t.clone(), tensor_arg(index, "scatter_add_(): index")?, tensor_arg(src, "scatter_add_(): src")?);
        nogil(slf.py(), i.numel(), move || t.scatter_add_(dim, &i, &s))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce(&self, py: Python<'_>, dim: i64, index: &Obj<'_>, src: &Obj<'_>, reduce: &str, include_self: bool) -> PyResult<Py<PyAny>> {
        scatter_reduce(py, &self.t, dim, index, src, reduce, include_self, None)
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Obj<'py>, src: &Obj<'py>, reduce: &str, include_self: bool) -> PyResult<Bound<'py, Self>> {
        let (t, i, s) = (slf.get().t.clone(), tensor_arg(index, "scatter_reduce_(): index")?, tensor_arg(src, "scatter_reduce_(): src")?);
        let r = ScatterReduce::parse(reduce)?;
        nogil(slf.py(), i.numel(), move || t.scatter_reduce_(dim, &i, &s, r, include_self))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add(&self, py: Python<'_>, dim: i64, index: &Obj<'_>, source: &Obj<'_>, alpha: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
        index_add(py, &self.t, dim, index, source, alpha, None)
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Obj<'py>, source: &Obj<'py>, alpha: Option<&Obj<'py>>) -> PyResult<Bound<'py, Self>> {
        let (t, i, s, a) = (slf.get().t.clone(), tensor_arg(index, "index_add_(): index")?, tensor_arg(source, "index_add_(): source")?, alpha_of(alpha)?);
        nogil(slf.py(), s.numel(), move || t.index_add_(dim, &i, &s, a))?;
        Ok(slf.clone())
    }

    fn index_copy(&self, py: Python<'_>, dim: i64, index: &Obj<'_>, source: &Obj<'_>) -> PyResult<Py<PyAny>> {
        index_copy(py, &self.t, dim, index, source, None)
    }

    fn index_copy_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Obj<'py>, source: &Obj<'py>) -> PyResult<Bound<'py, Self>> {
        let (t, i, s) = (slf.get().t.clone(), tensor_arg(index, "index_copy_(): index")?, tensor_arg(source, "index_copy_(): source")?);
        nogil(slf.py(), s.numel(), move || t.index_copy_(dim, &i, &s))?;
        Ok(slf.clone())
    }

    fn index_fill(&self, dim: i64, index: &Obj<'_>, value: &Obj<'_>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(index_fill(&self.t, dim, index, value)?))
    }

    fn index_fill_<'py>(slf: &Bound<'py, Self>, dim: i64, index: &Obj<'py>, value: &Obj<'py>) -> PyResult<Bound<'py, Self>> {
        let (i, v) = (tensor_arg(index, "index_fill_(): index")?, arg(value, "index_fill_(): value")?);
        slf.get().t.index_fill_(dim, &i, v.as_arg())?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put(&self, indices: &Obj<'_>, values: &Obj<'_>, accumulate: bool) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(index_put(&self.t, indices, values, accumulate)?))
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_<'py>(slf: &Bound<'py, Self>, indices: &Obj<'py>, values: &Obj<'py>, accumulate: bool) -> PyResult<Bound<'py, Self>> {
        let (idx, v) = (index_list(indices)?, tensor_arg(values, "index_put_(): values")?);
        slf.get().t.index_put_(&idx, &v, accumulate)?;
        Ok(slf.clone())
    }

    fn masked_select(&self, py: Python<'_>, mask: &Obj<'_>) -> PyResult<Py<PyAny>> {
        masked_select(py, &self.t, mask, None)
    }

    fn masked_scatter(&self, mask: &Obj<'_>, source: &Obj<'_>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(masked_scatter(&self.t, mask, source)?))
    }

    fn masked_scatter_<'py>(slf: &Bound<'py, Self>, mask: &Obj<'py>, source: &Obj<'py>) -> PyResult<Bound<'py, Self>> {
        let (m, s) = (tensor_arg(mask, "masked_scatter_(): mask")?, tensor_arg(source, "masked_scatter_(): source")?);
        slf.get().t.masked_scatter_(&m, &s)?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero(&self, py: Python<'_>, as_tuple: bool) -> PyResult<Py<PyAny>> {
        nonzero_result(py, &self.t, as_tuple, None)
    }

    fn argwhere(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        nonzero_result(py, &self.t, false, None)
    }
}

// ---- module functions ----------------------------------------------------------------------

#[pyfunction]
#[pyo3(name = "index_select", signature = (input, dim, index, *, out=None))]
fn index_select_fn(py: Python<'_>, input: &Obj<'_>, dim: i64, index: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    index_select(py, &tensor_arg(input, "index_select(): input")?, dim, index, out)
}

#[pyfunction]
#[pyo3(name = "take", signature = (input, index, *, out=None))]
fn take_fn(py: Python<'_>, input: &Obj<'_>, index: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    take(py, &tensor_arg(input, "take(): input")?, index, out)
}

#[pyfunction]
#[pyo3(name = "take_along_dim", signature = (input, indices, dim=None, *, out=None))]
fn take_along_dim_fn(py: Python<'_>, input: &Obj<'_>, indices: &Obj<'_>, dim: Option<i64>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    take_along_dim(py, &tensor_arg(input, "take_along_dim(): input")?, indices, dim, out)
}

#[pyfunction]
#[pyo3(name = "gather", signature = (input, dim, index, *, sparse_grad=false, out=None))]
fn gather_fn(py: Python<'_>, input: &Obj<'_>, dim: i64, index: &Obj<'_>, sparse_grad: bool, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let _ = sparse_grad;
    gather(py, &tensor_arg(input, "gather(): input")?, dim, index, out)
}

#[pyfunction]
#[pyo3(name = "scatter", signature = (input, dim, index, src=None, *, value=None, reduce=None, out=None))]
#[allow(clippy::too_many_arguments)]
fn scatter_fn(py: Python<'_>, input: &Obj<'_>, dim: i64, index: &Obj<'_>, src: Option<&Obj<'_>>, value: Option<&Obj<'_>>, reduce: Option<&str>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    scatter(py, &tensor_arg(input, "scatter(): input")?, dim, index, src, value, reduce, out)
}

#[pyfunction]
#[pyo3(name = "scatter_add", signature = (input, dim, index, src, *, out=None))]
fn scatter_add_fn(py: Python<'_>, input: &Obj<'_>, dim: i64, index: &Obj<'_>, src: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    scatter_add(py, &tensor_arg(input, "scatter_add(): input")?, dim, index, src, out)
}

#[pyfunction]
#[pyo3(name = "scatter_reduce", signature = (input, dim, index, src, reduce, *, include_self=true, out=None))]
#[allow(clippy::too_many_arguments)]
fn scatter_reduce_fn(py: Python<'_>, input: &Obj<'_>, dim: i64, index: &Obj<'_>, src: &Obj<'_>, reduce: &str, include_self: bool, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    scatter_reduce(py, &tensor_arg(input, "scatter_reduce(): input")?, dim, index, src, reduce, include_self, out)
}

#[pyfunction]
#[pyo3(name = "index_add", signature = (input, dim, index, source, *, alpha=None, out=None))]
#[allow(clippy::too_many_arguments)]
fn index_add_fn(py: Python<'_>, input: &Obj<'_>, dim: i64, index: &Obj<'_>, source: &Obj<'_>, alpha: Option<&Obj<'_>>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    index_add(py, &tensor_arg(input, "index_add(): input")?, dim, index, source, alpha, out)
}

#[pyfunction]
#[pyo3(name = "index_copy", signature = (input, dim, index, source, *, out=None))]
fn index_copy_fn(py: Python<'_>, input: &Obj<'_>, dim: i64, index: &Obj<'_>, source: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    index_copy(py, &tensor_arg(input, "index_copy(): input")?, dim, index, source, out)
}

#[pyfunction]
#[pyo3(name = "index_fill")]
fn index_fill_fn(input: &Obj<'_>, dim: i64, index: &Obj<'_>, value: &Obj<'_>) -> PyResult<TensorOut> {
    Ok(PyTensor::wrap(index_fill(&tensor_arg(input, "index_fill(): input")?, dim, index, value)?))
}

#[pyfunction]
#[pyo3(name = "index_put", signature = (input, indices, values, accumulate=false))]
fn index_put_fn(input: &Obj<'_>, indices: &Obj<'_>, values: &Obj<'_>, accumulate: bool) -> PyResult<TensorOut> {
    Ok(PyTensor::wrap(index_put(&tensor_arg(input, "index_put(): input")?, indices, values, accumulate)?))
}

#[pyfunction]
#[pyo3(name = "masked_select", signature = (input, mask, *, out=None))]
fn masked_select_fn(py: Python<'_>, input: &Obj<'_>, mask: &Obj<'_>, out: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    masked_select(py, &tensor_arg(input, "masked_select(): input")?, mask, out)
}

#[pyfunction]
#[pyo3(name = "masked_scatter")]
fn masked_scatter_fn(input: &Obj<'_>, mask: &Obj<'_>, source: &Obj<'_>) -> PyResult<TensorOut> {
    Ok(PyTensor::wrap(masked_scatter(&tensor_arg(input, "masked_scatter(): input")?, mask, source)?))
}

#[pyfunction]
#[pyo3(name = "nonzero", signature = (input, *, out=None, as_tuple=false))]
fn nonzero_fn(py: Python<'_>, input: &Obj<'_>, out: Option<&Obj<'_>>, as_tuple: bool) -> PyResult<Py<PyAny>> {
    nonzero_result(py, &tensor_arg(input, "nonzero(): input")?, as_tuple, out)
}

#[pyfunction]
#[pyo3(name = "argwhere")]
fn argwhere_fn(py: Python<'_>, input: &Obj<'_>) -> PyResult<Py<PyAny>> {
    nonzero_result(py, &tensor_arg(input, "argwhere(): input")?, false, None)
}

/// Adds the module functions to `rtorch._C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(
        index_select_fn, take_fn, take_along_dim_fn, gather_fn, scatter_fn, scatter_add_fn, scatter_reduce_fn,
        index_add_fn, index_copy_fn, index_fill_fn, index_put_fn, masked_select_fn, masked_scatter_fn, nonzero_fn,
        argwhere_fn,
    );
    Ok(())
}

//! Bindings of the joining, splitting and rearranging ops: cat/stack and friends as module
//! functions (they take lists), the rest as Tensor methods (function forms forward to them).

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::args::{int_list, int_of, sizes, to_scalar};
use super::dtype::{parse_device, parse_dtype};
use super::tensor::{PyTensor, TensorOut};
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::ops::join;
use crate::tensor::Tensor;

/// A list or tuple of tensors, with torch's message for anything else.
fn tensor_list(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<Vec<Tensor>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(PyTypeError::new_err(format!(
            "{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            obj.get_type().name()?
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            x.cast::<PyTensor>().map(|t| t.get().t.clone()).map_err(|_| {
                let name = x.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                PyTypeError::new_err(format!("expected Tensor as element {i} in argument 0, but got {name}"))
            })
        })
        .collect()
}

/// Varargs tensors, or one list/tuple of them (`broadcast_tensors(a, b)` or `([a, b])`).
fn tensors_from_args(args: &Bound<'_, PyTuple>, op: &str) -> PyResult<Vec<Tensor>> {
    if args.len() == 1 && args.get_item(0)?.cast::<PyTensor>().is_err() {
        return tensor_list(&args.get_item(0)?, op);
    }
    tensor_list(args.as_any(), op)
}

fn to_tuple<'py>(py: Python<'py>, ts: Vec<Tensor>) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, ts.into_iter().map(PyTensor::wrap))
}

/// Writes `result` into `out` when given (checked like `cat`'s out), else returns it.
fn into_out(result: Tensor, out: Option<PyRef<'_, PyTensor>>, op: &str) -> PyResult<TensorOut> {
    let Some(out) = out else { return Ok(PyTensor::wrap(result)) };
    Ok(PyTensor::wrap(join::cat_out(&[result], 0, &out.t).map_err(|e| rename_cat(e, op))?))
}

/// `cat`'s messages, as the op the user called.
fn rename_cat(e: crate::Error, op: &str) -> PyErr {
    let err: PyErr = e.into();
    Python::attach(|py| {
        let msg = err.value(py).to_string().replace("torch.cat()", op);
        if err.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(msg)
        } else {
            err
        }
    })
}

#[pyfunction]
#[pyo3(signature = (tensors, dim=0, *, axis=None, out=None))]
pub fn cat(tensors: &Bound<'_, PyAny>, dim: i64, axis: Option<i64>, out: Option<PyRef<'_, PyTensor>>) -> PyResult<TensorOut> {
    let ts = tensor_list(tensors, "cat")?;
    let dim = axis.unwrap_or(dim);
    Ok(PyTensor::wrap(match out {
        Some(o) => join::cat_out(&ts, dim, &o.t)?,
        None => join::cat(&ts, dim)?,
    }))
}

#[pyfunction]
#[pyo3(signature = (tensors, dim=0, *, out=None))]
pub fn stack(tensors: &Bound<'_, PyAny>, dim: i64, out: Option<PyRef<'_, PyTensor>>) -> PyResult<TensorOut> {
    let ts = tensor_list(tensors, "stack")?;
    Ok(PyTensor::wrap(match out {
        Some(o) => join::stack_out(&ts, dim, &o.t)?,
        None => join::stack(&ts, dim)?,
    }))
}

macro_rules! stacker {
    ($($name:ident),*) => {$(
        #[pyfunction]
        #[pyo3(signature = (tensors, *, out=None))]
        pub fn $name(tensors: &Bound<'_, PyAny>, out: Option<PyRef<'_, PyTensor>>) -> PyResult<TensorOut> {
            let ts = tensor_list(tensors, stringify!($name))?;
            into_out(join::$name(&ts)?, out, concat!("torch.", stringify!($name), "()"))
        }
    )*};
}
stacker!(hstack, vstack, dstack, column_stack);

#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn broadcast_tensors<'py>(py: Python<'py>, tensors: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyTuple>> {
    to_tuple(py, join::broadcast_tensors(&tensors_from_args(tensors, "broadcast_tensors")?)?)
}

#[pyfunction]
#[pyo3(signature = (*tensors, indexing=None))]
pub fn meshgrid<'py>(py: Python<'py>, tensors: &Bound<'py, PyTuple>, indexing: Option<&str>) -> PyResult<Bound<'py, PyTuple>> {
    let ts = tensors_from_args(tensors, "meshgrid")?;
    let xy = match indexing {
        None => {
            let msg = c"torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.";
            PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), msg, 1)?;
            false
        }
        Some("ij") => false,
        Some("xy") => true,
        Some(other) => {
            return Err(PyRuntimeError::new_err(format!("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {other}")))
        }
    };
    to_tuple(py, join::meshgrid(&ts, xy)?)
}

fn indices_fn(row: i64, col: i64, offset: i64, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, lower: bool) -> PyResult<TensorOut> {
    let dtype = parse_dtype(dtype)?.unwrap_or(DType::I64);
    let device = parse_device(device)?.unwrap_or(Device::Cpu);
    Ok(PyTensor::wrap(crate::ops::triangle::triangle_indices(row, col, offset, lower, dtype, device)?))
}

#[pyfunction]
#[pyo3(signature = (row, col, offset=0, *, dtype=None, device=None, layout=None))]
pub fn tril_indices(row: i64, col: i64, offset: i64, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
    let _ = layout;
    indices_fn(row, col, offset, dtype, device, true)
}

#[pyfunction]
#[pyo3(signature = (row, col, offset=0, *, dtype=None, device=None, layout=None))]
pub fn triu_indices(row: i64, col: i64, offset: i64, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
    let _ = layout;
    indices_fn(row, col, offset, dtype, device, false)
}

#[pyfunction]
#[pyo3(signature = (input, pad, value=None))]
pub fn constant_pad_nd(input: PyRef<'_, PyTensor>, pad: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
    let value = match value {
        Some(v) if !v.is_none() => to_scalar(v)?.ok_or_else(|| PyTypeError::new_err("pad(): value must be a number"))?,
        _ => Scalar::Int(0),
    };
    Ok(PyTensor::wrap(input.t.constant_pad(&int_list(pad, "pad")?, value)?))
}

/// `repeats` of repeat_interleave: an int or a tensor of counts.
fn repeat_counts(repeats: &Bound<'_, PyAny>) -> PyResult<Result<i64, Vec<i64>>> {
    if let Ok(t) = repeats.cast::<PyTensor>() {
        let t = &t.get().t;
        if t.ndim() > 1 {
            return Err(PyRuntimeError::new_err("repeats must be 0-dim or 1-dim tensor"));
        }
        if t.dtype().is_floating_point() || t.dtype() == DType::Bool {
            return Err(PyRuntimeError::new_err(format!("repeats has to be Long or Int tensor, got {}", t.dtype().scalar_name())));
        }
        return Ok(Err(t.to_vec::<i64>()?));
    }
    Ok(Ok(int_of(repeats, "repeats")?))
}

#[pyfunction]
#[pyo3(name = "repeat_interleave", signature = (input, repeats=None, dim=None, *, output_size=None))]
pub fn repeat_interleave_fn(input: &Bound<'_, PyTensor>, repeats: Option<&Bound<'_, PyAny>>, dim: Option<i64>, output_size: Option<i64>) -> PyResult<TensorOut> {
    let _ = output_size;
    let t = &input.get().t;
    match repeats {
        Some(r) => interleave(t, r, dim),
        None => {
            // repeat_interleave(counts): each index i repeated counts[i] times.
            let n = t.numel() as i64;
            let indices = crate::ops::creation::arange(Scalar::Int(0), Scalar::Int(n), Scalar::Int(1), t.dtype(), t.device())?;
            interleave(&indices, input.as_any(), Some(0))
        }
    }
}

fn interleave(t: &Tensor, repeats: &Bound<'_, PyAny>, dim: Option<i64>) -> PyResult<TensorOut> {
    Ok(PyTensor::wrap(match repeat_counts(repeats)? {
        Ok(r) => t.repeat_interleave(r, dim)?,
        Err(counts) => t.repeat_interleave_counts(&counts, dim)?,
    }))
}

/// `shifts`/`dims` of roll: an int or a sequence.
fn int_seq(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<i64>> {
    match obj {
        None => Ok(Vec::new()),
        Some(o) if o.is_none() => Ok(Vec::new()),
        Some(o) => int_list(o, what),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (split_size_or_sections, dim=0))]
    fn split<'py>(&self, py: Python<'py>, split_size_or_sections: &Bound<'py, PyAny>, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        let pieces = if split_size_or_sections.cast::<PyList>().is_ok() || split_size_or_sections.cast::<PyTuple>().is_ok() {
            self.t.split_with_sizes(&int_list(split_size_or_sections, "split_size")?, dim)?
        } else {
            self.t.split(int_of(split_size_or_sections, "split_size")?, dim)?
        };
        to_tuple(py, pieces)
    }

    #[pyo3(signature = (split_sizes, dim=0))]
    fn split_with_sizes<'py>(&self, py: Python<'py>, split_sizes: &Bound<'py, PyAny>, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        to_tuple(py, self.t.split_with_sizes(&int_list(split_sizes, "split_sizes")?, dim)?)
    }

    #[pyo3(signature = (chunks, dim=0))]
    fn chunk<'py>(&self, py: Python<'py>, chunks: i64, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        to_tuple(py, self.t.chunk(chunks, dim)?)
    }

    #[pyo3(signature = (indices_or_sections, dim=0))]
    fn tensor_split<'py>(&self, py: Python<'py>, indices_or_sections: &Bound<'py, PyAny>, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        let arg = indices_or_sections;
        let pieces = if let Ok(t) = arg.cast::<PyTensor>() {
            let t = &t.get().t;
            if t.dtype() != DType::I64 {
                return Err(PyRuntimeError::new_err(format!(
                    "tensor_split expected tensor_indices_or_sections to have dtype of long, but got {}",
                    t.dtype().scalar_name()
                )));
            }
            match t.ndim() {
                0 => self.t.tensor_split_sections(t.to_vec::<i64>()?[0], dim)?,
                1 => self.t.tensor_split_indices(&t.to_vec::<i64>()?, dim)?,
                n => return Err(PyRuntimeError::new_err(format!("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with {n} dims"))),
            }
        } else if arg.cast::<PyList>().is_ok() || arg.cast::<PyTuple>().is_ok() {
            self.t.tensor_split_indices(&int_list(arg, "indices")?, dim)?
        } else {
            self.t.tensor_split_sections(int_of(arg, "sections")?, dim)?
        };
        to_tuple(py, pieces)
    }

    #[pyo3(signature = (dim=0))]
    fn unbind<'py>(&self, py: Python<'py>, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        to_tuple(py, self.t.unbind(dim)?)
    }

    #[pyo3(signature = (*sizes_))]
    fn repeat(&self, sizes_: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.repeat(&sizes(sizes_)?)?))
    }

    #[pyo3(signature = (*dims))]
    fn tile(&self, dims: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.tile(&sizes(dims)?)?))
    }

    #[pyo3(signature = (repeats, dim=None, *, output_size=None))]
    fn repeat_interleave(&self, repeats: &Bound<'_, PyAny>, dim: Option<i64>, output_size: Option<i64>) -> PyResult<TensorOut> {
        let _ = output_size;
        interleave(&self.t, repeats, dim)
    }

    #[pyo3(signature = (shifts, dims=None))]
    fn roll(&self, shifts: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.roll(&int_list(shifts, "shifts")?, &int_seq(dims, "dims")?)?))
    }

    #[pyo3(signature = (*dims_, dims=None))]
    fn flip(&self, dims_: &Bound<'_, PyTuple>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let d = match dims {
            Some(d) => int_list(d, "dims")?,
            None => sizes(dims_)?,
        };
        Ok(PyTensor::wrap(self.t.flip(&d)?))
    }

    fn fliplr(&self) -> PyResult<TensorOut> {
        if self.t.ndim() < 2 {
            return Err(PyRuntimeError::new_err("Input must be >= 2-d."));
        }
        Ok(PyTensor::wrap(self.t.flip(&[1])?))
    }

    fn flipud(&self) -> PyResult<TensorOut> {
        if self.t.ndim() < 1 {
            return Err(PyRuntimeError::new_err("Input must be >= 1-d."));
        }
        Ok(PyTensor::wrap(self.t.flip(&[0])?))
    }

    #[pyo3(signature = (k=1, dims=None))]
    fn rot90(&self, k: i64, dims: Option<&Bound<'_, PyAny>>) -> PyResult<TensorOut> {
        let dims = match dims {
            Some(d) => int_list(d, "dims")?,
            None => vec![0, 1],
        };
        Ok(PyTensor::wrap(self.t.rot90(k, &dims)?))
    }

    fn movedim(&self, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.movedim(&int_list(source, "source")?, &int_list(destination, "destination")?)?))
    }

    fn moveaxis(&self, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyResult<TensorOut> {
        self.movedim(source, destination)
    }

    fn swapdims(&self, dim0: i64, dim1: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.transpose(dim0, dim1)?))
    }

    #[pyo3(signature = (*size))]
    fn broadcast_to(&self, size: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.expand(&sizes(size)?)?))
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril(&self, diagonal: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.tril(diagonal)?))
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu(&self, diagonal: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.triu(diagonal)?))
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril_<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().t.tril_(diagonal)?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu_<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().t.triu_(diagonal)?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (diagonal=0))]
    fn diag(&self, diagonal: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.diag(diagonal)?))
    }

    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal(&self, offset: i64, dim1: i64, dim2: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.diagonal(offset, dim1, dim2)?))
    }

    #[pyo3(signature = (offset=0, dim1=-2, dim2=-1))]
    fn diag_embed(&self, offset: i64, dim1: i64, dim2: i64) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.diag_embed(offset, dim1, dim2)?))
    }

    fn trace(&self) -> PyResult<TensorOut> {
        Ok(PyTensor::wrap(self.t.trace()?))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(cat, m)?,
        wrap_pyfunction!(stack, m)?,
        wrap_pyfunction!(hstack, m)?,
        wrap_pyfunction!(vstack, m)?,
        wrap_pyfunction!(dstack, m)?,
        wrap_pyfunction!(column_stack, m)?,
        wrap_pyfunction!(broadcast_tensors, m)?,
        wrap_pyfunction!(meshgrid, m)?,
        wrap_pyfunction!(tril_indices, m)?,
        wrap_pyfunction!(triu_indices, m)?,
        wrap_pyfunction!(constant_pad_nd, m)?,
        wrap_pyfunction!(repeat_interleave_fn, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}

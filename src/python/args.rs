//! Argument parsing shared by the bindings: scalars, tensor-or-scalar operands, dims, sizes.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyTuple};

use super::tensor::PyTensor;
use crate::dtype::Scalar;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// A Python number as a Scalar (bool, int, float, numpy scalars); None when it is not one.
pub fn to_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Some(Scalar::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(i) => Ok(Some(Scalar::Int(i))),
            Err(_) => Err(PyRuntimeError::new_err(format!("Overflow when unpacking long: {obj}"))),
        };
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some(Scalar::Float(f.value())));
    }
    // numpy scalars (np.float32(1), np.int64(2), np.bool_): unwrap through .item().
    if obj.hasattr("dtype")? && obj.hasattr("item")? && !obj.is_instance_of::<PyTensor>() {
        let ndim: usize = obj.getattr("ndim").and_then(|n| n.extract()).unwrap_or(1);
        if ndim == 0 {
            let item = obj.call_method0("item")?;
            if !item.is(obj) {
                return to_scalar(&item);
            }
        }
    }
    Ok(None)
}

/// An operand that is a tensor or a number, owned so that it can cross `py.detach`.
pub enum OwnedArg {
    Tensor(Tensor),
    Scalar(Scalar),
}

impl OwnedArg {
    pub fn as_arg(&self) -> Arg<'_> {
        match self {
            OwnedArg::Tensor(t) => Arg::Tensor(t),
            OwnedArg::Scalar(s) => Arg::Scalar(*s),
        }
    }
}

/// Reads a tensor or number operand; `None` when it is neither (so that `__add__` can
/// return NotImplemented).
pub fn try_arg(obj: &Bound<'_, PyAny>) -> PyResult<Option<OwnedArg>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(OwnedArg::Tensor(t.get().t.clone())));
    }
    Ok(to_scalar(obj)?.map(OwnedArg::Scalar))
}

/// The name of `obj`'s Python type, for error messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

/// A Python number, or TypeError "`what` must be a number, not T".
pub fn number(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Scalar> {
    to_scalar(obj)?.ok_or_else(|| PyTypeError::new_err(format!("{what} must be a number, not {}", type_name(obj))))
}

/// Reads a tensor or number operand, raising TypeError otherwise.
pub fn arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<OwnedArg> {
    try_arg(obj)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{what}: expected Tensor or Number, but got {}",
            type_name(obj)
        ))
    })
}

/// Reads a tensor argument.
pub fn tensor_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.get().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what}: argument must be Tensor, not {}",
            type_name(obj)
        ))),
    }
}

pub fn int_of(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be int, not {}",
            obj.get_type().name()?
        )));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().t;
        if t.numel() == 1 && !t.dtype().is_floating_point() {
            return Ok(t.item()?.to_i64());
        }
    }
    obj.extract::<i64>()
        .or_else(|_| obj.call_method0("__index__").and_then(|i| i.extract::<i64>()))
        .map_err(|_| PyTypeError::new_err(format!("{what} must be int, not {}", type_name(obj))))
}

/// A sequence (tuple, list, Size) of ints.
pub fn int_list(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<i64>> {
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t.iter().map(|x| int_of(&x, what)).collect();
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l.iter().map(|x| int_of(&x, what)).collect();
    }
    Ok(vec![int_of(obj, what)?])
}

/// A size-like argument that must be a sequence of ints (a tuple, list or `Size`), with
/// torch's TypeError naming the function, argument and position otherwise.
pub fn int_tuple(obj: &Bound<'_, PyAny>, func: &str, arg: &str, pos: usize) -> PyResult<Vec<i64>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(PyTypeError::new_err(format!("{func}(): argument '{arg}' (position {pos}) must be tuple of ints, not {}", type_name(obj))));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            int_of(x, arg).map_err(|_| {
                PyTypeError::new_err(format!("{func}(): argument '{arg}' (position {pos}) must be tuple of ints, but found element of type {} at pos {i}", type_name(x)))
            })
        })
        .collect()
}

/// `dim` arguments: None, an int, or a tuple/list of ints.
pub fn dims(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<i64>>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => Ok(Some(int_list(o, "dim")?)),
    }
}

/// Sizes given as varargs (`zeros(2, 3)`) or one sequence (`zeros((2, 3))`).
pub fn sizes(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let first = args.get_item(0)?;
        if first.cast::<PyTuple>().is_ok() || first.cast::<PyList>().is_ok() {
            return int_list(&first, "size");
        }
    }
    args.iter().map(|x| int_of(&x, "size")).collect()
}

/// Sizes for factory `name`: ints only and no negative entries (torch's messages).
pub fn factory_shape(name: &str, args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    let bad = |x: &Bound<'_, PyAny>| int_of(x, "size").is_err();
    if args.len() == 1 {
        let first = args.get_item(0)?;
        if first.cast::<PyTuple>().is_ok() || first.cast::<PyList>().is_ok() || bad(&first) {
            int_tuple(&first, name, "size", 1)?; // torch's TypeErrors for one size argument
        }
    } else if let Some((i, x)) = args.iter().enumerate().find(|(_, x)| bad(x)) {
        return Err(PyTypeError::new_err(format!(
            "{name}(): argument 'size' failed to unpack the object at pos {} with error \"type must be tuple of ints,but got {}\"",
            i + 1,
            type_name(&x)
        )));
    }
    let s = sizes(args)?;
    if let Some(&neg) = s.iter().find(|&&d| d < 0) {
        return Err(PyRuntimeError::new_err(format!(
            "Trying to create tensor with negative dimension {neg}: {s:?}"
        )));
    }
    Ok(s.into_iter().map(|d| d as usize).collect())
}

/// Same, from an optional sequence object (`size=` keyword).
pub fn shape_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let s = int_list(obj, "size")?;
    if let Some(&neg) = s.iter().find(|&&d| d < 0) {
        return Err(PyRuntimeError::new_err(format!(
            "Trying to create tensor with negative dimension {neg}: {s:?}"
        )));
    }
    Ok(s.into_iter().map(|d| d as usize).collect())
}

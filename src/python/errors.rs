//! Maps the crate's errors to the Python exceptions torch raises.

use std::cell::RefCell;

use pyo3::exceptions::{PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;

use crate::error::Error;

/// Stands in for a Python exception raised inside a callback the core called (a hook, a
/// custom Function's backward) while it travels back through Rust.
const PYTHON_ERROR: &str = "\u{0}python exception raised in a callback";

thread_local! {
    static PENDING: RefCell<Vec<PyErr>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `err` aside and returns the crate error that carries it back to Python intact.
pub fn stash(err: PyErr) -> Error {
    PENDING.with(|p| p.borrow_mut().push(err));
    Error::Runtime(PYTHON_ERROR.into())
}

pyo3::create_exception!(_C, _LinAlgError, PyRuntimeError, "Error raised by linear algebra functions: a singular or non positive-definite input.");

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::Runtime(m) if m == PYTHON_ERROR => {
                PENDING.with(|p| p.borrow_mut().pop()).unwrap_or_else(|| PyRuntimeError::new_err("error in a Python callback"))
            }
            Error::Runtime(m) => PyRuntimeError::new_err(m),
            Error::LinAlg(m) => _LinAlgError::new_err(m),
            Error::Index(m) => PyIndexError::new_err(m),
            Error::Type(m) => PyTypeError::new_err(m),
            Error::Value(m) => PyValueError::new_err(m),
            Error::NotImplemented(m) => PyNotImplementedError::new_err(m),
        }
    }
}

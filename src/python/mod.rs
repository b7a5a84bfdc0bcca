//! PyO3 bindings (feature `python`): the `rtorch._C` module. Bindings only: every op is a
//! call into the crate.

mod args;
mod autograd;
mod convert;
mod cuda;
mod dtype;
mod errors;
mod functions;
mod join_ops;
mod linalg_ops;
mod random_ops;
mod sort_ops;
mod index_ops;
mod tensor;
mod tensor_math;

use pyo3::prelude::*;

use crate::dtype::ALL_DTYPES;

#[pymodule]
#[pyo3(name = "_C")]
fn c_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    crate::warnings::set_warning_handler(python_warning);
    m.add_class::<tensor::PyTensor>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<dtype::PyDevice>()?;
    m.add_class::<functions::PyGenerator>()?;
    for d in ALL_DTYPES {
        m.add(d.name(), dtype::dtype_object(py, d)?)?;
    }
    macro_rules! add {
        ($($f:ident),* $(,)?) => { $( m.add_function(wrap_pyfunction!(functions::$f, m)?)?; )* };
    }
    add!(
        tensor, as_tensor, from_numpy_py, zeros, ones, empty, empty_strided, full, zeros_like, ones_like, empty_like,
        full_like, arange, linspace, logspace, eye, rand, randn, randint, randperm, normal,
        manual_seed, initial_seed, _default_generator, get_num_threads, set_num_threads,
        get_default_dtype, set_default_dtype, promote_types, result_type, _rebuild_tensor,
        _empty_cache, _where,
    );
    cuda::register(m)?;
    autograd::register(m)?;
    join_ops::register(m)?;
    sort_ops::register(m)?;
    index_ops::register(m)?;
    linalg_ops::register(m)?;
    random_ops::register(m)?;
    Ok(())
}

/// The core's warnings become Python `UserWarning`s (with the GIL taken back if an op had
/// released it). A warning filter that turns them into errors cannot stop the op that warned
/// from returning, so such an error is reported as unraisable instead.
fn python_warning(message: &str) {
    Python::attach(|py| {
        let Ok(text) = std::ffi::CString::new(message) else { return };
        if let Err(e) = PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), &text, 1) {
            e.write_unraisable(py, None);
        }
    });
}

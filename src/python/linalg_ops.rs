//! Bindings of linear algebra: the `_C._linalg_*` functions behind `rtorch.linalg` and the
//! matrix products (einsum, tensordot, kron, addmm family, cdist). Named tuples, out= and the
//! Tensor method forms are added in Python (rtorch/linalg/__init__.py, rtorch/_linalg_api.py).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{dims, tensor_arg, to_scalar};
use super::dtype::parse_dtype;
use super::tensor::{PyTensor, TensorOut};
use crate::dtype::Scalar;
use crate::ops::linalg::{self as la, MatrixOrd, NormOrMatrix, QrMode};
use crate::ops::reduce::NormOrd;
use crate::tensor::Tensor;

type Obj<'py> = Bound<'py, PyAny>;

fn t(obj: &Obj<'_>, what: &str) -> PyResult<Tensor> {
    tensor_arg(obj, what)
}

fn w(t: Tensor) -> TensorOut {
    PyTensor::wrap(t)
}

fn scalar(obj: Option<&Obj<'_>>, default: i64, what: &str) -> PyResult<Scalar> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(Scalar::Int(default)),
        Some(o) => super::args::number(o, what),
    }
}

/// A tolerance: None, a number or a tensor (as a 0-dim tensor of `like`'s dtype).
fn tolerance(obj: Option<&Obj<'_>>, like: &Tensor) -> PyResult<Option<Tensor>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if let Some(s) = to_scalar(o)? {
        return Ok(Some(Tensor::scalar_tensor(Scalar::Float(s.to_f64()), like.dtype())?));
    }
    Ok(Some(t(o, "tol")?))
}

fn vector_ord(obj: Option<&Obj<'_>>) -> PyResult<NormOrd> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(NormOrd::P(2.0)),
        Some(o) => {
            let p: f64 = o.extract().map_err(|_| PyTypeError::new_err("linalg.vector_norm(): argument 'ord' must be a number"))?;
            Ok(la::number_ord(p))
        }
    }
}

fn matrix_ord(obj: &Obj<'_>) -> PyResult<MatrixOrd> {
    if let Ok(s) = obj.extract::<String>() {
        return Ok(MatrixOrd::from_name(&s)?);
    }
    Ok(MatrixOrd::from_number(obj.extract()?)?)
}

#[pyfunction]
fn _linalg_det(a: &Obj<'_>) -> PyResult<TensorOut> {
    Ok(w(la::det(&t(a, "A")?)?))
}

#[pyfunction]
fn _linalg_slogdet(a: &Obj<'_>) -> PyResult<(TensorOut, TensorOut)> {
    let (s, l) = la::slogdet(&t(a, "A")?)?;
    Ok((w(s), w(l)))
}

#[pyfunction]
fn _linalg_logdet(a: &Obj<'_>) -> PyResult<TensorOut> {
    Ok(w(la::logdet(&t(a, "A")?)?))
}

#[pyfunction]
fn _linalg_inv(a: &Obj<'_>) -> PyResult<TensorOut> {
    Ok(w(la::inv(&t(a, "A")?)?))
}

#[pyfunction]
#[pyo3(signature = (a, b, left=true))]
fn _linalg_solve(a: &Obj<'_>, b: &Obj<'_>, left: bool) -> PyResult<TensorOut> {
    Ok(w(la::solve(&t(a, "A")?, &t(b, "B")?, left)?))
}

#[pyfunction]
#[pyo3(signature = (a, upper=false))]
fn _linalg_cholesky(a: &Obj<'_>, upper: bool) -> PyResult<TensorOut> {
    Ok(w(la::cholesky(&t(a, "A")?, upper)?))
}

#[pyfunction]
#[pyo3(signature = (a, mode="reduced"))]
fn _linalg_qr(a: &Obj<'_>, mode: &str) -> PyResult<(TensorOut, TensorOut)> {
    let (q, r) = la::qr(&t(a, "A")?, QrMode::parse(mode)?)?;
    Ok((w(q), w(r)))
}

#[pyfunction]
#[pyo3(signature = (a, full_matrices=true))]
fn _linalg_svd(a: &Obj<'_>, full_matrices: bool) -> PyResult<(TensorOut, TensorOut, TensorOut)> {
    let (u, s, vh) = la::svd(&t(a, "A")?, full_matrices)?;
    Ok((w(u), w(s), w(vh)))
}

#[pyfunction]
fn _linalg_svdvals(a: &Obj<'_>) -> PyResult<TensorOut> {
    Ok(w(la::svdvals(&t(a, "A")?)?))
}

#[pyfunction]
#[pyo3(signature = (a, uplo="L"))]
fn _linalg_eigh(a: &Obj<'_>, uplo: &str) -> PyResult<(TensorOut, TensorOut)> {
    let (vals, vecs) = la::eigh(&t(a, "A")?, uplo)?;
    Ok((w(vals), w(vecs)))
}

#[pyfunction]
#[pyo3(signature = (a, uplo="L"))]
fn _linalg_eigvalsh(a: &Obj<'_>, uplo: &str) -> PyResult<TensorOut> {
    Ok(w(la::eigvalsh(&t(a, "A")?, uplo)?))
}

#[pyfunction]
#[pyo3(signature = (a, atol=None, rtol=None, hermitian=false))]
fn _linalg_pinv(a: &Obj<'_>, atol: Option<&Obj<'_>>, rtol: Option<&Obj<'_>>, hermitian: bool) -> PyResult<TensorOut> {
    let a = t(a, "A")?;
    let (atol, rtol) = (tolerance(atol, &a)?, tolerance(rtol, &a)?);
    Ok(w(la::pinv(&a, atol.as_ref(), rtol.as_ref(), hermitian)?))
}

#[pyfunction]
fn _linalg_matrix_power(a: &Obj<'_>, n: i64) -> PyResult<TensorOut> {
    Ok(w(la::matrix_power(&t(a, "A")?, n)?))
}

/// `dim` None is the deprecated torch.cross default: the first dim of size 3.
#[pyfunction]
#[pyo3(signature = (a, b, dim=None))]
fn _linalg_cross(a: &Obj<'_>, b: &Obj<'_>, dim: Option<i64>) -> PyResult<TensorOut> {
    let (a, b) = (t(a, "input")?, t(b, "other")?);
    let dim = match dim {
        Some(d) => d,
        None => la::products::default_cross_dim(&a, &b)?,
    };
    Ok(w(la::cross(&a, &b, dim)?))
}

#[pyfunction]
#[pyo3(signature = (x, ord=None, dim=None, keepdim=false, dtype=None))]
fn _linalg_vector_norm(x: &Obj<'_>, ord: Option<&Obj<'_>>, dim: Option<&Obj<'_>>, keepdim: bool, dtype: Option<&Obj<'_>>) -> PyResult<TensorOut> {
    let d = dims(dim)?;
    Ok(w(la::vector_norm(&t(x, "x")?, vector_ord(ord)?, d.as_deref(), keepdim, parse_dtype(dtype)?)?))
}

#[pyfunction]
#[pyo3(signature = (a, ord=None, dim=None, keepdim=false, dtype=None))]
fn _linalg_matrix_norm(a: &Obj<'_>, ord: Option<&Obj<'_>>, dim: Option<(i64, i64)>, keepdim: bool, dtype: Option<&Obj<'_>>) -> PyResult<TensorOut> {
    let ord = match ord.filter(|o| !o.is_none()) {
        None => MatrixOrd::Fro,
        Some(o) => matrix_ord(o)?,
    };
    Ok(w(la::matrix_norm(&t(a, "A")?, ord, dim.unwrap_or((-2, -1)), keepdim, parse_dtype(dtype)?)?))
}

#[pyfunction]
#[pyo3(signature = (a, ord=None, dim=None, keepdim=false, dtype=None))]
fn _linalg_norm(a: &Obj<'_>, ord: Option<&Obj<'_>>, dim: Option<&Obj<'_>>, keepdim: bool, dtype: Option<&Obj<'_>>) -> PyResult<TensorOut> {
    let ord = match ord.filter(|o| !o.is_none()) {
        None => None,
        Some(o) => Some(match o.extract::<String>() {
            Ok(s) => NormOrMatrix::Matrix(MatrixOrd::from_name(&s)?),
            Err(_) => NormOrMatrix::Number(o.extract()?),
        }),
    };
    let d = dims(dim)?;
    Ok(w(la::norm(&t(a, "A")?, ord, d.as_deref(), keepdim, parse_dtype(dtype)?)?))
}

/// einsum(equation, *operands) or einsum(equation, [operands]).
#[pyfunction]
#[pyo3(signature = (equation, *operands))]
fn einsum(equation: &str, operands: &Bound<'_, PyTuple>) -> PyResult<TensorOut> {
    let items: Vec<Obj<'_>> = if operands.len() == 1 && !operands.get_item(0)?.is_instance_of::<PyTensor>() {
        operands.get_item(0)?.try_iter()?.collect::<PyResult<_>>()?
    } else {
        operands.iter().collect()
    };
    let ts: Vec<Tensor> = items.iter().map(|o| t(o, "operands")).collect::<PyResult<_>>()?;
    Ok(w(la::einsum(equation, &ts)?))
}

/// tensordot(a, b, dims=2): dims an int (last n of a with first n of b) or two lists.
#[pyfunction]
#[pyo3(signature = (a, b, dims=None))]
fn tensordot(a: &Obj<'_>, b: &Obj<'_>, dims: Option<&Obj<'_>>) -> PyResult<TensorOut> {
    let (a, b) = (t(a, "a")?, t(b, "b")?);
    let (da, db): (Vec<i64>, Vec<i64>) = match dims.filter(|o| !o.is_none()) {
        None => two_last(&a, 2)?,
        Some(o) => {
            if let Ok(n) = o.extract::<i64>() {
                if n < 0 {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(format!("tensordot expects dims >= 0, but got dims={n}")));
                }
                two_last(&a, n as usize)?
            } else if let Ok(tn) = o.cast::<PyTensor>() {
                let v = tn.get().t.to_vec::<i64>()?;
                match tn.get().t.ndim() {
                    0 => two_last(&a, v[0] as usize)?,
                    _ => return Err(PyTypeError::new_err("tensordot expects dims to be an int or a pair of lists")),
                }
            } else {
                let (x, y): (Obj<'_>, Obj<'_>) = (o.get_item(0)?, o.get_item(1)?);
                let list = |v: &Obj<'_>| -> PyResult<Vec<i64>> { v.extract::<i64>().map(|i| vec![i]).or_else(|_| v.extract()) };
                (list(&x)?, list(&y)?)
            }
        }
    };
    Ok(w(la::tensordot(&a, &b, &da, &db)?))
}

/// The last `n` dims of `a` paired with the first `n` of b.
fn two_last(a: &Tensor, n: usize) -> PyResult<(Vec<i64>, Vec<i64>)> {
    if n > a.ndim() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!("tensordot expects dims < ndim_a or ndim_b, but got dims={n}")));
    }
    // torch names a's dims from the end (-n..0), which its error messages show.
    Ok(((-(n as i64)..0).collect(), (0..n as i64).collect()))
}

#[pyfunction]
fn kron(a: &Obj<'_>, b: &Obj<'_>) -> PyResult<TensorOut> {
    Ok(w(la::kron(&t(a, "input")?, &t(b, "other")?)?))
}

#[pyfunction]
#[pyo3(signature = (x1, x2, p=2.0, compute_mode=None))]
fn cdist(x1: &Obj<'_>, x2: &Obj<'_>, p: f64, compute_mode: Option<&str>) -> PyResult<TensorOut> {
    if let Some(m) = compute_mode {
        if !["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"].contains(&m) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!("{m} is not a valid value for compute_mode")));
        }
    }
    Ok(w(la::cdist(&t(x1, "x1")?, &t(x2, "x2")?, p)?))
}

/// addmm/addmv/addbmm/baddbmm: beta * input + alpha * product, by `kind`.
#[pyfunction]
#[pyo3(signature = (kind, input, m1, m2, beta=None, alpha=None))]
fn _addmm_family(kind: &str, input: &Obj<'_>, m1: &Obj<'_>, m2: &Obj<'_>, beta: Option<&Obj<'_>>, alpha: Option<&Obj<'_>>) -> PyResult<TensorOut> {
    let (x, a, b) = (t(input, "input")?, t(m1, "mat1")?, t(m2, "mat2")?);
    let (beta, alpha) = (scalar(beta, 1, "beta")?, scalar(alpha, 1, "alpha")?);
    let out = match kind {
        "addmm" => x.addmm(&a, &b, beta, alpha)?,
        "addmv" => x.addmv(&a, &b, beta, alpha)?,
        "addbmm" => x.addbmm(&a, &b, beta, alpha)?,
        _ => x.baddbmm(&a, &b, beta, alpha)?,
    };
    Ok(w(out))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(
        _linalg_det, _linalg_slogdet, _linalg_logdet, _linalg_inv, _linalg_solve, _linalg_cholesky, _linalg_qr,
        _linalg_svd, _linalg_svdvals, _linalg_eigh, _linalg_eigvalsh, _linalg_pinv, _linalg_matrix_power,
        _linalg_cross, _linalg_vector_norm, _linalg_matrix_norm, _linalg_norm, einsum, tensordot, kron, cdist,
        _addmm_family, _write_out,
    );
    m.add("_LinAlgError", m.py().get_type::<super::errors::_LinAlgError>())?;
    Ok(())
}

/// Writes `result` into `out` for an `out=` argument: same dtype, resized as needed (with
/// torch's deprecation warning when `out` had elements, unless `warn_resize` is false: the
/// factories resize silently).
#[pyfunction]
#[pyo3(signature = (name, out, result, warn_resize=true))]
fn _write_out(name: &str, out: &Obj<'_>, result: &Obj<'_>, warn_resize: bool) -> PyResult<()> {
    let (out, result) = (t(out, "out")?, t(result, "result")?);
    if warn_resize {
        return super::sort_ops::write_into(name, &out, &result);
    }
    crate::ops::index::check_out(name, &out, &result, || super::sort_ops::same_dtype_error(&out, &result))?;
    out.resize_(result.shape())?;
    out.copy_(&result)?;
    Ok(())
}

//! Bindings of the samplers: the in-place Tensor methods (uniform_, normal_, bernoulli_,
//! exponential_, cauchy_, log_normal_, geometric_, random_), bernoulli, multinomial, poisson.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::args::{tensor_arg, to_scalar};
use super::functions::gen_of;
use super::tensor::{PyTensor, TensorOut};
use crate::ops::sampling::BernoulliP;
use crate::tensor::Tensor;

type Obj<'py> = Bound<'py, PyAny>;

/// Runs an in-place sampler on `slf` and returns `slf` itself.
fn in_place<'py>(slf: &Bound<'py, PyTensor>, f: impl FnOnce(&Tensor) -> crate::Result<Tensor>) -> PyResult<Bound<'py, PyTensor>> {
    f(&slf.get().t)?;
    Ok(slf.clone())
}

fn number(obj: &Obj<'_>, what: &str) -> PyResult<f64> {
    Ok(super::args::number(obj, what)?.to_f64())
}

fn integer(obj: &Obj<'_>, what: &str) -> PyResult<i64> {
    match to_scalar(obj)? {
        Some(crate::Scalar::Int(i)) => Ok(i),
        Some(crate::Scalar::Bool(b)) => Ok(i64::from(b)),
        _ => Err(PyTypeError::new_err(format!(
            "random_() received an invalid combination of arguments - argument '{what}' must be int, not {}",
            obj.get_type().name()?
        ))),
    }
}

#[pymethods]
impl PyTensor {
    /// uniform_(from=0, to=1): `from` is a Python keyword, so it arrives through **kwargs.
    #[pyo3(name = "uniform_", signature = (from_=0.0, to=1.0, *, generator=None, **kwargs))]
    fn py_uniform_<'py>(slf: &Bound<'py, Self>, from_: f64, to: f64, generator: Option<&Obj<'_>>, kwargs: Option<&Bound<'py, pyo3::types::PyDict>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        let from_ = match kwargs.map(|k| k.get_item("from")).transpose()?.flatten() {
            Some(f) => number(&f, "from")?,
            None => from_,
        };
        in_place(slf, |t| t.uniform_(from_, to, g.as_ref()))
    }

    #[pyo3(name = "normal_", signature = (mean=0.0, std=1.0, *, generator=None))]
    fn py_normal_<'py>(slf: &Bound<'py, Self>, mean: f64, std: f64, generator: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        in_place(slf, |t| t.normal_(mean, std, g.as_ref()))
    }

    #[pyo3(name = "exponential_", signature = (lambd=1.0, *, generator=None))]
    fn py_exponential_<'py>(slf: &Bound<'py, Self>, lambd: f64, generator: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        in_place(slf, |t| t.exponential_(lambd, g.as_ref()))
    }

    #[pyo3(name = "cauchy_", signature = (median=0.0, sigma=1.0, *, generator=None))]
    fn py_cauchy_<'py>(slf: &Bound<'py, Self>, median: f64, sigma: f64, generator: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        in_place(slf, |t| t.cauchy_(median, sigma, g.as_ref()))
    }

    #[pyo3(name = "log_normal_", signature = (mean=1.0, std=2.0, *, generator=None))]
    fn py_log_normal_<'py>(slf: &Bound<'py, Self>, mean: f64, std: f64, generator: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        in_place(slf, |t| t.log_normal_(mean, std, g.as_ref()))
    }

    #[pyo3(name = "geometric_", signature = (p, *, generator=None))]
    fn py_geometric_<'py>(slf: &Bound<'py, Self>, p: f64, generator: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        in_place(slf, |t| t.geometric_(p, g.as_ref()))
    }

    /// bernoulli_(p=0.5): p a number or a tensor broadcast to self.
    #[pyo3(name = "bernoulli_", signature = (p=None, *, generator=None))]
    fn py_bernoulli_<'py>(slf: &Bound<'py, Self>, p: Option<&Obj<'_>>, generator: Option<&Obj<'_>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        match p.filter(|p| !p.is_none()) {
            None => in_place(slf, |t| t.bernoulli_(BernoulliP::Scalar(0.5), g.as_ref())),
            Some(p) if p.is_instance_of::<PyTensor>() => {
                let pt = tensor_arg(p, "p")?;
                in_place(slf, |t| t.bernoulli_(BernoulliP::Tensor(&pt), g.as_ref()))
            }
            Some(p) => {
                let v = number(p, "p")?;
                in_place(slf, |t| t.bernoulli_(BernoulliP::Scalar(v), g.as_ref()))
            }
        }
    }

    /// random_(), random_(to), random_(from, to): integers in [from, to).
    #[pyo3(name = "random_", signature = (*args, generator=None, **kwargs))]
    fn py_random_<'py>(slf: &Bound<'py, Self>, args: &Bound<'py, PyTuple>, generator: Option<&Obj<'_>>, kwargs: Option<&Bound<'py, pyo3::types::PyDict>>) -> PyResult<Bound<'py, Self>> {
        let g = gen_of(generator)?;
        let kw = |name: &str| -> PyResult<Option<Obj<'py>>> { Ok(match kwargs { Some(k) => k.get_item(name)?, None => None }) };
        let (from, to) = match (args.len(), kw("from")?, kw("to")?) {
            (0, None, None) => (0, None),
            (0, f, t) => (f.map(|f| integer(&f, "from")).transpose()?.unwrap_or(0), t.filter(|t| !t.is_none()).map(|t| integer(&t, "to")).transpose()?),
            (1, None, None) => (0, Some(integer(&args.get_item(0)?, "to")?)),
            (1, None, t) => (integer(&args.get_item(0)?, "from")?, t.filter(|t| !t.is_none()).map(|t| integer(&t, "to")).transpose()?),
            (2, None, None) => {
                let to = args.get_item(1)?;
                (integer(&args.get_item(0)?, "from")?, if to.is_none() { None } else { Some(integer(&to, "to")?) })
            }
            _ => return Err(PyTypeError::new_err("random_() received an invalid combination of arguments")),
        };
        in_place(slf, |t| t.random_(from, to, g.as_ref()))
    }

    /// bernoulli(): 0/1 samples with self's probabilities; bernoulli(p): with probability p.
    #[pyo3(name = "bernoulli", signature = (p=None, *, generator=None))]
    fn py_bernoulli(&self, p: Option<&Obj<'_>>, generator: Option<&Obj<'_>>) -> PyResult<TensorOut> {
        let g = gen_of(generator)?;
        Ok(PyTensor::wrap(match p.filter(|p| !p.is_none()) {
            None => self.t.bernoulli(g.as_ref())?,
            Some(p) => {
                let out = Tensor::empty(self.t.shape(), self.t.dtype(), self.t.device())?;
                out.bernoulli_(BernoulliP::Scalar(number(p, "p")?), g.as_ref())?
            }
        }))
    }

    #[pyo3(name = "multinomial", signature = (num_samples, replacement=false, *, generator=None))]
    fn py_multinomial(&self, num_samples: &Obj<'_>, replacement: bool, generator: Option<&Obj<'_>>) -> PyResult<TensorOut> {
        if !num_samples.is_instance_of::<pyo3::types::PyInt>() {
            return Err(PyTypeError::new_err(format!(
                "multinomial(): argument 'num_samples' (position 2) must be int, not {}",
                num_samples.get_type().name()?
            )));
        }
        Ok(PyTensor::wrap(self.t.multinomial(num_samples.extract()?, replacement, gen_of(generator)?.as_ref())?))
    }
}

#[pyfunction]
#[pyo3(signature = (input, generator=None))]
fn poisson(input: &Obj<'_>, generator: Option<&Obj<'_>>) -> PyResult<TensorOut> {
    Ok(PyTensor::wrap(tensor_arg(input, "input")?.poisson(gen_of(generator)?.as_ref())?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(poisson, m)?)
}

//! Autograd from Python: the Tensor's autograd attributes, graph nodes (`grad_fn`), the
//! engine entry points and grad-mode switches.

use std::sync::Arc;

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use super::errors::stash;
use super::tensor::{PyTensor, TensorOut};
use crate::autograd::{self, Node};
use crate::tensor::Tensor;

/// A node of the graph, as `tensor.grad_fn` (`<MulBackward0 object at 0x...>`). Each node
/// is an instance of a subclass named after it (`type(y.grad_fn).__name__ == "MulBackward0"`).
#[pyclass(name = "Node", module = "rtorch.autograd.graph", frozen, subclass)]
pub struct PyNode {
    node: Arc<Node>,
}

thread_local! {
    /// The node `PyNode.__new__` wraps: set just before a node class is called.
    static NODE_TO_WRAP: std::cell::RefCell<Option<Arc<Node>>> = const { std::cell::RefCell::new(None) };
}

/// The Node subclasses made so far, by name.
static NODE_CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

fn node_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let classes = NODE_CLASSES.get_or_try_init(py, || -> PyResult<_> { Ok(PyDict::new(py).unbind()) })?.bind(py);
    if let Some(cls) = classes.get_item(name)? {
        return Ok(cls);
    }
    let attrs = PyDict::new(py);
    attrs.set_item("__module__", "rtorch.autograd.graph")?;
    let cls = py.get_type::<pyo3::types::PyType>().call1((name, (py.get_type::<PyNode>(),), attrs))?;
    classes.set_item(name, &cls)?;
    Ok(cls)
}

fn node_object(py: Python<'_>, node: Option<Arc<Node>>) -> PyResult<Py<PyAny>> {
    let Some(node) = node else { return Ok(py.None()) };
    let cls = node_class(py, node.name().rsplit("::").next().unwrap_or_default())?;
    NODE_TO_WRAP.with(|slot| *slot.borrow_mut() = Some(node));
    let obj = cls.call0();
    NODE_TO_WRAP.with(|slot| slot.borrow_mut().take());
    Ok(obj?.unbind())
}

#[pymethods]
impl PyNode {
    /// Only the graph makes nodes: calling a node class directly is torch's TypeError.
    #[new]
    fn py_new() -> PyResult<PyNode> {
        match NODE_TO_WRAP.with(|slot| slot.borrow_mut().take()) {
            Some(node) => Ok(PyNode { node }),
            None => Err(pyo3::exceptions::PyTypeError::new_err("cannot create 'Node' instances")),
        }
    }

    /// The class name torch gives this backward function, e.g. `MulBackward0`.
    fn name(&self) -> &'static str {
        self.node.name()
    }

    /// ((node, input_nr), ...) for each input of the op; (None, 0) where no gradient flows.
    #[getter]
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items = self
            .node
            .next_edges()
            .iter()
            .map(|e| match e {
                Some(e) => Ok((node_object(py, Some(e.node.clone()))?, e.input_nr)),
                None => Ok((py.None(), 0)),
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, items)
    }

    /// The leaf tensor of an AccumulateGrad node.
    #[getter]
    fn variable(&self) -> PyResult<TensorOut> {
        match self.node.variable() {
            Some(t) => Ok(PyTensor::wrap(t.clone())),
            None => Err(pyo3::exceptions::PyAttributeError::new_err(format!("'{}' object has no attribute 'variable'", self.node.name()))),
        }
    }

    fn __repr__(&self) -> String {
        let short = self.node.name().rsplit("::").next().unwrap_or_default();
        format!("<{short} object at {:#x}>", Arc::as_ptr(&self.node) as usize)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyNode>().is_ok_and(|o| Arc::ptr_eq(&o.get().node, &self.node))
    }

    fn __hash__(&self) -> isize {
        Arc::as_ptr(&self.node) as isize
    }
}

#[pymethods]
impl PyTensor {
    #[getter(requires_grad)]
    fn get_requires_grad(&self) -> bool {
        self.t.requires_grad()
    }

    #[setter(requires_grad)]
    fn set_requires_grad_attr(slf: &Bound<'_, Self>, value: bool) -> PyResult<()> {
        slf.get().t.set_requires_grad(value)?;
        PyTensor::adopt(slf);
        Ok(())
    }

    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_<'py>(slf: &Bound<'py, Self>, requires_grad: bool) -> PyResult<Bound<'py, Self>> {
        let t = &slf.get().t;
        if requires_grad && !t.is_leaf() {
            return Ok(slf.clone()); // already requires grad: a no-op, as in torch
        }
        t.set_requires_grad(requires_grad)?;
        PyTensor::adopt(slf);
        Ok(slf.clone())
    }

    #[getter]
    fn is_leaf(&self) -> bool {
        self.t.is_leaf()
    }

    #[getter]
    fn grad_fn(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        node_object(py, self.t.grad_fn())
    }

    #[getter(grad)]
    fn get_grad(&self, py: Python<'_>) -> PyResult<Option<TensorOut>> {
        let g = self.t.grad();
        if g.is_none() && self.t.requires_grad() && !self.t.is_leaf() && !self.t.retains_grad() {
            let msg = c"The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.";
            PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), msg, 1)?;
        }
        Ok(g.map(PyTensor::wrap))
    }

    #[setter(grad)]
    fn set_grad_attr(&self, grad: &Bound<'_, PyAny>) -> PyResult<()> {
        let g = if grad.is_none() {
            None
        } else {
            let t = grad.cast::<PyTensor>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "assigned grad expected to be a Tensor or None but got grad of type {}",
                    grad.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ))
            })?;
            PyTensor::adopt(t);
            Some(t.get().t.clone())
        };
        self.t.set_grad(g)?;
        Ok(())
    }

    #[getter]
    fn retains_grad(&self) -> bool {
        self.t.retains_grad()
    }

    fn retain_grad(&self) -> PyResult<()> {
        Ok(self.t.retain_grad()?)
    }

    fn detach(&self) -> TensorOut {
        PyTensor::wrap(self.t.detach())
    }

    fn detach_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        slf.get().t.detach_()?;
        Ok(slf.clone())
    }

    /// True for a tensor made under `inference_mode`.
    fn is_inference(&self) -> bool {
        self.t.is_inference()
    }

    /// The same data, detached (`.data`).
    #[getter(data)]
    fn get_data(&self) -> TensorOut {
        PyTensor::wrap(self.t.data())
    }

    #[setter(data)]
    fn set_data(&self, _value: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(PyNotImplementedError::new_err("assigning to .data is not supported; use `with torch.no_grad(): t.copy_(value)`"))
    }

    #[getter]
    fn output_nr(&self) -> usize {
        self.t.output_nr()
    }

    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(
        &self,
        py: Python<'_>,
        gradient: Option<PyRef<'_, PyTensor>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let grads = vec![gradient.map(|g| g.t.clone())];
        let inputs = inputs.map(tensor_list).transpose()?;
        let t = self.t.clone();
        Ok(py.detach(move || autograd::backward(&[t], &grads, retain_graph, create_graph, inputs.as_deref()))?)
    }
}

/// A tensor or a sequence of tensors, as a Vec.
fn tensor_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Tensor>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(vec![t.get().t.clone()]);
    }
    obj.try_iter()?.map(|x| Ok(x?.cast::<PyTensor>()?.get().t.clone())).collect()
}

/// A sequence of optional tensors (None entries kept).
fn optional_tensor_list(obj: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<Option<Tensor>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(vec![None; n]) };
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(vec![Some(t.get().t.clone())]);
    }
    obj.try_iter()?
        .map(|x| {
            let x = x?;
            if x.is_none() {
                Ok(None)
            } else {
                Ok(Some(x.cast::<PyTensor>()?.get().t.clone()))
            }
        })
        .collect()
}

#[pyfunction]
#[pyo3(signature = (tensors, grad_tensors=None, retain_graph=None, create_graph=false, inputs=None))]
fn _backward(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    grad_tensors: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let outputs = tensor_list(tensors)?;
    let grads = optional_tensor_list(grad_tensors, outputs.len())?;
    let inputs = inputs.filter(|i| !i.is_none()).map(tensor_list).transpose()?;
    Ok(py.detach(move || autograd::backward(&outputs, &grads, retain_graph, create_graph, inputs.as_deref()))?)
}

#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=false, allow_unused=false))]
fn _grad(
    py: Python<'_>,
    outputs: &Bound<'_, PyAny>,
    inputs: &Bound<'_, PyAny>,
    grad_outputs: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
) -> PyResult<Vec<Option<TensorOut>>> {
    let outs = tensor_list(outputs)?;
    let ins = tensor_list(inputs)?;
    let grads = optional_tensor_list(grad_outputs, outs.len())?;
    let r = py.detach(move || autograd::grad(&outs, &ins, &grads, retain_graph, create_graph, allow_unused))?;
    Ok(r.into_iter().map(|g| g.map(PyTensor::wrap)).collect())
}

#[pyfunction]
fn is_grad_enabled() -> bool {
    autograd::is_grad_enabled()
}

/// Sets grad mode for this thread and returns the previous mode.
#[pyfunction]
fn _set_grad_enabled(enabled: bool) -> bool {
    autograd::set_grad_enabled(enabled)
}

#[pyfunction]
fn is_inference_mode_enabled() -> bool {
    autograd::is_inference_mode_enabled()
}

/// Sets inference mode for this thread and returns the previous setting.
#[pyfunction]
fn _set_inference_mode(enabled: bool) -> bool {
    autograd::mode::set_inference_mode(enabled)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNode>()?;
    m.add_function(wrap_pyfunction!(_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_grad, m)?)?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_inference_mode_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_inference_mode, m)?)?;
    register_function_api(m)
}

/// A Python callable as a gradient hook: `hook(grad) -> Tensor or None`.
fn python_hook(f: Py<PyAny>) -> crate::autograd::node::GradHook {
    Arc::new(move |g: &Tensor| {
        Python::attach(|py| {
            let r = f.call1(py, (PyTensor::wrap(g.clone()),)).map_err(stash)?;
            if r.is_none(py) {
                return Ok(None);
            }
            let t = r.bind(py).cast::<PyTensor>().map_err(|e| stash(e.into()))?.get().t.clone();
            // torch names the hook when its result does not fit the gradient it replaces.
            let name = || f.bind(py).getattr("__name__").and_then(|n| n.extract::<String>()).unwrap_or_else(|_| "hook".into());
            if t.dtype() != g.dtype() {
                bail!("hook '{}' has changed the type of value (was {} got {})", name(), g.legacy_type_name(), t.legacy_type_name());
            }
            if t.shape() != g.shape() {
                bail!("hook '{}' has changed the size of value", name());
            }
            Ok(Some(t))
        })
    })
}

/// Removes a hook when called (`handle.remove()`).
#[pyclass(name = "RemovableHandle", module = "rtorch.utils.hooks", frozen)]
pub struct PyRemovableHandle {
    tensor: Tensor,
    id: u64,
}

#[pymethods]
impl PyRemovableHandle {
    fn remove(&self) -> PyResult<()> {
        Ok(self.tensor.remove_hook(self.id)?)
    }

    #[getter]
    fn id(&self) -> u64 {
        self.id
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(&self, _a: &Bound<'_, PyAny>, _b: &Bound<'_, PyAny>, _c: &Bound<'_, PyAny>) -> PyResult<()> {
        self.remove()
    }
}

#[pymethods]
impl PyTensor {
    /// Registers `hook(grad) -> Tensor | None`, called with this tensor's gradient in backward.
    fn register_hook(&self, hook: Py<PyAny>) -> PyResult<PyRemovableHandle> {
        let id = self.t.register_hook(python_hook(hook))?;
        Ok(PyRemovableHandle { tensor: self.t.clone(), id })
    }

    /// Registers `hook(tensor)`, called after this leaf's `.grad` was accumulated.
    fn register_post_accumulate_grad_hook(&self, hook: Py<PyAny>) -> PyResult<PyRemovableHandle> {
        let f = Arc::new(move |t: &Tensor| {
            Python::attach(|py| hook.call1(py, (PyTensor::wrap(t.clone()),)).map(|_| ()).map_err(stash))
        });
        let id = self.t.register_post_accumulate_grad_hook(f)?;
        Ok(PyRemovableHandle { tensor: self.t.clone(), id })
    }
}

/// The backward of a Python `autograd.Function`: calls `backward(*grads)` in Python.
struct PythonBackward {
    callable: Py<PyAny>,
}

impl crate::autograd::Backward for PythonBackward {
    fn apply(&self, _node: &Arc<Node>, grads: &[Option<Tensor>]) -> crate::Result<Vec<Option<Tensor>>> {
        Python::attach(|py| {
            let args: Vec<Py<PyAny>> = grads
                .iter()
                .map(|g| match g {
                    Some(t) => Ok(PyTensor::wrap(t.clone()).into_pyobject(py)?.unbind().into_any()),
                    None => Ok(py.None()),
                })
                .collect::<PyResult<_>>()
                .map_err(stash)?;
            let r = self.callable.call1(py, PyTuple::new(py, args).map_err(stash)?).map_err(stash)?;
            r.bind(py)
                .try_iter()
                .map_err(stash)?
                .map(|x| {
                    let x = x.map_err(stash)?;
                    if x.is_none() {
                        Ok(None)
                    } else {
                        Ok(Some(x.cast::<PyTensor>().map_err(|e| stash(e.into()))?.get().t.clone()))
                    }
                })
                .collect()
        })
    }
}

/// Node names of Python Functions, interned: nodes keep `&'static str` names.
fn intern(name: String) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut names) = NAMES.lock() else { return "PythonFunctionBackward" };
    if let Some(n) = names.iter().find(|n| **n == name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.push(leaked);
    leaked
}

/// Records a Python Function: `outputs` get a node named `name` whose backward calls
/// `backward(*output_grads)` and expects one gradient (or None) per tensor in `inputs`.
#[pyfunction]
fn _record_function(name: String, inputs: &Bound<'_, PyAny>, outputs: &Bound<'_, PyAny>, backward: Py<PyAny>) -> PyResult<()> {
    let ins = tensor_list(inputs)?;
    let outs = tensor_list(outputs)?;
    let in_refs: Vec<&Tensor> = ins.iter().collect();
    let out_refs: Vec<&Tensor> = outs.iter().collect();
    crate::autograd::record::record(intern(name), &in_refs, &out_refs, PythonBackward { callable: backward });
    Ok(())
}

pub fn register_function_api(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRemovableHandle>()?;
    m.add_function(wrap_pyfunction!(_record_function, m)?)?;
    Ok(())
}

"""``rtorch.autograd``: reverse-mode automatic differentiation (the engine is in Rust)."""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from rtorch import _C
from rtorch.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

Tensor = _C.Tensor
_TensorOrTensors = Union[Tensor, Sequence[Tensor]]


def _as_tuple(x: Optional[_TensorOrTensors]) -> Optional[tuple]:
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(
    tensors: _TensorOrTensors,
    grad_tensors: Optional[_TensorOrTensors] = None,
    retain_graph: Optional[bool] = None,
    create_graph: bool = False,
    inputs: Optional[_TensorOrTensors] = None,
) -> None:
    """Accumulates the gradients of ``tensors`` into the ``.grad`` of the graph's leaves.

    ``grad_tensors`` are the vectors of the vector-Jacobian products (needed for non-scalar
    ``tensors``); with ``inputs``, only those tensors' ``.grad`` is written.
    """
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors)
    inputs = _as_tuple(inputs)
    _C._backward(tensors, grads, retain_graph, create_graph, inputs)


def grad(
    outputs: _TensorOrTensors,
    inputs: _TensorOrTensors,
    grad_outputs: Optional[_TensorOrTensors] = None,
    retain_graph: Optional[bool] = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: Optional[bool] = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> Tuple[Optional[Tensor], ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is untouched).

    ``create_graph=True`` records the computation of the gradients, so they can be
    differentiated again. Unused inputs raise unless ``allow_unused`` (their entry is then
    None, or zeros with ``materialize_grads``).
    """
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported yet")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False.")
    allow = bool(allow_unused) or materialize_grads
    ins = _as_tuple(inputs)
    result = _C._grad(_as_tuple(outputs), ins, _as_tuple(grad_outputs), retain_graph, create_graph, allow)
    if materialize_grads:
        from rtorch import zeros_like
        result = [g if g is not None else zeros_like(x) for g, x in zip(result, ins)]
    return tuple(result)


from rtorch.autograd.gradcheck import gradcheck, gradgradcheck  # noqa: E402
from rtorch.autograd.function import Function, FunctionCtx, once_differentiable  # noqa: E402
from rtorch.autograd import graph, functional  # noqa: E402,F401

__all__ = [
    "Function", "FunctionCtx", "once_differentiable", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
    "is_grad_enabled", "is_inference_mode_enabled",
]

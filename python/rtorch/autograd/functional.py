"""``rtorch.autograd.functional``: Jacobians and Hessians of Python functions of tensors."""
from __future__ import annotations

from typing import Any, Callable, Tuple, Union

import rtorch
from rtorch import _C
from rtorch.autograd import grad as _grad
from rtorch.autograd.grad_mode import enable_grad

Tensor = _C.Tensor
_Inputs = Union[Tensor, Tuple[Tensor, ...]]


def _prepare(inputs: _Inputs, create_graph: bool) -> Tuple[bool, Tuple[Tensor, ...]]:
    is_tuple = isinstance(inputs, tuple)
    items = inputs if is_tuple else (inputs,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the value at index {i} has type {type(t)}.")
    # Leaves of a fresh graph: the caller's tensors are never modified.
    prepared = tuple(t.detach().requires_grad_(True) if not create_graph or not t.requires_grad else t for t in items)
    return is_tuple, prepared


def jacobian(
    func: Callable[..., Any],
    inputs: _Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output shape O and input shape I, a tensor of
    shape ``O + I`` (nested tuples for several outputs and/or inputs, as torch returns)."""
    if strategy != "reverse-mode":
        raise NotImplementedError("only strategy='reverse-mode' is supported (rtorch has no forward-mode AD)")
    with enable_grad():
        in_tuple, xs = _prepare(inputs, create_graph)
        out = func(*xs)
        out_tuple = isinstance(out, tuple)
        outs = out if out_tuple else (out,)
        rows = []
        for o in outs:
            if not isinstance(o, Tensor):
                raise TypeError("The outputs of the user-provided function given to jacobian must be either a Tensor or a tuple of Tensors")
            flat = o.reshape(-1)
            per_input = [[] for _ in xs]
            for k in range(flat.numel()):
                if o.requires_grad:
                    gs = _grad(flat[k], xs, retain_graph=True, create_graph=create_graph, allow_unused=True)
                else:
                    gs = (None,) * len(xs)
                for j, (g, x) in enumerate(zip(gs, xs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {len(rows)} of the user-provided function is independent of input {j}. This is not allowed in strict mode.")
                        g = rtorch.zeros_like(x)
                    per_input[j].append(g.reshape(-1))
            blocks = []
            for j, x in enumerate(xs):
                if per_input[j]:
                    stacked = rtorch.stack(per_input[j])
                else:
                    stacked = rtorch.zeros(0, x.numel(), dtype=x.dtype)
                blocks.append(stacked.reshape(tuple(o.shape) + tuple(x.shape)))
            rows.append(tuple(blocks) if in_tuple else blocks[0])
    if not create_graph:
        rows = [tuple(b.detach() for b in r) if in_tuple else r.detach() for r in rows]
    return tuple(rows) if out_tuple else rows[0]



def hessian(
    func: Callable[..., Tensor],
    inputs: _Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of the scalar function ``func`` at ``inputs`` (shape ``I + I``)."""
    in_tuple = isinstance(inputs, tuple)

    def grad_fn(*xs: Tensor) -> Any:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        gs = _grad(out.reshape(()), xs, create_graph=True, allow_unused=True)
        gs = tuple(rtorch.zeros_like(x) if g is None else g for g, x in zip(gs, xs))
        return gs if in_tuple else gs[0]

    return jacobian(grad_fn, inputs, create_graph=create_graph, strict=strict)

"""``rtorch.autograd.Function``: custom ops with a hand-written backward, as in torch.

Subclass it with static ``forward`` and ``backward`` methods and call ``apply``::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

``forward`` may instead take only the inputs, with a separate ``setup_context(ctx, inputs,
output)`` filling the context.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from rtorch import _C
from rtorch.autograd.grad_mode import is_grad_enabled, no_grad

Tensor = _C.Tensor


class FunctionCtx:
    """The ``ctx`` object handed to ``forward``/``setup_context`` and ``backward``."""

    def __init__(self) -> None:
        self._saved: Tuple[Any, ...] = ()
        self._saved_versions: Tuple[Optional[int], ...] = ()
        self.needs_input_grad: Tuple[bool, ...] = ()
        self.materialize_grads = True
        self._dirty: Tuple[Tensor, ...] = ()
        self._non_differentiable: Tuple[Tensor, ...] = ()

    def save_for_backward(self, *tensors: Optional[Tensor]) -> None:
        """Keeps tensors (or None) for ``backward``; read them back with ``saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type {type(t).__name__}"
                )
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else t._version for t in tensors)

    @property
    def saved_tensors(self) -> Tuple[Optional[Tensor], ...]:
        """The tensors given to ``save_for_backward``, checked for in-place changes since."""
        for i, (t, v) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._version != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace operation: "
                    f"[{t.type()} {list(t.shape)}], which is output {i} of the saved tensors, is at version "
                    f"{t._version}; expected version {v} instead."
                )
        return self._saved

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declares inputs that ``forward`` modified in place (they must be returned)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declares outputs that carry no gradient (e.g. indices)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)


class Function:
    """Base class of custom differentiable operations (see the module docstring)."""

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: Tuple[Any, ...], output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd "
            "function with static forward method."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Runs ``forward`` without recording, then records one node whose backward is ours."""
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        separate_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate_setup:
                output = cls.forward(*args, **kwargs)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if separate_setup:
            cls.setup_context(ctx, args, output)
        is_tuple = isinstance(output, tuple)
        outputs = output if is_tuple else (output,)
        tensor_inputs = [a for a in args if isinstance(a, Tensor)]
        if not (is_grad_enabled() and any(ctx.needs_input_grad)):
            return output
        dirty = {id(t) for t in ctx._dirty}
        for t in ctx._dirty:
            if t.is_leaf and t.requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        non_diff = {id(t) for t in ctx._non_differentiable}
        # Outputs that alias an input (returned as is) become new tensors sharing its memory,
        # unless the input was modified in place (mark_dirty): that one takes the new history.
        fixed: List[Any] = []
        for o in outputs:
            if isinstance(o, Tensor) and id(o) not in dirty and any(o is a for a in tensor_inputs):
                o = o.detach()
            fixed.append(o)
        diff_outputs = [o for o in fixed if isinstance(o, Tensor) and id(o) not in non_diff and o.dtype.is_floating_point]
        input_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        n_args = len(args)

        def backward(*grads: Optional[Tensor]) -> List[Optional[Tensor]]:
            full = []
            it = iter(grads)
            for o in fixed:
                is_diff = isinstance(o, Tensor) and any(o is d for d in diff_outputs)
                g = next(it) if is_diff else None
                if g is None and ctx.materialize_grads and isinstance(o, Tensor):
                    from rtorch import zeros_like
                    g = zeros_like(o)
                full.append(g)
            result = cls.backward(ctx, *full)
            if not isinstance(result, tuple):
                result = (result,)
            if len(result) > n_args and all(r is None for r in result[n_args:]):
                result = result[:n_args]  # extra trailing Nones are allowed, as in torch
            if len(result) != n_args:
                raise RuntimeError(
                    f"function {cls.__name__}Backward returned an incorrect number of gradients (expected {n_args}, got {len(result)})"
                )
            for i, r in enumerate(result):
                if r is None:
                    continue
                if not isinstance(r, Tensor):
                    raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
                if not isinstance(args[i], Tensor):
                    raise RuntimeError(
                        f"function {cls.__name__}Backward returned a gradient different than None at position {i + 1}, "
                        "but the corresponding forward input was not a Variable"
                    )
            grads_in = [result[i] for i in input_positions]
            for k, (g, inp) in enumerate(zip(grads_in, tensor_inputs)):
                if g is not None and inp.requires_grad and not _expandable(tuple(inp.shape), tuple(g.shape)):
                    raise RuntimeError(
                        f"Function {cls.__name__}Backward returned an invalid gradient at index {k} - got "
                        f"{list(g.shape)} but expected shape compatible with {list(inp.shape)}"
                    )
            return grads_in

        _C._record_function(cls.__name__ + "Backward", tensor_inputs, diff_outputs, backward)
        return tuple(fixed) if is_tuple else fixed[0]


def _expandable(shape: Tuple[int, ...], to: Tuple[int, ...]) -> bool:
    """Whether ``shape`` broadcasts to ``to`` (so a gradient of shape ``to`` can be summed back)."""
    if len(shape) > len(to):
        return False
    return all(a == b or a == 1 for a, b in zip(reversed(shape), reversed(to)))


class once_differentiable:  # noqa: N801 - torch's name
    """Decorator for ``backward`` methods that are not themselves differentiable."""

    def __new__(cls, fn: Any) -> Any:
        import functools

        @functools.wraps(fn)
        def wrapper(ctx: Any, *args: Any) -> Any:
            with no_grad():
                return fn(ctx, *args)
        return wrapper

"""``out=`` for the function forms whose Rust method takes none (reductions, scans, selections,
triangles, ...): the result is computed, checked against the rule torch applies to that op's
``out`` (each op has its own message), and written into ``out``, which is resized when its shape
differs. A refused call leaves ``out`` untouched.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, Optional, Tuple

from rtorch import _C
from rtorch._C import Tensor
from rtorch._compare import _SCALAR_NAMES, _name, can_cast

# The C++ type names torch prints in "Expected out tensor to have dtype ..." messages.
_CPP = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    "bool": "bool",
}


def scalar_name(dtype) -> str:
    """torch's ScalarType name of ``dtype`` (``Float``, ``Long``, ...)."""
    return _SCALAR_NAMES[_name(dtype)]


def cpp_name(dtype) -> str:
    """The C++ type name torch prints for ``dtype`` (``float``, ``long int``, ...)."""
    return _CPP[_name(dtype)]


def _tensor_name(dtype) -> str:
    return f"torch.{scalar_name(dtype)}Tensor"


# A check takes (input, out, result) and returns torch's message when ``out`` is refused.
Check = Callable[[Tensor, Tensor, Tensor], Optional[str]]


def same(x: Tensor, out: Tensor, r: Tensor) -> Optional[str]:
    if out.dtype != r.dtype:
        return f"Expected out tensor to have dtype {cpp_name(r.dtype)}, but got {cpp_name(out.dtype)} instead"
    return None


def castable(x: Tensor, out: Tensor, r: Tensor) -> Optional[str]:
    if not can_cast(r.dtype, out.dtype):
        return f"result type {scalar_name(r.dtype)} can't be cast to the desired output type {scalar_name(out.dtype)}"
    return None


def message(text: str, dtype_of: str = "result") -> Check:
    """A check requiring ``out`` to have the input's (or result's) dtype, with torch's ``text``
    formatted with ``i`` (that dtype's ScalarType name), ``o`` (out's), ``ic``/``oc`` (C++ names),
    ``it``/``ot`` (``torch.FloatTensor`` names)."""

    def check(x: Tensor, out: Tensor, r: Tensor) -> Optional[str]:
        want = (x if dtype_of == "input" else r).dtype
        if out.dtype == want:
            return None
        return text.format(i=scalar_name(want), o=scalar_name(out.dtype), ic=cpp_name(want), oc=cpp_name(out.dtype),
                           it=_tensor_name(want), ot=_tensor_name(out.dtype))

    return check


def _boolean(name: str) -> Check:
    def check(x: Tensor, out: Tensor, r: Tensor) -> Optional[str]:
        if out.dtype == r.dtype or out.dtype == _C.bool:
            return None
        return f"{name} only supports bool tensor for result, got: {scalar_name(out.dtype)}"

    return check


def _floating_out(name: str) -> Check:
    def check(x: Tensor, out: Tensor, r: Tensor) -> Optional[str]:
        if out.dtype.is_floating_point:
            return None
        return f"{name}(): Expected floating point type for result tensor, but got: {scalar_name(out.dtype)}"

    return check


def _matrix_power(x: Tensor, out: Tensor, r: Tensor) -> Optional[str]:
    if not can_cast(r.dtype, out.dtype):
        return (f"matrix_power: Expected result to be safely castable from {scalar_name(r.dtype)} dtype, "
                f"but got result with dtype {scalar_name(out.dtype)}")
    return same(x, out, r)


def _median_values(op: str) -> Check:
    return message("Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type "
                   "{ot} does not equal {it} (while checking arguments for " + op + ")")


def _median_indices(op: str) -> Check:
    return message("Expected tensor for argument #1 'indices' to have scalar type Long; but got {ot} instead "
                   "(while checking arguments for " + op + ")")


_NOT_BOOL_OUT = "{name} does not support non-boolean outputs."
_CUM_VALUES = message("expected scalar_type {i} but found {o}")

# name -> check of a single ``out``, or (values check, indices check) for a pair.
RULES: Dict[str, Any] = {
    "amax": message("Expected the dtype for input and out to match, but got {i} for input's dtype and {o} for out's dtype.",
                    "input"),
    "amin": message("Expected the dtype for input and out to match, but got {i} for input's dtype and {o} for out's dtype.",
                    "input"),
    "all": _boolean("all"), "any": _boolean("any"),
    "argmax": same, "argmin": same, "argsort": same, "msort": same, "norm": same, "softmax": same,
    "log_softmax": same, "tril": same, "triu": same, "diag": same, "mv": same, "bmm": same,
    "var": castable, "std": castable, "diff": castable, "lerp": castable, "outer": castable,
    "logsumexp": _floating_out("logsumexp"),
    "dot": message("result dtype {o} does not match input dtype {i}", "input"),
    "clamp_min": message("Found dtype {o} but expected {i}"), "clamp_max": message("Found dtype {o} but expected {i}"),
    "isposinf": lambda x, o, r: None if o.dtype == r.dtype else _NOT_BOOL_OUT.format(name="isposinf"),
    "isneginf": lambda x, o, r: None if o.dtype == r.dtype else _NOT_BOOL_OUT.format(name="isneginf"),
    "nan_to_num": message("nan_to_num: dtype of out: {o} should be same as input: {i}", "input"),
    "histc": message("torch.histogram: input tensor and hist tensor should have the same dtype, but got input {ic} and "
                     "hist {oc}", "input"),
    "logcumsumexp": _CUM_VALUES,
    "matrix_power": _matrix_power,
    "tensordot": message("tensordot: Expected the output tensor to have dtype {i}, but got an output tensor with dtype {o}"),
    "kron": castable,
    "where": message("Expected out type to be {i} but got {o}"),
    "max": (same, same), "min": (same, same),
    "median": (_median_values("median"), _median_indices("median")),
    "nanmedian": (_median_values("nanmedian"), _median_indices("nanmedian")),
    "mode": (message("expected scalar type '{i}' but got '{o}' for values output"),
             message("expected scalar type '{i}' but got '{o}' for indices output")),
    "kthvalue": (message("output values must be of same type as input"), message("output indices must be of scalar type Long")),
    "cummax": (_CUM_VALUES, _CUM_VALUES), "cummin": (_CUM_VALUES, _CUM_VALUES),
}

# Reductions that compute in ``out``'s dtype (torch takes their dtype from ``out``).
_DTYPE_FROM_OUT = {"sum", "prod", "mean"}


def _as_out(name: str, out: Any, pair: bool) -> Any:
    if pair:
        if not (isinstance(out, (tuple, list)) and len(out) == 2 and all(isinstance(o, Tensor) for o in out)):
            raise TypeError(f"{name}(): argument 'out' must be tuple of 2 Tensors")
        return tuple(out)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    return out


def _write(name: str, out: Tensor, result: Tensor) -> None:
    # the Rust writer resizes out (warning as torch when it had elements) and copies
    if result.dtype != out.dtype:
        result = result.to(out.dtype)
    _C._write_out(name, out, result)


def call_with_out(name: str, compute: Callable[..., Any], input: Tensor, args: Tuple, kwargs: Dict[str, Any],
                  out: Any) -> Any:
    """``compute(*args, **kwargs)`` written into ``out`` by torch's rule for op ``name``."""
    if name in _DTYPE_FROM_OUT:
        _as_out(name, out, False)
        dtype = kwargs.get("dtype")
        if dtype is not None and dtype != out.dtype:
            raise RuntimeError(
                f"Expected out tensor to have dtype {cpp_name(dtype)}, but got {cpp_name(out.dtype)} instead")
        # mean of integers has no dtype to infer (torch's error comes from the call itself).
        if name != "mean" or (input.dtype.is_floating_point and out.dtype.is_floating_point):
            kwargs = {**kwargs, "dtype": out.dtype}
        rule: Any = castable
    else:
        rule = RULES[name]
    if name == "logsumexp" and isinstance(out, Tensor) and out.dtype.is_floating_point:
        input = input.to(out.dtype)  # torch computes in the result's dtype
    result = compute(input, *args, **kwargs)
    pair = isinstance(result, tuple)
    out = _as_out(name, out, pair)
    if not pair and isinstance(rule, tuple):
        rule = rule[0]  # max(x) / min(x): the values alone
    outs, results, rules = (out, tuple(result), rule) if pair else ((out,), (result,), (rule,))
    for o, r, check in zip(outs, results, rules):
        text = check(input, o, r)
        if text is not None:
            raise RuntimeError(text)
    for o, r in zip(outs, results):
        _write(name, o, r)
    if pair:
        return type(result)(*outs)
    return out


def supports_out(name: str) -> bool:
    """Whether :func:`call_with_out` knows op ``name``."""
    return name in RULES or name in _DTYPE_FROM_OUT


def factory(name: str, fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``fn`` (a factory: zeros, arange, randint, ...) with torch's ``out=``: the values are made in
    ``out``'s dtype and device and ``out`` takes their shape; a ``dtype=`` must agree with ``out``'s."""

    def with_out(*args, out: Optional[Tensor] = None, **kwargs) -> Tensor:
        if out is None:
            return fn(*args, **kwargs)
        out = _as_out(name, out, False)
        dtype = kwargs.get("dtype")
        if dtype is not None and dtype != out.dtype:
            raise RuntimeError(
                f"dtype {scalar_name(dtype)} does not match dtype of out parameter ({scalar_name(out.dtype)})")
        if name == "normal":  # its tensor forms take no dtype: made as usual, then cast
            result = fn(*args, **kwargs).to(out.dtype)
        else:
            result = fn(*args, **{**kwargs, "dtype": out.dtype, "device": out.device})
        if name == "arange" and out.numel() not in (0, result.numel()):
            warnings.warn(
                f"The number of elements in the out tensor of shape {list(out.shape)} is {out.numel()} which does not "
                f"match the computed number of elements {result.numel()}. Note that this may occur as a result of "
                f"rounding error. The out tensor will be resized to a tensor of shape ({result.numel()},).",
                UserWarning, stacklevel=2)
        _C._write_out(f"aten::{name}", out, result, warn_resize=False)
        return out

    with_out.__name__ = with_out.__qualname__ = name
    with_out.__doc__ = fn.__doc__
    return with_out

"""Tensor comparisons built on the elementwise ops: ``isclose``, ``allclose``, ``equal``, and ``can_cast``."""
from __future__ import annotations

import builtins
from typing import Any

from rtorch import _C
from rtorch._C import Tensor, dtype

# ATen's scalar type names, used in torch's "Float did not match Double" message.
_SCALAR_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "bfloat16": "BFloat16",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}
_PY_TYPES = {builtins.float: _C.float64, builtins.int: _C.int64, builtins.bool: _C.bool}


def _name(d: dtype) -> str:
    return str(d).replace("torch.", "")


def _check_tensor(fn: str, arg: str, pos: builtins.int, value: Any) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(value).__name__}")


def _check_float(fn: str, arg: str, value: Any) -> builtins.float:
    if isinstance(value, (builtins.int, builtins.float)):  # bool is an int, as torch accepts it
        return builtins.float(value)
    raise TypeError(f"{fn}(): argument '{arg}' must be float, not {type(value).__name__}")


def _check_bool(fn: str, arg: str, value: Any) -> builtins.bool:
    if isinstance(value, builtins.bool):
        return value
    raise TypeError(f"{fn}(): argument '{arg}' must be bool, not {type(value).__name__}")


def _isclose(fn: str, input: Tensor, other: Tensor, rtol: Any, atol: Any, equal_nan: Any, pos: builtins.int) -> Tensor:
    _check_tensor(fn, "input", pos, input)
    _check_tensor(fn, "other", pos + 1, other)
    rtol = _check_float(fn, "rtol", rtol)
    atol = _check_float(fn, "atol", atol)
    equal_nan = _check_bool(fn, "equal_nan", equal_nan)
    if input.dtype != other.dtype:
        raise RuntimeError(f"{_SCALAR_NAMES[_name(input.dtype)]} did not match {_SCALAR_NAMES[_name(other.dtype)]}")
    if not rtol >= 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol:g}")
    if not atol >= 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol:g}")
    input, other = input.detach(), other.detach()
    close = input == other
    if equal_nan and input.is_floating_point():
        close = close | (input.isnan() & other.isnan())
    # with zero tolerances closeness is equality
    if rtol == 0 and atol == 0:
        return close
    if not input.is_floating_point():
        # integer and bool differences are taken in the default float dtype, as torch does (no wrap-around)
        input = input.to(_C.get_default_dtype())
        other = other.to(_C.get_default_dtype())
    if input.dtype in (_C.float16, _C.bfloat16):
        # torch computes each step in float32 and rounds its result to the dtype; the scalar of the product
        # stays a float32 (rtol), the one of the sum is first rounded to the dtype (atol). rtorch rounds both
        # scalars to the dtype, so the steps are spelled out here.
        low, other32 = input.dtype, other.float()
        atol_low = _C.tensor(atol, dtype=low).item()
        allowed_error = ((other32 * rtol).to(low).abs().float() + atol_low).to(low)
        actual_error = (input.float() - other32).to(low).abs()
    else:
        allowed_error = atol + (rtol * other).abs()
        actual_error = (input - other).abs()
    return close | (actual_error.isfinite() & (actual_error <= allowed_error))


def isclose(
    input: Tensor, other: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
    equal_nan: builtins.bool = False,
) -> Tensor:
    r"""Elementwise ``|input - other| <= atol + rtol * |other|`` as a bool tensor (broadcast together).

    Infinities are close only to themselves; NaNs are close to each other only with ``equal_nan=True``. Both
    tensors must have the same dtype; integer and bool inputs are compared in the default float dtype.
    """
    return _isclose("isclose", input, other, rtol, atol, equal_nan, 1)


def allclose(
    input: Tensor, other: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
    equal_nan: builtins.bool = False,
) -> builtins.bool:
    """True when every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    return builtins.bool(_isclose("allclose", input, other, rtol, atol, equal_nan, 1).all().item())


def equal(input: Tensor, other: Tensor) -> builtins.bool:
    """True when both tensors have the same size and elements (compared after type promotion; NaN != NaN)."""
    _check_tensor("equal", "input", 1, input)
    _check_tensor("equal", "other", 2, other)
    if tuple(input.shape) != tuple(other.shape):
        return False
    return builtins.bool((input.detach() == other.detach()).all().item())


def _close_method(name: str, reduce_all: builtins.bool):
    """The Tensor method form of isclose / allclose (argument positions counted from ``other``)."""

    def method(self: Tensor, other: Tensor, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
               equal_nan: builtins.bool = False):
        close = _isclose(name, self, other, rtol, atol, equal_nan, 0)
        return builtins.bool(close.all().item()) if reduce_all else close

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"See :func:`rtorch.{name}`."
    return method


_tensor_isclose = _close_method("isclose", False)
_tensor_allclose = _close_method("allclose", True)


def _tensor_equal(self: Tensor, other: Tensor) -> builtins.bool:
    """See :func:`rtorch.equal`."""
    _check_tensor("equal", "other", 1, other)
    return equal(self, other)


for _method, _fn in (("isclose", _tensor_isclose), ("allclose", _tensor_allclose), ("equal", _tensor_equal)):
    if not hasattr(Tensor, _method):  # a Rust implementation, when there is one, wins
        _fn.__name__ = _fn.__qualname__ = _method
        setattr(Tensor, _method, _fn)
del _method, _fn


def _cast_arg(arg: str, pos: builtins.int, value: Any) -> dtype:
    if isinstance(value, dtype):
        return value
    if value in _PY_TYPES:
        return _PY_TYPES[value]
    raise TypeError(f"can_cast(): argument '{arg}' (position {pos}) must be torch.dtype, not {type(value).__name__}")


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether a value of dtype ``from_`` may be cast to ``to`` under torch's casting rules.

    Casting never goes from a floating point to an integral dtype, nor from a non-bool dtype to bool.
    """
    src, dst = _cast_arg("from_", 1, from_), _cast_arg("to", 2, to)
    if src.is_floating_point and not dst.is_floating_point and dst != _C.bool:
        return False
    if src != _C.bool and dst == _C.bool:
        return False
    return True

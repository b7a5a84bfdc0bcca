"""Comparison of the leaves ``assert_close`` finds in its inputs: ``None``, booleans, numbers and tensors.

:func:`leaf_check` inspects a pair of leaves up front (raising ``TypeError`` for a pair it cannot compare and
``ValueError`` for half-given tolerances) and returns a check to run later, which raises :class:`Mismatch`.
"""
from __future__ import annotations

import cmath
import dataclasses
import functools
import numbers
from typing import Any, Callable, Optional, Tuple, Type, Union

import numpy as np

import rtorch
from rtorch._C import Tensor, bfloat16, dtype, float16, float32, float64
from rtorch.testing._reports import scalar_report, tensor_report

Number = Union[int, float, complex]
Check = Callable[[], None]

# Default (rtol, atol) by dtype; every other dtype compares exactly.
_DTYPE_TOLERANCES = {
    float16: (1e-3, 1e-5),
    bfloat16: (1.6e-2, 1e-5),
    float32: (1.3e-6, 1e-5),
    float64: (1e-7, 1e-7),
}
# Python scalars are held to the tolerances of int64, float64 and complex128.
_NUMBER_TOLERANCES = {int: (0.0, 0.0), float: (1e-7, 1e-7), complex: (1e-7, 1e-7)}


class Mismatch(Exception):
    """A failed leaf check; ``report`` is the message before the item path and ``msg`` are applied.

    ``locate`` is False where torch does not name the failing item (boolean leaves).
    """

    def __init__(self, report: str, locate: bool = True) -> None:
        super().__init__(report)
        self.report, self.locate = report, locate


@dataclasses.dataclass(frozen=True)
class Options:
    """The keyword arguments of ``assert_close`` that govern single leaves."""

    allow_subclasses: bool
    rtol: Optional[float]
    atol: Optional[float]
    equal_nan: bool
    check_device: bool
    check_dtype: bool
    check_stride: bool


def leaf_check(actual: Any, expected: Any, options: Options) -> Check:
    """The check comparing two leaves; raises ``TypeError`` when no kind of leaf fits both of them."""
    if actual is None or expected is None:
        return functools.partial(_check_none, actual, expected)
    if _is_boolean(actual) and _is_boolean(expected):
        return functools.partial(_check_booleans, bool(actual), bool(expected))
    if _is_number(actual) and _is_number(expected):
        tolerances = _tolerances(options, _NUMBER_TOLERANCES[_number_type(actual)],
                                 _NUMBER_TOLERANCES[_number_type(expected)])
        return functools.partial(_check_numbers, actual, expected, tolerances, options)
    tensors = _as_tensors(actual, expected, options.allow_subclasses)
    if tensors is None:
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")
    tolerances = _tolerances(options, _dtype_tolerances(tensors[0].dtype), _dtype_tolerances(tensors[1].dtype))
    return functools.partial(_check_tensors, *tensors, tolerances, options)


# ---------------------------------------------------------------------------------------------------------
# kinds of leaves
# ---------------------------------------------------------------------------------------------------------
def _is_boolean(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not _is_boolean(value)


def _number_type(value: Number) -> Type[Number]:
    """The Python type standing for a number's kind: ``int``, ``float`` or ``complex``."""
    for kind, abc in ((int, numbers.Integral), (float, numbers.Real)):
        if isinstance(value, abc):
            return kind
    return complex


def _as_tensors(actual: Any, expected: Any, allow_subclasses: bool) -> Optional[Tuple[Tensor, Tensor]]:
    """Both inputs as tensors when they are related tensor-likes (tensors or numpy arrays), else None."""
    if allow_subclasses:
        related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    else:
        related = type(actual) is type(expected)
    if not (related and isinstance(actual, (Tensor, np.ndarray))):
        return None
    try:
        return rtorch.as_tensor(actual), rtorch.as_tensor(expected)
    except (TypeError, ValueError, RuntimeError):  # e.g. arrays of strings or objects
        return None


# ---------------------------------------------------------------------------------------------------------
# tolerances
# ---------------------------------------------------------------------------------------------------------
def _dtype_tolerances(d: dtype) -> Tuple[float, float]:
    return _DTYPE_TOLERANCES.get(d, (0.0, 0.0))


def _tolerances(options: Options, *defaults: Tuple[float, float]) -> Tuple[Any, Any]:
    """The user's (rtol, atol), or the largest defaults of the two leaves' dtypes when both are omitted."""
    if (options.rtol is None) != (options.atol is None):
        missing = "atol" if options.atol is None else "rtol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.")
    if options.rtol is not None:
        return options.rtol, options.atol
    return max(d[0] for d in defaults), max(d[1] for d in defaults)


# ---------------------------------------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------------------------------------
def _check_none(actual: Any, expected: Any) -> None:
    if not (actual is None and expected is None):
        raise Mismatch(f"None mismatch: {actual} is not {expected}")


def _check_booleans(actual: bool, expected: bool) -> None:
    if actual is not expected:
        raise Mismatch(f"Booleans mismatch: {actual} is not {expected}", locate=False)


def _check_numbers(actual: Number, expected: Number, tolerances: Tuple[Any, Any], options: Options) -> None:
    actual_type, expected_type = _number_type(actual), _number_type(expected)
    if options.check_dtype and actual_type is not expected_type:
        raise Mismatch(f"The (d)types do not match: {actual_type} != {expected_type}.")
    actual, expected = actual_type(actual), expected_type(expected)
    if not _numbers_close(actual, expected, *tolerances, options.equal_nan):
        raise Mismatch(scalar_report(actual, expected, *tolerances))


def _numbers_close(actual: Number, expected: Number, rtol: Any, atol: Any, equal_nan: bool) -> bool:
    """``|actual - expected| <= atol + rtol * |expected|`` for finite values; infinities must be equal."""
    if actual == expected:
        return True
    if _is_nan(actual) or _is_nan(expected):
        return equal_nan and _is_nan(actual) and _is_nan(expected)
    if not (_is_finite(actual) and _is_finite(expected)):
        return False
    return abs(actual - expected) <= atol + rtol * abs(expected)


def _is_nan(value: Number) -> bool:
    return not isinstance(value, int) and cmath.isnan(value)


def _is_finite(value: Number) -> bool:
    return isinstance(value, int) or cmath.isfinite(value)


def _check_tensors(actual: Tensor, expected: Tensor, tolerances: Tuple[Any, Any], options: Options) -> None:
    _check_attribute("shape", actual.shape, expected.shape)
    if options.check_stride:
        _check_attribute("stride()", actual.stride(), expected.stride())
    if options.check_device:
        _check_attribute("device", actual.device, expected.device)
    elif actual.device != expected.device:
        actual, expected = actual.cpu(), expected.cpu()
    if options.check_dtype:
        _check_attribute("dtype", actual.dtype, expected.dtype)
    elif actual.dtype != expected.dtype:
        common = rtorch.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    actual, expected = actual.detach(), expected.detach()
    rtol, atol = tolerances
    close = rtorch.isclose(actual, expected, rtol=float(rtol), atol=float(atol), equal_nan=options.equal_nan)
    if bool(close.all()):
        return
    if actual.dim() == 0:
        raise Mismatch(scalar_report(actual.item(), expected.item(), rtol, atol))
    raise Mismatch(tensor_report(actual, expected, close, rtol, atol))


def _check_attribute(name: str, actual: Any, expected: Any) -> None:
    if actual != expected:
        raise Mismatch(f"The values for attribute '{name}' do not match: {actual} != {expected}.")

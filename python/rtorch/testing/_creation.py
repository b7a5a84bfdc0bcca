"""``make_tensor``: random test tensors of any dtype, as :func:`torch.testing.make_tensor`."""
from __future__ import annotations

import collections.abc
import math
import warnings
from typing import Any, Optional, Sequence, Tuple, Union

import rtorch
from rtorch._C import Tensor, device, dtype


def make_tensor(
    *shape: Union[int, Sequence[int]],
    dtype: dtype,
    device: Union[str, device, None],
    low: Optional[float] = None,
    high: Optional[float] = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format: None = None,
) -> Tensor:
    """A tensor of the given shape, dtype and device filled with values drawn uniformly from ``[low, high)``.

    ``shape`` is given as integers or as one sequence of them.  ``low``/``high`` default to ``0``/``2`` for
    bool, ``0``/``10`` for uint8, ``-9``/``10`` for the signed integers and ``-9``/``9`` for floating types;
    given ones are clamped to the values the dtype can hold (integer bounds are rounded up).
    ``exclude_zero`` replaces zeros with ``True``, ``1`` or the dtype's smallest normal number, and
    ``noncontiguous`` returns a non-contiguous view (when there are at least two elements).  rtorch has no
    memory formats, so ``memory_format`` must be ``None``.

    Raises:
        ValueError: if ``noncontiguous`` and ``memory_format`` are both given, if ``requires_grad`` is set for a
            boolean or integral dtype, if ``low`` or ``high`` is NaN, if ``low >= high`` (``low == high`` warns
            and fills with that value for floating types), or if the interval lies outside the dtype's values.
        TypeError: if ``dtype`` is not an rtorch dtype.
    """
    if noncontiguous and memory_format is not None:
        raise ValueError(
            "The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
            f"noncontiguous={noncontiguous} and memory_format={memory_format!r}"
        )
    if memory_format is not None:
        raise NotImplementedError("make_tensor(): rtorch has no memory formats")
    if not isinstance(dtype, rtorch.dtype):
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor().")
    if requires_grad and not dtype.is_floating_point:
        raise ValueError(
            f"`requires_grad=True` is not supported for boolean and integral dtypes, but got dtype={dtype}"
        )
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    low, high = _interval(dtype, low, high)

    if dtype.is_floating_point and low == high:
        warnings.warn(
            "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is deprecated "
            "since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        values = rtorch.full(shape, _clamp(dtype, low, high)[0], dtype=dtype, device=device)
    else:
        values = _draw(shape, dtype, device, *_clamp(dtype, low, high))

    if exclude_zero:
        values = values.masked_fill(values == 0, _smallest_nonzero(dtype))
    if noncontiguous and values.numel() > 1:
        values = rtorch.repeat_interleave(values, 2, dim=-1)[..., ::2]
    return values.requires_grad_(requires_grad)


def _interval(dtype: dtype, low: Any, high: Any) -> Tuple[Any, Any]:
    """``low`` and ``high`` with their defaults filled in, checked against each other and the dtype."""
    default_low, default_high = _default_interval(dtype)
    low = default_low if low is None else low
    high = default_high if high is None else high
    if low != low or high != high:
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low >= high and not (low == high and dtype.is_floating_point):  # see make_tensor for low == high
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    lowest, beyond = _supported_interval(dtype)
    if low != high and (low >= beyond or high < lowest):
        raise ValueError(
            f"The value interval specified by `low` and `high` is [{low}, {high}), "
            f"but {dtype} only supports [{lowest}, {beyond})"
        )
    return low, high


def _default_interval(dtype: dtype) -> Tuple[int, int]:
    if dtype == rtorch.bool:
        return 0, 2
    if dtype.is_floating_point:
        return -9, 9
    return (-9, 10) if dtype.is_signed else (0, 10)


def _supported_interval(dtype: dtype) -> Tuple[Any, Any]:
    """``[lowest, beyond)``: the values of ``dtype``; an integer bound past int64's range stays inside it."""
    if dtype == rtorch.bool:
        return 0, 2
    if dtype.is_floating_point:
        info = rtorch.finfo(dtype)
        return info.min, info.max
    info = rtorch.iinfo(dtype)
    return info.min, min(info.max + 1, rtorch.iinfo(rtorch.int64).max)


def _clamp(dtype: dtype, low: Any, high: Any) -> Tuple[Any, Any]:
    """``low`` and ``high`` clamped to the dtype's values; integer bounds rounded up to integers."""
    lowest, beyond = _supported_interval(dtype)
    low, high = min(max(low, lowest), beyond), min(max(high, lowest), beyond)
    if dtype.is_floating_point:
        return low, high
    return math.ceil(low), math.ceil(high)


def _draw(shape: Sequence[int], dtype: dtype, device: Any, low: Any, high: Any) -> Tensor:
    """Uniform values in ``[low, high)``: integers from ``randint``, floats interpolated in float64."""
    if not dtype.is_floating_point:
        return rtorch.randint(low, high, shape, dtype=dtype, device=device)
    fraction = rtorch.rand(shape, dtype=rtorch.float64, device=device)
    # a weighted sum rather than low + (high - low) * fraction, which overflows for the widest intervals
    values = (fraction * high + (1 - fraction) * low).to(dtype)
    # rounding to a narrow dtype can reach `high`; as in torch, those draws become `low`
    return values.masked_fill(values >= high, low)


def _smallest_nonzero(dtype: dtype) -> Union[bool, int, float]:
    if dtype == rtorch.bool:
        return True
    return rtorch.finfo(dtype).tiny if dtype.is_floating_point else 1

"""The failure reports of ``assert_close``: the text written when values are not close."""
from __future__ import annotations

import math
from typing import Any, List, Tuple, Union

from rtorch._C import Tensor

Number = Union[int, float, complex]


def _shown(tolerance: Any) -> Any:
    """A tolerance as it is written in a report: numpy scalars and 0-d tensors as their Python value."""
    return tolerance.item() if hasattr(tolerance, "item") else tolerance


def _verdict(subject: str, rtol: Any, atol: Any) -> str:
    """``"<subject> are not equal!"`` for zero tolerances, else ``"<subject> are not close!"``."""
    return f"{subject} are not {'equal' if rtol == 0 and atol == 0 else 'close'}!"


def _allowed(tolerance: Any, rtol: Any, atol: Any) -> str:
    """The ``" (up to ... allowed)"`` note of a difference line; empty when equality was required."""
    if rtol == 0 and atol == 0:
        return ""
    return f" (up to {_shown(tolerance)} allowed)"


def scalar_report(actual: Number, expected: Number, rtol: Any, atol: Any) -> str:
    """Report for two Python scalars (or the values of two 0-d tensors) that are not close."""
    difference = abs(actual - expected)
    relative = difference / abs(expected) if expected != 0 else math.inf
    return (
        f"{_verdict('Scalars', rtol, atol)}\n\n"
        f"Expected {expected} but got {actual}.\n"
        f"Absolute difference: {difference}{_allowed(atol, rtol, atol)}\n"
        f"Relative difference: {relative}{_allowed(rtol, rtol, atol)}"
    )


def _greatest(values: Tensor) -> Tuple[Number, Tuple[int, ...]]:
    """The largest element (a NaN counts as the largest) and the index of its first occurrence."""
    flat: List[Number] = values.reshape(-1).tolist()
    position = next((i for i, v in enumerate(flat) if v != v), None)
    if position is None:
        position = max(range(len(flat)), key=flat.__getitem__)
    value, index = flat[position], []
    for size in reversed(values.shape):
        position, coordinate = divmod(position, size)
        index.append(coordinate)
    return value, tuple(reversed(index))


def tensor_report(actual: Tensor, expected: Tensor, close: Tensor, rtol: Any, atol: Any) -> str:
    """Report for two same-shaped tensors with at least one dimension whose values are not all close.

    ``close`` marks the elements that are close.  Differences are taken in the tensors' dtype (integers and
    booleans in int64); the relative difference divides by ``|expected|``.  Close elements count as 0.
    """
    if not actual.is_floating_point():
        actual, expected = actual.long(), expected.long()
    absolute = (actual - expected).abs()
    relative = (absolute / expected.abs()).masked_fill(close, 0)
    absolute = absolute.masked_fill(close, 0)
    total = close.numel()
    mismatched = total - int(close.sum())
    lines = [
        f"{_verdict('Tensor-likes', rtol, atol)}\n",
        f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})",
    ]
    for name, diffs, tolerance in (("absolute", absolute, atol), ("relative", relative, rtol)):
        value, index = _greatest(diffs)
        lines.append(f"Greatest {name} difference: {value} at index {index}{_allowed(tolerance, rtol, atol)}")
    return "\n".join(lines)

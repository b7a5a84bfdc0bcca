"""``assert_close``: walks two (possibly nested) inputs side by side and compares their leaves."""
from __future__ import annotations

import collections.abc
from typing import Any, Callable, Iterator, List, Optional, Tuple, Union

from rtorch.testing._leaves import Check, Mismatch, Options, leaf_check

Path = Tuple[Any, ...]
Msg = Optional[Union[str, Callable[[str], str]]]


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: Msg = None,
) -> None:
    """Asserts that ``actual`` and ``expected`` are close, as :func:`torch.testing.assert_close`.

    Tensors are close when ``|actual - expected| <= atol + rtol * |expected|`` elementwise (infinities only
    when equal, NaNs only with ``equal_nan``) and their shape, device, dtype and, with ``check_stride``, strides
    match.  Python scalars, numpy arrays and scalars, ``None`` and nested sequences and mappings of these are
    compared alike.  Omitted ``rtol``/``atol`` default by dtype (float16 1e-3/1e-5, bfloat16 1.6e-2/1e-5,
    float32 1.3e-6/1e-5, float64 and Python floats 1e-7/1e-7, exact otherwise).  With ``check_dtype=False``
    tensors are promoted to a common dtype first.  rtorch tensors are always strided, so ``check_layout`` has
    nothing to check.

    Raises:
        AssertionError: when the inputs differ; ``msg`` (a string, or a callable given the generated message)
            replaces the message of a failed value or attribute check.
        TypeError: for a pair of inputs that cannot be compared.
        ValueError: when only one of ``rtol`` and ``atol`` is given.
    """
    options = Options(allow_subclasses, rtol, atol, equal_nan, check_device, check_dtype, check_stride)
    checks = list(_leaf_checks(actual, expected, (), options))
    for path, check in checks:
        try:
            check()
        except Mismatch as mismatch:
            message = mismatch.report + (_location(path) if mismatch.locate else "")
            if callable(msg):
                message = msg(message)
            elif isinstance(msg, str):
                message = msg
            raise AssertionError(message) from None


def _leaf_checks(actual: Any, expected: Any, path: Path, options: Options) -> Iterator[Tuple[Path, Check]]:
    """The checks of every pair of leaves, depth first; raises at once when the structures differ."""
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise AssertionError(
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}{_location(path)}"
            )
        for index, (a, e) in enumerate(zip(actual, expected)):
            yield from _leaf_checks(a, e, path + (index,), options)
    elif isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        for key in _common_keys(actual, expected, path):
            yield from _leaf_checks(actual[key], expected[key], path + (key,), options)
    else:
        try:
            check = leaf_check(actual, expected, options)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{error}{_location(path)}") from None
        yield path, check


def _is_sequence(value: Any) -> bool:
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _common_keys(actual: collections.abc.Mapping, expected: collections.abc.Mapping, path: Path) -> List[Any]:
    """The keys of two mappings with the same keys, sorted when they can be; raises when the keys differ."""
    keys, expected_keys = set(actual), set(expected)
    if keys != expected_keys:
        raise AssertionError(
            "The keys of the mappings do not match:\n"
            f"Missing keys in the actual mapping: {sorted(expected_keys - keys)}\n"
            f"Additional keys in the actual mapping: {sorted(keys - expected_keys)}{_location(path)}"
        )
    try:
        return sorted(keys)
    except TypeError:  # keys of unorderable types: the actual mapping's order
        return list(actual)


def _location(path: Path) -> str:
    """The ``"The failure occurred for item [...]"`` suffix of a message about a nested item."""
    if not path:
        return ""
    return "\n\nThe failure occurred for item " + "".join(f"[{key!r}]" for key in path)

"""``rtorch.finfo`` and ``rtorch.iinfo``: numerical properties of the floating point and integer dtypes."""
from __future__ import annotations

import builtins
import math
from typing import Any, Dict, Tuple

from rtorch import _C

# dtype name -> (bits, mantissa bits without the implicit one, exponent bits)
_FLOAT_FORMATS: Dict[str, Tuple[int, int, int]] = {
    "float64": (64, 52, 11),
    "float32": (32, 23, 8),
    "float16": (16, 10, 5),
    "bfloat16": (16, 7, 8),
}
# dtype name -> (bits, signed)
_INT_FORMATS: Dict[str, Tuple[int, builtins.bool]] = {
    "int64": (64, True),
    "int32": (32, True),
    "int16": (16, True),
    "int8": (8, True),
    "uint8": (8, False),
}
_PY_TYPES = {builtins.float: "float64", builtins.int: "int64", builtins.bool: "bool"}
_NO_TYPE = object()


def _dtype_name(fn: str, obj: Any) -> str:
    """The dtype name of an ``rtorch.dtype`` (or of the Python type float, int or bool); ``TypeError`` otherwise."""
    if isinstance(obj, _C.dtype):
        return str(obj).replace("torch.", "")
    if obj in _PY_TYPES:
        return _PY_TYPES[obj]
    raise TypeError(f"{fn}(): argument 'type' (position 1) must be torch.dtype, not {builtins.type(obj).__name__}")


class _TypeInfo:
    """What finfo and iinfo share: equality and hashing by dtype name, str as repr."""

    __slots__ = ()

    def __eq__(self, other: object) -> builtins.bool:
        return builtins.type(other) is builtins.type(self) and other._dtype == self._dtype

    def __ne__(self, other: object) -> builtins.bool:
        return not self == other

    def __hash__(self) -> builtins.int:
        return hash((builtins.type(self).__name__, self._dtype))

    def __str__(self) -> str:
        return repr(self)


class finfo(_TypeInfo):
    """Numerical properties of a floating point dtype (``rtorch.get_default_dtype()`` when omitted).

    Attributes: ``bits``, ``eps`` (smallest ``x`` with ``1.0 + x != 1.0``), ``max``, ``min`` (``-max``), ``tiny`` and
    ``smallest_normal`` (smallest positive normal number), ``resolution`` (approximate decimal resolution,
    ``10**-digits10``) and ``dtype`` (the dtype's name, e.g. ``'float32'``).
    """

    __slots__ = ("_bits", "_eps", "_max", "_tiny", "_resolution", "_dtype")

    def __init__(self, type: Any = _NO_TYPE) -> None:
        name = str(_C.get_default_dtype()).replace("torch.", "") if type is _NO_TYPE else _dtype_name("finfo", type)
        if name not in _FLOAT_FORMATS:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'"
            )
        bits, mant, exp = _FLOAT_FORMATS[name]
        emax = 2 ** (exp - 1) - 1
        self._bits = bits
        self._eps = 2.0 ** -mant
        self._max = (2.0 - 2.0 ** -mant) * 2.0 ** emax
        self._tiny = 2.0 ** (1 - emax)
        # std::numeric_limits<T>::digits10: decimal digits representable without change
        self._resolution = 10.0 ** -math.floor(mant * math.log10(2))
        self._dtype = name

    bits = property(lambda self: self._bits, doc="The number of bits occupied by the type.")
    eps = property(lambda self: self._eps, doc="The smallest representable number such that 1.0 + eps != 1.0.")
    max = property(lambda self: self._max, doc="The largest representable number.")
    min = property(lambda self: -self._max, doc="The smallest representable number (typically -max).")
    tiny = property(lambda self: self._tiny, doc="The smallest positive normal number (same as smallest_normal).")
    smallest_normal = property(lambda self: self._tiny, doc="The smallest positive normal number.")
    resolution = property(lambda self: self._resolution, doc="The approximate decimal resolution of this type.")
    dtype = property(lambda self: self._dtype, doc="The name of the dtype, e.g. 'float32'.")

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
            f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo(_TypeInfo):
    """Numerical properties of an integer dtype: ``bits``, ``max``, ``min`` and ``dtype`` (its name, e.g.
    ``'int32'``)."""

    __slots__ = ("_bits", "_min", "_max", "_dtype")

    def __init__(self, type: Any) -> None:
        name = _dtype_name("iinfo", type)
        if name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if name not in _INT_FORMATS:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        bits, signed = _INT_FORMATS[name]
        self._bits = bits
        self._min = -(2 ** (bits - 1)) if signed else 0
        self._max = 2 ** (bits - 1) - 1 if signed else 2**bits - 1
        self._dtype = name

    bits = property(lambda self: self._bits, doc="The number of bits occupied by the type.")
    max = property(lambda self: self._max, doc="The largest representable number.")
    min = property(lambda self: self._min, doc="The smallest representable number.")
    dtype = property(lambda self: self._dtype, doc="The name of the dtype, e.g. 'int32'.")

    def __repr__(self) -> str:
        return f"iinfo(min={builtins.float(self.min):g}, max={builtins.float(self.max):g}, dtype={self.dtype})"


finfo.__module__ = iinfo.__module__ = "rtorch"

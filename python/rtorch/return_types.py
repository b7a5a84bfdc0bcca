"""Named tuples returned by ops with values and indices (``torch.return_types``):
``max``, ``min``, ``sort``, ``topk``, ``kthvalue``, ``median``, ``nanmedian``, ``mode``,
``cummax`` and ``cummin``, each with fields ``values`` and ``indices``."""
from __future__ import annotations

from typing import NamedTuple

from rtorch._C import Tensor

_NAMES = ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin")

for _name in _NAMES:
    globals()[_name] = NamedTuple(_name, [("values", Tensor), ("indices", Tensor)])
    globals()[_name].__module__ = __name__
del _name

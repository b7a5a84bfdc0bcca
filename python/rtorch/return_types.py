"""Named tuples returned by ops with values and indices (``torch.return_types``):
``max``, ``min``, ``sort``, ``topk``, ``kthvalue``, ``median``, ``nanmedian``, ``mode``,
``cummax`` and ``cummin``, each with fields ``values`` and ``indices``; and those of the linear
algebra functions (``linalg_svd``, ``linalg_qr``, ``linalg_eigh``, ``linalg_slogdet``, ...)."""
from __future__ import annotations

from typing import NamedTuple

from rtorch._C import Tensor

_NAMES = ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin")

for _name in _NAMES:
    globals()[_name] = NamedTuple(_name, [("values", Tensor), ("indices", Tensor)])
    globals()[_name].__module__ = __name__
del _name

# Named tuples of the linear algebra functions: name -> field names.
_LINALG = {
    "linalg_slogdet": ("sign", "logabsdet"),
    "slogdet": ("sign", "logabsdet"),
    "linalg_qr": ("Q", "R"),
    "qr": ("Q", "R"),
    "linalg_svd": ("U", "S", "Vh"),
    "svd": ("U", "S", "V"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
}
for _name, _fields in _LINALG.items():
    globals()[_name] = NamedTuple(_name, [(f, Tensor) for f in _fields])
    globals()[_name].__module__ = __name__
del _name, _fields

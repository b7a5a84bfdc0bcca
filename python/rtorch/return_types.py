"""Named tuples returned by reductions with indices (``torch.return_types``)."""
from __future__ import annotations

from typing import NamedTuple

from rtorch._C import Tensor


class max(NamedTuple):  # noqa: N801 - torch's names
    values: Tensor
    indices: Tensor


class min(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor

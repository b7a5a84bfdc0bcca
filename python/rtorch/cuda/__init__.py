"""``rtorch.cuda``: device queries. CUDA libraries are loaded lazily, so CPU-only machines
never fail here: :func:`is_available` is then simply False."""
from __future__ import annotations

from rtorch import _C


def is_available() -> bool:
    """True when a CUDA driver and at least one GPU are present."""
    return _C._cuda_is_available()


def device_count() -> int:
    """Number of visible CUDA devices (0 without a driver)."""
    return _C._cuda_device_count()

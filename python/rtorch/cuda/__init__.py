"""``rtorch.cuda``: device queries. CUDA libraries are loaded lazily, so CPU-only machines
never fail here: :func:`is_available` is then simply False.

NVIDIA's runtime compiler (NVRTC) and cuBLAS may come from their pip wheels
(``pip install 'rtorch[cuda]'``); their folders are registered with the core at import, and
the libraries themselves are loaded on first CUDA use. The driver comes with the system.
"""
from __future__ import annotations

import importlib.util
import os
from typing import Any, List, Optional

from rtorch import _C


def _nvidia_library_dirs() -> List[str]:
    """The ``lib`` folders of NVIDIA's pip wheels (``nvidia/cu13/lib`` and the like)."""
    try:
        spec = importlib.util.find_spec("nvidia")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    dirs = []
    for root in spec.submodule_search_locations:
        try:
            names = sorted(os.listdir(root), reverse=True)
        except OSError:
            continue
        for name in names:
            lib = os.path.join(root, name, "lib")
            if os.path.isdir(lib):
                dirs.append(lib)
    return dirs


_C._cuda_add_library_dirs(_nvidia_library_dirs())


def is_available() -> bool:
    """True when a CUDA driver and at least one GPU are present."""
    return _C._cuda_is_available()


def device_count() -> int:
    """Number of visible CUDA devices (0 without a driver)."""
    return _C._cuda_device_count()


def current_device() -> int:
    """Index of the current device (always 0: rtorch has no device context manager yet)."""
    _check_available()
    return 0


def _index(device: Any) -> int:
    if device is None:
        return 0
    if isinstance(device, int):
        return device
    index = getattr(device, "index", None)
    if index is None and isinstance(device, str):
        _, _, tail = device.partition(":")
        return int(tail) if tail else 0
    return 0 if index is None else int(index)


def _check_available() -> None:
    if not is_available():
        raise RuntimeError("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver")


def synchronize(device: Optional[Any] = None) -> None:
    """Waits for all kernels queued on ``device`` (default: cuda:0) to finish."""
    _C._cuda_synchronize(_index(device))


def get_device_name(device: Optional[Any] = None) -> str:
    """The name of ``device`` (default: cuda:0), as the driver reports it."""
    return _C._cuda_get_device_name(_index(device))

"""Shared oracles for the test suite: numpy for values, PyTorch (when importable) for behaviour."""
from __future__ import annotations

import numpy as np
import pytest

import rtorch

try:  # PyTorch is only an optional oracle; tests that need it use the `torch_ref` fixture.
    import torch as _torch  # type: ignore
except Exception:  # pragma: no cover - absent on CI
    _torch = None

# rtorch dtype name -> numpy dtype used as the value oracle (bfloat16 is checked through float32).
NP_DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "float16": np.float16,
    "bfloat16": np.float32,
    "int64": np.int64,
    "int32": np.int32,
    "int16": np.int16,
    "int8": np.int8,
    "uint8": np.uint8,
    "bool": np.bool_,
}
FLOAT_DTYPES = ["float32", "float64", "float16", "bfloat16"]
INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8"]
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + ["bool"]

# Tolerances per dtype, like torch.testing's defaults.
TOLS = {
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
}


def to_numpy(t: rtorch.Tensor) -> np.ndarray:
    """A numpy copy of an rtorch tensor (bfloat16 goes through float32)."""
    if t.dtype == rtorch.bfloat16:
        t = t.float()
    return np.array(t.numpy(), copy=True)


def assert_close(actual, expected, rtol=None, atol=None, check_dtype=True):
    """Compare an rtorch tensor to a numpy array: shape, dtype and values (NaN == NaN)."""
    assert isinstance(actual, rtorch.Tensor), f"expected a Tensor, got {type(actual)}"
    expected = np.asarray(expected)
    assert tuple(actual.shape) == expected.shape, f"shape {tuple(actual.shape)} != {expected.shape}"
    name = str(actual.dtype).replace("torch.", "")
    if check_dtype and name != "bfloat16":
        assert np.dtype(NP_DTYPES[name]) == expected.dtype, f"dtype {name} != {expected.dtype}"
    got = to_numpy(actual)
    if name in TOLS:
        r, a = TOLS[name]
        np.testing.assert_allclose(
            got.astype(np.float64), expected.astype(np.float64),
            rtol=r if rtol is None else rtol, atol=a if atol is None else atol, equal_nan=True,
        )
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.fixture
def torch_ref():
    """The real PyTorch module, or skip the test when it is not installed."""
    if _torch is None:
        pytest.skip("PyTorch not installed")
    return _torch

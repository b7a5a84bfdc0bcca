"""Shared oracles for the test suite: numpy for values, PyTorch (when importable) for behaviour."""
from __future__ import annotations

import re
import zlib

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



# ----------------------------------------------------------------------------------------------------------
# dtype helpers
# ----------------------------------------------------------------------------------------------------------
def dt(name: str):
    """The rtorch dtype object for a dtype name, e.g. ``dt("float32") is rtorch.float32``."""
    return getattr(rtorch, name)


def dname(t: rtorch.Tensor) -> str:
    """The dtype name of a tensor, e.g. ``"float32"`` (``str(t.dtype)`` without the ``torch.`` prefix)."""
    return str(t.dtype).replace("torch.", "")


def is_float(name: str) -> bool:
    """Whether dtype `name` is a floating-point dtype."""
    return name in FLOAT_DTYPES


def bf16_round(x) -> np.ndarray:
    """Round float values to the nearest bfloat16 (ties to even), returned as a float32 copy; NaN stays NaN."""
    x = np.array(x, dtype=np.float32, copy=True)
    bits = x.reshape(-1).view(np.uint32).astype(np.uint64)
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    out = bits.view(np.float32).reshape(x.shape)
    return np.where(np.isnan(x), x, out).astype(np.float32)


def to_oracle(values, name: str) -> np.ndarray:
    """Cast numpy values to the numpy dtype that stands for rtorch dtype `name` (the value oracle).

    bfloat16 values are rounded to bfloat16 and held as float32.
    """
    values = np.asarray(values)
    if name == "bfloat16":
        return bf16_round(values.astype(np.float64).astype(np.float32))
    return values.astype(NP_DTYPES[name])


# ----------------------------------------------------------------------------------------------------------
# tensors from numpy values
# ----------------------------------------------------------------------------------------------------------
def make(values, name: str, via: str = "from_numpy") -> rtorch.Tensor:
    """An rtorch tensor of dtype `name` holding a copy of `values` (already representable in that dtype).

    Built with ``rtorch.from_numpy`` (bfloat16: from float32, then ``.to(rtorch.bfloat16)``); with
    ``via="tensor"`` non-bfloat16 tensors are built with ``rtorch.tensor`` instead.
    """
    if name == "bfloat16":
        base = np.array(values, dtype=np.float32, copy=True)
        return rtorch.from_numpy(base).to(rtorch.bfloat16)
    base = np.array(values, dtype=NP_DTYPES[name], copy=True)
    if via == "tensor":
        return rtorch.tensor(base)
    return rtorch.from_numpy(base)


def mk(arr, name: str) -> rtorch.Tensor:
    """An rtorch tensor (own memory) with the values of `arr`, built by ``rtorch.tensor(..., dtype=dt(name))``."""
    return rtorch.tensor(np.array(arr, order="C"), dtype=dt(name))


# ----------------------------------------------------------------------------------------------------------
# sample data
# ----------------------------------------------------------------------------------------------------------
def rng_for(*key) -> np.random.Generator:
    """A numpy random generator seeded deterministically from `key` (e.g. the test's parameters)."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def np_vals(shape, name: str, seed: int = 0) -> np.ndarray:
    """Deterministic values exactly representable in dtype `name`, as an array of its numpy oracle dtype.

    Integers in [-11, 11] (uint8: [0, 22]; floats: halves of those; bool: every third True),
    shifted by `seed`.
    """
    n = int(np.prod(shape, dtype=np.int64))
    base = (np.arange(n, dtype=np.int64) * 7 + 3 + seed * 5) % 23 - 11
    if name == "bool":
        arr = base % 3 == 0
    elif name == "uint8":
        arr = (base + 11).astype(np.uint8)
    elif name in FLOAT_DTYPES:
        arr = (base * 0.5).astype(NP_DTYPES[name])
    else:
        arr = base.astype(NP_DTYPES[name])
    return arr.reshape(shape)


def gen_general(name: str, shape, rng: np.random.Generator) -> np.ndarray:
    """Random values of dtype `name` (oracle dtype): bool 0/1, ints in [-10, 10] (uint8: [0, 10]),
    floats in multiples of 0.25 in [-4, 4]."""
    if name == "bool":
        return rng.integers(0, 2, shape).astype(np.bool_)
    if name in INT_DTYPES:
        lo = 0 if name == "uint8" else -10
        return rng.integers(lo, 11, shape).astype(NP_DTYPES[name])
    return to_oracle(rng.integers(-16, 17, shape) / 4.0, name)


# Memory layouts that `layout` builds.
LAYOUT_KINDS = ["contiguous", "transposed", "sliced", "expanded"]


def layout(kind: str, name: str):
    """(tensor, numpy) of logical shape (3, 4, 5) and dtype `name` laid out as `kind` (one of LAYOUT_KINDS)."""
    if kind == "contiguous":
        a = np_vals((3, 4, 5), name)
        return mk(a, name), a
    if kind == "transposed":
        a = np_vals((5, 4, 3), name, seed=1)
        return mk(a, name).permute(2, 1, 0), a.transpose(2, 1, 0)
    if kind == "sliced":
        a = np_vals((7, 12, 6), name, seed=2)
        return mk(a, name)[1::2, ::3, 1:], a[1::2, ::3, 1:]
    if kind == "expanded":
        a = np_vals((3, 1, 5), name, seed=3)
        return mk(a, name).expand(3, 4, 5), np.broadcast_to(a, (3, 4, 5))
    raise AssertionError(kind)


def nnf():
    """The ``rtorch.nn.functional`` module, imported on first use (it may land after the core)."""
    import rtorch.nn.functional as functional
    return functional


@pytest.fixture
def torch_ref():
    """The real PyTorch module, or skip the test when it is not installed."""
    if _torch is None:
        pytest.skip("PyTorch not installed")
    return _torch


# ---- autograd tests: the same code on rtorch and on torch ----------------------------------

@pytest.fixture(params=["rtorch", "torch"])
def lib(request):
    """The library under test: rtorch, or PyTorch itself (skipped when absent) to validate the spec."""
    if request.param == "torch":
        return request.getfixturevalue("torch_ref")
    return rtorch


@pytest.fixture(autouse=True)
def _restore_grad_mode():
    """A failing grad-mode test must not leave grad disabled for the tests after it."""
    yield
    for mod in (rtorch, _torch):
        if mod is not None:
            mod.set_grad_enabled(True)


def leaf(lib, values, dtype="float64"):
    """A leaf tensor requiring grad with the given values."""
    return lib.tensor(np.array(values, dtype=np.float64), dtype=getattr(lib, dtype), requires_grad=True)


def const(lib, values, dtype="float64"):
    """A tensor that does not require grad."""
    return lib.tensor(np.array(values, dtype=np.float64), dtype=getattr(lib, dtype))


def npa(t) -> np.ndarray:
    """A numpy copy of a tensor's values (detached)."""
    return np.array(t.detach().numpy(), copy=True)


def close(t, expected, rtol=1e-7, atol=1e-9, dtype=None):
    """`t` is a tensor of `expected`'s shape (and dtype name `dtype` if given) with close values."""
    assert t is not None, "expected a tensor, got None"
    expected = np.asarray(expected, dtype=np.float64)
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != {expected.shape}"
    if dtype is not None:
        assert dname(t) == dtype, f"dtype {dname(t)} != {dtype}"
    np.testing.assert_allclose(npa(t).astype(np.float64), expected, rtol=rtol, atol=atol)


def raises(exc, pattern, fn):
    """fn() raises `exc` whose message matches the regex `pattern`; returns the message."""
    with pytest.raises(exc) as info:
        fn()
    msg = str(info.value)
    assert re.search(pattern, msg), f"message {msg!r} does not match {pattern!r}"
    return msg


# ---- library-agnostic op-test helpers (rtorch or torch as `lib`) ----------------------------
def T(lib, arr, name):
    """A `lib` tensor of dtype `name` with the values of numpy `arr` (own, contiguous memory)."""
    return lib.tensor(np.array(arr, order="C"), dtype=getattr(lib, name))


def N(t) -> np.ndarray:
    """A numpy copy of a tensor (bfloat16 through float32)."""
    t = t.detach()
    if dname(t) == "bfloat16":
        t = t.float()
    return np.array(t.numpy(), copy=True)


def lay(lib, kind, name):
    """(tensor, numpy) of shape (3, 4, 5) laid out as `kind` (same layouts as conftest.layout)."""
    if kind == "contiguous":
        a = np_vals((3, 4, 5), name)
        return T(lib, a, name), a
    if kind == "transposed":
        a = np_vals((5, 4, 3), name, seed=1)
        return T(lib, a, name).permute(2, 1, 0), a.transpose(2, 1, 0)
    if kind == "sliced":
        a = np_vals((7, 12, 6), name, seed=2)
        return T(lib, a, name)[1::2, ::3, 1:], a[1::2, ::3, 1:]
    a = np_vals((3, 1, 5), name, seed=3)
    return T(lib, a, name).expand(3, 4, 5), np.broadcast_to(a, (3, 4, 5))

"""``as_strided`` / ``as_strided_`` / ``empty_strided``: any geometry over a tensor's memory.

Values are checked against numpy's ``as_strided`` over the same memory (strides in elements
here, in bytes there); every test takes ``lib`` and also runs on PyTorch when it is installed.
Gradients are gradchecked in test_autograd_gradcheck.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided as np_as_strided

from conftest import ALL_DTYPES, N, T, np_vals, raises


def np_view(flat: np.ndarray, size, stride, offset) -> np.ndarray:
    """numpy's view of `flat` (a 1-d array) with element strides, from element `offset`."""
    item = flat.itemsize
    return np_as_strided(flat[offset:], shape=size, strides=[s * item for s in stride]).copy()


# (size, stride, storage_offset or None) over 24 elements of memory
GEOMETRIES = {
    "windows_overlap": ((5, 3), (2, 1), 1),
    "transposed": ((4, 6), (1, 4), None),
    "zero_stride": ((3, 4), (0, 1), 2),
    "gaps_3d": ((2, 2, 2), (12, 4, 2), 1),
    "0dim": ((), (), 7),
    "empty": ((0, 5), (5, 1), 23),
    "whole": ((24,), (1,), 0),
}


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
def test_as_strided_matches_numpy(lib, name, geometry):
    size, stride, offset = GEOMETRIES[geometry]
    flat = np_vals((24,), name)
    x = T(lib, flat, name)
    got = x.as_strided(size, stride, offset)
    want = np_view(N(x), size, stride, offset or 0)
    assert tuple(got.shape) == size and got.stride() == stride
    assert got.storage_offset() == (offset or 0) and got.dtype == x.dtype
    np.testing.assert_array_equal(N(got), want)
    np.testing.assert_array_equal(N(lib.as_strided(x, size, stride, offset)), want)


def test_as_strided_shares_memory_and_offsets_from_the_storage(lib):
    base = T(lib, np.arange(20.0), "float32")
    x = base[4:].view(4, 4).t()           # a non-contiguous view at storage offset 4
    v = x.as_strided((2, 3), (1, 5))      # default offset: x's own (4)
    assert v.storage_offset() == 4
    np.testing.assert_array_equal(N(v), np_view(np.arange(20.0, dtype=np.float32), (2, 3), (1, 5), 4))
    w = x.as_strided((2,), (1,), 0)       # storage_offset is absolute, not relative to x
    np.testing.assert_array_equal(N(w), [0.0, 1.0])
    v.fill_(-1)                           # writes reach the base's memory
    assert (N(base)[[4, 5, 9, 10, 14, 15]] == -1).all()


def test_as_strided_inplace(lib):
    base = T(lib, np.arange(12.0), "float64")
    x = base[1:]
    v0 = x._version
    assert x.as_strided_((3, 2), (1, 3)) is x
    assert tuple(x.shape) == (3, 2) and x.stride() == (1, 3) and x.storage_offset() == 1
    np.testing.assert_array_equal(N(x), [[1, 4], [2, 5], [3, 6]])
    assert x._version > v0
    assert lib.as_strided_(x, (2,), (5,), 0) is x
    np.testing.assert_array_equal(N(x), [0, 5])


def test_as_strided_view_keeps_writing_through_autograd(lib):
    a = lib.tensor(np.arange(1.0, 7.0), dtype=lib.float64, requires_grad=True)
    b = a * 1
    v = b.as_strided((2, 2), (1, 3), 1)   # b[1], b[4], b[2], b[5]
    v.mul_(10)
    assert v.grad_fn.name() == "AsStridedBackward0"
    np.testing.assert_array_equal(N(b), [1, 20, 30, 4, 50, 60])
    (b * lib.arange(6.0, dtype=lib.float64)).sum().backward()
    np.testing.assert_array_equal(N(a.grad), [0, 10, 20, 3, 40, 50])


def test_as_strided_gradient_of_overlapping_views(lib):
    a = lib.tensor(np.arange(12.0), dtype=lib.float64, requires_grad=True)
    v = (a * 1).as_strided((3, 3), (2, 1), 1)            # windows share elements: they add up
    (v * lib.arange(9.0, dtype=lib.float64).reshape(3, 3)).sum().backward()
    np.testing.assert_array_equal(N(a.grad), [0, 0, 1, 5, 4, 11, 7, 8, 0, 0, 0, 0])
    e = lib.ones(3, dtype=lib.float64, requires_grad=True)
    e.expand(4, 3).as_strided((2, 2), (1, 1)).sum().backward()
    # the input's elements share memory: the gradient at an address is shared between them
    np.testing.assert_array_equal(N(e.grad), [1, 2, 1])


@pytest.mark.parametrize("name", ["float32", "int64", "bool"])
def test_empty_strided(lib, name):
    t = lib.empty_strided((2, 3), (1, 2), dtype=getattr(lib, name))
    assert tuple(t.shape) == (2, 3) and t.stride() == (1, 2) and t.dtype == getattr(lib, name)
    t.copy_(T(lib, np_vals((2, 3), name), name))
    np.testing.assert_array_equal(N(t), np_vals((2, 3), name))
    e = lib.empty_strided((0, 4), (4, 1))
    assert tuple(e.shape) == (0, 4) and e.dtype == lib.float32
    z = lib.empty_strided((), ())
    assert z.ndim == 0
    assert lib.empty_strided((2,), (1,), requires_grad=True).requires_grad


ERRORS = [
    ("rank", lambda x: x.as_strided((3,), (1, 1)), "mismatch in length of strides and shape"),
    ("negative_size", lambda x: x.as_strided((-1,), (1,)),
     r"Storage size calculation overflowed with sizes=\[-1\] and strides=\[1\]"),
    ("negative_stride", lambda x: x.as_strided((3,), (-1,)),
     r"as_strided: Negative strides are not supported at the moment, got strides: \[-1\]"),
    ("past_the_end", lambda x: x.as_strided((13,), (1,)),
     r"setStorage: sizes \[13\], strides \[1\], storage offset 0, and itemsize 8 requiring a storage size "
     r"of 104 are out of bounds for storage of size 96"),
    ("offset_past_the_end", lambda x: x.as_strided((3,), (5,), 3), "requiring a storage size of 112 are out of bounds"),
    ("negative_offset", lambda x: x.as_strided((3,), (1,), -1), "Tensor: invalid storage offset -1"),
    ("overflow", lambda x: x.as_strided((2 ** 62,), (4,)), "Storage size calculation overflowed"),
    ("inplace_past_the_end", lambda x: x.as_strided_((4, 4), (4, 1)), "out of bounds for storage of size 96"),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_as_strided_errors(lib, case):
    _, fn, pattern = case
    x = lib.zeros(12, dtype=lib.float64)
    raises(RuntimeError, pattern, lambda: fn(x))
    assert tuple(x.shape) == (12,)        # a refused as_strided_ leaves the tensor as it was


@pytest.mark.parametrize("case", [
    (lambda L: L.empty_strided((-1,), (1,)), r"Trying to create tensor with negative dimension -1: \[-1\]"),
    (lambda L: L.empty_strided((2,), (-1,)), r"Storage size calculation overflowed with sizes=\[2\] and strides=\[-1\]"),
    (lambda L: L.empty_strided((2, 3), (1,)), r"dimensionality of sizes \(2\) must match dimensionality of strides \(1\)"),
    (lambda L: L.empty_strided((2 ** 62,), (4,)), "Storage size calculation overflowed"),
], ids=["negative_size", "negative_stride", "rank", "overflow"])
def test_empty_strided_errors(lib, case):
    fn, pattern = case
    raises(RuntimeError, pattern, lambda: fn(lib))


@pytest.mark.parametrize("case", [
    (lambda L: L.zeros(3).as_strided(2, 1), r"as_strided\(\): argument 'size' \(position 1\) must be tuple of ints, not int"),
    (lambda L: L.zeros(3).as_strided((2,), 1), r"argument 'stride' \(position 2\) must be tuple of ints, not int"),
    (lambda L: L.zeros(3).as_strided([2.5], (1,)), r"must be tuple of ints, but found element of type float at pos 0"),
    (lambda L: L.empty_strided(2, (1,)), r"empty_strided\(\): argument 'size' \(position 1\) must be tuple of ints"),
], ids=["size_int", "stride_int", "size_float", "empty_strided_int"])
def test_as_strided_argument_types(lib, case):
    fn, pattern = case
    raises(TypeError, pattern, lambda: fn(lib))
    assert tuple(lib.zeros(3).as_strided(lib.Size([2]), [1]).shape) == (2,)

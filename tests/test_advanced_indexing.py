"""Advanced indexing: ``x[key]`` and ``x[key] = value`` with index tensors, lists, numpy arrays
and bool masks, mixed with ints, slices, None and Ellipsis.

numpy is the oracle (its advanced-indexing rules are torch's: index arrays broadcast together,
their dims go where the first stood when they are adjacent, else first). Hypothesis draws keys
over random shapes; the table tests cover every dtype and non-contiguous tensors; the error tests
pin torch's exception types and messages (also run on real torch through the ``lib`` fixture).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rtorch
from conftest import ALL_DTYPES, LAYOUT_KINDS, N, T, lay, np_vals

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def to_lib(lib, key):
    """The key with numpy index arrays as `lib` tensors (lists, ints, slices stay)."""
    conv = lambda k: lib.tensor(k) if isinstance(k, np.ndarray) else k  # noqa: E731
    return tuple(conv(k) for k in key) if isinstance(key, tuple) else conv(key)


@st.composite
def keys(draw):
    """(shape, key): a random shape and a valid key mixing basic and advanced entries."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    key, dim = [], 0
    ellipsis_used = False
    while dim < len(shape) and draw(st.booleans()):
        kind = draw(st.sampled_from(["int", "slice", "array", "list", "mask", "none", "ellipsis"]))
        size = shape[dim]
        if kind == "int":
            key.append(draw(st.integers(-size, size - 1)))
            dim += 1
        elif kind == "slice":
            key.append(slice(draw(st.integers(-size, size)), draw(st.integers(-size, size)), draw(st.integers(1, 3))))
            dim += 1
        elif kind == "array":
            n = draw(st.lists(st.integers(-size, size - 1), min_size=0, max_size=3))
            key.append(np.array(n, dtype=np.int64).reshape(-1, 1) if draw(st.booleans()) and n else np.array(n, dtype=np.int64))
            dim += 1
        elif kind == "list":
            key.append(draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=3)))
            dim += 1
        elif kind == "mask":
            span = draw(st.integers(1, len(shape) - dim))
            key.append(np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape[dim:dim + span])),
                                                 max_size=int(np.prod(shape[dim:dim + span]))))).reshape(shape[dim:dim + span]))
            dim += span
        elif kind == "none":
            key.append(None)
        elif not ellipsis_used:
            key.append(Ellipsis)
            ellipsis_used = True
            dim = len(shape)
    return shape, tuple(key)


def oracle(a, key):
    """numpy's advanced indexing, with torch's one difference: ints are basic indices (they
    select first), so they never count as advanced. Two passes: the basic entries, then the
    advanced ones over the resulting dims."""
    key = key if isinstance(key, tuple) else (key,)
    width = lambda k: np.asarray(k).ndim if np.asarray(k).dtype == bool else 1  # noqa: E731
    basic, advanced = [], []
    for k in key:
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            basic.append(k)
        elif k is None or k is Ellipsis or isinstance(k, slice):
            basic.append(k)
            advanced.append(slice(None) if k is not Ellipsis else Ellipsis)
        else:
            basic.extend([slice(None)] * width(k))
            advanced.append(np.asarray(k))
    return a[tuple(basic)][tuple(advanced)]


def numpy_result(a, key):
    try:
        return oracle(a, key), None
    except (IndexError, ValueError) as e:
        return None, e


@SETTINGS
@given(keys())
def test_getitem_matches_numpy(case):
    shape, key = case
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    want, err = numpy_result(a, key)
    x = rtorch.tensor(a)
    if err is not None:  # e.g. index arrays that do not broadcast together
        with pytest.raises(IndexError):
            x[to_lib(rtorch, key)]
        return
    got = x[to_lib(rtorch, key)]
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)


def oracle_view_assign(b, key, value):
    """b[key] = value with the oracle's key semantics: write through the flat positions."""
    positions = oracle(np.arange(b.size).reshape(b.shape), key)
    b.reshape(-1)[positions.ravel()] = np.broadcast_to(value, positions.shape).ravel()


@SETTINGS
@given(keys(), st.booleans())
def test_setitem_matches_numpy(case, scalar):
    shape, key = case
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    view, err = numpy_result(a, key)
    if err is not None:
        return
    b = a.copy()
    value = -7 if scalar else -np.arange(int(np.prod(view.shape)), dtype=np.int64).reshape(view.shape) - 1
    # Repeated positions make the winner unspecified in torch: only write unique positions.
    if not scalar:
        positions = oracle(np.arange(a.size).reshape(a.shape), key).ravel()
        if len(np.unique(positions)) != len(positions):
            return
    oracle_view_assign(b, key, value)
    x = rtorch.tensor(a)
    x[to_lib(rtorch, key)] = value if scalar else rtorch.tensor(value)
    np.testing.assert_array_equal(x.numpy(), b)


KEYS = [
    ("list", lambda L: [2, 0]),
    ("tensor_neg", lambda L: L.tensor([-1, 1])),
    ("second_dim", lambda L: (slice(None), L.tensor([3, 0, 3]))),
    ("two_adjacent", lambda L: (slice(None), [0, 2], [1, 4])),
    ("separated", lambda L: ([0, 2], slice(None), [1, 4])),
    ("broadcast", lambda L: (L.tensor([[0], [2]]), slice(1, 3), L.tensor([0, 4]))),
    ("mask_all", lambda L: L.tensor(np.arange(60).reshape(3, 4, 5) % 3 == 0)),
    ("mask_leading", lambda L: L.tensor([True, False, True])),
    ("mask_middle", lambda L: (0, L.tensor([True, False, True, True]))),
    ("ellipsis_none", lambda L: (Ellipsis, None, [1, 0])),
    ("int_and_array", lambda L: (1, slice(None), L.tensor([4, 0]))),
    ("bool_scalar", lambda L: True),
    ("int32_index", lambda L: L.tensor([2, 1], dtype=L.int32)),
    ("empty", lambda L: L.tensor([], dtype=L.int64)),
]


@pytest.mark.parametrize("kind", LAYOUT_KINDS)
@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("key", [k[1] for k in KEYS], ids=[k[0] for k in KEYS])
def test_getitem_every_dtype_and_layout(lib, key, name, kind):
    x, a = lay(lib, kind, name)
    k = key(lib)
    np_key = tuple(N(e) if hasattr(e, "numpy") else e for e in k) if isinstance(k, tuple) else (N(k) if hasattr(k, "numpy") else k)
    got, want = x[k], oracle(a, np_key)
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(N(got).astype(np.float64), want.astype(np.float64))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_setitem_writes_through_views_and_broadcasts(lib, name):
    a = np_vals((3, 4, 5), name)
    x = T(lib, a, name)
    v = x.transpose(0, 2)  # writes through a non-contiguous view reach x
    value = np_vals((2, 1), name, seed=5)
    v[[0, 3], :, 1] = T(lib, value, name)
    b = a.copy()
    b.transpose(2, 1, 0)[[0, 3], :, 1] = value
    np.testing.assert_array_equal(N(x).astype(np.float64), b.astype(np.float64))
    mask = a.astype(np.float64) > np.median(a.astype(np.float64))
    x[T(lib, mask, "bool")] = T(lib, np_vals((), name, seed=2), name)
    b[mask] = np_vals((), name, seed=2)
    np.testing.assert_array_equal(N(x).astype(np.float64), b.astype(np.float64))


def test_setitem_value_dtypes(lib):
    x = lib.zeros(4, dtype=lib.int32)
    x[[1, 3]] = lib.tensor([2, -1], dtype=lib.int32)
    np.testing.assert_array_equal(N(x), [0, 2, 0, -1])
    x[lib.tensor([True, False, False, False])] = 9
    np.testing.assert_array_equal(N(x), [9, 2, 0, -1])
    x[1:3] = lib.tensor([5.5, 6.5])  # basic keys copy with a cast
    np.testing.assert_array_equal(N(x), [9, 5, 6, -1])
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        x[[0]] = lib.tensor([1.0])  # advanced keys do not


def test_getitem_result_is_a_copy(lib):
    x = lib.arange(6)
    y = x[[0, 1]]
    y.fill_(-1)
    np.testing.assert_array_equal(N(x), np.arange(6))


def test_getitem_gradient(lib):
    w = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
    (w[[0, 2, 2]][:, lib.tensor([True, False, True, False])] * 3.0).sum().backward()
    want = np.zeros((3, 4))
    want[0, [0, 2]] = 3.0
    want[2, [0, 2]] = 6.0
    np.testing.assert_array_equal(N(w.grad), want)


def test_setitem_gradient(lib):
    w = lib.ones(4, dtype=lib.float64, requires_grad=True)
    v = lib.full((2,), 2.0, dtype=lib.float64, requires_grad=True)
    y = w * 1.0
    y[[0, 3]] = v
    (y * lib.arange(4, dtype=lib.float64)).sum().backward()
    np.testing.assert_array_equal(N(w.grad), [0.0, 1.0, 2.0, 0.0])
    np.testing.assert_array_equal(N(v.grad), [0.0, 3.0])


ERRORS = [
    ("out_of_range", lambda L: L.zeros(3, 4)[[0, 3]], IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
    ("negative_out_of_range", lambda L: L.zeros(3, 4)[:, L.tensor([-5])], IndexError,
     r"index -5 is out of bounds for dimension \d with size 4"),
    ("too_many", lambda L: L.zeros(3)[[0], [0]], IndexError, "too many indices for tensor of dimension 1"),
    ("float_index", lambda L: L.zeros(3)[L.tensor([0.0])], IndexError,
     "tensors used as indices must be long, int, byte or bool tensors"),
    ("float_key", lambda L: L.zeros(3)[1.5], IndexError, "only integers, slices"),
    ("mask_shape", lambda L: L.zeros(3, 4)[L.tensor([True, False])], IndexError,
     r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed tensor \[3, 4\] at index 0"),
    ("no_broadcast", lambda L: L.zeros(3, 4)[L.tensor([0, 1]), L.tensor([0, 1, 2])], IndexError,
     r"shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]"),
    ("set_shape", lambda L: L.zeros(3, 4).__setitem__([0, 1], L.ones(3)), RuntimeError,
     r"shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[2, 4\]"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(lib, fn, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn(lib)

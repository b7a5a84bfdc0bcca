"""Tensor creation, random numbers and dtype conversions, with numpy as the value oracle."""
from __future__ import annotations

import math

import numpy as np
import pytest

import rtorch
from conftest import (
    ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, LAYOUT_KINDS, NP_DTYPES, assert_close, bf16_round, dt,
    layout, mk, np_vals, to_numpy, to_oracle,
)

TYPE_NAMES = {
    "float32": "torch.FloatTensor",
    "float64": "torch.DoubleTensor",
    "float16": "torch.HalfTensor",
    "bfloat16": "torch.BFloat16Tensor",
    "int64": "torch.LongTensor",
    "int32": "torch.IntTensor",
    "int16": "torch.ShortTensor",
    "int8": "torch.CharTensor",
    "uint8": "torch.ByteTensor",
    "bool": "torch.BoolTensor",
}


# ----------------------------------------------------------------------------------------------------------
# tensor(): inference and dtype=
# ----------------------------------------------------------------------------------------------------------
def test_tensor_dtype_inference():
    cases = [
        ([[1, 2], [3, 4]], rtorch.int64, np.array([[1, 2], [3, 4]], dtype=np.int64)),
        ([1.0, 2.5], rtorch.float32, np.array([1.0, 2.5], dtype=np.float32)),
        ([True, False, True], rtorch.bool, np.array([True, False, True])),
        ([1, 2.5, 3], rtorch.float32, np.array([1, 2.5, 3], dtype=np.float32)),
        ([[1, 2], [3.5, 4]], rtorch.float32, np.array([[1, 2], [3.5, 4]], dtype=np.float32)),
        ([True, 2], rtorch.int64, np.array([1, 2], dtype=np.int64)),
        ([True, 2.5], rtorch.float32, np.array([1, 2.5], dtype=np.float32)),
        (((1, 2), (3, 4)), rtorch.int64, np.array([[1, 2], [3, 4]], dtype=np.int64)),
        (((1, 2), [3, 4]), rtorch.int64, np.array([[1, 2], [3, 4]], dtype=np.int64)),
        ([2 ** 40, -1], rtorch.int64, np.array([2 ** 40, -1], dtype=np.int64)),
        ([[[1], [2]], [[3], [4]]], rtorch.int64, np.arange(1, 5, dtype=np.int64).reshape(2, 2, 1)),
    ]
    for data, dtype, expected in cases:
        t = rtorch.tensor(data)
        assert t.dtype == dtype, data
        assert_close(t, expected)


def test_tensor_scalars():
    t = rtorch.tensor(3)
    assert t.dtype == rtorch.int64 and tuple(t.shape) == () and t.dim() == 0
    assert t.item() == 3
    t = rtorch.tensor(3.5)
    assert t.dtype == rtorch.float32 and tuple(t.shape) == ()
    assert t.item() == 3.5
    t = rtorch.tensor(True)
    assert t.dtype == rtorch.bool and tuple(t.shape) == ()
    assert t.item() is True
    t = rtorch.tensor(-7, dtype=rtorch.float64)
    assert t.dtype == rtorch.float64 and t.item() == -7.0


def test_tensor_empty_lists():
    t = rtorch.tensor([])
    assert t.dtype == rtorch.float32 and tuple(t.shape) == (0,)
    t = rtorch.tensor([[]])
    assert tuple(t.shape) == (1, 0)
    t = rtorch.tensor([[], []], dtype=rtorch.int32)
    assert tuple(t.shape) == (2, 0) and t.dtype == rtorch.int32


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_tensor_dtype_argument(name):
    data = [[0, 1, 2], [3, 0, 5]]
    t = rtorch.tensor(data, dtype=dt(name))
    assert t.dtype == dt(name)
    assert_close(t, to_oracle(np.array(data), name).astype(NP_DTYPES[name]))
    t = rtorch.tensor([True, False], dtype=dt(name))
    assert_close(t, np.array([1, 0]).astype(NP_DTYPES[name]))


@pytest.mark.parametrize("name", INT_DTYPES)
def test_tensor_float_data_int_dtype_truncates(name):
    data = [1.7, 2.2, 0.9, 3.99]
    if name != "uint8":
        data += [-1.7, -0.5, -3.99]
    t = rtorch.tensor(data, dtype=dt(name))
    assert_close(t, np.array(data).astype(NP_DTYPES[name]))


def test_tensor_float_data_bool_dtype():
    t = rtorch.tensor([0.0, 0.5, -2.0, 0.0, -0.25, float("nan"), -0.0], dtype=rtorch.bool)
    assert_close(t, np.array([False, True, True, False, True, True, False]))
    assert rtorch.tensor(0.5, dtype=rtorch.bool).item() is True


def test_tensor_float64_data_rounds_to_float32():
    vals = [0.1, 1 / 3, 1e-40, 3.4e38, -2.5e-3]
    assert_close(rtorch.tensor(vals), np.array(vals, dtype=np.float32), rtol=0, atol=0)
    assert_close(rtorch.tensor(vals, dtype=rtorch.float64), np.array(vals, dtype=np.float64), rtol=0, atol=0)


@pytest.mark.parametrize("name", [n for n in ALL_DTYPES if n != "bfloat16"])
def test_tensor_from_numpy_array_keeps_dtype(name):
    a = np_vals((2, 3), name)
    t = rtorch.tensor(a)
    assert t.dtype == dt(name)
    assert_close(t, a)
    # tensor() copies: writing to the numpy array does not change the tensor
    a2 = a.copy()
    t2 = rtorch.tensor(a2)
    a2[...] = a2.dtype.type(1)
    assert_close(t2, a)
    # non-contiguous numpy input
    assert_close(rtorch.tensor(a.T), a.T)
    assert_close(rtorch.tensor(np_vals((6, 4), name)[::2, 1::2]), np_vals((6, 4), name)[::2, 1::2])


def test_tensor_from_numpy_scalars_and_lists_of_arrays():
    assert rtorch.tensor(np.float64(1.5)).dtype == rtorch.float64
    assert rtorch.tensor(np.int32(4)).dtype == rtorch.int32
    assert rtorch.tensor(np.array(2.5, dtype=np.float32)).dtype == rtorch.float32
    assert tuple(rtorch.tensor(np.array(2.5)).shape) == ()
    assert rtorch.tensor(np.array([1, 2], dtype=np.int16), dtype=rtorch.float32).dtype == rtorch.float32


def test_tensor_ragged_raises():
    with pytest.raises(ValueError):
        rtorch.tensor([[1, 2], [3]])
    with pytest.raises(ValueError):
        rtorch.tensor([[1, 2], [3, 4, 5]])
    with pytest.raises(ValueError):
        rtorch.tensor([[[1], [2]], [[3]]])
    with pytest.raises((ValueError, TypeError)):
        rtorch.tensor([[1, 2], 3])


def test_tensor_from_tensor_copies():
    a = rtorch.tensor([1.0, 2.0])
    with pytest.warns(UserWarning):
        b = rtorch.tensor(a)
    b[0] = 9.0
    assert a[0].item() == 1.0


# ----------------------------------------------------------------------------------------------------------
# as_tensor / from_numpy
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in ALL_DTYPES if n != "bfloat16"])
def test_as_tensor_shares_numpy_memory(name):
    a = np_vals((2, 3), name).copy()
    t = rtorch.as_tensor(a)
    assert t.dtype == dt(name)
    assert_close(t, a)
    a[1, 2] = a.dtype.type(0)
    a[0, 0] = a.dtype.type(1)
    assert_close(t, a)


def test_as_tensor_other_inputs():
    a = np.arange(3)
    t = rtorch.as_tensor(a, dtype=rtorch.float32)
    assert t.dtype == rtorch.float32
    assert_close(t, np.arange(3, dtype=np.float32))
    a[0] = 10
    assert t[0].item() == 0.0  # dtype change forces a copy
    x = rtorch.zeros(3)
    assert rtorch.as_tensor(x) is x
    assert rtorch.as_tensor([1, 2]).dtype == rtorch.int64
    assert rtorch.as_tensor([1.0, 2]).dtype == rtorch.float32
    assert rtorch.as_tensor(3.0).dtype == rtorch.float32
    y = rtorch.as_tensor(x, dtype=rtorch.float64)
    assert y.dtype == rtorch.float64


@pytest.mark.parametrize("name", [n for n in ALL_DTYPES if n != "bfloat16"])
def test_from_numpy(name):
    a = np_vals((3, 4), name).copy()
    t = rtorch.from_numpy(a)
    assert t.dtype == dt(name)
    assert_close(t, a)
    assert t.stride() == (4, 1)
    t[1, 1] = 1
    assert a[1, 1] == a.dtype.type(1)
    z = rtorch.from_numpy(np.array(5, dtype=NP_DTYPES[name]))
    assert tuple(z.shape) == ()
    e = rtorch.from_numpy(np.zeros((0, 3), dtype=NP_DTYPES[name]))
    assert tuple(e.shape) == (0, 3)


def test_from_numpy_errors():
    with pytest.raises(TypeError):
        rtorch.from_numpy([1, 2])
    with pytest.raises(TypeError):
        rtorch.from_numpy(np.array(["a", "b"], dtype=object))
    with pytest.raises(ValueError):
        rtorch.from_numpy(np.arange(5.0)[::-1])


# ----------------------------------------------------------------------------------------------------------
# zeros / ones / full / empty (+ _like)
# ----------------------------------------------------------------------------------------------------------
SHAPES = [(), (0,), (1,), (3,), (2, 3), (1, 4, 1), (2, 0, 3), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES)
def test_zeros_ones_shapes(shape):
    for fn, npfn in [(rtorch.zeros, np.zeros), (rtorch.ones, np.ones)]:
        t = fn(*shape) if shape else fn(())
        assert t.dtype == rtorch.float32
        assert_close(t, npfn(shape, dtype=np.float32))
        assert_close(fn(shape), npfn(shape, dtype=np.float32))
        assert_close(fn(list(shape)), npfn(shape, dtype=np.float32))
        assert_close(fn(size=shape), npfn(shape, dtype=np.float32))
        assert fn(shape).is_contiguous()


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_zeros_ones_full_empty_dtypes(name):
    d = dt(name)
    npd = NP_DTYPES[name]
    z = rtorch.zeros(2, 3, dtype=d)
    assert z.dtype == d
    assert_close(z, np.zeros((2, 3), dtype=npd))
    o = rtorch.ones((2, 3), dtype=d)
    assert o.dtype == d
    assert_close(o, np.ones((2, 3), dtype=npd))
    f = rtorch.full((3, 2), 1, dtype=d)
    assert f.dtype == d
    assert_close(f, np.full((3, 2), 1, dtype=npd))
    e = rtorch.empty(4, 5, dtype=d)
    assert e.dtype == d and tuple(e.shape) == (4, 5) and e.is_contiguous()
    e2 = rtorch.empty((0, 2), dtype=d)
    assert tuple(e2.shape) == (0, 2)


def test_full_dtype_inference_and_values():
    t = rtorch.full((2, 3), 7)
    assert t.dtype == rtorch.int64
    assert_close(t, np.full((2, 3), 7, dtype=np.int64))
    t = rtorch.full((2, 3), -1.5)
    assert t.dtype == rtorch.float32
    assert_close(t, np.full((2, 3), -1.5, dtype=np.float32))
    t = rtorch.full((2,), True)
    assert t.dtype == rtorch.bool
    assert_close(t, np.array([True, True]))
    t = rtorch.full((), 4.0)
    assert tuple(t.shape) == () and t.item() == 4.0
    t = rtorch.full([2, 2], float("inf"), dtype=rtorch.float64)
    assert_close(t, np.full((2, 2), np.inf))
    assert_close(rtorch.full((3,), 2.5, dtype=rtorch.int32), np.full(3, 2, dtype=np.int32))


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_like_functions(kind, name):
    t, a = layout(kind, name)
    d = dt(name)
    npd = NP_DTYPES[name]
    for fn, expected in [(rtorch.zeros_like, np.zeros(a.shape, npd)), (rtorch.ones_like, np.ones(a.shape, npd)),
                         (lambda x, **kw: rtorch.full_like(x, 1, **kw), np.ones(a.shape, npd))]:
        r = fn(t)
        assert r.dtype == d
        assert_close(r, expected)
        assert r.data_ptr() != t.data_ptr()
        r2 = fn(t, dtype=rtorch.float64)
        assert r2.dtype == rtorch.float64
        assert_close(r2, expected.astype(np.float64))
    e = rtorch.empty_like(t)
    assert e.dtype == d and tuple(e.shape) == a.shape
    assert rtorch.empty_like(t, dtype=rtorch.int16).dtype == rtorch.int16
    # the source is untouched
    assert_close(t, np.asarray(a))


def test_like_0dim_and_empty():
    assert tuple(rtorch.zeros_like(rtorch.tensor(1.0)).shape) == ()
    assert tuple(rtorch.ones_like(rtorch.zeros(0, 3)).shape) == (0, 3)
    assert rtorch.full_like(rtorch.zeros(2, dtype=rtorch.int32), 7.9).dtype == rtorch.int32
    assert_close(rtorch.full_like(rtorch.zeros(2, dtype=rtorch.int32), 7.9), np.array([7, 7], dtype=np.int32))


# ----------------------------------------------------------------------------------------------------------
# arange / linspace / logspace / eye
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args,expected", [
    ((5,), np.arange(5, dtype=np.int64)),
    ((0,), np.arange(0, dtype=np.int64)),
    ((2, 9), np.arange(2, 9, dtype=np.int64)),
    ((1, 10, 3), np.arange(1, 10, 3, dtype=np.int64)),
    ((10, 0, -3), np.arange(10, 0, -3, dtype=np.int64)),
    ((-5, 5, 2), np.arange(-5, 5, 2, dtype=np.int64)),
    ((5.0,), np.arange(5, dtype=np.float32)),
    ((0, 1, 0.25), np.arange(0, 1, 0.25, dtype=np.float32)),
    ((1, 2.5, 0.5), np.array([1.0, 1.5, 2.0], dtype=np.float32)),
    ((0.5, 3), np.array([0.5, 1.5, 2.5], dtype=np.float32)),
    ((3, 0, -0.5), np.arange(3, 0, -0.5, dtype=np.float32)),
    ((0, 1, 0.1), np.arange(10, dtype=np.float64).astype(np.float32) * np.float32(0.1)),
])
def test_arange(args, expected):
    t = rtorch.arange(*args)
    assert_close(t, expected)


@pytest.mark.parametrize("name", [n for n in ALL_DTYPES if n != "bool"])
def test_arange_dtype(name):
    t = rtorch.arange(0, 10, 2, dtype=dt(name))
    assert t.dtype == dt(name)
    assert_close(t, np.arange(0, 10, 2).astype(NP_DTYPES[name]))
    t = rtorch.arange(5, dtype=dt(name))
    assert_close(t, np.arange(5).astype(NP_DTYPES[name]))


def test_arange_kwargs_and_errors():
    assert_close(rtorch.arange(start=1, end=4), np.array([1, 2, 3], dtype=np.int64))
    assert_close(rtorch.arange(0, 6, step=2), np.array([0, 2, 4], dtype=np.int64))
    assert rtorch.arange(5, dtype=rtorch.float64).dtype == rtorch.float64
    with pytest.raises(RuntimeError):
        rtorch.arange(0, 1, -1)
    with pytest.raises(RuntimeError):
        rtorch.arange(0, 5, 0)


@pytest.mark.parametrize("start,end,steps", [(0, 1, 5), (-2, 3, 11), (3, -3, 7), (0, 1, 1), (0, 1, 0), (5, 5, 4),
                                             (0, 100, 2), (-1.5, 2.25, 16)])
def test_linspace(start, end, steps):
    t = rtorch.linspace(start, end, steps)
    assert t.dtype == rtorch.float32
    assert_close(t, np.linspace(start, end, steps, dtype=np.float64).astype(np.float32), atol=1e-6)
    t = rtorch.linspace(start, end, steps, dtype=rtorch.float64)
    assert t.dtype == rtorch.float64
    assert_close(t, np.linspace(start, end, steps), rtol=1e-12, atol=1e-12)
    t = rtorch.linspace(start, end, steps=steps)
    assert tuple(t.shape) == (steps,)


def test_linspace_int_dtype():
    t = rtorch.linspace(0, 10, 6, dtype=rtorch.int64)
    assert t.dtype == rtorch.int64
    assert_close(t, np.array([0, 2, 4, 6, 8, 10], dtype=np.int64))


@pytest.mark.parametrize("start,end,steps,base", [(0, 2, 3, 10.0), (0, 3, 4, 2.0), (-2, 2, 5, 10.0), (1, 1, 1, 10.0),
                                                  (0, 1, 0, 10.0), (-1, 1, 9, math.e)])
def test_logspace(start, end, steps, base):
    t = rtorch.logspace(start, end, steps, base=base)
    assert t.dtype == rtorch.float32
    assert_close(t, np.logspace(start, end, steps, base=base).astype(np.float32), rtol=1e-5)
    t = rtorch.logspace(start, end, steps, base=base, dtype=rtorch.float64)
    assert_close(t, np.logspace(start, end, steps, base=base), rtol=1e-10)


def test_logspace_default_base():
    assert_close(rtorch.logspace(0, 2, 3), np.array([1.0, 10.0, 100.0], dtype=np.float32))


@pytest.mark.parametrize("n,m", [(3, None), (1, None), (0, None), (2, 4), (4, 2), (3, 0)])
def test_eye(n, m):
    t = rtorch.eye(n) if m is None else rtorch.eye(n, m)
    assert t.dtype == rtorch.float32
    assert_close(t, np.eye(n, m, dtype=np.float32))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_eye_dtype(name):
    t = rtorch.eye(3, 2, dtype=dt(name))
    assert t.dtype == dt(name)
    assert_close(t, np.eye(3, 2).astype(NP_DTYPES[name]))


# ----------------------------------------------------------------------------------------------------------
# random numbers
# ----------------------------------------------------------------------------------------------------------
def test_rand_randn_shapes_dtypes():
    t = rtorch.rand(3, 4)
    assert t.dtype == rtorch.float32 and tuple(t.shape) == (3, 4)
    assert tuple(rtorch.rand((2, 5)).shape) == (2, 5)
    assert tuple(rtorch.rand(()).shape) == ()
    assert tuple(rtorch.rand(0, 3).shape) == (0, 3)
    assert rtorch.rand(3, dtype=rtorch.float64).dtype == rtorch.float64
    t = rtorch.randn(2, 3)
    assert t.dtype == rtorch.float32 and tuple(t.shape) == (2, 3)
    assert rtorch.randn(4, dtype=rtorch.float64).dtype == rtorch.float64
    assert tuple(rtorch.randn([3, 1]).shape) == (3, 1)
    for name in ["float16", "bfloat16"]:
        x = rtorch.rand(1000, dtype=dt(name))
        assert x.dtype == dt(name)
        v = to_numpy(x)
        assert v.min() >= 0 and v.max() < 1 + 1e-3


def test_rand_statistics():
    rtorch.manual_seed(1234)
    x = to_numpy(rtorch.rand(100_000)).astype(np.float64)
    assert x.min() >= 0.0 and x.max() < 1.0
    assert abs(x.mean() - 0.5) < 0.01
    assert abs(x.std() - math.sqrt(1 / 12)) < 0.01
    hist, _ = np.histogram(x, bins=10, range=(0, 1))
    assert np.all(np.abs(hist - 10_000) < 600)
    x64 = to_numpy(rtorch.rand(100_000, dtype=rtorch.float64))
    assert abs(x64.mean() - 0.5) < 0.01
    assert len(np.unique(x64)) > 99_000


def test_randn_statistics():
    rtorch.manual_seed(99)
    x = to_numpy(rtorch.randn(100_000)).astype(np.float64)
    assert abs(x.mean()) < 0.02
    assert abs(x.std() - 1.0) < 0.02
    assert np.all(np.isfinite(x))
    frac = np.mean(np.abs(x) < 1.0)
    assert abs(frac - 0.6827) < 0.01
    skew = np.mean(x ** 3)
    assert abs(skew) < 0.05
    assert abs(np.mean(x ** 4) - 3.0) < 0.1


def test_randint():
    rtorch.manual_seed(7)
    t = rtorch.randint(3, 10, (100_000,))
    assert t.dtype == rtorch.int64 and tuple(t.shape) == (100_000,)
    x = to_numpy(t)
    assert x.min() == 3 and x.max() == 9
    counts = np.bincount(x - 3)
    assert len(counts) == 7 and np.all(np.abs(counts - 100_000 / 7) < 700)
    t = rtorch.randint(5, (2, 3))
    assert tuple(t.shape) == (2, 3)
    x = to_numpy(t)
    assert x.min() >= 0 and x.max() < 5
    t = rtorch.randint(-4, -1, size=(1000,), dtype=rtorch.int32)
    assert t.dtype == rtorch.int32
    x = to_numpy(t)
    assert x.min() == -4 and x.max() == -2
    assert tuple(rtorch.randint(0, 2, (0, 4)).shape) == (0, 4)


def test_normal():
    rtorch.manual_seed(3)
    t = rtorch.normal(2.0, 3.0, size=(100_000,))
    assert t.dtype == rtorch.float32 and tuple(t.shape) == (100_000,)
    x = to_numpy(t).astype(np.float64)
    assert abs(x.mean() - 2.0) < 0.05
    assert abs(x.std() - 3.0) < 0.05
    t = rtorch.normal(-1.0, 0.5, (3, 4))
    assert tuple(t.shape) == (3, 4)


def test_manual_seed_reproducible():
    for fn in [lambda: rtorch.rand(50), lambda: rtorch.randn(4, 5), lambda: rtorch.randint(0, 1000, (30,)),
               lambda: rtorch.normal(0.0, 1.0, size=(20,)), lambda: rtorch.rand(7, dtype=rtorch.float64)]:
        rtorch.manual_seed(42)
        a = to_numpy(fn())
        b = to_numpy(fn())
        rtorch.manual_seed(42)
        c = to_numpy(fn())
        d = to_numpy(fn())
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
        assert not np.array_equal(a, b)
        rtorch.manual_seed(43)
        e = to_numpy(fn())
        assert not np.array_equal(a, e)


def test_generator_objects():
    g = rtorch.Generator()
    assert g.manual_seed(1) is g
    a = to_numpy(rtorch.rand(3, generator=g))
    b = to_numpy(rtorch.rand(3, generator=g))
    assert not np.array_equal(a, b)
    g.manual_seed(1)
    np.testing.assert_array_equal(to_numpy(rtorch.rand(3, generator=g)), a)
    g2 = rtorch.Generator().manual_seed(1)
    np.testing.assert_array_equal(to_numpy(rtorch.rand(3, generator=g2)), a)
    assert g.initial_seed() == 1
    g3 = rtorch.Generator()
    g3.manual_seed(5)
    h = rtorch.Generator()
    h.manual_seed(5)
    np.testing.assert_array_equal(to_numpy(rtorch.randn(10, generator=g3)), to_numpy(rtorch.randn(10, generator=h)))
    np.testing.assert_array_equal(to_numpy(rtorch.randint(0, 100, (10,), generator=g3)),
                                  to_numpy(rtorch.randint(0, 100, (10,), generator=h)))


def test_generator_does_not_touch_global_state():
    rtorch.manual_seed(5)
    a = to_numpy(rtorch.rand(6))
    rtorch.manual_seed(5)
    g = rtorch.Generator()
    g.manual_seed(123)
    rtorch.rand(100, generator=g)
    b = to_numpy(rtorch.rand(6))
    np.testing.assert_array_equal(a, b)


def test_manual_seed_matches_default_generator():
    rtorch.manual_seed(11)
    a = to_numpy(rtorch.rand(5))
    g = rtorch.Generator().manual_seed(11)
    b = to_numpy(rtorch.rand(5, generator=g))
    np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------------------------------------
# conversions
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("src", ALL_DTYPES)
@pytest.mark.parametrize("dst", ALL_DTYPES)
def test_to_dtype_all_pairs(src, dst):
    a = np_vals((3, 4), src)
    if src in FLOAT_DTYPES and dst == "uint8":
        a = np.abs(a)  # negative float -> uint8 is undefined behaviour (C cast), not part of the contract
    t = mk(a, src)
    r = t.to(dt(dst))
    assert r.dtype == dt(dst)
    expected = to_oracle(a, dst)
    if dst == "bfloat16":
        assert_close(r, expected, check_dtype=False)
    else:
        assert_close(r, expected)
    assert_close(t.to(dtype=dt(dst)), expected, check_dtype=dst != "bfloat16")
    assert_close(t.type(dt(dst)), expected, check_dtype=dst != "bfloat16")
    if src == dst:
        assert r is t
        assert t.type(dt(dst)) is t
    else:
        assert r.data_ptr() != t.data_ptr()


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_to_dtype_layouts(kind, name):
    t, a = layout(kind, name)
    for dst in ["float64", "int32", "bool", "float16"]:
        r = t.to(dt(dst))
        assert_close(r, to_oracle(np.asarray(a), dst))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_type_string(name):
    t = rtorch.zeros(2, dtype=dt(name))
    assert t.type() == TYPE_NAMES[name]
    assert isinstance(t.type(), str)


def test_type_with_string_argument():
    t = rtorch.tensor([1.5, -2.5])
    r = t.type("torch.DoubleTensor")
    assert r.dtype == rtorch.float64
    assert_close(r, np.array([1.5, -2.5]))
    assert t.type("torch.LongTensor").dtype == rtorch.int64


def test_to_device():
    t = rtorch.tensor([1.0, 2.0])
    assert t.to("cpu") is t
    assert t.to(rtorch.device("cpu")) is t
    r = t.to("cpu", rtorch.float64)
    assert r.dtype == rtorch.float64
    assert_close(r, np.array([1.0, 2.0]))
    r = t.to("cpu", dtype=rtorch.int32)
    assert r.dtype == rtorch.int32
    assert t.cpu() is t
    c = t.to(rtorch.float32, copy=True)
    assert c is not t and c.data_ptr() != t.data_ptr()
    o = rtorch.zeros(1, dtype=rtorch.int16)
    assert t.to(o).dtype == rtorch.int16


@pytest.mark.parametrize("src", ALL_DTYPES)
def test_shortcut_casts(src):
    a = np_vals((2, 5), src)
    if src in FLOAT_DTYPES:
        a = np.abs(a)  # .byte() of a negative float is undefined behaviour
    t = mk(a, src)
    for meth, dst in [("float", "float32"), ("double", "float64"), ("long", "int64"), ("int", "int32"),
                      ("bool", "bool"), ("half", "float16"), ("short", "int16"), ("char", "int8"),
                      ("byte", "uint8"), ("bfloat16", "bfloat16")]:
        r = getattr(t, meth)()
        assert r.dtype == dt(dst), meth
        assert_close(r, to_oracle(a, dst), check_dtype=dst != "bfloat16")


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_clone(kind, name):
    t, a = layout(kind, name)
    c = t.clone()
    assert c.dtype == t.dtype
    assert_close(c, np.asarray(a), check_dtype=name != "bfloat16")
    assert c.data_ptr() != t.data_ptr()
    if kind != "expanded":
        c.fill_(True if name == "bool" else 1)
        assert_close(t, np.asarray(a), check_dtype=name != "bfloat16")  # source untouched
        t.fill_(0)
        assert np.all(to_numpy(c) == 1)
    s = rtorch.tensor(2.5)
    sc = s.clone()
    sc.fill_(0.0)
    assert s.item() == 2.5
    assert tuple(rtorch.zeros(0, 2).clone().shape) == (0, 2)


@pytest.mark.parametrize("dst_name", ALL_DTYPES)
@pytest.mark.parametrize("src_name", ALL_DTYPES)
def test_copy_dtype_conversion(src_name, dst_name):
    a = np_vals((3, 4), src_name, seed=4)
    if src_name in FLOAT_DTYPES and dst_name == "uint8":
        a = np.abs(a)  # negative float -> uint8 is undefined behaviour
    dst = rtorch.zeros(3, 4, dtype=dt(dst_name))
    r = dst.copy_(mk(a, src_name))
    assert r is dst
    assert dst.dtype == dt(dst_name)
    assert_close(dst, to_oracle(a, dst_name), check_dtype=dst_name != "bfloat16")


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_copy_broadcasting(name):
    dst = rtorch.zeros(3, 4, dtype=dt(name))
    row = np_vals((4,), name, seed=2)
    dst.copy_(mk(row, name))
    assert_close(dst, np.broadcast_to(row, (3, 4)), check_dtype=name != "bfloat16")
    col = np_vals((3, 1), name, seed=5)
    dst.copy_(mk(col, name))
    assert_close(dst, np.broadcast_to(col, (3, 4)), check_dtype=name != "bfloat16")
    s = np_vals((), name, seed=6)
    dst.copy_(mk(s, name))
    assert_close(dst, np.broadcast_to(s, (3, 4)), check_dtype=name != "bfloat16")
    with pytest.raises(RuntimeError):
        dst.copy_(rtorch.zeros(2, dtype=dt(name)))


@pytest.mark.parametrize("name", ["float32", "int64", "bool", "bfloat16", "uint8"])
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_copy_into_views_and_from_views(kind, name):
    t, a = layout(kind, name)
    # from a non-contiguous source into a contiguous destination
    dst = rtorch.empty(3, 4, 5, dtype=dt(name))
    dst.copy_(t)
    assert_close(dst, np.asarray(a), check_dtype=name != "bfloat16")
    # into a non-contiguous (non-overlapping) destination: writes land in the base
    base_np = np_vals((4, 6, 5), name, seed=7).copy()
    base = mk(base_np, name)
    view = base[1:, ::2, :]  # (3, 3, 5)
    src = t[:, 1:, :]  # (3, 3, 5)
    view.copy_(src)
    base_np[1:, ::2, :] = np.asarray(a)[:, 1:, :]
    assert_close(base, base_np, check_dtype=name != "bfloat16")
    # transposed destination
    b2_np = np_vals((5, 4, 3), name, seed=8).copy()
    b2 = mk(b2_np, name)
    b2.permute(2, 1, 0).copy_(t)
    b2_np.transpose(2, 1, 0)[...] = np.asarray(a)
    assert_close(b2, b2_np, check_dtype=name != "bfloat16")


def test_copy_0dim_and_empty():
    d = rtorch.tensor(0.0)
    d.copy_(rtorch.tensor(3))
    assert d.item() == 3.0 and d.dtype == rtorch.float32
    e = rtorch.zeros(0, 3)
    e.copy_(rtorch.ones(3))
    assert tuple(e.shape) == (0, 3)


# ----------------------------------------------------------------------------------------------------------
# casting semantics vs numpy astype
# ----------------------------------------------------------------------------------------------------------
SPECIAL_FLOATS = np.array([0.0, -0.0, 0.4, 0.5, 0.6, 1.5, 2.5, -0.4, -0.5, -1.5, -2.7, 99.99, -99.99, 126.9, -127.9],
                          dtype=np.float64)


@pytest.mark.parametrize("src", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("dst", ["int64", "int32", "int16", "int8"])
def test_float_to_int_truncates(src, dst):
    a = to_oracle(SPECIAL_FLOATS, src).astype(np.float64)
    t = rtorch.tensor(a, dtype=dt(src))
    assert_close(t.to(dt(dst)), a.astype(NP_DTYPES[dst]))


@pytest.mark.parametrize("src", ["float32", "float64", "float16", "bfloat16"])
def test_float_to_uint8_truncates(src):
    a = to_oracle(np.abs(SPECIAL_FLOATS), src).astype(np.float64)
    t = rtorch.tensor(a, dtype=dt(src))
    assert_close(t.to(rtorch.uint8), a.astype(np.uint8))


@pytest.mark.parametrize("src", ALL_DTYPES)
def test_to_bool_is_nonzero(src):
    if src in FLOAT_DTYPES:
        a = np.array([0.0, -0.0, 1e-3, -2.0, np.inf, -np.inf, np.nan, 0.0], dtype=np.float64)
    elif src == "uint8":
        a = np.array([0, 1, 255, 128, 0], dtype=np.uint8)
    elif src == "bool":
        a = np.array([True, False])
    else:
        a = np.array([0, 1, -1, 100, 0, -128], dtype=NP_DTYPES[src])
    t = rtorch.tensor(a, dtype=dt(src))
    assert_close(t.to(rtorch.bool), a.astype(bool))
    assert_close(t.bool(), a.astype(bool))


def test_int_narrowing_wraps_like_numpy():
    a = np.array([300, -200, 127, 128, -129, 255, 256, 70000, -70000, 2 ** 40 + 5], dtype=np.int64)
    t = rtorch.tensor(a)
    for name in ["int32", "int16", "int8", "uint8"]:
        assert_close(t.to(dt(name)), a.astype(NP_DTYPES[name]))
    b = np.array([-1, -128, 127, 0], dtype=np.int8)
    assert_close(rtorch.tensor(b).to(rtorch.uint8), b.astype(np.uint8))
    c = np.array([255, 128, 127, 0], dtype=np.uint8)
    assert_close(rtorch.tensor(c).to(rtorch.int8), c.astype(np.int8))


def test_float_narrowing_rounds_like_numpy():
    rng = np.random.default_rng(0)
    a = np.concatenate([rng.standard_normal(1000) * 10.0 ** rng.integers(-6, 6, 1000),
                        [1e-8, 65504.0, 65519.0, 65520.0, 1e6, -1e6, np.inf, -np.inf, np.nan, 5.96e-8, 1e-30]])
    t = rtorch.tensor(a)
    assert t.dtype == rtorch.float64
    np.testing.assert_array_equal(to_numpy(t.to(rtorch.float32)), a.astype(np.float32))
    with np.errstate(over="ignore"):
        exp16 = a.astype(np.float16)
        exp32_16 = a.astype(np.float32).astype(np.float16)
    np.testing.assert_array_equal(to_numpy(t.to(rtorch.float16)), exp16)
    np.testing.assert_array_equal(to_numpy(t.to(rtorch.float32).to(rtorch.float16)), exp32_16)
    f32 = a.astype(np.float32)
    got = to_numpy(rtorch.tensor(f32).to(rtorch.bfloat16))
    exp = bf16_round(f32)
    np.testing.assert_array_equal(got[~np.isnan(f32)], exp[~np.isnan(f32)])
    assert np.all(np.isnan(got[np.isnan(f32)]))


def test_bool_and_int_to_float_exact():
    b = np.array([True, False, True])
    assert_close(rtorch.tensor(b).float(), b.astype(np.float32))
    i = np.array([0, 1, -7, 2 ** 24 + 1, 2 ** 53], dtype=np.int64)
    assert_close(rtorch.tensor(i).double(), i.astype(np.float64), rtol=0, atol=0)
    assert_close(rtorch.tensor(i).float(), i.astype(np.float32), rtol=0, atol=0)
    assert_close(rtorch.tensor(i[:3]).half(), i[:3].astype(np.float16), rtol=0, atol=0)


# ----------------------------------------------------------------------------------------------------------
# behaviour cross-checked against the real PyTorch (skipped when torch is not installed)
# ----------------------------------------------------------------------------------------------------------
INFERENCE_DATA = [3, 3.5, True, [1, 2], [1.0, 2], [True, False], [True, 2], [True, 2.5], [[1, 2], [3.5, 4]], [],
                  [[]], ((1, 2), (3, 4)), [[[1]], [[2]]], -0.0, 2 ** 40]


@pytest.mark.parametrize("case", range(len(INFERENCE_DATA)))
def test_tensor_inference_matches_torch(torch_ref, case):
    data = INFERENCE_DATA[case]
    ours, ref = rtorch.tensor(data), torch_ref.tensor(data)
    assert str(ours.dtype) == str(ref.dtype)
    assert tuple(ours.shape) == tuple(ref.shape)
    assert ours.tolist() == ref.tolist()


@pytest.mark.parametrize("args", [(5,), (1, 10, 3), (0, 1, 0.25), (5.0,), (10, 0, -3), (1, 2.5, 0.5), (-3, 3, 0.7)])
def test_arange_matches_torch(torch_ref, args):
    ours, ref = rtorch.arange(*args), torch_ref.arange(*args)
    assert str(ours.dtype) == str(ref.dtype)
    np.testing.assert_allclose(to_numpy(ours), ref.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_type_string_matches_torch(torch_ref, name):
    assert rtorch.zeros(1, dtype=dt(name)).type() == torch_ref.zeros(1, dtype=getattr(torch_ref, name)).type()
    assert str(dt(name)) == str(getattr(torch_ref, name))


@pytest.mark.parametrize("src", ALL_DTYPES)
def test_casts_match_torch(torch_ref, src):
    vals = [0.0, -0.0, 0.3, -0.7, 1.5, -2.5, 3.99, -100.25, 100.75, 250.5]
    if src in INT_DTYPES:
        # float->int is only defined for values in range of the integer type
        info = np.iinfo(NP_DTYPES[src])
        vals = [v for v in vals if info.min <= v <= info.max]
    for dst in ALL_DTYPES:
        ours = rtorch.tensor(vals).to(dt(src)).to(dt(dst))
        ref = torch_ref.tensor(vals).to(getattr(torch_ref, src)).to(getattr(torch_ref, dst))
        if src in FLOAT_DTYPES and dst in INT_DTYPES:
            # out-of-range float->int is undefined: only compare in-range values
            info = np.iinfo(NP_DTYPES[dst])
            keep = [i for i, v in enumerate(vals) if info.min <= v <= info.max]
            assert [ours.tolist()[i] for i in keep] == [ref.tolist()[i] for i in keep], (src, dst)
        else:
            assert ours.tolist() == ref.tolist(), (src, dst)

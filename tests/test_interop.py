"""numpy interop (shared memory both ways), python protocol methods, metadata and pickling."""
from __future__ import annotations

import operator
import pickle

import numpy as np
import pytest

import rtorch
from conftest import ALL_DTYPES, INT_DTYPES, NP_DTYPES, assert_close, dt, mk, np_vals, to_numpy

NP_NATIVE = [n for n in ALL_DTYPES if n != "bfloat16"]


def some(name, k):
    """A value of dtype `name` (numpy scalar) that differs between k = 0 and k = 1."""
    if name == "bool":
        return np.bool_(k % 2 == 1)
    return NP_DTYPES[name](k + 40)


# ----------------------------------------------------------------------------------------------------------
# from_numpy / .numpy() memory sharing
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NP_NATIVE)
def test_from_numpy_shares_both_ways(name):
    a = np_vals((3, 4), name).copy()
    t = rtorch.from_numpy(a)
    assert t.dtype == dt(name)
    assert_close(t, a)
    a[0, 1] = some(name, 1)
    assert_close(t, a)
    t[2, 3] = some(name, 0).item()
    assert a[2, 3] == some(name, 0)
    t.fill_(some(name, 1).item())
    assert np.all(a == some(name, 1))
    assert t.data_ptr() == a.ctypes.data


NP_VIEWS = {
    "rows": ((6, 8), lambda x: x[::2]),
    "cols": ((6, 8), lambda x: x[:, 1::3]),
    "T": ((6, 8), lambda x: x.T),
    "both": ((6, 8), lambda x: x[1::2, ::2].T),
    "offset": ((6, 8), lambda x: x[2:, 3:]),
    "3d": ((4, 5, 6), lambda x: x.transpose(1, 2, 0)[:, ::2]),
}


@pytest.mark.parametrize("name", NP_NATIVE)
@pytest.mark.parametrize("view", list(NP_VIEWS))
def test_from_numpy_non_contiguous(name, view):
    shape, fn = NP_VIEWS[view]
    original = np_vals(shape, name)
    full = original.copy()
    a = fn(full)
    t = rtorch.from_numpy(a)
    assert tuple(t.shape) == a.shape
    assert t.stride() == tuple(s // a.itemsize for s in a.strides)
    assert_close(t, a)
    assert t.data_ptr() == a.ctypes.data
    # writes from numpy are seen by the tensor, and vice versa
    a[(0,) * a.ndim] = some(name, 1)
    assert_close(t, a)
    t.fill_(some(name, 0).item())
    assert np.all(a == some(name, 0))
    # elements outside the view are untouched
    mask = np.zeros(shape, dtype=bool)
    fn(mask)[...] = True
    np.testing.assert_array_equal(full[~mask], original[~mask])
    assert np.all(full[mask] == some(name, 0))


def test_from_numpy_negative_strides_raise():
    with pytest.raises(ValueError):
        rtorch.from_numpy(np.arange(5.0)[::-1])
    with pytest.raises(ValueError):
        rtorch.from_numpy(np.arange(12.0).reshape(3, 4)[:, ::-1])


def test_from_numpy_0dim_and_empty():
    a = np.array(2.5)
    t = rtorch.from_numpy(a)
    assert tuple(t.shape) == () and t.item() == 2.5
    t.fill_(4.0)
    assert a[()] == 4.0
    e = rtorch.from_numpy(np.zeros((0, 3), dtype=np.int32))
    assert tuple(e.shape) == (0, 3) and e.dtype == rtorch.int32


@pytest.mark.parametrize("name", NP_NATIVE)
def test_numpy_shares_memory(name):
    a = np_vals((3, 4), name)
    t = mk(a, name)
    n = t.numpy()
    assert isinstance(n, np.ndarray)
    assert n.dtype == np.dtype(NP_DTYPES[name])
    np.testing.assert_array_equal(n, a)
    n[1, 2] = some(name, 1)
    assert t[1, 2].item() == some(name, 1).item()
    t[0, 0] = some(name, 0).item()
    assert n[0, 0] == some(name, 0)
    assert n.ctypes.data == t.data_ptr()


@pytest.mark.parametrize("name", NP_NATIVE)
def test_numpy_of_views(name):
    a = np_vals((4, 6), name).copy()
    t = mk(a, name)
    for make_view, np_view in [(lambda x: x.t(), lambda y: y.T),
                               (lambda x: x[1::2, ::3], lambda y: y[1::2, ::3]),
                               (lambda x: x[:, 2], lambda y: y[:, 2]),
                               (lambda x: x.unsqueeze(1)[2:], lambda y: y[:, None][2:])]:
        v = make_view(t)
        n = v.numpy()
        np.testing.assert_array_equal(n, np_view(a))
        assert n.strides == tuple(s * n.itemsize for s in v.stride())
        assert n.ctypes.data == v.data_ptr()
    # writing through the numpy view of a transposed tensor writes into the base
    n = t.t().numpy()
    n[5, 0] = some(name, 1)
    a[0, 5] = some(name, 1)
    assert_close(t, a)
    n = t[1::2, ::3].numpy()
    n[...] = some(name, 0)
    a[1::2, ::3] = some(name, 0)
    assert_close(t, a)


def test_numpy_of_expanded_tensor():
    t = rtorch.tensor([[1.0], [2.0]]).expand(2, 3)
    n = t.numpy()
    np.testing.assert_array_equal(n, np.array([[1, 1, 1], [2, 2, 2]], dtype=np.float32))
    assert n.strides[1] == 0


def test_numpy_0dim_and_empty():
    n = rtorch.tensor(3).numpy()
    assert n.shape == () and n.dtype == np.int64 and n[()] == 3
    n = rtorch.zeros(0, 2).numpy()
    assert n.shape == (0, 2) and n.dtype == np.float32


def test_numpy_bfloat16_raises():
    with pytest.raises(TypeError):
        rtorch.zeros(3, dtype=rtorch.bfloat16).numpy()


@pytest.mark.parametrize("name", NP_NATIVE)
def test_np_asarray(name):
    a = np_vals((2, 3), name)
    t = mk(a, name)
    n = np.asarray(t)
    assert n.dtype == np.dtype(NP_DTYPES[name])
    np.testing.assert_array_equal(n, a)
    n2 = t.__array__()
    np.testing.assert_array_equal(n2, a)
    n3 = np.array(t, dtype=np.float64)
    assert n3.dtype == np.float64
    np.testing.assert_array_equal(n3, a.astype(np.float64))
    np.testing.assert_array_equal(np.asarray(t.t()), a.T)


def test_np_asarray_shares_memory():
    t = rtorch.zeros(3)
    n = np.asarray(t)
    n[1] = 5.0
    assert t[1].item() == 5.0


def test_numpy_functions_on_tensors():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = mk(a, "float64")
    assert np.sum(np.asarray(t)) == 15.0
    np.testing.assert_array_equal(np.array(t) + 1, a + 1)


# ----------------------------------------------------------------------------------------------------------
# item / tolist
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_item(name):
    v = np_vals((1,), name)[0]
    t = mk(np.array(v), name)
    x = t.item()
    if name == "bool":
        assert type(x) is bool
    elif name in INT_DTYPES:
        assert type(x) is int
    else:
        assert type(x) is float
    assert x == v.item()
    # any tensor with one element works, whatever its number of dims
    assert mk(np.array([[v]]), name).item() == v.item()
    assert mk(np.array([[v]]), name)[0].item() == v.item()


def test_item_values():
    assert rtorch.tensor(-7).item() == -7
    assert rtorch.tensor(2 ** 62).item() == 2 ** 62
    assert rtorch.tensor(0.1, dtype=rtorch.float64).item() == 0.1
    assert rtorch.tensor(0.1).item() == float(np.float32(0.1))
    assert rtorch.tensor(200, dtype=rtorch.uint8).item() == 200
    assert rtorch.tensor(-100, dtype=rtorch.int8).item() == -100
    assert rtorch.tensor(1.5, dtype=rtorch.bfloat16).item() == 1.5
    assert rtorch.tensor(0.1, dtype=rtorch.float16).item() == float(np.float16(0.1))
    x = rtorch.tensor(float("nan")).item()
    assert x != x
    assert rtorch.tensor(float("-inf")).item() == float("-inf")
    t = rtorch.arange(10.0)
    assert t[7].item() == 7.0
    assert t[2:][::3][1].item() == 5.0
    assert rtorch.tensor([[1.0], [2.0]]).expand(2, 4)[1, 3].item() == 2.0


def test_item_errors():
    with pytest.raises(RuntimeError):
        rtorch.zeros(3).item()
    with pytest.raises(RuntimeError):
        rtorch.zeros(0).item()
    with pytest.raises(RuntimeError):
        rtorch.zeros(2, 1).item()


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_tolist(name):
    for shape in [(2, 3), (4,), (1, 1, 2), (0,), (2, 0), (3, 1)]:
        a = np_vals(shape, name)
        t = mk(a, name)
        lst = t.tolist()
        assert lst == a.tolist()
        flat = np.asarray(lst).reshape(-1).tolist() if a.size else []
        ty = bool if name == "bool" else int if name in INT_DTYPES else float
        assert all(type(x) is ty for x in flat)
    a = np_vals((4, 6), name)
    t = mk(a, name)
    assert t.t().tolist() == a.T.tolist()
    assert t[1::2, ::4].tolist() == a[1::2, ::4].tolist()
    assert t[:1].expand(3, 6).tolist() == np.broadcast_to(a[:1], (3, 6)).tolist()


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_tolist_0dim(name):
    v = np_vals((), name)
    t = mk(v, name)
    x = t.tolist()
    assert not isinstance(x, list)
    assert x == v.item()
    assert type(x) is type(v.item())


# ----------------------------------------------------------------------------------------------------------
# len / iteration / python scalar conversions
# ----------------------------------------------------------------------------------------------------------
def test_len():
    assert len(rtorch.zeros(5)) == 5
    assert len(rtorch.zeros(3, 7)) == 3
    assert len(rtorch.zeros(0, 2)) == 0
    assert len(rtorch.zeros(3, 7).t()) == 7
    assert len(rtorch.zeros(10)[::3]) == 4
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(rtorch.tensor(1.0))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_iteration(name):
    a = np_vals((4, 3), name)
    t = mk(a, name)
    rows = list(t)
    assert len(rows) == 4
    for r, ar in zip(rows, a):
        assert isinstance(r, rtorch.Tensor)
        assert_close(r, ar)
    cols = [c for c in t.t()]
    assert len(cols) == 3
    for c, ac in zip(cols, a.T):
        assert_close(c, ac)
    elems = list(mk(a[0], name))
    assert all(isinstance(e, rtorch.Tensor) and e.dim() == 0 for e in elems)
    assert [e.item() for e in elems] == a[0].tolist()
    assert list(rtorch.zeros(0, 3, dtype=dt(name))) == []


def test_iteration_yields_views():
    t = rtorch.zeros(3, 2)
    for i, row in enumerate(t):
        row.fill_(float(i))
    assert_close(t, np.array([[0, 0], [1, 1], [2, 2]], dtype=np.float32))


def test_iteration_0dim_raises():
    with pytest.raises(TypeError):
        iter(rtorch.tensor(1))
    with pytest.raises(TypeError):
        list(rtorch.tensor(1))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_python_scalar_conversions(name):
    for shape in [(), (1,), (1, 1)]:
        v = np_vals((1,), name, seed=2)[0]
        t = mk(np.full(shape, v), name)
        assert bool(t) == bool(v)
        assert int(t) == int(v)
        assert float(t) == float(v)
        if name in INT_DTYPES or name == "bool":
            assert operator.index(t) == int(v)
            if 0 <= int(v) < 5:
                assert [10, 20, 30, 40, 50][t] == [10, 20, 30, 40, 50][int(v)]
        else:
            with pytest.raises(TypeError):
                operator.index(t)


def test_python_scalar_conversion_values():
    assert int(rtorch.tensor(3.7)) == 3
    assert int(rtorch.tensor([-3.7])) == -3
    assert float(rtorch.tensor(2)) == 2.0 and type(float(rtorch.tensor(2))) is float
    assert type(int(rtorch.tensor(2.0))) is int
    assert bool(rtorch.tensor([0.0])) is False
    assert bool(rtorch.tensor(-0.5)) is True
    assert bool(rtorch.tensor(float("nan"))) is True
    assert operator.index(rtorch.tensor(4)) == 4
    assert list(range(10))[rtorch.tensor(3)] == 3
    assert "abcdef"[rtorch.tensor(2):rtorch.tensor(4)] == "cd"


def test_python_scalar_conversion_errors():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(rtorch.zeros(2))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        if rtorch.ones(2, 2):
            pass
    with pytest.raises(RuntimeError):
        bool(rtorch.zeros(0))
    with pytest.raises((ValueError, RuntimeError)):
        int(rtorch.zeros(2))
    with pytest.raises((ValueError, RuntimeError)):
        float(rtorch.zeros(3))
    with pytest.raises(TypeError):
        operator.index(rtorch.tensor(2.0))
    with pytest.raises(TypeError):
        operator.index(rtorch.tensor([1, 2]))


# ----------------------------------------------------------------------------------------------------------
# metadata
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (1, 0, 4), (2, 1, 3, 1)])
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_metadata(shape, name):
    t = rtorch.zeros(shape, dtype=dt(name))
    assert t.shape == shape
    assert t.size() == shape
    assert tuple(t.shape) == shape
    assert isinstance(t.shape, rtorch.Size)
    assert isinstance(t.size(), rtorch.Size)
    assert t.dim() == len(shape)
    assert t.ndim == len(shape)
    assert t.ndimension() == len(shape)
    assert t.numel() == int(np.prod(shape))
    assert t.nelement() == int(np.prod(shape))
    assert rtorch.numel(t) == int(np.prod(shape))
    for d in range(-len(shape), len(shape)):
        assert t.size(d) == shape[d]
        assert t.shape[d] == shape[d]
    with pytest.raises(IndexError, match="Dimension out of range" if shape else None):
        t.size(len(shape))
    assert t.dtype == dt(name)
    assert t.dtype is dt(name)
    assert str(t.device) == "cpu"
    assert t.device.type == "cpu"
    assert t.device == rtorch.device("cpu")
    assert t.is_cuda is False
    isz = 2 if name == "bfloat16" else np.dtype(NP_DTYPES[name]).itemsize
    assert t.element_size() == isz
    assert t.dtype.itemsize == isz


def test_metadata_of_views():
    t = rtorch.zeros(4, 6)
    v = t[1::2, ::3].t()
    assert v.shape == (2, 2)
    assert v.numel() == 4
    assert v.size(0) == 2
    e = rtorch.zeros(3, 1).expand(2, 3, 5)
    assert e.shape == (2, 3, 5) and e.numel() == 30


def test_dtype_properties():
    assert rtorch.float32.is_floating_point
    assert rtorch.bfloat16.is_floating_point
    assert not rtorch.int64.is_floating_point
    assert not rtorch.bool.is_floating_point
    assert rtorch.int8.is_signed and not rtorch.uint8.is_signed
    assert str(rtorch.float32) == "torch.float32"
    assert repr(rtorch.int64) == "torch.int64"
    assert rtorch.float == rtorch.float32 and rtorch.double == rtorch.float64
    assert rtorch.long == rtorch.int64 and rtorch.half == rtorch.float16
    assert rtorch.zeros(1).is_floating_point()
    assert not rtorch.zeros(1, dtype=rtorch.int32).is_floating_point()


def test_device_objects():
    d = rtorch.device("cpu")
    assert d.type == "cpu"
    assert str(d) == "cpu"
    assert repr(d) == "device(type='cpu')"
    assert rtorch.zeros(2, device="cpu").device == d
    assert rtorch.zeros(2, device=d).device.type == "cpu"


# ----------------------------------------------------------------------------------------------------------
# rtorch.Size
# ----------------------------------------------------------------------------------------------------------
def test_size_is_tuple_subclass():
    s = rtorch.zeros(2, 3).shape
    assert isinstance(s, tuple)
    assert issubclass(rtorch.Size, tuple)
    assert s == (2, 3)
    assert s != (3, 2)
    assert len(s) == 2
    assert s[0] == 2 and s[-1] == 3
    assert list(s) == [2, 3]
    a, b = s
    assert (a, b) == (2, 3)
    assert hash(s) == hash((2, 3))
    assert {s: 1}[(2, 3)] == 1
    assert all(type(x) is int for x in s)
    assert s.numel() == 6
    assert rtorch.Size([]).numel() == 1
    assert s.index(3) == 1 and s.count(2) == 1


def test_size_repr_and_ops():
    s = rtorch.Size([2, 3])
    assert repr(s) == "torch.Size([2, 3])"
    assert str(s) == "torch.Size([2, 3])"
    assert str(rtorch.zeros(2, 3).shape) == "torch.Size([2, 3])"
    assert repr(rtorch.Size([])) == "torch.Size([])"
    assert repr(rtorch.zeros(()).shape) == "torch.Size([])"
    assert repr(rtorch.Size([5])) == "torch.Size([5])"
    assert rtorch.Size((4, 5)) == (4, 5)
    sl = s[1:]
    assert isinstance(sl, rtorch.Size) and sl == (3,)
    c = s + (4,)
    assert isinstance(c, rtorch.Size) and c == (2, 3, 4)
    assert (1,) + s == (1, 2, 3)
    # a Size can be passed wherever sizes are expected
    assert rtorch.zeros(s).shape == (2, 3)
    assert rtorch.ones(3, 4).reshape(rtorch.Size([6, 2])).shape == (6, 2)
    assert rtorch.zeros(3, 1).expand(rtorch.Size([3, 5])).shape == (3, 5)


def test_size_pickle():
    s = rtorch.Size([2, 3])
    s2 = pickle.loads(pickle.dumps(s))
    assert s2 == s and isinstance(s2, rtorch.Size)


# ----------------------------------------------------------------------------------------------------------
# pickling
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 1, 4)])
def test_pickle_roundtrip(name, shape):
    a = np_vals(shape, name)
    t = mk(a, name)
    r = pickle.loads(pickle.dumps(t))
    assert isinstance(r, rtorch.Tensor)
    assert r.dtype == dt(name)
    assert r.shape == shape
    assert_close(r, a)
    # an independent copy
    if t.numel():
        r.fill_(0)
        assert_close(t, a)


@pytest.mark.parametrize("name", ["float32", "int64", "bool", "bfloat16", "uint8", "float16"])
def test_pickle_views(name):
    a = np_vals((6, 8), name)
    t = mk(a, name)
    for v, av in [(t[::2, 1::3], a[::2, 1::3]), (t.t(), a.T), (t[3], a[3]), (t[2:4, 5], a[2:4, 5]),
                  (t[:1].expand(3, 8), np.broadcast_to(a[:1], (3, 8))), (t[1, 1], a[1, 1])]:
        for proto in (2, pickle.HIGHEST_PROTOCOL):
            r = pickle.loads(pickle.dumps(v, protocol=proto))
            assert r.dtype == dt(name)
            assert r.shape == av.shape
            assert_close(r, av)


def test_pickle_several_tensors_in_a_container():
    t = rtorch.arange(12.0).reshape(3, 4)
    obj = {"w": t, "b": rtorch.tensor([1, 2, 3]), "x": [rtorch.tensor(True)]}
    r = pickle.loads(pickle.dumps(obj))
    assert_close(r["w"], np.arange(12, dtype=np.float32).reshape(3, 4))
    assert_close(r["b"], np.array([1, 2, 3], dtype=np.int64))
    assert r["x"][0].item() is True


# ----------------------------------------------------------------------------------------------------------
# behaviour cross-checked against the real PyTorch (skipped when torch is not installed)
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_tolist_and_item_match_torch(torch_ref, name):
    a = np_vals((2, 3), name)
    ours = mk(a, name)
    ref = torch_ref.tensor(np.array(a, order="C"), dtype=getattr(torch_ref, name))
    assert ours.tolist() == ref.tolist()
    assert ours.t().tolist() == ref.t().tolist()
    assert ours[1, 2].item() == ref[1, 2].item()
    assert type(ours[1, 2].item()) is type(ref[1, 2].item())


def test_size_repr_matches_torch(torch_ref):
    for shape in [(), (0,), (2, 3), (1, 1, 1)]:
        assert repr(rtorch.zeros(shape).shape) == repr(torch_ref.zeros(shape).shape)
        assert str(rtorch.zeros(shape).size()) == str(torch_ref.zeros(shape).size())


def test_error_types_match_torch(torch_ref):
    def kind(fn, mod):
        try:
            fn(mod)
        except Exception as e:  # noqa: BLE001 - comparing the exception class is the point
            return type(e).__name__
        return None

    cases = [
        lambda m: m.zeros(3).item(),
        lambda m: len(m.tensor(1.0)),
        lambda m: bool(m.zeros(2)),
        lambda m: operator.index(m.tensor(1.5)),
        lambda m: m.zeros(3, dtype=m.bfloat16).numpy(),
        lambda m: list(m.tensor(2)),
        lambda m: m.zeros(2, 3).size(2),
        lambda m: m.from_numpy(np.arange(3.0)[::-1]),
    ]
    for fn in cases:
        assert kind(fn, rtorch) == kind(fn, torch_ref)

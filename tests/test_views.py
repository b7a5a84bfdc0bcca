"""View and layout operations: view/reshape/flatten/squeeze/transpose/expand/narrow/select/slicing/unfold.

numpy is the value oracle; layouts covered: contiguous, transposed, sliced with steps, expanded (stride 0),
plus 0-dim, empty and size-1 dims, for every dtype.  Views must share memory with their base: that is
checked by writing through the view and comparing the base to numpy with the same write applied.
"""
from __future__ import annotations

import numpy as np
import pytest

import rtorch
from conftest import ALL_DTYPES, LAYOUT_KINDS, NP_DTYPES, assert_close, layout, mk, np_vals, to_numpy


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------
def check(t, expected, name):
    assert t.dtype == getattr(rtorch, name)
    assert_close(t, np.asarray(expected).astype(NP_DTYPES[name]))


def contiguous_strides(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def one(name):
    """A python value valid for dtype `name`, used for writes."""
    return True if name == "bool" else 1


# ----------------------------------------------------------------------------------------------------------
# values of the layouts themselves, strides, contiguity
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_layout_values(kind, name):
    t, a = layout(kind, name)
    assert tuple(t.shape) == (3, 4, 5)
    check(t, a, name)


@pytest.mark.parametrize("kind,strides,contig", [
    ("contiguous", (20, 5, 1), True),
    ("transposed", (1, 3, 12), False),
    ("sliced", (144, 18, 1), False),
    ("expanded", (5, 0, 1), False),
])
def test_layout_strides(kind, strides, contig):
    t, _ = layout(kind, "float32")
    assert t.stride() == strides
    assert tuple(t.stride(d) for d in range(3)) == strides
    assert t.stride(-1) == strides[-1]
    assert t.stride(-3) == strides[0]
    assert t.is_contiguous() is contig


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_contiguous(kind, name):
    t, a = layout(kind, name)
    c = t.contiguous()
    assert c.is_contiguous()
    assert c.stride() == (20, 5, 1)
    check(c, a, name)
    if kind == "contiguous":
        assert c.data_ptr() == t.data_ptr()
    else:
        assert c.data_ptr() != t.data_ptr()
        # the copy is independent of the source
        before = to_numpy(t)
        c.fill_(one(name))
        np.testing.assert_array_equal(to_numpy(t), before)


def test_stride_shapes():
    assert rtorch.zeros(2, 3, 4).stride() == (12, 4, 1)
    assert rtorch.zeros(()).stride() == ()
    assert rtorch.zeros(5).stride() == (1,)
    # empty tensors: torch uses max(size, 1) when accumulating strides
    assert rtorch.zeros(2, 0, 3).stride() == (3, 3, 1)
    assert rtorch.zeros(0, 3).stride() == (3, 1)


def test_stride_size_of_0dim_raise():
    s = rtorch.zeros(())
    for d in (0, -1):
        with pytest.raises(IndexError):
            s.stride(d)
        with pytest.raises(IndexError):
            s.size(d)


def test_is_contiguous_edge_cases():
    assert rtorch.zeros(()).is_contiguous()
    assert rtorch.zeros(0, 3).is_contiguous()
    assert rtorch.zeros(0, 3).t().is_contiguous()  # empty: always contiguous
    assert rtorch.zeros(4, 1, 3).transpose(0, 1).is_contiguous()  # only a size-1 dim moved
    assert not rtorch.zeros(4, 1, 3)[:, :, ::2].is_contiguous()
    assert rtorch.zeros(4, 3)[1:3].is_contiguous()  # row slice stays contiguous
    assert not rtorch.zeros(4, 3)[:, 1:].is_contiguous()
    assert not rtorch.zeros(4, 3)[:, 1:2].is_contiguous()
    assert not rtorch.zeros(3, 1).expand(3, 4).is_contiguous()
    assert rtorch.zeros(1, 1).expand(1, 1).is_contiguous()


def test_stride_invalid_dim():
    t = rtorch.zeros(2, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.stride(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.stride(-3)


# ----------------------------------------------------------------------------------------------------------
# storage_offset / data_ptr
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_storage_offset_and_data_ptr(name):
    base = mk(np_vals((4, 6), name), name)
    es = base.element_size()
    assert es == np.dtype(NP_DTYPES[name]).itemsize or name == "bfloat16"
    if name == "bfloat16":
        assert es == 2
    assert base.storage_offset() == 0
    cases = [
        (base[1], 6),
        (base[1:, 2:], 8),
        (base[:, 3], 3),
        (base[2:4:1, ::2], 12),
        (base.select(1, 5), 5),
        (base.narrow(0, 3, 1), 18),
        (base.t()[2], 2),
        (base[3, 5], 23),
        (base.view(-1)[7:], 7),
    ]
    for v, off in cases:
        assert v.storage_offset() == off
        assert v.data_ptr() == base.data_ptr() + off * es
    # offsets accumulate through chains of views
    v = base[1:][1:][:, 1:]
    assert v.storage_offset() == 13
    assert v.data_ptr() == base.data_ptr() + 13 * es


# ----------------------------------------------------------------------------------------------------------
# view
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_view_contiguous(name):
    a = np_vals((3, 4, 5), name)
    t = mk(a, name)
    for shape in [(60,), (12, 5), (3, 20), (5, 4, 3), (1, 60, 1), (2, 3, 2, 5)]:
        v = t.view(*shape)
        check(v, a.reshape(shape), name)
        assert v.data_ptr() == t.data_ptr()
        assert v.is_contiguous()
    check(t.view((4, 15)), a.reshape(4, 15), name)
    check(t.view([4, 15]), a.reshape(4, 15), name)
    check(t.view(-1), a.reshape(-1), name)
    check(t.view(6, -1), a.reshape(6, -1), name)
    check(t.view(-1, 2, 5), a.reshape(-1, 2, 5), name)


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_view_shares_memory(name):
    a = np_vals((3, 4), name)
    t = mk(a, name)
    v = t.view(2, 6)
    v[1] = one(name)
    a = a.copy()
    a.reshape(2, 6)[1] = one(name)
    check(t, a, name)
    v.view(-1)[0] = 0
    a.reshape(-1)[0] = 0
    check(t, a, name)


def test_view_of_non_contiguous_when_possible():
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    tt = mk(a, "float32").t()  # shape (3, 4), strides (1, 3)
    v = tt.view(3, 2, 2)  # splits a dim; allowed
    assert v.stride() == (1, 6, 3)
    assert_close(v, a.T.reshape(3, 2, 2))
    assert v.data_ptr() == tt.data_ptr()
    s = mk(np.arange(24, dtype=np.float32).reshape(4, 6), "float32")[:, :3]  # (4, 3) strides (6, 1)
    v2 = s.view(2, 2, 3)
    assert_close(v2, np.arange(24, dtype=np.float32).reshape(4, 6)[:, :3].reshape(2, 2, 3))
    assert v2.stride() == (12, 6, 1)
    e = rtorch.zeros(3, 1).expand(3, 4)
    ve = e.view(3, 2, 2)
    assert ve.stride() == (1, 0, 0)


@pytest.mark.parametrize("kind", ["transposed", "sliced"])
def test_view_incompatible_raises(kind):
    t, _ = layout(kind, "float32")
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        t.view(60)
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        t.view(-1)


def test_view_bad_size_raises():
    t = rtorch.arange(16)
    with pytest.raises(RuntimeError, match=r"shape '\[3, 5\]' is invalid for input of size 16"):
        t.view(3, 5)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        t.view(-1, -1)


def test_view_0dim_and_empty():
    s = rtorch.tensor(3.5)
    assert tuple(s.view(1).shape) == (1,)
    assert tuple(s.view(1, 1).shape) == (1, 1)
    assert tuple(s.view(-1).shape) == (1,)
    assert tuple(s.view(()).shape) == ()
    assert tuple(rtorch.zeros(1, 1).view(()).shape) == ()
    assert s.view(1).item() == 3.5
    e = rtorch.zeros(0, 3)
    assert tuple(e.view(3, 0).shape) == (3, 0)
    assert tuple(e.view(-1).shape) == (0,)
    with pytest.raises(RuntimeError):
        e.view(0, -1)


# ----------------------------------------------------------------------------------------------------------
# reshape
# ----------------------------------------------------------------------------------------------------------
RESHAPES = [(60,), (12, 5), (5, 12), (2, 30), (3, 4, 5), (5, 4, 3), (2, 2, 3, 5), (1, 60), (60, 1)]


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_reshape_values(kind, name):
    t, a = layout(kind, name)
    for shape in RESHAPES:
        check(t.reshape(shape), a.reshape(shape), name)
        check(t.reshape(*shape), a.reshape(shape), name)
    check(t.reshape(-1), a.reshape(-1), name)
    check(t.reshape(4, -1), a.reshape(4, -1), name)
    check(t.reshape(-1, 3, 2, 5), a.reshape(-1, 3, 2, 5), name)
    check(t.reshape([2, -1, 5]), a.reshape(2, -1, 5), name)


@pytest.mark.parametrize("name", ["float32", "int64", "bool", "bfloat16"])
def test_reshape_is_view_when_possible(name):
    a = np_vals((3, 4), name)
    t = mk(a, name)
    r = t.reshape(2, 6)
    assert r.data_ptr() == t.data_ptr()
    r[0] = one(name)
    a = a.copy()
    a.reshape(2, 6)[0] = one(name)
    check(t, a, name)


@pytest.mark.parametrize("name", ["float32", "int64", "bool", "bfloat16"])
def test_reshape_copies_when_needed(name):
    a = np_vals((4, 3), name)
    t = mk(a, name)
    tt = t.t()
    r = tt.reshape(-1)
    check(r, a.T.reshape(-1), name)
    r.fill_(one(name))
    check(t, a, name)  # base untouched: reshape had to copy


def test_reshape_errors():
    with pytest.raises(RuntimeError, match=r"shape '\[3, 5\]' is invalid for input of size 16"):
        rtorch.arange(16).reshape(3, 5)
    with pytest.raises(RuntimeError, match=r"shape '\[3, 5\]' is invalid for input of size 16"):
        rtorch.arange(16).reshape((3, 5))
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        rtorch.arange(16).reshape(-1, -1)
    with pytest.raises(RuntimeError):
        rtorch.arange(16).reshape(-1, 5)
    with pytest.raises(RuntimeError):
        rtorch.zeros(0, 3).reshape(0, -1)


def test_reshape_0dim_empty_size1():
    s = rtorch.tensor(7)
    assert tuple(s.reshape(1, 1, 1).shape) == (1, 1, 1)
    assert s.reshape(1, 1, 1).item() == 7
    assert tuple(s.reshape(()).shape) == ()
    assert tuple(rtorch.tensor([7]).reshape(()).shape) == ()
    e = rtorch.zeros(2, 0, 3)
    assert tuple(e.reshape(0, 7).shape) == (0, 7)
    assert tuple(e.reshape(-1).shape) == (0,)
    with pytest.raises(RuntimeError):
        e.reshape(3, -1, 0)  # -1 is ambiguous with 0 elements
    assert tuple(rtorch.zeros(1, 1, 5).reshape(5).shape) == (5,)


# ----------------------------------------------------------------------------------------------------------
# flatten / unflatten
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_flatten(kind, name):
    t, a = layout(kind, name)
    check(t.flatten(), a.reshape(-1), name)
    check(t.flatten(1), a.reshape(3, 20), name)
    check(t.flatten(0, 1), a.reshape(12, 5), name)
    check(t.flatten(start_dim=1, end_dim=2), a.reshape(3, 20), name)
    check(t.flatten(-2, -1), a.reshape(3, 20), name)
    check(t.flatten(1, 1), a, name)
    check(rtorch.flatten(t, 0, -2), a.reshape(12, 5), name)


def test_flatten_edge_cases():
    s = rtorch.tensor(2.5)
    assert tuple(s.flatten().shape) == (1,)
    assert s.flatten().item() == 2.5
    assert tuple(rtorch.zeros(2, 0, 3).flatten().shape) == (0,)
    assert tuple(rtorch.zeros(2, 0, 3).flatten(1).shape) == (2, 0)
    t = rtorch.arange(6).reshape(2, 3)
    f = t.flatten()
    assert f.data_ptr() == t.data_ptr()  # contiguous flatten is a view
    with pytest.raises(RuntimeError):
        t.flatten(1, 0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.flatten(0, 2)


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_unflatten(kind, name):
    t, a = layout(kind, name)
    check(t.unflatten(1, (2, 2)), a.reshape(3, 2, 2, 5), name)
    check(t.unflatten(-1, (5, 1)), a.reshape(3, 4, 5, 1), name)
    check(t.unflatten(0, (1, 3, 1)), a.reshape(1, 3, 1, 4, 5), name)
    check(t.unflatten(1, (-1, 2)), a.reshape(3, 2, 2, 5), name)
    check(rtorch.unflatten(t, 2, (5,)), a, name)


def test_unflatten_errors():
    t = rtorch.zeros(2, 6)
    with pytest.raises(RuntimeError):
        t.unflatten(1, (4, -1))
    with pytest.raises(RuntimeError):
        t.unflatten(1, (4, 2))
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.unflatten(2, (1, 1))


# ----------------------------------------------------------------------------------------------------------
# squeeze / unsqueeze
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_squeeze_unsqueeze(name):
    a = np_vals((1, 3, 1, 2), name)
    t = mk(a, name)
    check(t.squeeze(), a.squeeze(), name)
    check(t.squeeze(0), a.squeeze(0), name)
    check(t.squeeze(2), a.squeeze(2), name)
    check(t.squeeze(-2), a.squeeze(-2), name)
    check(t.squeeze(1), a, name)  # not size 1: no-op
    check(t.squeeze((0, 2)), a.squeeze((0, 2)), name)
    check(t.squeeze((0, 1)), a.squeeze(0), name)  # size-3 dim silently kept
    check(rtorch.squeeze(t), a.squeeze(), name)
    for d in range(-5, 5):
        check(t.unsqueeze(d), np.expand_dims(a, d), name)
    check(rtorch.unsqueeze(t, 1), np.expand_dims(a, 1), name)
    assert t.squeeze().data_ptr() == t.data_ptr()
    assert t.unsqueeze(0).data_ptr() == t.data_ptr()


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_squeeze_unsqueeze_layouts(kind, name):
    t, a = layout(kind, name)
    u = t.unsqueeze(1).unsqueeze(-1)
    check(u, a[:, None, :, :, None], name)
    check(u.squeeze(), a, name)
    check(u.squeeze(1), a[..., None], name)
    check(t[:, 1:2].squeeze(1), a[:, 1], name)


def test_squeeze_unsqueeze_write_through():
    a = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    t = mk(a, "float32")
    t.squeeze()[1, 2] = 100.0
    t.unsqueeze(0)[0, 0, 0, 0] = -1.0
    a = a.copy()
    a[0, 1, 2] = 100.0
    a[0, 0, 0] = -1.0
    assert_close(t, a)


def test_squeeze_unsqueeze_0dim_and_errors():
    s = rtorch.tensor(4.0)
    assert tuple(s.squeeze().shape) == ()
    assert tuple(s.squeeze(0).shape) == ()
    assert tuple(s.squeeze(-1).shape) == ()
    assert tuple(s.unsqueeze(0).shape) == (1,)
    assert tuple(s.unsqueeze(-1).shape) == (1,)
    with pytest.raises(IndexError, match="Dimension out of range"):
        s.unsqueeze(2)
    t = rtorch.zeros(2, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.unsqueeze(3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.unsqueeze(-4)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.squeeze(2)
    e = rtorch.zeros(0, 1, 3)
    assert tuple(e.squeeze().shape) == (0, 3)
    assert tuple(e.unsqueeze(0).shape) == (1, 0, 1, 3)


# ----------------------------------------------------------------------------------------------------------
# transpose / permute / t / T / mT
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_transpose_permute(kind, name):
    t, a = layout(kind, name)
    check(t.transpose(0, 1), a.swapaxes(0, 1), name)
    check(t.transpose(-1, 0), a.swapaxes(-1, 0), name)
    check(t.transpose(1, 1), a, name)
    check(rtorch.transpose(t, 0, 2), a.swapaxes(0, 2), name)
    check(t.swapaxes(0, 2), a.swapaxes(0, 2), name)
    for perm in [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0), (0, 2, 1)]:
        check(t.permute(*perm), a.transpose(perm), name)
        check(t.permute(perm), a.transpose(perm), name)
        check(rtorch.permute(t, perm), a.transpose(perm), name)
    check(t.permute(-1, 0, -2), a.transpose(2, 0, 1), name)
    check(t.mT, a.swapaxes(-1, -2), name)
    m, ma = t[0], a[0]
    check(m.t(), ma.T, name)
    check(m.T, ma.T, name)
    check(rtorch.t(m), ma.T, name)
    check(m.mT, ma.T, name)


def test_transpose_strides_and_sharing():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = mk(a, "float32")
    p = t.permute(2, 0, 1)
    assert p.stride() == (1, 12, 4)
    assert p.data_ptr() == t.data_ptr()
    assert not p.is_contiguous()
    assert t.transpose(0, 2).stride() == (1, 4, 12)
    assert t.mT.stride() == (12, 1, 4)
    p[3, 1, 2] = -5.0
    a = a.copy()
    a[1, 2, 3] = -5.0
    assert_close(t, a)
    m = t[0]
    m.t()[0].fill_(9.0)  # column 0 of t[0]
    a[0, :, 0] = 9.0
    assert_close(t, a)


def test_t_on_low_dims_and_errors():
    v = rtorch.arange(3)
    assert tuple(v.t().shape) == (3,)
    s = rtorch.tensor(1.0)
    assert tuple(s.t().shape) == ()
    with pytest.raises(RuntimeError):
        rtorch.zeros(2, 3, 4).t()
    with pytest.raises(RuntimeError):
        rtorch.zeros(3).mT
    t = rtorch.zeros(2, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.transpose(0, 2)
    with pytest.raises(RuntimeError):
        t.permute(0, 0)
    with pytest.raises(RuntimeError):
        t.permute(0)
    with pytest.raises((IndexError, RuntimeError)):
        t.permute(0, 2)


def test_transpose_empty():
    e = rtorch.zeros(2, 0, 3)
    assert tuple(e.transpose(0, 2).shape) == (3, 0, 2)
    assert tuple(e.permute(1, 2, 0).shape) == (0, 3, 2)
    assert tuple(rtorch.zeros(0, 4).T.shape) == (4, 0)


# ----------------------------------------------------------------------------------------------------------
# expand / expand_as
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_expand(name):
    a = np_vals((3, 1), name)
    t = mk(a, name)
    e = t.expand(3, 4)
    check(e, np.broadcast_to(a, (3, 4)), name)
    assert e.stride() == (1, 0)
    assert e.data_ptr() == t.data_ptr()
    check(t.expand(-1, 4), np.broadcast_to(a, (3, 4)), name)
    check(t.expand((2, 3, 4)), np.broadcast_to(a, (2, 3, 4)), name)
    assert t.expand(2, 3, 4).stride() == (0, 1, 0)
    check(t.expand(3, 1), a, name)
    check(t.expand(2, -1, 0), np.broadcast_to(a, (2, 3, 0)), name)
    s = mk(np_vals((), name), name)
    check(s.expand(2, 3), np.broadcast_to(np_vals((), name), (2, 3)), name)
    assert s.expand(2, 3).stride() == (0, 0)
    other = rtorch.zeros(5, 3, 4)
    check(t.expand_as(other), np.broadcast_to(a, (5, 3, 4)), name)


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_expand_layouts(kind, name):
    t, a = layout(kind, name)
    u = t[:, :1]  # (3, 1, 5)
    check(u.expand(3, 6, 5), np.broadcast_to(a[:, :1], (3, 6, 5)), name)
    check(t.expand(2, 3, 4, 5), np.broadcast_to(a, (2, 3, 4, 5)), name)
    check(t.expand(2, 3, 4, 5).contiguous(), np.broadcast_to(a, (2, 3, 4, 5)), name)


def test_expand_shares_memory():
    base = rtorch.zeros(3, 1)
    e = base.expand(3, 4)
    base[1, 0] = 5.0
    assert_close(e, np.array([[0.0] * 4, [5.0] * 4, [0.0] * 4], dtype=np.float32))


def test_expand_errors():
    t = rtorch.zeros(2, 3)
    with pytest.raises(RuntimeError):
        t.expand(3, 3)
    with pytest.raises(RuntimeError):
        t.expand(3)
    with pytest.raises(RuntimeError):
        t.expand(-1, 2, 3)  # -1 not allowed for a new leading dim


# ----------------------------------------------------------------------------------------------------------
# narrow / select
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_narrow_select(kind, name):
    t, a = layout(kind, name)
    check(t.narrow(0, 1, 2), a[1:3], name)
    check(t.narrow(1, 0, 4), a, name)
    check(t.narrow(2, 2, 0), a[:, :, 2:2], name)
    check(t.narrow(-1, -3, 2), a[:, :, 2:4], name)
    check(rtorch.narrow(t, 1, 3, 1), a[:, 3:4], name)
    for d in range(3):
        for i in range(-a.shape[d], a.shape[d]):
            check(t.select(d, i), np.take(a, i, axis=d), name)
    check(rtorch.select(t, 1, 2), a[:, 2], name)
    check(t.select(0, 1).select(0, 2).select(0, 3), a[1, 2, 3], name)


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_narrow_select_write_through(name):
    a = np_vals((4, 5), name).copy()
    t = mk(a, name)
    t.narrow(1, 1, 3).fill_(one(name))
    a[:, 1:4] = one(name)
    check(t, a, name)
    t.select(0, 2).fill_(0)
    a[2] = 0
    check(t, a, name)
    t.select(1, -1)[1] = one(name)
    a[1, -1] = one(name)
    check(t, a, name)
    assert t.narrow(0, 2, 2).storage_offset() == 10
    assert t.select(1, 3).stride() == (5,)


def test_narrow_select_errors():
    t = rtorch.arange(5)
    with pytest.raises(RuntimeError):
        t.narrow(0, 3, 4)
    with pytest.raises(IndexError):
        t.narrow(0, 6, 0)
    with pytest.raises(IndexError):
        t.select(0, 5)
    with pytest.raises(IndexError):
        t.select(0, -6)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.select(1, 0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.narrow(1, 0, 1)
    with pytest.raises(IndexError):
        rtorch.tensor(1.0).select(0, 0)


# ----------------------------------------------------------------------------------------------------------
# basic slicing / indexing
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_basic_slicing(name):
    a = np_vals((6, 7, 3, 4), name)
    t = mk(a, name)
    idxs = [
        (slice(1, 5, 2), slice(None, None, 3), None, Ellipsis, 0),
        (0,),
        (-1,),
        (slice(None), 2),
        (Ellipsis, 1),
        (Ellipsis, slice(1, None, 2)),
        (None,),
        (None, 0, None),
        (1, 2, 0, 3),
        (-1, -1, -1, -1),
        (slice(2, 100),),
        (slice(10, 20),),
        (slice(-3, None), slice(None, -2)),
        (slice(4, 2),),
        (slice(None, None, 4), slice(1, 6, 5), slice(None), slice(3, None, 2)),
        (Ellipsis,),
        (1, Ellipsis, None),
        (slice(None), None, slice(None), None),
    ]
    for idx in idxs:
        check(t[idx], a[idx], name)
    check(t[1:5:2, ::3, None, ..., 0], a[1:5:2, ::3, None, ..., 0], name)
    check(t[2], a[2], name)
    check(t[2][3], a[2][3], name)


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_slicing_layouts(kind, name):
    t, a = layout(kind, name)
    for idx in [(slice(None, None, 2),), (slice(1, None), slice(None, None, 3)), (Ellipsis, slice(0, 5, 2)),
                (1, slice(None), -1), (None, slice(None, 2), None, 3), (slice(None), slice(2, 3))]:
        check(t[idx], a[idx], name)


def test_slicing_strides_offsets_and_sharing():
    a = np.arange(6 * 7 * 3 * 4, dtype=np.float32).reshape(6, 7, 3, 4)
    t = mk(a, "float32")
    v = t[1:5:2, ::3, None, ..., 0]
    assert tuple(v.shape) == (2, 3, 1, 3)
    st = v.stride()
    assert (st[0], st[1], st[3]) == (2 * 84, 3 * 12, 4)
    assert v.storage_offset() == 84
    assert v.data_ptr() == t.data_ptr() + 84 * 4
    v.fill_(-1.0)
    a = a.copy()
    a[1:5:2, ::3, None, ..., 0] = -1.0
    assert_close(t, a)
    t[0, 1:3] = 7.0
    a[0, 1:3] = 7.0
    assert_close(t, a)
    t[..., 1] = 3.0
    a[..., 1] = 3.0
    assert_close(t, a)
    w = t[::2, ::2]
    w.copy_(rtorch.ones(3, 4, 3, 4))
    a[::2, ::2] = 1.0
    assert_close(t, a)


def test_slicing_0dim_and_errors():
    s = rtorch.tensor(3.0)
    assert tuple(s[None].shape) == (1,)
    assert tuple(s[...].shape) == ()
    assert tuple(s[None, None].shape) == (1, 1)
    assert s[...].data_ptr() == s.data_ptr()
    with pytest.raises(IndexError):
        s[0]
    t = rtorch.arange(5)
    with pytest.raises(IndexError):
        t[5]
    with pytest.raises(IndexError):
        t[-6]
    with pytest.raises(IndexError):
        t[0, 0]
    with pytest.raises(ValueError):
        t[::-1]
    with pytest.raises(ValueError):
        t[::0]
    assert tuple(rtorch.zeros(0, 3)[:, 1].shape) == (0,)
    assert tuple(rtorch.zeros(0, 3)[1:].shape) == (0, 3)


# ----------------------------------------------------------------------------------------------------------
# unfold
# ----------------------------------------------------------------------------------------------------------
def np_unfold(a, dim, size, step):
    w = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim)
    sl = [slice(None)] * w.ndim
    sl[dim] = slice(None, None, step)
    return w[tuple(sl)]


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", LAYOUT_KINDS)
def test_unfold(kind, name):
    t, a = layout(kind, name)
    for dim, size, step in [(0, 2, 1), (1, 2, 2), (2, 3, 1), (2, 2, 3), (2, 5, 1), (1, 1, 1), (-1, 4, 2), (0, 3, 5)]:
        check(t.unfold(dim, size, step), np_unfold(a, dim % 3, size, step), name)


def test_unfold_strides_sharing_and_edges():
    a = np.arange(10, dtype=np.float32)
    t = mk(a, "float32")
    u = t.unfold(0, 3, 2)
    assert tuple(u.shape) == (4, 3)
    assert u.stride() == (2, 1)
    assert u.data_ptr() == t.data_ptr()
    t[4] = 100.0
    a = a.copy()
    a[4] = 100.0
    assert_close(u, np_unfold(a, 0, 3, 2))
    assert tuple(t.unfold(0, 0, 1).shape) == (11, 0)
    m = rtorch.zeros(2, 3, 4)
    assert tuple(m.unfold(1, 2, 1).shape) == (2, 2, 4, 2)
    assert m.unfold(1, 2, 1).stride() == (12, 4, 1, 4)
    with pytest.raises(RuntimeError):
        m.unfold(1, 5, 1)
    with pytest.raises(RuntimeError):
        m.unfold(1, 2, 0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        m.unfold(3, 1, 1)
    s = rtorch.tensor(5.0)
    assert tuple(s.unfold(0, 1, 1).shape) == (1,)


# ----------------------------------------------------------------------------------------------------------
# dimension errors across ops
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda t: t.transpose(0, 3),
    lambda t: t.transpose(-4, 0),
    lambda t: t.squeeze(3),
    lambda t: t.unsqueeze(4),
    lambda t: t.select(3, 0),
    lambda t: t.narrow(-4, 0, 1),
    lambda t: t.flatten(0, 3),
    lambda t: t.size(3),
    lambda t: t.stride(-4),
    lambda t: t.unflatten(3, (1,)),
    lambda t: t.unfold(3, 1, 1),
    lambda t: t.permute(0, 1, 3),
])
def test_dim_out_of_range(op):
    t = rtorch.zeros(2, 3, 4)
    with pytest.raises(IndexError, match="Dimension out of range"):
        op(t)


# ----------------------------------------------------------------------------------------------------------
# layout metadata cross-checked against the real PyTorch (skipped when torch is not installed)
# ----------------------------------------------------------------------------------------------------------
LAYOUT_CASES = [
    ((3, 4, 5), lambda x: x.permute(2, 0, 1)),
    ((3, 4, 5), lambda x: x[1:, ::2, 1::3]),
    ((3, 4, 5), lambda x: x[:, None, 2]),
    ((3, 4, 5), lambda x: x.transpose(0, 1).reshape(4, 15)),
    ((3, 4, 5), lambda x: x.transpose(0, 1)[:, 1:].unsqueeze(0)),
    ((3, 1, 5), lambda x: x.expand(2, 3, 4, 5)),
    ((3, 1, 5), lambda x: x.expand(2, 3, 4, 5).view(2, 3, 2, 2, 5)),
    ((3, 4, 5), lambda x: x.unfold(1, 2, 1)),
    ((3, 4, 5), lambda x: x.unfold(2, 3, 2).transpose(-1, 0)),
    ((3, 4, 5), lambda x: x.narrow(2, 1, 3).select(0, 2)),
    ((3, 4, 5), lambda x: x.mT.flatten(0, 1)),
    ((3, 4, 5), lambda x: x.t() if x.dim() == 2 else x[0].t()),
    ((1, 4, 1), lambda x: x.squeeze()),
    ((1, 4, 1), lambda x: x.permute(2, 1, 0)),
    ((2, 0, 3), lambda x: x.transpose(0, 2)),
    ((2, 0, 3), lambda x: x.unsqueeze(1)),
    ((), lambda x: x.unsqueeze(0).expand(3)),
    ((6,), lambda x: x.view(2, 3).t().unflatten(0, (3, 1))),
    ((4, 6), lambda x: x[:, :3].view(2, 2, 3)),
    ((4, 6), lambda x: x.t()[1::2].contiguous()),
]


@pytest.mark.parametrize("case", range(len(LAYOUT_CASES)))
def test_layout_metadata_matches_torch(torch_ref, case):
    shape, fn = LAYOUT_CASES[case]
    n = int(np.prod(shape, dtype=np.int64))
    ours = fn(rtorch.arange(n, dtype=rtorch.float32).reshape(shape))
    ref = fn(torch_ref.arange(n, dtype=torch_ref.float32).reshape(shape))
    assert tuple(ours.shape) == tuple(ref.shape)
    assert ours.stride() == ref.stride()
    assert ours.storage_offset() == ref.storage_offset()
    assert ours.is_contiguous() == ref.is_contiguous()
    np.testing.assert_array_equal(to_numpy(ours), ref.numpy())

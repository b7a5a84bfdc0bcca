"""Hypothesis property tests against numpy: chains of layout ops, broadcasting binary ops, reductions."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rtorch
from conftest import ALL_DTYPES, FLOAT_DTYPES, NP_DTYPES, assert_close, dt, mk, to_numpy

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)
dtype_names = st.sampled_from(ALL_DTYPES)


def np_random(shape, name, seed):
    """Random values exactly representable in dtype `name` (small multiples of 1/4 for floats)."""
    rng = np.random.default_rng(seed)
    ints = rng.integers(-40, 41, size=shape)
    if name == "bool":
        arr = ints > 0
    elif name == "uint8":
        arr = ((ints + 40) // 6).astype(np.uint8)  # 0..13: products stay in range
    elif name == "int8":
        arr = (ints // 4).astype(np.int8)  # -10..10: products stay in range
    elif name in FLOAT_DTYPES:
        arr = (ints * 0.25).astype(NP_DTYPES[name])
    else:
        arr = ints.astype(NP_DTYPES[name])
    return np.asarray(arr).reshape(shape)


def made_with_layout(data, shape, name, seed):
    """(tensor, ndarray) of `shape` whose memory layout is drawn: contiguous, permuted, or strided."""
    kind = data.draw(st.sampled_from(["contiguous", "permuted", "strided"]), label="layout")
    nd = len(shape)
    if kind == "permuted" and nd >= 2:
        perm = data.draw(st.permutations(range(nd)), label="perm")
        inv = list(np.argsort(perm))
        base_shape = tuple(shape[p] for p in perm)
        a = np_random(base_shape, name, seed)
        return mk(a, name).permute(*inv), a.transpose(inv)
    if kind == "strided" and nd >= 1:
        steps = data.draw(st.lists(st.integers(1, 3), min_size=nd, max_size=nd), label="steps")
        base_shape = tuple(max(s * k, 0) for s, k in zip(shape, steps))
        a = np_random(base_shape, name, seed)
        idx = tuple(slice(None, None, k) for k in steps)
        return mk(a, name)[idx], a[idx]
    a = np_random(shape, name, seed)
    return mk(a, name), a


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def reshape_target(draw, numel):
    """A shape with `numel` elements (possibly with one -1), drawn from the factorisations of numel."""
    if numel == 0:
        dims = draw(st.lists(st.integers(0, 5), min_size=1, max_size=4))
        if 0 not in dims:
            dims[draw(st.integers(0, len(dims) - 1))] = 0
        return tuple(dims), tuple(dims)
    k = draw(st.integers(0 if numel == 1 else 1, 4))
    if k == 0:
        return (), ()
    dims, rem = [], numel
    for _ in range(k - 1):
        d = draw(st.sampled_from(divisors(rem)))
        dims.append(d)
        rem //= d
    dims.append(rem)
    dims = draw(st.permutations(dims))
    arg = list(dims)
    if draw(st.booleans()):
        arg[draw(st.integers(0, len(arg) - 1))] = -1
    return tuple(dims), tuple(arg)


def draw_op(data, shape, views_only=False):
    """Draw one layout op applicable to `shape`; returns (description, tensor_fn, numpy_fn)."""
    nd = len(shape)
    choices = ["slice", "unsqueeze"]
    if nd >= 1:
        choices += ["permute", "transpose", "narrow", "squeeze"]
        if any(s > 0 for s in shape):
            choices.append("select")
    if not views_only:
        choices += ["reshape", "expand", "contiguous", "flatten"]
    op = data.draw(st.sampled_from(choices), label="op")

    if op == "permute":
        perm = data.draw(st.permutations(range(nd)), label="perm")
        return f"permute{perm}", lambda t: t.permute(*perm), lambda a: a.transpose(perm)
    if op == "transpose":
        d0 = data.draw(st.integers(-nd, nd - 1), label="d0")
        d1 = data.draw(st.integers(-nd, nd - 1), label="d1")
        return f"transpose({d0},{d1})", lambda t: t.transpose(d0, d1), lambda a: np.swapaxes(a, d0, d1)
    if op == "slice":
        idx = []
        for s in shape:
            start = data.draw(st.one_of(st.none(), st.integers(-s - 2, s + 2)), label="start")
            stop = data.draw(st.one_of(st.none(), st.integers(-s - 2, s + 2)), label="stop")
            step = data.draw(st.one_of(st.none(), st.integers(1, 3)), label="step")
            idx.append(slice(start, stop, step))
        if data.draw(st.booleans(), label="ellipsis") and nd >= 1:
            idx = idx[: nd - 1] + [Ellipsis]
        if Ellipsis not in idx:
            idx.append(Ellipsis)  # keeps numpy results arrays (views), never scalars
        idx = tuple(idx)
        return f"slice{idx}", lambda t: t[idx], lambda a: a[idx]
    if op == "narrow":
        d = data.draw(st.integers(-nd, nd - 1), label="dim")
        size = shape[d]
        start = data.draw(st.integers(0, size), label="start")
        length = data.draw(st.integers(0, size - start), label="length")
        sl = [slice(None)] * nd
        sl[d] = slice(start, start + length)
        sl = tuple(sl)
        return f"narrow({d},{start},{length})", lambda t: t.narrow(d, start, length), lambda a: a[sl]
    if op == "select":
        dims = [i for i, s in enumerate(shape) if s > 0]
        d = data.draw(st.sampled_from(dims), label="dim")
        i = data.draw(st.integers(-shape[d], shape[d] - 1), label="index")
        sl = [slice(None)] * nd
        sl[d] = i
        sl = tuple(sl) + (Ellipsis,)
        return f"select({d},{i})", lambda t: t.select(d, i), lambda a: a[sl]
    if op == "unsqueeze":
        d = data.draw(st.integers(-nd - 1, nd), label="dim")
        return f"unsqueeze({d})", lambda t: t.unsqueeze(d), lambda a: np.expand_dims(a, d)
    if op == "squeeze":
        if data.draw(st.booleans(), label="all"):
            return "squeeze()", lambda t: t.squeeze(), lambda a: a.squeeze()
        d = data.draw(st.integers(-nd, nd - 1), label="dim")
        np_fn = (lambda a: a.squeeze(d)) if shape[d] == 1 else (lambda a: a)
        return f"squeeze({d})", lambda t: t.squeeze(d), np_fn
    if op == "reshape":
        numel = int(np.prod(shape, dtype=np.int64))
        target, arg = data.draw(reshape_target(numel), label="reshape")
        return f"reshape{arg}", lambda t: t.reshape(arg), lambda a: a.reshape(target)
    if op == "expand":
        new_lead = data.draw(st.lists(st.integers(0, 3), max_size=max(0, 4 - nd)), label="lead")
        sizes = list(new_lead)
        np_sizes = list(new_lead)
        for s in shape:
            if s == 1:
                n = data.draw(st.integers(0, 4), label="grow")
                keep = data.draw(st.booleans(), label="minus1")
                sizes.append(-1 if keep else n)
                np_sizes.append(1 if keep else n)
            else:
                keep = data.draw(st.booleans(), label="minus1")
                sizes.append(-1 if keep else s)
                np_sizes.append(s)
        sizes, np_sizes = tuple(sizes), tuple(np_sizes)
        return f"expand{sizes}", (lambda t: t.expand(*sizes)) if sizes else (lambda t: t.expand(sizes)), lambda a: np.broadcast_to(a, np_sizes)
    if op == "contiguous":
        return "contiguous()", lambda t: t.contiguous(), lambda a: np.array(a, order="C")
    if op == "flatten":
        if nd == 0:
            return "flatten()", lambda t: t.flatten(), lambda a: a.reshape(1)
        s = data.draw(st.integers(0, nd - 1), label="start")
        e = data.draw(st.integers(s, nd - 1), label="end")
        new_shape = shape[:s] + (int(np.prod(shape[s:e + 1], dtype=np.int64)),) + shape[e + 1:]
        return f"flatten({s},{e})", lambda t: t.flatten(s, e), lambda a: a.reshape(new_shape)
    raise AssertionError(op)


def check_same(t, a, name, where):
    assert tuple(t.shape) == a.shape, where
    assert t.dtype == dt(name), where
    assert_close(t, np.asarray(a), check_dtype=name != "bfloat16")


# ----------------------------------------------------------------------------------------------------------
# layout op chains
# ----------------------------------------------------------------------------------------------------------
@SETTINGS
@given(shape=shapes, name=dtype_names, seed=st.integers(0, 2 ** 16), data=st.data())
def test_layout_chain_matches_numpy(shape, name, seed, data):
    t, a = made_with_layout(data, shape, name, seed)
    history = []
    n_ops = data.draw(st.integers(1, 6), label="n_ops")
    for _ in range(n_ops):
        desc, tf, nf = draw_op(data, tuple(a.shape))
        history.append(desc)
        t, a = tf(t), nf(a)
        check_same(t, a, name, history)
    check_same(t.contiguous(), a, name, history)
    check_same(t.clone(), a, name, history)
    assert t.numel() == a.size
    assert t.dim() == a.ndim


@SETTINGS
@given(shape=shapes, name=dtype_names, seed=st.integers(0, 2 ** 16), data=st.data())
def test_view_chain_writes_through(shape, name, seed, data):
    """A chain of pure view ops shares memory with the base: a write through it lands in the base."""
    base_np = np_random(shape, name, seed).copy()
    base = mk(base_np, name)
    t, a = base, base_np
    history = []
    for _ in range(data.draw(st.integers(1, 5), label="n_ops")):
        desc, tf, nf = draw_op(data, tuple(a.shape), views_only=True)
        history.append(desc)
        t, a = tf(t), nf(a)
    assert np.shares_memory(a, base_np) or a.size == 0, history  # sanity of the oracle itself
    if t.numel():
        assert base.data_ptr() <= t.data_ptr() < base.data_ptr() + base.numel() * base.element_size()
        k = data.draw(st.integers(0, 2), label="value")
        value = bool(k) if name == "bool" else k
        t.fill_(value)
        a[...] = value
    check_same(base, base_np, name, history)


@SETTINGS
@given(shape=shapes, seed=st.integers(0, 2 ** 16), data=st.data())
def test_reshape_view_or_copy(shape, seed, data):
    """reshape() gives the right values; it returns a view exactly when .view() succeeds."""
    t, a = made_with_layout(data, shape, "float32", seed)
    target, arg = data.draw(reshape_target(int(np.prod(shape, dtype=np.int64))), label="target")
    r = t.reshape(arg)
    check_same(r, a.reshape(target), "float32", arg)
    try:
        v = t.view(arg)
    except RuntimeError as e:
        assert "view size is not compatible" in str(e)
        viewable = False
    else:
        viewable = True
        check_same(v, a.reshape(target), "float32", arg)
    if t.numel() > 0:
        shares = r.data_ptr() == t.data_ptr()
        assert shares == viewable
    if t.is_contiguous():
        assert viewable


# ----------------------------------------------------------------------------------------------------------
# broadcasting binary ops
# ----------------------------------------------------------------------------------------------------------
@SETTINGS
@given(shapes2=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=5),
       name=dtype_names, seed=st.integers(0, 2 ** 16), data=st.data())
def test_broadcast_add_mul(shapes2, name, seed, data):
    (sa, sb), out_shape = shapes2.input_shapes, shapes2.result_shape
    ta, na = made_with_layout(data, sa, name, seed)
    tb, nb = made_with_layout(data, sb, name, seed + 1)
    for op, npop in [(lambda x, y: x + y, np.add), (lambda x, y: x * y, np.multiply),
                     (rtorch.add, np.add), (rtorch.mul, np.multiply)]:
        r = op(ta, tb)
        if name == "bfloat16":
            exp = npop(na.astype(np.float32), nb.astype(np.float32))
        else:
            exp = npop(na, nb)
        assert tuple(r.shape) == tuple(out_shape)
        assert r.dtype == dt(name)
        assert_close(r, exp, check_dtype=name != "bfloat16")
    # inputs are untouched
    assert_close(ta, na, check_dtype=name != "bfloat16")
    assert_close(tb, nb, check_dtype=name != "bfloat16")


@SETTINGS
@given(shapes2=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0, max_side=5),
       name=st.sampled_from(["float32", "float64", "int64", "int32"]), seed=st.integers(0, 2 ** 16), data=st.data())
def test_broadcast_with_expanded_operands(shapes2, name, seed, data):
    """Operands that are themselves expanded (stride 0) views broadcast like numpy."""
    (sa, sb), out_shape = shapes2.input_shapes, shapes2.result_shape
    a = np_random(sa, name, seed)
    b = np_random(sb, name, seed + 7)
    ta = mk(a, name).expand(tuple(out_shape))
    tb = mk(b, name)
    ea = np.broadcast_to(a, out_shape)
    assert_close(ta + tb, ea + b)
    assert_close(tb * ta, b * ea)


# ----------------------------------------------------------------------------------------------------------
# reductions
# ----------------------------------------------------------------------------------------------------------
def np_sum(a, name, axis, keepdims):
    if name in FLOAT_DTYPES:
        r = np.sum(a.astype(np.float64), axis=axis, keepdims=keepdims)
        return np.asarray(r).astype(np.float32 if name == "bfloat16" else NP_DTYPES[name])
    return np.asarray(np.sum(a.astype(np.int64), axis=axis, keepdims=keepdims), dtype=np.int64)


@SETTINGS
@given(shape=shapes, name=dtype_names, seed=st.integers(0, 2 ** 16), data=st.data(), keepdim=st.booleans())
def test_sum_over_dim(shape, name, seed, data, keepdim):
    t, a = made_with_layout(data, shape, name, seed)
    out_dtype = dt(name) if name in FLOAT_DTYPES else rtorch.int64
    nd = len(shape)
    if nd == 0:
        d = data.draw(st.sampled_from([0, -1]), label="dim")
        r = t.sum(d, keepdim=keepdim)
        assert r.dtype == out_dtype
        assert_close(r, np_sum(a, name, None, False), check_dtype=name != "bfloat16")
        return
    mode = data.draw(st.sampled_from(["int", "tuple"]), label="mode")
    if mode == "int":
        d = data.draw(st.integers(-nd, nd - 1), label="dim")
        axis = d
    else:
        ds = data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True), label="dims")
        neg = data.draw(st.booleans(), label="neg")
        d = tuple(x - nd if neg else x for x in ds)
        axis = tuple(ds)
    r = t.sum(d, keepdim=keepdim)
    exp = np_sum(a, name, axis, keepdim)
    assert r.dtype == out_dtype
    assert tuple(r.shape) == exp.shape
    assert_close(r, exp, check_dtype=name != "bfloat16", rtol=2e-2 if name in ("float16", "bfloat16") else None,
                 atol=0.5 if name in ("float16", "bfloat16") else None)
    r2 = rtorch.sum(t, dim=d, keepdim=keepdim)
    assert_close(r2, exp, check_dtype=name != "bfloat16", rtol=2e-2 if name in ("float16", "bfloat16") else None,
                 atol=0.5 if name in ("float16", "bfloat16") else None)


@SETTINGS
@given(shape=shapes, name=dtype_names, seed=st.integers(0, 2 ** 16), data=st.data())
def test_sum_all(shape, name, seed, data):
    t, a = made_with_layout(data, shape, name, seed)
    r = t.sum()
    assert tuple(r.shape) == ()
    assert r.dtype == (dt(name) if name in FLOAT_DTYPES else rtorch.int64)
    exp = np_sum(a, name, None, False)
    tol = {"rtol": 2e-2, "atol": 0.5} if name in ("float16", "bfloat16") else {}
    assert_close(r, exp, check_dtype=name != "bfloat16", **tol)
    assert_close(rtorch.sum(t), exp, check_dtype=name != "bfloat16", **tol)

"""Index-based gather/scatter ops: index_select, take, take_along_dim, gather, scatter(_), scatter_add(_),
scatter_reduce(_), index_add(_), index_copy(_), index_fill(_), index_put(_), masked_select, masked_scatter(_),
nonzero, argwhere.

numpy is the value oracle (np.take, np.take_along_axis, ufunc.at, boolean masks, np.argwhere); every test
runs on rtorch and on PyTorch (the `lib` fixture), so the torch half checks that the spec is torch's.
Covered: every dtype as data, int64 and (where torch takes them) int32 indices, contiguous / transposed /
sliced-with-steps data, index, source and mask tensors, negative dims and (where torch allows them)
negative indices, empty and 0-dim tensors, mask broadcasting, function / method / in-place / ``out=`` forms.
Bad input raises torch's exception type with a distinctive part of its message.  Gradients: elsewhere.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import ALL_DTYPES, FLOAT_DTYPES, NP_DTYPES, TOLS, dname, np_vals, raises, rng_for, to_oracle

IDX_DTYPES = ["int64", "int32"]
KINDS = ["contiguous", "transposed", "sliced"]
REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]
SHAPE = (3, 4, 5)


# ----------------------------------------------------------------------------------------------------------
# helpers (library-agnostic: `lib` is rtorch or torch)
# ----------------------------------------------------------------------------------------------------------
def tens(lib, a, name, kind="contiguous"):
    """A `lib` tensor of dtype `name` holding numpy `a`, laid out as `kind` (one of KINDS)."""
    a = np.asarray(a).astype(NP_DTYPES[name])
    build = lambda v: lib.tensor(np.array(v, order="C"), dtype=getattr(lib, name))  # noqa: E731
    if a.ndim == 0 or kind == "contiguous":
        return build(a)
    if kind == "transposed":
        perm = tuple(reversed(range(a.ndim)))
        return build(np.ascontiguousarray(a.transpose(perm))).permute(*perm)
    assert kind == "sliced"
    big = np.zeros(tuple(2 * s + 1 for s in a.shape), dtype=a.dtype)
    sl = tuple(slice(1, None, 2) for _ in a.shape)
    big[sl] = a
    return build(big)[sl]


def npy(t) -> np.ndarray:
    """A numpy copy of a tensor's values (bfloat16 through float32)."""
    if dname(t) == "bfloat16":
        t = t.float()
    return np.array(t.numpy(), copy=True)


def check(t, expected, name):
    """`t` has dtype `name`, and `expected`'s shape and values (cast / rounded to that dtype)."""
    assert dname(t) == name, f"dtype {dname(t)} != {name}"
    exp = to_oracle(expected, name)
    got = npy(t)
    assert got.shape == exp.shape, f"shape {got.shape} != {exp.shape}"
    if name in TOLS:
        r, a = TOLS[name]
        np.testing.assert_allclose(got.astype(np.float64), exp.astype(np.float64), rtol=r, atol=a, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, exp)


def same(r, t):
    """An in-place op returns its receiver."""
    assert r is t or r.data_ptr() == t.data_ptr()


def scalar_for(name):
    """A python fill value valid (and exact) for dtype `name`."""
    return True if name == "bool" else (2.5 if name in FLOAT_DTYPES else 7)


def mul_vals(shape, name, rng):
    """Values whose products stay exact in every float dtype (powers of two); ints wrap like torch."""
    if name in FLOAT_DTYPES:
        return to_oracle(rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], shape), name)
    return np_vals(shape, name, seed=int(rng.integers(0, 9)))


def distinct_index(rng, shape, dim, n):
    """An int64 index of `shape` whose entries along `dim` are distinct values in [0, n)."""
    keys = rng.random(shape[:dim] + (n,) + shape[dim + 1:])
    return np.take(np.argsort(keys, axis=dim), np.arange(shape[dim]), axis=dim)


def trim(a, shape):
    """The leading `shape` corner of `a`."""
    return a[tuple(slice(0, s) for s in shape)]


def targets(ind, dim):
    """The numpy index that addresses self at the positions an index along `dim` scatters to."""
    coords = list(np.indices(ind.shape, sparse=True))
    coords[dim] = ind
    return tuple(coords)


def work(a):
    """A copy to accumulate in: float64 for floats, the dtype itself otherwise (ints wrap like torch)."""
    return a.astype(np.float64) if a.dtype.kind == "f" else a.copy()


def np_scatter(a, dim, ind, src, reduce=None):
    out, t = work(a), targets(ind, dim)
    v = trim(src, ind.shape) if np.ndim(src) else src
    {None: out.__setitem__, "add": lambda t_, v_: np.add.at(out, t_, v_),
     "multiply": lambda t_, v_: np.multiply.at(out, t_, v_)}[reduce](t, v)
    return out


def np_scatter_reduce(a, dim, ind, src, reduce, include_self):
    out, t, v = work(a), targets(ind, dim), trim(src, ind.shape)
    hit = np.zeros(a.shape, bool)
    hit[t] = True
    count = np.zeros(a.shape, np.int64)
    np.add.at(count, t, 1)
    if a.dtype == np.bool_:
        lo, hi = False, True
    elif out.dtype.kind == "f":
        lo, hi = -np.inf, np.inf
    else:
        lo, hi = np.iinfo(a.dtype).min, np.iinfo(a.dtype).max
    ufunc, identity = {"sum": (np.add, 0), "mean": (np.add, 0), "prod": (np.multiply, 1),
                       "amax": (np.maximum, lo), "amin": (np.minimum, hi)}[reduce]
    if not include_self:
        out[hit] = identity
    ufunc.at(out, t, v)
    if reduce == "mean":  # integer dtypes divide with floor rounding
        c = np.maximum(count + int(include_self), 1).astype(out.dtype)
        out = np.where(hit, out / c if out.dtype.kind == "f" else np.floor_divide(out, c), out)
    return out


def along(dim, ind):
    """The numpy index selecting `ind` along `dim` (all of the other dims)."""
    return (slice(None),) * dim + (ind,)


def np_index_add(a, dim, ind, src, alpha):
    wide = np.float64 if a.dtype.kind == "f" else np.int64
    out = a.astype(wide)
    np.add.at(out, along(dim, ind), src.astype(wide) * alpha)
    return out != 0 if a.dtype == np.bool_ else out


# ----------------------------------------------------------------------------------------------------------
# index_select / take / take_along_dim / gather
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("idt", IDX_DTYPES)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_index_select(lib, name, idt, kind):
    a = np_vals(SHAPE, name)
    x = tens(lib, a, name, kind)
    rng = rng_for("index_select", name, idt, kind)
    for dim in (0, 1, 2, -1, -3):
        ind = rng.integers(0, a.shape[dim], 7)  # unordered, with duplicates
        i = tens(lib, ind, idt, kind)
        expected = np.take(a, ind, axis=dim)
        check(x.index_select(dim, i), expected, name)
        check(lib.index_select(x, dim, i), expected, name)
    check(x, a, name)  # the input is untouched


def test_index_select_edges(lib):
    a = np_vals((3, 4), "float32")
    x = tens(lib, a, "float32")
    out = lib.empty(0, dtype=lib.float32)
    assert lib.index_select(x, 1, tens(lib, [3, 0, 3], "int64"), out=out) is out
    check(out, a[:, [3, 0, 3]], "float32")
    check(x.index_select(0, tens(lib, np.array(1), "int64")), a[[1]], "float32")  # 0-dim index: one entry
    check(x.index_select(1, tens(lib, np.zeros(0), "int64")), a[:, :0], "float32")
    s = np.array(2.5, np.float32)
    for i in (np.array(0), np.array([0])):  # a 0-dim self: dim 0 / -1, index 0 only
        check(tens(lib, s, "float32").index_select(-1, tens(lib, i, "int32")), s, "float32")


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", KINDS)
def test_take(lib, name, kind):
    a = np_vals(SHAPE, name, seed=1)
    x = tens(lib, a, name, kind)
    rng = rng_for("take", name, kind)
    ind = rng.integers(-a.size, a.size, (2, 3))  # negative indices count from the end
    i = tens(lib, ind, "int64", kind)
    check(x.take(i), np.take(a, ind), name)
    check(lib.take(x, i), np.take(a, ind), name)
    empty = np.zeros((0, 2), np.int64)
    check(x.take(tens(lib, empty, "int64")), np.take(a, empty), name)


def test_take_edges(lib):
    s = np_vals((), "int64")
    check(tens(lib, s, "int64").take(tens(lib, [0, -1], "int64")), np.take(s, [0, -1]), "int64")
    a = np_vals((2, 3), "float64")
    check(tens(lib, a, "float64").take(tens(lib, np.array(-2), "int64")), np.take(a, -2), "float64")
    out = lib.empty(0, dtype=lib.float64)
    assert lib.take(tens(lib, a, "float64"), tens(lib, [[5], [0]], "int64"), out=out) is out
    check(out, np.take(a, [[5], [0]]), "float64")


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("kind", KINDS)
def test_take_along_dim(lib, name, kind):
    a = np_vals(SHAPE, name, seed=2)
    x = tens(lib, a, name, kind)
    rng = rng_for("take_along_dim", name, kind)
    for dim in (0, 1, 2, -1):
        n = a.shape[dim]
        shape = list(SHAPE)
        shape[dim] = 6
        ind = rng.integers(-n, n, shape)  # with a dim, negative indices count from the end
        expected = np.take_along_axis(a, ind, axis=dim)
        check(x.take_along_dim(tens(lib, ind, "int64", kind), dim), expected, name)
        check(lib.take_along_dim(x, tens(lib, ind, "int64"), dim=dim), expected, name)
        shape = [1, 1, 1]  # index and self broadcast against each other outside `dim`
        shape[dim] = 2
        ind = rng.integers(0, n, shape)
        check(x.take_along_dim(tens(lib, ind, "int64", kind), dim), np.take_along_axis(a, ind, axis=dim), name)
    # no dim: the flattened input, a 1-d result (torch flattens input and index with view(): contiguous only)
    x = tens(lib, a, name)
    ind = rng.integers(0, a.size, (2, 3))
    check(x.take_along_dim(tens(lib, ind, "int64")), a.ravel()[ind.ravel()], name)
    out = lib.empty(0, dtype=getattr(lib, name))
    assert lib.take_along_dim(x, tens(lib, ind, "int64"), out=out) is out
    check(out, a.ravel()[ind.ravel()], name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("idt", IDX_DTYPES)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_gather(lib, name, idt, kind):
    a = np_vals(SHAPE, name, seed=3)
    x = tens(lib, a, name, kind)
    rng = rng_for("gather", name, idt, kind)
    for dim in (0, 1, 2, -1, -3):
        d = dim % 3
        shape = [2, 3, 4]  # may be smaller than self outside `dim`, and longer along it
        shape[d] = 6
        ind = rng.integers(0, a.shape[d], shape)
        sub = a[tuple(slice(None) if k == d else slice(0, s) for k, s in enumerate(shape))]
        expected = np.take_along_axis(sub, ind, axis=d)
        i = tens(lib, ind, idt, kind)
        check(x.gather(dim, i), expected, name)
        check(lib.gather(x, dim, i), expected, name)
        out = lib.empty(0, dtype=getattr(lib, name))
        assert lib.gather(x, dim, i, out=out) is out
        check(out, expected, name)


def test_gather_edges(lib):
    s = np.array(1.5)
    x = tens(lib, s, "float64")
    check(x.gather(0, tens(lib, np.array(0), "int64")), s, "float64")
    check(x.gather(-1, tens(lib, [0, 0], "int64")), np.array([s, s]), "float64")
    a = np_vals((3, 4), "float64")
    check(tens(lib, a, "float64").gather(1, tens(lib, np.zeros((3, 0)), "int64")), a[:, :0], "float64")


# ----------------------------------------------------------------------------------------------------------
# scatter / scatter_add / scatter_reduce
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("idt", IDX_DTYPES)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_scatter(lib, name, idt, kind):
    a, src = np_vals(SHAPE, name), np_vals((4, 5, 6), name, seed=4)  # src may be larger than the index
    rng = rng_for("scatter", name, idt, kind)
    v = scalar_for(name)
    for dim in (0, 1, -1):
        d = dim % 3
        shape = [2, 3, 4]
        shape[d] = min(3, SHAPE[d])
        ind = distinct_index(rng, tuple(shape), d, SHAPE[d])  # no duplicate targets: deterministic
        x, i, s = tens(lib, a, name, kind), tens(lib, ind, idt, kind), tens(lib, src, name, kind)
        expected = np_scatter(a, d, ind, src)
        check(x.scatter(dim, i, s), expected, name)
        check(lib.scatter(x, dim, i, s), expected, name)
        check(x.scatter(dim, i, value=v), np_scatter(a, d, ind, v), name)
        check(lib.scatter(x, dim, i, v), np_scatter(a, d, ind, v), name)
        check(x, a, name)
        same(x.scatter_(dim, i, s), x)  # writes through a strided view
        check(x, expected, name)
        y = tens(lib, a, name, kind)
        same(y.scatter_(dim, i, v), y)
        check(y, np_scatter(a, d, ind, v), name)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_scatter_reduce_argument(lib, name, reduce):
    rng = rng_for("scatter reduce=", name, reduce)
    a, src = mul_vals(SHAPE, name, rng), mul_vals((4, 5, 6), name, rng)
    v = True if name == "bool" else (2 if name in FLOAT_DTYPES else 3)
    for dim, kind in ((0, "transposed"), (-1, "sliced")):
        shape = [3, 4, 5]
        shape[dim] = 4
        ind = rng.integers(0, SHAPE[dim], shape)  # duplicates accumulate
        x, i, s = tens(lib, a, name, kind), tens(lib, ind, "int64", kind), tens(lib, src, name, kind)
        check(x.scatter(dim, i, s, reduce=reduce), np_scatter(a, dim % 3, ind, src, reduce), name)
        check(lib.scatter(x, dim, i, v, reduce=reduce), np_scatter(a, dim % 3, ind, v, reduce), name)
        same(x.scatter_(dim, i, s, reduce=reduce), x)
        check(x, np_scatter(a, dim % 3, ind, src, reduce), name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("idt", IDX_DTYPES)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_scatter_add(lib, name, idt, kind):
    a, src = np_vals(SHAPE, name, seed=5), np_vals((4, 5, 6), name, seed=6)
    rng = rng_for("scatter_add", name, idt, kind)
    for dim in (0, 1, -1):
        shape = [2, 3, 4]
        shape[dim] = 4
        ind = rng.integers(0, SHAPE[dim], shape)
        x, i, s = tens(lib, a, name, kind), tens(lib, ind, idt, kind), tens(lib, src, name, kind)
        expected = np_scatter(a, dim % 3, ind, src, "add")
        check(x.scatter_add(dim, i, s), expected, name)
        check(lib.scatter_add(x, dim, i, s), expected, name)
        same(x.scatter_add_(dim, i, s), x)
        check(x, expected, name)


def reduce_case(lib, name, reduce, include_self, kind, idt):
    rng = rng_for("scatter_reduce", name, reduce, include_self, kind, idt)
    gen = (lambda shape: mul_vals(shape, name, rng)) if reduce == "prod" else \
        (lambda shape: np_vals(shape, name, seed=int(rng.integers(0, 9))))
    a, src = gen(SHAPE), gen((4, 5, 6))
    for dim in (0, -1):
        shape = [2, 3, 4]
        shape[dim] = 4
        ind = rng.integers(0, SHAPE[dim], shape)
        x, i, s = tens(lib, a, name, kind), tens(lib, ind, idt, kind), tens(lib, src, name, kind)
        expected = np_scatter_reduce(a, dim % 3, ind, src, reduce, include_self)
        check(x.scatter_reduce(dim, i, s, reduce, include_self=include_self), expected, name)
        check(lib.scatter_reduce(x, dim, i, s, reduce=reduce, include_self=include_self), expected, name)
        same(x.scatter_reduce_(dim, i, s, reduce, include_self=include_self), x)
        check(x, expected, name)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_scatter_reduce(lib, name, reduce, include_self):
    if name == "bool" and reduce == "mean":
        pytest.skip("torch has no mean for bool (see test_errors)")
    reduce_case(lib, name, reduce, include_self, "contiguous", "int64")


@pytest.mark.parametrize("kind", ["transposed", "sliced"])
@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("name", ["float32", "int32"])
def test_scatter_reduce_layouts(lib, name, reduce, kind):
    reduce_case(lib, name, reduce, False, kind, "int32")


def test_scatter_zero_dim(lib):
    s, v = np.array(1.5), np.array(4.0)
    x, i, src = tens(lib, s, "float64"), tens(lib, np.array(0), "int64"), tens(lib, v, "float64")
    check(x.scatter(0, i, src), v, "float64")
    check(x.scatter_add(0, i, src), s + v, "float64")
    check(x.scatter_reduce(-1, i, src, "amax", include_self=False), v, "float64")
    check(x.scatter(0, tens(lib, np.zeros(0), "int64"), tens(lib, [9.0], "float64")), s, "float64")


# ----------------------------------------------------------------------------------------------------------
# index_add / index_copy / index_fill / index_put
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("idt", IDX_DTYPES)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_index_add(lib, name, idt, kind):
    a = np_vals(SHAPE, name, seed=7)
    rng = rng_for("index_add", name, idt, kind)
    for dim in (0, 1, -1):
        ind = rng.integers(0, SHAPE[dim], 6)  # duplicates accumulate
        shape = list(SHAPE)
        shape[dim] = 6
        src = np_vals(shape, name, seed=8)
        x, i, s = tens(lib, a, name, kind), tens(lib, ind, idt, kind), tens(lib, src, name, kind)
        check(x.index_add(dim, i, s), np_index_add(a, dim % 3, ind, src, 1), name)
        check(lib.index_add(x, dim, i, s, alpha=2), np_index_add(a, dim % 3, ind, src, 2), name)
        same(x.index_add_(dim, i, s, alpha=2), x)
        check(x, np_index_add(a, dim % 3, ind, src, 2), name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_index_copy(lib, name, kind):
    a = np_vals(SHAPE, name, seed=9)
    rng = rng_for("index_copy", name, kind)
    for dim in (0, 1, -1):
        ind = rng.permutation(SHAPE[dim])[:3]  # distinct: deterministic
        shape = list(SHAPE)
        shape[dim] = 3
        src = np_vals(shape, name, seed=10)
        expected = a.copy()
        expected[along(dim % 3, ind)] = src
        x, i, s = tens(lib, a, name, kind), tens(lib, ind, "int64", kind), tens(lib, src, name, kind)
        check(x.index_copy(dim, i, s), expected, name)
        check(lib.index_copy(x, dim, i, s), expected, name)
        same(x.index_copy_(dim, i, s), x)
        check(x, expected, name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_index_fill(lib, name, kind):
    a = np_vals(SHAPE, name, seed=11)
    rng = rng_for("index_fill", name, kind)
    v = scalar_for(name)
    for dim in (0, 1, -1):
        ind = rng.integers(-SHAPE[dim], SHAPE[dim], 4)  # negative indices and duplicates are fine
        expected = a.copy()
        expected[along(dim % 3, ind)] = v
        x, i = tens(lib, a, name, kind), tens(lib, ind, "int64", kind)
        check(x.index_fill(dim, i, v), expected, name)
        check(lib.index_fill(x, dim, i, tens(lib, np.array(v), name)), expected, name)  # 0-dim value
        same(x.index_fill_(dim, i, v), x)
        check(x, expected, name)
    s = np.array(v)
    check(tens(lib, s, name).index_fill(0, tens(lib, [0], "int64"), v), s, name)


@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("idt", IDX_DTYPES)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_index_put(lib, name, idt, kind, accumulate):
    a = np_vals(SHAPE, name, seed=12)
    rng = rng_for("index_put", name, idt, kind, accumulate)

    def pick(n, k, shape):  # negative indices allowed; duplicates only when accumulating
        ind = rng.integers(0, n, k) if accumulate else rng.permutation(n)[:k]
        return np.where(rng.random(k) < 0.5, ind - n, ind).reshape(shape)

    cases = [  # (index arrays, value shape): index tensors broadcast together, values to the result
        ((pick(3, 2, (2, 1)), pick(4, 3, (1, 3))), (3, 5)),
        ((pick(3, 3, (3,)),), (5,)),
        ((pick(3, 2, (2,)), pick(4, 2, (2,)), pick(5, 2, (2,))), (2,)),
        ((pick(3, 2, (2,)),), (2, 4, 5)),
    ]
    for ind, vshape in cases:
        vals = np_vals(vshape, name, seed=13)
        expected = a.copy()
        if accumulate:
            np.add.at(expected, ind, vals)
        else:
            expected[ind] = vals
        x, v = tens(lib, a, name, kind), tens(lib, vals, name, kind)
        idx = tuple(tens(lib, i, idt, kind) for i in ind)
        check(x.index_put(idx, v, accumulate=accumulate), expected, name)
        check(lib.index_put(x, idx, v, accumulate), expected, name)
        check(x, a, name)
        same(x.index_put_(idx, v, accumulate=accumulate), x)
        check(x, expected, name)


# ----------------------------------------------------------------------------------------------------------
# masked_select / masked_scatter / nonzero / argwhere
# ----------------------------------------------------------------------------------------------------------
MASK_SHAPES = [(3, 4, 5), (4, 5), (1, 4, 1), (), (2, 3, 4, 5)]  # the last one broadcasts self too


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_masked_select(lib, name, kind):
    a = np_vals(SHAPE, name, seed=14)
    rng = rng_for("masked_select", name, kind)
    x = tens(lib, a, name, kind)
    for mshape in MASK_SHAPES:
        m = rng.random(mshape) < 0.5
        ab, mb = np.broadcast_arrays(a, m)
        mask = tens(lib, m, "bool", kind)
        check(x.masked_select(mask), ab[mb], name)
        check(lib.masked_select(x, mask), ab[mb], name)
    out = lib.empty(0, dtype=getattr(lib, name))
    assert lib.masked_select(x, mask, out=out) is out
    check(out, ab[mb], name)
    s = np.array(scalar_for(name))
    for flag in (True, False):
        check(tens(lib, s, name).masked_select(tens(lib, np.array(flag), "bool")), s[np.array(flag)], name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_masked_scatter(lib, name, kind):
    a = np_vals(SHAPE, name, seed=15)
    rng = rng_for("masked_scatter", name, kind)
    src = np_vals((8, 16), name, seed=16)  # any shape with enough elements; consumed in row-major order
    s = tens(lib, src, name, kind)
    for mshape in MASK_SHAPES:
        m = rng.random(mshape) < 0.5
        ab, mb = np.broadcast_arrays(a, m)
        expected = ab.copy()
        expected[mb] = src.ravel()[:mb.sum()]
        x, mask = tens(lib, a, name, kind), tens(lib, m, "bool", kind)
        check(x.masked_scatter(mask, s), expected, name)
        check(lib.masked_scatter(x, mask, s), expected, name)
        if len(mshape) <= 3:  # in place: the mask must broadcast to self
            same(x.masked_scatter_(mask, s), x)
            check(x, expected, name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_nonzero_argwhere(lib, name, kind):
    rng = rng_for("nonzero", name, kind)
    a = np_vals(SHAPE, name, seed=17)
    a = np.where(rng.random(SHAPE) < 0.4, np.zeros_like(a), a)
    x = tens(lib, a, name, kind)
    for r in (x.nonzero(), lib.nonzero(x), x.argwhere(), lib.argwhere(x)):
        check(r, np.argwhere(a), "int64")
    for res in (x.nonzero(as_tuple=True), lib.nonzero(x, as_tuple=True)):
        assert isinstance(res, tuple) and len(res) == 3
        for r, e in zip(res, np.nonzero(a)):
            check(r, e, "int64")
    out = lib.empty(0, dtype=lib.int64)
    assert lib.nonzero(x, out=out) is out
    check(out, np.argwhere(a), "int64")


@pytest.mark.parametrize("values", [np.array(3.0), np.array(0.0), np.zeros((0, 3)),
                                    np.array([np.nan, -0.0, 0.0, np.inf, -1e-30])])
def test_nonzero_edges(lib, values):
    x = tens(lib, values, "float64")
    check(x.nonzero(), np.argwhere(values), "int64")
    check(lib.argwhere(x), np.argwhere(values), "int64")
    res = x.nonzero(as_tuple=True)  # a 0-dim input behaves as a 1-element vector here
    expected = np.nonzero(np.atleast_1d(values))
    assert len(res) == len(expected)
    for r, e in zip(res, expected):
        check(r, e, "int64")


# ----------------------------------------------------------------------------------------------------------
# errors: torch's exception type and a distinctive part of its message
# ----------------------------------------------------------------------------------------------------------
def F(lib, *shape):
    """float32 0, 1, 2, ... of `shape` (a 0-dim tensor when no shape is given)."""
    return lib.arange(float(np.prod(shape))).reshape(*shape) if shape else lib.tensor(0.0)


def I(lib, values, dtype="int64"):  # noqa: E743
    return lib.tensor(values, dtype=getattr(lib, dtype))


def B(lib, values):
    return lib.tensor(values, dtype=lib.bool)


IE, RE = IndexError, RuntimeError
OOB = r"index out of range in self"
ERRORS = [  # (id, exception, regex on the message, fn(lib))
    # index_select: an int32/int64 vector of in-range, non-negative entries
    ("isel_oob_dim0", IE, OOB, lambda L: F(L, 3, 4, 5).index_select(0, I(L, [0, 3]))),
    ("isel_neg_dim0", IE, OOB, lambda L: F(L, 3, 4).index_select(0, I(L, [-1]))),
    ("isel_oob_last", IE, OOB, lambda L: F(L, 3, 4, 5).index_select(-1, I(L, [5], "int32"))),
    ("isel_oob_0dim", IE, OOB, lambda L: F(L).index_select(0, I(L, [1]))),
    # (a middle dim goes through another torch kernel, with another message)
    ("isel_oob_mid", (IE, RE), OOB + r"|out of DATA bounds, id=7 axis_dim=4",
     lambda L: F(L, 3, 4, 5).index_select(1, I(L, [7]))),
    ("isel_float_idx", RE, r"index_select\(\): Expected dtype int32 or int64 for index",
     lambda L: F(L, 3).index_select(0, L.tensor([0.0]))),
    ("isel_int16_idx", RE, r"Expected dtype int32 or int64 for index",
     lambda L: F(L, 3).index_select(0, I(L, [0], "int16"))),
    ("isel_2d_idx", IE, r"index_select\(\): Index is supposed to be a vector",
     lambda L: F(L, 3).index_select(0, I(L, [[0]]))),
    ("isel_scalar_two", RE, r"Index to scalar can have only 1 value, got 2 value\(s\)",
     lambda L: F(L).index_select(0, I(L, [0, 0]))),
    ("isel_bad_dim", IE, r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
     lambda L: F(L, 3, 4).index_select(2, I(L, [0]))),
    ("isel_out_dtype", RE, r"index_select\(\): self and result must have the same scalar type",
     lambda L: L.index_select(F(L, 3), 0, I(L, [0]), out=L.empty(0, dtype=L.int64))),
    # take: int64 only; negative indices count from the end
    ("take_oob", IE, r"out of range: tried to access index 12 on a tensor of 12 elements",
     lambda L: F(L, 3, 4).take(I(L, [0, 12]))),
    ("take_oob_neg", IE, r"tried to access index -13 on a tensor of 12 elements",
     lambda L: F(L, 3, 4).take(I(L, [-13]))),
    ("take_int32", RE, r"take\(\): Expected a long tensor for index, but got Int",
     lambda L: F(L, 3).take(I(L, [0], "int32"))),
    ("take_float", RE, r"take\(\): Expected a long tensor for index, but got Float",
     lambda L: F(L, 3).take(L.tensor([0.0]))),
    ("take_empty_self", IE, r"take\(\): tried to take from an empty tensor", lambda L: F(L, 0).take(I(L, [0]))),
    ("take_out_dtype", RE, r"take\(\): self and out expected to have the same dtype",
     lambda L: L.take(F(L, 3), I(L, [0]), out=L.empty(0, dtype=L.int64))),
    # take_along_dim: int64 only, same ndim; without a dim the flat index must be in range (no negatives)
    ("tad_int32", RE, r"take_along_dim\(\): dtype of indices should be Long but got Int",
     lambda L: F(L, 3, 4).take_along_dim(I(L, [[0]], "int32"), 1)),
    ("tad_ndim", RE, r"input and indices should have the same number of dimensions, but got 2 dimensions for input, "
                     r"and 1 dimensions for indices", lambda L: F(L, 3, 4).take_along_dim(I(L, [0]), 1)),
    ("tad_flat_oob", RE, r"index 12 is out of bounds for dimension 0 with size 12",
     lambda L: F(L, 3, 4).take_along_dim(I(L, [12]))),
    ("tad_flat_neg", RE, r"index -1 is out of bounds for dimension 0 with size 12",
     lambda L: F(L, 3, 4).take_along_dim(I(L, [-1]))),
    ("tad_bcast", RE, r"The size of tensor a \(4\) must match the size of tensor b \(2\) at "
                      r"non-singleton dimension 1",
     lambda L: F(L, 3, 4).take_along_dim(I(L, [[0, 1]]), 0)),
    # gather
    ("gather_oob", RE, r"index 5 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).gather(1, I(L, [[0], [5]]))),
    ("gather_neg", RE, r"index -1 is out of bounds for dimension 0 with size 3",
     lambda L: F(L, 3, 4).gather(0, I(L, [[-1]], "int32"))),
    ("gather_float", RE, r"gather\(\): Expected dtype int32/int64 for index",
     lambda L: F(L, 3, 4).gather(1, L.zeros(2, 1))),
    ("gather_ndim", RE, r"Index tensor must have the same number of dimensions as input tensor",
     lambda L: F(L, 3, 4).gather(1, I(L, [0]))),
    ("gather_size", RE, r"Size does not match at dimension 0 expected index \[4, 1\] to be no larger than "
                        r"self \[3, 4\] apart from dimension 1",
     lambda L: F(L, 3, 4).gather(1, L.zeros(4, 1, dtype=L.int64))),
    ("gather_out_dtype", RE, r"Expected out tensor to have dtype float, but got double instead",
     lambda L: L.gather(F(L, 3), 0, I(L, [0]), out=L.empty(1, dtype=L.float64))),
    # scatter family
    ("scatter_oob", RE, r"index 4 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).scatter(1, I(L, [[4]]), F(L, 1, 1))),
    ("scatter_neg", RE, r"index -1 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).scatter(1, I(L, [[-1]]), 1.0)),
    ("scatter_float", RE, r"scatter\(\): Expected dtype int32/int64 for index",
     lambda L: F(L, 3, 4).scatter(1, L.zeros(1, 1), F(L, 1, 1))),
    ("scatter_src_dtype", RE, r"scatter\(\): Expected self.dtype to be equal to src.dtype",
     lambda L: F(L, 3, 4).scatter(1, I(L, [[0]]), L.ones(1, 1, dtype=L.float64))),
    ("scatter_ndim", RE, r"Index tensor must have the same number of dimensions as self tensor",
     lambda L: F(L, 3, 4).scatter(1, I(L, [0]), F(L, 2, 3))),
    ("scatter_size", RE, r"Expected index \[2, 4\] to be no larger than self \[3, 4\] apart from dimension 1 "
                         r"and to be no larger size than src \[2, 3\]",
     lambda L: F(L, 3, 4).scatter(1, L.zeros(2, 4, dtype=L.int64), F(L, 2, 3))),
    ("scatter_bad_reduce", RE, r"reduce argument must be either add or multiply",
     lambda L: F(L, 3, 4).scatter(1, I(L, [[0]]), 1.0, reduce="sum")),
    ("scatter_add_oob", RE, r"index 9 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).scatter_add(1, I(L, [[0, 9]], "int32"), F(L, 1, 2))),
    ("scatter_add_src_dtype", RE, r"Expected self.dtype to be equal to src.dtype",
     lambda L: F(L, 3, 4).scatter_add(1, I(L, [[0]]), I(L, [[1]]))),
    ("scatter_reduce_bad", RE, r"reduce argument must be either sum, prod, mean, amax or amin, got foo",
     lambda L: F(L, 3, 4).scatter_reduce(1, I(L, [[0]]), F(L, 1, 1), "foo")),
    ("scatter_reduce_oob", RE, r"index 3 is out of bounds for dimension 0 with size 3",
     lambda L: F(L, 3, 4).scatter_reduce(0, I(L, [[3]]), F(L, 1, 1), "amax")),
    ("scatter_reduce_mean_bool", RE, r"not implemented for 'Bool'",  # torch: NotImplementedError, a RuntimeError
     lambda L: B(L, [True]).scatter_reduce(0, I(L, [0]), B(L, [True]), "mean")),
    # index_add: int32/int64 indices, no negative ones
    ("index_add_oob", RE, r"index 5 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).index_add(1, I(L, [5]), F(L, 3, 1))),
    ("index_add_neg", RE, r"index -1 is out of bounds for dimension 0 with size 3",
     lambda L: F(L, 3, 4).index_add(0, I(L, [-1]), F(L, 1, 4))),
    # (int32 indices, and middle dims, go through torch's index_select-style check)
    ("index_add_int32_oob", (IE, RE), OOB + r"|index 3 is out of bounds for dimension 0 with size 3",
     lambda L: F(L, 3, 4).index_add(0, I(L, [3], "int32"), F(L, 1, 4))),
    ("index_add_float", RE, r"index_add_\(\): Expected dtype int32/int64 for index but got: Float",
     lambda L: F(L, 3, 4).index_add(0, L.tensor([0.0]), F(L, 1, 4))),
    ("index_add_count", RE, r"Number of indices \(1\) should be equal to source.size\(dim\): \(2\), for dim: 0",
     lambda L: F(L, 3, 4).index_add(0, I(L, [0]), F(L, 2, 4))),
    ("index_add_slice", RE, r"source tensor shape must match self tensor shape, excluding the specified dimension. "
                            r"Got self.shape = \[3, 4\] source.shape = \[1, 5\]",
     lambda L: F(L, 3, 4).index_add(0, I(L, [0]), F(L, 1, 5))),
    ("index_add_dtype", RE, r"index_add_\(\): self \(Float\) and source \(Double\) must have the same scalar type",
     lambda L: F(L, 3, 4).index_add(0, I(L, [0]), L.ones(1, 4, dtype=L.float64))),
    ("index_add_2d_idx", IE, r"index_add_\(\): Index is supposed to be a vector",
     lambda L: F(L, 3, 4).index_add(0, I(L, [[0]]), F(L, 1, 4))),
    # index_copy: int64 only, no negative indices
    ("index_copy_oob", IE, r"index_copy_\(\): index 4 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).index_copy(1, I(L, [4]), F(L, 3, 1))),
    ("index_copy_neg", IE, r"index_copy_\(\): index -1 is out of bounds for dimension 0 with size 3",
     lambda L: F(L, 3, 4).index_copy(0, I(L, [-1]), F(L, 1, 4))),
    ("index_copy_int32", RE, r"index_copy_\(\): Expected a long tensor for index, but got Int",
     lambda L: F(L, 3, 4).index_copy(0, I(L, [0], "int32"), F(L, 1, 4))),
    ("index_copy_count", IE, r"index_copy_\(\): Number of indices \(1\) should be equal to source.size\(dim\) \(2\)",
     lambda L: F(L, 3, 4).index_copy(0, I(L, [0]), F(L, 2, 4))),
    ("index_copy_dtype", RE, r"index_copy_\(\): self and source expected to have the same dtype, but got "
                             r"\(self\) Float and \(source\) Double",
     lambda L: F(L, 3, 4).index_copy(0, I(L, [0]), L.ones(1, 4).double())),
    # index_fill: int64 only; negative indices allowed
    ("index_fill_oob", IE, r"index 4 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).index_fill(1, I(L, [4]), 1.0)),
    ("index_fill_neg_oob", IE, r"index -5 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).index_fill(1, I(L, [-5]), 1.0)),
    ("index_fill_int32", IE, r"index_fill_\(\): Expected dtype int64 for index",
     lambda L: F(L, 3, 4).index_fill(1, I(L, [0], "int32"), 1.0)),
    ("index_fill_value_1d", RE, r"index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 "
                                r"dimension\(s\)", lambda L: F(L, 3, 4).index_fill(1, I(L, [0]), F(L, 1))),
    ("index_fill_2d_idx", RE, r"Index has to be a vector/scalar",
     lambda L: F(L, 3, 4).index_fill(0, I(L, [[1]]), 1.0)),
    # index_put
    ("index_put_oob", IE, r"index 3 is out of bounds for dimension 0 with size 3",
     lambda L: F(L, 3, 4).index_put((I(L, [3]),), F(L, 4))),
    ("index_put_oob_acc", IE, r"index 4 is out of bounds for dimension 1 with size 4",
     lambda L: F(L, 3, 4).index_put((I(L, [0]), I(L, [4], "int32")), F(L, 1), accumulate=True)),
    ("index_put_neg_oob", IE, r"index -4 is out of bounds for dimension 0 with size 3",
     lambda L: F(L, 3, 4).index_put_((I(L, [-4]),), F(L, 4))),
    ("index_put_float_idx", IE, r"tensors used as indices must be long, int, byte or bool tensors",
     lambda L: F(L, 3, 4).index_put((L.tensor([0.0]),), F(L, 4))),
    ("index_put_too_many", IE, r"too many indices for tensor of dimension 2 \(got 3\)",
     lambda L: F(L, 3, 4).index_put((I(L, [0]),) * 3, F(L, 1))),
    ("index_put_idx_bcast", IE, r"shape mismatch: indexing tensors could not be broadcast together with shapes "
                                r"\[2\], \[3\]",
     lambda L: F(L, 3, 4).index_put((I(L, [0, 1]), I(L, [0, 1, 2])), F(L, 1))),
    ("index_put_value_shape", RE, r"shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing "
                                  r"result of shape \[2, 4\]",
     lambda L: F(L, 3, 4).index_put((I(L, [0, 2]),), F(L, 3))),
    ("index_put_value_dtype", RE, r"Index put requires the source and destination dtypes match, got Float for the "
                                  r"destination and Double for the source",
     lambda L: F(L, 3, 4).index_put((I(L, [0]),), L.ones(4, dtype=L.float64))),
    # masked ops: bool masks only, broadcasting
    *[(f"masked_select_{d}_mask", RE, r"masked_select: expected BoolTensor for mask",
       lambda L, d=d: F(L, 3).masked_select(L.tensor([1, 0, 1], dtype=getattr(L, d))))
      for d in ("uint8", "int64", "float32")],
    ("masked_select_shape", RE, r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton "
                                r"dimension 0", lambda L: F(L, 3).masked_select(B(L, [1, 0]))),
    ("masked_select_out_dtype", RE, r"masked_select\(\): self and result must have the same scalar type",
     lambda L: L.masked_select(F(L, 3), B(L, [1, 0, 1]), out=L.empty(0, dtype=L.int64))),
    ("masked_scatter_short", RE, r"Number of elements of source < number of ones in mask",
     lambda L: F(L, 3).masked_scatter(B(L, [1, 1, 1]), F(L, 2))),
    ("masked_scatter_dtype", RE, r"masked_scatter: expected self and source to have same dtypes",
     lambda L: F(L, 3).masked_scatter(B(L, [1, 0, 1]), L.ones(3, dtype=L.float64))),
    ("masked_scatter_shape", RE, r"The size of tensor a \(2\) must match the size of tensor b \(3\)",
     lambda L: F(L, 3).masked_scatter(B(L, [1, 0]), F(L, 3))),
    ("masked_scatter__bigger_mask", RE, r"must be greater or equal to the number of dimensions",
     lambda L: F(L, 3).masked_scatter_(B(L, [[1, 0, 1], [0, 1, 0]]), F(L, 6))),
    # nonzero
    ("nonzero_out_dtype", RE, r"nonzero: Expected out tensor to have scalar type Long",
     lambda L: L.nonzero(F(L, 3), out=L.empty(0))),
    ("nonzero_out_tuple", RE, r"nonzero does not support the out kwarg when as_tuple is True",
     lambda L: L.nonzero(F(L, 3), out=L.empty(0, dtype=L.int64), as_tuple=True)),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("exc,pattern,fn", [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_errors(lib, exc, pattern, fn):
    raises(exc, pattern, lambda: fn(lib))

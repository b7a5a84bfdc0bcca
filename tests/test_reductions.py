"""Reductions: sum mean prod max min amax amin argmax argmin var std norm logsumexp all any
count_nonzero, softmax / log_softmax.

numpy (float64 for floating inputs) is the value oracle; result dtypes follow torch's rules, written
out in the tables below.  Inputs come in several memory layouts (contiguous, permuted, transposed,
sliced with steps, expanded) and shapes (0-dim, empty, size-1 dims); reductions run over every dim,
negative dims, tuples of dims, with and without keepdim.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import rtorch
from conftest import (
    ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NP_DTYPES, assert_close, dname, dt, gen_general, is_float,
    make, nnf, rng_for, to_numpy, to_oracle,
)


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

def gen_prod(name, shape, rng):
    """Values whose products stay small (no overflow even in float16 / int8 -> int64)."""
    if name == "bool":
        return rng.random(shape) < 0.8
    if name in INT_DTYPES:
        choices = [1, 2, 1, 1] if name == "uint8" else [-1, 1, 2, -2, 1, 1]
        return rng.choice(choices, shape).astype(NP_DTYPES[name])
    return to_oracle(rng.choice([-1.25, -1.0, 0.75, 1.0, 1.25, -0.5, 1.5], shape), name)


def gen_sparse(name, shape, rng):
    """Many zeros (for all / any / count_nonzero)."""
    v = gen_general(name, shape, rng)
    keep = rng.random(shape) < 0.5
    return np.where(keep, v, np.zeros((), v.dtype)).astype(v.dtype)


LOGICAL_SHAPE = (2, 3, 4)


def layout_tensor(layout, name, rng, gen=gen_general):
    """(tensor, numpy) pair; the 3-d layouts all have logical shape (2, 3, 4)."""
    def base(shape):
        v = gen(name, shape, rng)
        return make(v, name), v

    if layout == "contiguous":
        return base((2, 3, 4))
    if layout == "permuted":
        t, v = base((4, 2, 3))
        return t.permute(1, 2, 0), v.transpose(1, 2, 0)
    if layout == "transposed":
        t, v = base((2, 4, 3))
        return t.transpose(1, 2), v.swapaxes(1, 2)
    if layout == "sliced":
        t, v = base((4, 3, 8))
        return t[::2, :, 1::2], v[::2, :, 1::2]
    if layout == "expanded":
        t, v = base((2, 1, 4))
        return t.expand(2, 3, 4), np.broadcast_to(v, (2, 3, 4))
    if layout == "matrix_t":
        t, v = base((5, 3))
        return t.t(), v.T
    if layout == "zero_dim":
        return base(())
    if layout == "empty":
        return base((2, 0, 4))
    if layout == "size_one":
        return base((1, 3, 1))
    raise AssertionError(layout)


LAYOUTS_3D = ["contiguous", "permuted", "transposed", "sliced", "expanded"]
ALL_LAYOUTS = LAYOUTS_3D + ["matrix_t", "zero_dim", "empty", "size_one"]

DIMS_3D = [None, 0, 1, 2, -1, -3, (0, 2), (2, 0), (-1, -2), (0, 1, 2)]


def dims_for(layout):
    if layout in LAYOUTS_3D or layout in ("empty", "size_one"):
        return DIMS_3D
    if layout == "matrix_t":
        return [None, 0, 1, -1, (0, 1)]
    return [None, 0, -1]           # zero_dim


def np_axis(dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, tuple):
        return tuple(d % max(ndim, 1) for d in dim) if ndim else None
    return dim % max(ndim, 1) if ndim else None


def reduce_np(fn, x, dim, keepdim):
    """Apply a numpy reduction; 0-dim input: any dim reduces over 'nothing'."""
    x = np.asarray(x)
    axis = np_axis(dim, x.ndim)
    if x.ndim == 0:
        return np.asarray(fn(x.reshape(1), axis=0, keepdims=False))
    return np.asarray(fn(x, axis=axis, keepdims=keepdim))


# ----------------------------------------------------------------------------------------------
# the table: name -> how to call, numpy reference, result dtype rule, valid inputs
# ----------------------------------------------------------------------------------------------

def magnitude_atol(dtype, x):
    """Low-precision log-domain results (x - max - log(sum)) carry an absolute error of about one
    ulp of the inputs' magnitude, like torch's own float16 / bfloat16 kernels."""
    if dtype not in ("float16", "bfloat16"):
        return None
    mag = float(np.max(np.abs(np.asarray(x, np.float64)))) if np.asarray(x).size else 1.0
    return max(mag, 1.0) * (2.0 ** -9 if dtype == "float16" else 2.0 ** -6)


def _np_logsumexp(x, axis=None, keepdims=False):
    x = np.asarray(x, np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.max(x, axis=axis, keepdims=True) if x.size else np.full(
            [1 if (axis is None or i in np.atleast_1d(axis)) else s for i, s in enumerate(x.shape)],
            -np.inf)
        m_safe = np.where(np.isfinite(m), m, 0.0)
        s = np.sum(np.exp(x - m_safe), axis=axis, keepdims=True)
        out = np.log(s) + m_safe
        out = np.where(np.isinf(m), m, out)
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


class Red:
    def __init__(self, name, np_fn, rule, gen=gen_general, call=None, tuple_dims=True,
                 none_dim=True, keepdim=True, float_only=False, empty_ok=True, tol=None,
                 none_keepdim=True):
        self.name, self.np_fn, self.rule, self.gen = name, np_fn, rule, gen
        self.call = call
        self.tuple_dims, self.none_dim, self.keepdim = tuple_dims, none_dim, keepdim
        self.float_only, self.empty_ok, self.tol = float_only, empty_ok, tol
        self.none_keepdim = none_keepdim   # accepts dim=None together with keepdim=True

    def result_dtype(self, dtype):
        return self.rule(dtype)

    def run(self, t, dim, keepdim, form):
        if self.call is not None:
            return self.call(t, dim, keepdim, form)
        kw = {"keepdim": keepdim} if self.keepdim else {}
        target = getattr(rtorch, self.name) if form == "function" else None
        if dim is None and keepdim and self.keepdim:
            return (target(t, dim=None, keepdim=True) if target
                    else getattr(t, self.name)(dim=None, keepdim=True))
        if dim is None:
            return target(t) if target else getattr(t, self.name)()
        if target:
            return target(t, dim, **kw)
        return getattr(t, self.name)(dim=dim, **kw)


def int64_for_ints(d):
    return d if is_float(d) else "int64"


def same(d):
    return d


def float_only(d):
    return d if is_float(d) else None


def float32_for_ints(d):
    return d if is_float(d) else "float32"


def bool_or_uint8(d):
    return "uint8" if d == "uint8" else "bool"


def _call_lse(t, dim, keepdim, form):
    if form == "function":
        return rtorch.logsumexp(t, dim, keepdim=keepdim)
    return t.logsumexp(dim, keepdim=keepdim)


def _call_cnz(t, dim, keepdim, form):
    if dim is None:
        return rtorch.count_nonzero(t) if form == "function" else t.count_nonzero()
    return rtorch.count_nonzero(t, dim=dim) if form == "function" else t.count_nonzero(dim)


def _np_var(ddof):
    def f(x, axis=None, keepdims=False):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.var(np.asarray(x, np.float64), axis=axis, ddof=ddof, keepdims=keepdims)
    return f


def _np_std(ddof):
    def f(x, axis=None, keepdims=False):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.std(np.asarray(x, np.float64), axis=axis, ddof=ddof, keepdims=keepdims)
    return f


def _var_call(name, **kwargs):
    def call(t, dim, keepdim, form):
        f = getattr(rtorch, name) if form == "function" else None
        if f is not None:
            return f(t, dim, keepdim=keepdim, **kwargs)
        return getattr(t, name)(dim, keepdim=keepdim, **kwargs)
    return call


def _np_norm(p):
    def f(x, axis=None, keepdims=False):
        a = np.abs(np.asarray(x, np.float64))
        if p == "inf":
            if a.size == 0:
                return np.zeros(np.sum(a, axis=axis, keepdims=keepdims).shape)
            return np.max(a, axis=axis, keepdims=keepdims)
        if p == 1:
            return np.sum(a, axis=axis, keepdims=keepdims)
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdims))
    return f


def _norm_call(p):
    pv = float("inf") if p == "inf" else p

    def call(t, dim, keepdim, form):
        if form == "function":
            return rtorch.norm(t, p=pv, dim=dim, keepdim=keepdim)
        if dim is None and not keepdim:
            return t.norm(pv)
        return t.norm(p=pv, dim=dim, keepdim=keepdim)
    return call


def _np_all(x, axis=None, keepdims=False):
    return np.all(np.asarray(x) != 0, axis=axis, keepdims=keepdims)


def _np_any(x, axis=None, keepdims=False):
    return np.any(np.asarray(x) != 0, axis=axis, keepdims=keepdims)


def _np_cnz(x, axis=None, keepdims=False):
    return np.count_nonzero(np.asarray(x), axis=axis)


def _argcall(name):
    def call(t, dim, keepdim, form):
        f = getattr(rtorch, name) if form == "function" else getattr(t, name)
        args = (t,) if form == "function" else ()
        if dim is None:
            return f(*args, keepdim=keepdim) if keepdim else f(*args)
        return f(*args, dim=dim, keepdim=keepdim)
    return call


def _np_arg(fn):
    def f(x, axis=None, keepdims=False):
        x = np.asarray(x)
        if axis is None:
            r = fn(x.reshape(-1))
            return np.asarray(r).reshape((1,) * x.ndim) if keepdims else np.asarray(r)
        return fn(x, axis=axis, keepdims=keepdims)
    return f


REDUCTIONS = [
    Red("sum", np.sum, int64_for_ints),
    Red("mean", np.mean, float_only),
    Red("prod", np.prod, int64_for_ints, gen=gen_prod, tuple_dims=False, none_keepdim=False),
    Red("amax", np.max, same, empty_ok=False),
    Red("amin", np.min, same, empty_ok=False),
    Red("argmax", _np_arg(np.argmax), lambda d: None if d == "bool" else "int64",
        call=_argcall("argmax"), tuple_dims=False, empty_ok=False),
    Red("argmin", _np_arg(np.argmin), lambda d: None if d == "bool" else "int64",
        call=_argcall("argmin"), tuple_dims=False, empty_ok=False),
    Red("var", _np_var(1), float_only),
    Red("var_correction0", _np_var(0), float_only, call=_var_call("var", correction=0)),
    Red("var_unbiased_false", _np_var(0), float_only, call=_var_call("var", unbiased=False)),
    Red("var_correction2", _np_var(2), float_only, call=_var_call("var", correction=2)),
    Red("std", _np_std(1), float_only),
    Red("std_correction0", _np_std(0), float_only, call=_var_call("std", correction=0)),
    Red("std_unbiased_true", _np_std(1), float_only, call=_var_call("std", unbiased=True)),
    Red("norm2", _np_norm(2), float_only, call=_norm_call(2)),
    Red("norm1", _np_norm(1), float_only, call=_norm_call(1)),
    Red("norm_inf", _np_norm("inf"), float_only, call=_norm_call("inf"), empty_ok=False),
    Red("logsumexp", _np_logsumexp, float32_for_ints, call=_call_lse, none_dim=False,
        tol="magnitude"),
    Red("all", _np_all, bool_or_uint8, gen=gen_sparse),
    Red("any", _np_any, bool_or_uint8, gen=gen_sparse),
    Red("count_nonzero", _np_cnz, lambda d: "int64", gen=gen_sparse, call=_call_cnz,
        keepdim=False),
]
RED_IDS = [r.name for r in REDUCTIONS]


def expected_reduction(r, x, dim, keepdim, res):
    with np.errstate(all="ignore"):
        if is_float(res) or (r.rule is float32_for_ints):
            xr = np.asarray(x).astype(np.float64)
        elif res == "int64" and r.name in ("sum", "prod"):
            xr = np.asarray(x).astype(np.int64)
        else:
            xr = np.asarray(x)
        out = reduce_np(r.np_fn, xr, dim, keepdim if r.keepdim else False)
    if res == "bool":
        return out.astype(np.bool_)
    return to_oracle(out, res)


def _empty_reduction_fails(r, x, dim):
    """torch refuses max-like reductions over a zero-size reduced extent."""
    if r.empty_ok or x.size != 0:
        return False
    if dim is None:
        return True
    dims = dim if isinstance(dim, tuple) else (dim,)
    return any(x.shape[d % x.ndim] == 0 for d in dims)


@pytest.mark.parametrize("keepdim", [False, True], ids=["nokeep", "keepdim"])
@pytest.mark.parametrize("layout", ALL_LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("r", REDUCTIONS, ids=RED_IDS)
def test_reduction(r, dtype, layout, keepdim):
    rng = rng_for("red", r.name, dtype, layout, keepdim)
    t, x = layout_tensor(layout, dtype, rng, gen=r.gen)
    res = r.result_dtype(dtype)
    for dim in dims_for(layout):
        if isinstance(dim, tuple) and not r.tuple_dims:
            continue
        if dim is None and not r.none_dim:
            continue
        if not r.keepdim and keepdim:
            continue
        if dim is None and keepdim and not r.none_keepdim:
            continue
        for form in ("method", "function"):
            if res is None:
                with pytest.raises(RuntimeError):
                    r.run(t, dim, keepdim, form)
                continue
            if _empty_reduction_fails(r, x, dim):
                with pytest.raises((IndexError, RuntimeError)):
                    r.run(t, dim, keepdim, form)
                continue
            out = r.run(t, dim, keepdim, form)
            exp = expected_reduction(r, x, dim, keepdim, res)
            assert dname(out) == res, f"{r.name}({dtype}) dim={dim}: {dname(out)} != {res}"
            try:
                assert_close(out, exp, atol=magnitude_atol(dtype, x) if r.tol else None)
            except AssertionError as e:
                raise AssertionError(f"{r.name} dim={dim} keepdim={keepdim} form={form}: {e}")


# ----------------------------------------------------------------------------------------------
# max / min with dim: (values, indices) namedtuple
# ----------------------------------------------------------------------------------------------

MAXMIN = [("max", np.max, np.argmax), ("min", np.min, np.argmin)]


@pytest.mark.parametrize("keepdim", [False, True], ids=["nokeep", "keepdim"])
@pytest.mark.parametrize("layout", ["contiguous", "permuted", "transposed", "sliced", "expanded",
                                    "matrix_t", "zero_dim", "size_one"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name,np_val,np_idx", MAXMIN, ids=["max", "min"])
def test_max_min_dim(name, np_val, np_idx, dtype, layout, keepdim):
    rng = rng_for("maxdim", name, dtype, layout, keepdim)
    t, x = layout_tensor(layout, dtype, rng)
    dims = [0, -1] if x.ndim <= 1 else list(range(x.ndim)) + [-1]
    for dim in dims:
        for form in ("method", "function", "kw"):
            if form == "method":
                r = getattr(t, name)(dim, keepdim)
            elif form == "function":
                r = getattr(rtorch, name)(t, dim, keepdim=keepdim)
            else:
                r = getattr(t, name)(dim=dim, keepdim=keepdim)
            assert isinstance(r, tuple) and len(r) == 2
            values, indices = r
            assert r.values is r[0] or r.values.data_ptr() == r[0].data_ptr()
            xs = x.reshape(1) if x.ndim == 0 else x
            ax = 0 if x.ndim == 0 else dim % x.ndim
            ev = np_val(xs, axis=ax, keepdims=keepdim and x.ndim > 0)
            ei = np_idx(xs, axis=ax, keepdims=keepdim and x.ndim > 0).astype(np.int64)
            if x.ndim == 0:
                ev, ei = ev.reshape(()), ei.reshape(())
            assert dname(values) == dtype
            assert dname(indices) == "int64"
            assert_close(r.values, ev.astype(x.dtype))
            # torch documents: the index of the first maximal value
            assert_close(r.indices, ei)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_return_type_names(name):
    t = make(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]), "float32")
    r = getattr(t, name)(1)
    assert type(r).__name__ == name
    v, i = r
    assert_close(v, np.array([5.0, 7.0] if name == "max" else [1.0, 0.0], np.float32))
    assert_close(i, np.array([1, 0] if name == "max" else [0, 1], np.int64))
    assert "values" in repr(r) and "indices" in repr(r)
    assert rtorch.return_types is not None


@pytest.mark.parametrize("name,np_val,np_idx", MAXMIN, ids=["max", "min"])
def test_max_min_first_index_on_ties_and_nan(name, np_val, np_idx):
    x = np.array([[3, 1, 3, 1], [2, 2, 2, 2], [0, 5, 5, 0]], np.float32)
    r = getattr(make(x, "float32"), name)(1)
    assert_close(r.indices, np_idx(x, axis=1).astype(np.int64))
    y = np.array([[1.0, np.nan, 3.0, np.nan], [np.nan, 0.0, 1.0, 2.0]], np.float32)
    r = getattr(make(y, "float32"), name)(1)
    assert_close(r.values, np.array([np.nan, np.nan], np.float32))
    assert_close(r.indices, np.array([1, 0], np.int64))
    assert math.isnan(float(getattr(make(y, "float32"), name)()))
    assert_close(getattr(rtorch, "argmax" if name == "max" else "argmin")(make(y, "float32")),
                 np.array(1, np.int64))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name,np_val,np_idx", MAXMIN, ids=["max", "min"])
def test_max_min_full(name, np_val, np_idx, dtype):
    for layout in LAYOUTS_3D + ["matrix_t", "zero_dim", "size_one"]:
        rng = rng_for("maxfull", name, dtype, layout)
        t, x = layout_tensor(layout, dtype, rng)
        exp = np.asarray(np_val(x)).astype(x.dtype)
        out = getattr(t, name)()
        assert dname(out) == dtype
        assert_close(out, exp)
        assert_close(getattr(rtorch, name)(t), exp)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_binary_form_is_elementwise(name):
    x = np.array([[1.0, 5.0], [np.nan, 0.0]], np.float32)
    y = np.array([2.0, np.nan], np.float32)
    exp = np.maximum(x, y) if name == "max" else np.minimum(x, y)
    assert_close(getattr(rtorch, name)(make(x, "float32"), make(y, "float32")), exp)


def test_max_dim_out_of_range():
    t = make(np.ones((2, 3), np.float32), "float32")
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.max(2)
    with pytest.raises(IndexError):
        t.argmax(-3)


# ----------------------------------------------------------------------------------------------
# dtypes, empties, errors
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_int_and_bool_sum_is_int64_without_overflow(dtype):
    if dtype == "bool":
        x = np.ones((50, 7), np.bool_)
    else:
        x = np.full((50, 7), 100 if dtype != "int8" else 120, NP_DTYPES[dtype])
    t = make(x, dtype)
    out = t.sum()
    assert dname(out) == "int64"
    assert int(out) == int(x.astype(np.int64).sum())
    assert_close(t.sum(0), x.astype(np.int64).sum(0))
    assert_close(rtorch.sum(t, 1), x.astype(np.int64).sum(1))
    assert_close(t.t().sum(-1), x.astype(np.int64).sum(0))


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_mean_of_int_raises(dtype):
    t = make(np.array([1, 0, 1]), dtype)
    with pytest.raises(RuntimeError, match="mean"):
        t.mean()
    with pytest.raises(RuntimeError):
        rtorch.mean(t, 0)


@pytest.mark.parametrize("src,dst", [("float32", "float64"), ("int64", "float32"),
                                     ("int32", "float64"), ("float64", "float32"),
                                     ("int8", "int8"), ("int64", "int16"), ("uint8", "int32"),
                                     ("bool", "int32"), ("float32", "float16"),
                                     ("float16", "float32"), ("bfloat16", "float32"),
                                     ("float32", "int32")])
@pytest.mark.parametrize("op", ["sum", "prod", "mean"])
def test_dtype_argument(op, src, dst):
    if op == "mean" and not is_float(dst):
        pytest.skip("mean needs a floating dtype")
    rng = rng_for("dtarg", op, src, dst)
    gen = gen_prod if op == "prod" else gen_general
    t, x = layout_tensor("sliced", src, rng, gen=gen)
    xd = x.astype(np.float64) if is_float(dst) else x.astype(NP_DTYPES[dst])
    np_fn = {"sum": np.sum, "prod": np.prod, "mean": np.mean}[op]
    with np.errstate(all="ignore"):
        full = to_oracle(np_fn(xd), dst)
        along = to_oracle(np_fn(xd, axis=1), dst)
    out = getattr(t, op)(dtype=dt(dst))
    assert dname(out) == dst
    assert_close(out, full)
    out = getattr(rtorch, op)(t, 1, dtype=dt(dst))
    assert dname(out) == dst
    assert_close(out, along)


def test_empty_reductions_values():
    e = make(np.zeros((0, 3), np.float32), "float32")
    assert_close(e.sum(), np.array(0.0, np.float32))
    assert_close(e.sum(0), np.zeros(3, np.float32))
    assert_close(e.sum(1), np.zeros(0, np.float32))
    assert_close(e.prod(), np.array(1.0, np.float32))
    assert_close(e.prod(0), np.ones(3, np.float32))
    assert math.isnan(float(e.mean()))
    assert_close(e.amax(1), np.zeros(0, np.float32))
    assert_close(rtorch.logsumexp(e, 0), np.full(3, -np.inf, np.float32))
    assert_close(e.norm(), np.array(0.0, np.float32))
    assert_close(e.all(), np.array(True))
    assert_close(e.any(), np.array(False))
    assert_close(rtorch.count_nonzero(e), np.array(0, np.int64))
    ei = make(np.zeros((0,), np.int64), "int64")
    assert_close(ei.sum(), np.array(0, np.int64))
    assert_close(ei.prod(), np.array(1, np.int64))
    r = e.max(1)
    assert_close(r.values, np.zeros(0, np.float32))
    assert_close(r.indices, np.zeros(0, np.int64))


@pytest.mark.parametrize("call,exc", [
    (lambda e: e.max(), RuntimeError),
    (lambda e: e.min(), RuntimeError),
    (lambda e: rtorch.max(e), RuntimeError),
    (lambda e: e.max(0), IndexError),
    (lambda e: e.min(0), IndexError),
    (lambda e: e.amax(), RuntimeError),
    (lambda e: e.amax(0), IndexError),
    (lambda e: e.amin(0), IndexError),
    (lambda e: e.argmax(), IndexError),
    (lambda e: e.argmin(0), IndexError),
], ids=["max", "min", "torch.max", "max_dim", "min_dim", "amax", "amax_dim", "amin_dim", "argmax",
        "argmin_dim"])
def test_empty_max_like_raises(call, exc):
    e = make(np.zeros((0, 3), np.float32), "float32")
    with pytest.raises(exc):
        call(e)


def test_reduction_dim_errors():
    t = make(np.ones((2, 3), np.float32), "float32")
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.sum(2)
    with pytest.raises(IndexError):
        t.mean(-3)
    with pytest.raises(IndexError):
        t.amax((0, 5))
    with pytest.raises(RuntimeError, match="appears multiple times"):
        t.sum((0, 0))
    with pytest.raises(RuntimeError, match="appears multiple times"):
        t.sum((1, -1))


def test_empty_dim_list_means_all_dims():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = make(x, "float32")
    assert_close(t.sum(dim=()), np.array(x.sum(), np.float32))
    assert_close(t.sum(dim=[]), np.array(x.sum(), np.float32))
    assert_close(t.mean(dim=None), np.array(x.mean(), np.float32))


def test_zero_dim_reductions():
    t = make(np.array(2.5, np.float32), "float32")
    assert_close(t.sum(), np.array(2.5, np.float32))
    assert_close(t.sum(0), np.array(2.5, np.float32))
    assert_close(t.sum(-1, keepdim=True), np.array(2.5, np.float32))
    assert_close(t.argmax(0), np.array(0, np.int64))
    assert_close(t.max(0).values, np.array(2.5, np.float32))
    with pytest.raises(IndexError):
        t.sum(1)


def test_large_sum_is_accurate():
    """Naive float32 accumulation of 1e6 x 0.1 is off by ~1%; torch's sum is accurate."""
    x = np.full(1_000_000, 0.1, np.float32)
    t = make(x, "float32")
    exact = x.astype(np.float64).sum()
    assert abs(float(t.sum()) - exact) / exact < 1e-5
    assert abs(float(t.mean()) - exact / x.size) / (exact / x.size) < 1e-5
    m = make(x.reshape(1000, 1000), "float32")
    assert_close(m.sum(0), x.reshape(1000, 1000).astype(np.float64).sum(0).astype(np.float32),
                 rtol=1e-5, atol=1e-5)
    assert_close(m.t().sum(1), x.reshape(1000, 1000).astype(np.float64).sum(0).astype(np.float32),
                 rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_var_std_large_offset_is_stable(dtype):
    """var of values with a large common offset (a one-pass sum-of-squares formula fails)."""
    rng = rng_for("varoff", dtype)
    x = (1e4 + rng.standard_normal((3, 200))).astype(NP_DTYPES[dtype])
    t = make(x, dtype)
    assert_close(t.var(1), np.var(x.astype(np.float64), axis=1, ddof=1).astype(x.dtype),
                 rtol=1e-3 if dtype == "float32" else 1e-7)
    assert_close(t.std(1, correction=0),
                 np.std(x.astype(np.float64), axis=1).astype(x.dtype),
                 rtol=1e-3 if dtype == "float32" else 1e-7)


def test_var_single_element_is_nan():
    t = make(np.array([3.0], np.float32), "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch warns "degrees of freedom is <= 0"
        assert math.isnan(float(t.var()))
    assert float(t.var(correction=0)) == 0.0


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_norm_fro(dtype):
    rng = rng_for("fro", dtype)
    t, x = layout_tensor("transposed", dtype, rng)
    x64 = x.astype(np.float64)
    assert_close(t.norm(p="fro"), to_oracle(np.sqrt((x64 ** 2).sum()), dtype))
    assert_close(rtorch.norm(t, p="fro", dim=(1, 2)),
                 to_oracle(np.sqrt((x64 ** 2).sum((1, 2))), dtype))
    assert_close(t.norm("fro", dim=(0, 2), keepdim=True),
                 to_oracle(np.sqrt((x64 ** 2).sum((0, 2), keepdims=True)), dtype))
    assert_close(rtorch.norm(t), to_oracle(np.sqrt((x64 ** 2).sum()), dtype))


def test_norm_int_raises():
    with pytest.raises(RuntimeError):
        make(np.array([1, 2]), "int64").norm()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logsumexp_large_and_infinite_values(dtype):
    x = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, 0.0, -np.inf], [-np.inf, -np.inf, -np.inf],
                  [np.inf, 1.0, 2.0], [-1e30, -1e30, -1e30]], NP_DTYPES[dtype])
    out = rtorch.logsumexp(make(x, dtype), 1)
    assert_close(out, _np_logsumexp(x, axis=1).astype(x.dtype))
    assert_close(make(x, dtype).t().logsumexp(0), _np_logsumexp(x, axis=1).astype(x.dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_all_any_results(dtype):
    x = np.array([[1, 0, 1], [1, 1, 1], [0, 0, 0]]).astype(NP_DTYPES[dtype])
    t = make(x, dtype)
    res = bool_or_uint8(dtype)
    for out, exp in [(t.all(), np.all(x != 0)), (t.any(), np.any(x != 0)),
                     (t.all(1), np.all(x != 0, 1)), (t.any(0), np.any(x != 0, 0)),
                     (rtorch.all(t, 1), np.all(x != 0, 1)), (rtorch.any(t.t(), 1), np.any(x != 0, 0)),
                     (t.all(dim=(0, 1)), np.all(x != 0))]:
        assert dname(out) == res
        assert_close(out, exp.astype(NP_DTYPES[res]))


def test_all_any_nan_is_true():
    x = np.array([np.nan, 1.0], np.float32)
    assert bool(make(x, "float32").all())
    assert bool(make(np.array([np.nan, 0.0], np.float32), "float32").any())


def test_count_nonzero_tuple_dims():
    x = np.array([[[0, 1], [2, 0]], [[0, 0], [3, 4]]], np.int32)
    t = make(x, "int32")
    assert_close(rtorch.count_nonzero(t, dim=(0, 2)), np.count_nonzero(x, axis=(0, 2)))
    assert_close(t.permute(2, 0, 1).count_nonzero(0), np.count_nonzero(x.transpose(2, 0, 1), 0))


# ----------------------------------------------------------------------------------------------
# softmax / log_softmax
# ----------------------------------------------------------------------------------------------

def np_softmax(x, axis):
    x = np.asarray(x, np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis):
    x = np.asarray(x, np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


SOFTMAX_FORMS = {
    "softmax": [lambda t, d: rtorch.softmax(t, d), lambda t, d: t.softmax(d),
                lambda t, d: nnf().softmax(t, dim=d), lambda t, d: rtorch.softmax(t, dim=d)],
    "log_softmax": [lambda t, d: rtorch.log_softmax(t, d), lambda t, d: t.log_softmax(d),
                    lambda t, d: nnf().log_softmax(t, dim=d)],
}
SOFTMAX_REF = {"softmax": np_softmax, "log_softmax": np_log_softmax}


@pytest.mark.parametrize("layout", ["contiguous", "permuted", "transposed", "sliced", "expanded",
                                    "matrix_t", "size_one", "empty"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax(name, dtype, layout):
    rng = rng_for("softmax", name, dtype, layout)
    t, x = layout_tensor(layout, dtype, rng)
    for d in list(range(x.ndim)) + [-1]:
        exp = to_oracle(SOFTMAX_REF[name](x, d), dtype) if x.size else x.copy()
        for form in SOFTMAX_FORMS[name]:
            out = form(t, d)
            assert dname(out) == dtype
            assert_close(out, exp, atol=magnitude_atol(dtype, x) if name == "log_softmax" else None)
        if x.size:
            s = to_numpy(rtorch.softmax(t, d)).astype(np.float64).sum(axis=d)
            np.testing.assert_allclose(s, 1.0, rtol=2e-2 if dtype in ("float16", "bfloat16")
                                       else 1e-5)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_zero_dim(name):
    t = make(np.array(3.0, np.float32), "float32")
    exp = np.array(1.0 if name == "softmax" else 0.0, np.float32)
    assert_close(getattr(rtorch, name)(t, 0), exp)
    assert_close(getattr(t, name)(-1), exp)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_numerically_stable(name, dtype):
    big = 60000.0 if dtype == "float16" else 1e4
    x = to_oracle(np.array([[big, big - 1, big - 2], [-big, -big + 3, -big], [big, -big, 0.0]]),
                  dtype)
    out = getattr(rtorch, name)(make(x, dtype), 1)
    got = to_numpy(out).astype(np.float64)
    assert not np.isnan(got).any()
    assert_close(out, to_oracle(SOFTMAX_REF[name](x.astype(np.float64), 1), dtype))


def test_softmax_neg_inf_entries():
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, 2.0, -np.inf]], np.float32)
    assert_close(rtorch.softmax(make(x, "float32"), 1), np_softmax(x, 1).astype(np.float32))
    assert_close(rtorch.log_softmax(make(x, "float32"), 1),
                 np_log_softmax(x, 1).astype(np.float32))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_dtype_argument(name):
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], np.float32)
    out = getattr(rtorch, name)(make(x, "float32"), 1, dtype=rtorch.float64)
    assert dname(out) == "float64"
    assert_close(out, SOFTMAX_REF[name](x.astype(np.float64), 1), rtol=1e-6, atol=1e-7)
    out = getattr(nnf(), name)(make(x.astype(np.int64), "int64"), dim=0, dtype=rtorch.float32)
    assert_close(out, SOFTMAX_REF[name](x.astype(np.int64).astype(np.float64), 0)
                 .astype(np.float32))


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_int_raises(name, dtype):
    with pytest.raises(RuntimeError):
        getattr(rtorch, name)(make(np.array([1, 0, 1]), dtype), 0)


def test_softmax_dim_out_of_range():
    with pytest.raises(IndexError):
        rtorch.softmax(make(np.ones((2, 3), np.float32), "float32"), 2)


# ----------------------------------------------------------------------------------------------
# cross-check against real PyTorch (skipped when torch is not installed)
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("r", REDUCTIONS, ids=RED_IDS)
def test_reduction_matches_torch(torch_ref, r):
    """The table's method-form calls are torch's API, so they run unchanged on real torch."""
    for dtype in ALL_DTYPES:
        rng = rng_for("redtorch", r.name, dtype)
        x = r.gen(dtype, (3, 4, 5), rng)
        ref_in = torch_ref.from_numpy(np.array(x, copy=True))
        if dtype == "bfloat16":
            ref_in = ref_in.to(torch_ref.bfloat16)
        mine = make(x, dtype)
        for dim in ((1, (0, 2)) if r.tuple_dims else (1,)):
            try:
                ref = r.run(ref_in, dim, True, "method")
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    r.run(mine, dim, True, "method")
                continue
            out = r.run(mine, dim, True, "method")
            assert dname(out) == str(ref.dtype).replace("torch.", "")
            refn = ref.float().numpy() if ref.dtype == torch_ref.bfloat16 else ref.numpy()
            assert_close(out, refn, check_dtype=False)


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_rows_with_infinities_and_nan(n, log, dtype):
    # torch: a +inf entry gives inf - inf = NaN, so the whole row is NaN; an all -inf row is
    # 0/0 = NaN; a NaN anywhere spreads to the row. Finite extremes stay exact.
    rows = np.zeros((5, n), dtype=np.float64)
    rows[0, 0] = np.inf
    rows[1, :] = -np.inf
    rows[2, n // 2] = np.nan
    rows[3, :] = np.linspace(-3, 3, n)
    rows[4, 0], rows[4, -1] = -1e30, 1e30
    x = rtorch.tensor(rows.astype(np.float32 if dtype == "float32" else np.float64))
    got = (x.log_softmax(-1) if log else x.softmax(-1)).numpy()
    assert np.isnan(got[:3]).all()
    shifted = rows[3] - rows[3].max()
    ref = shifted - np.log(np.exp(shifted).sum()) if log else np.exp(shifted) / np.exp(shifted).sum()
    np.testing.assert_allclose(got[3], ref, rtol=2e-6, atol=1e-7)
    if log:
        assert got[4, -1] == 0
        assert got[4, 0] == got.dtype.type(-2e30)
    else:
        assert got[4, -1] == 1 and (got[4, :-1] == 0).all()

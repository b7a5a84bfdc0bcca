"""Sorting, selection, scans and counting: sort/argsort/msort, topk, kthvalue, median/nanmedian, mode,
cumsum/cumprod (+ in-place), cummax/cummin, logcumsumexp, diff, searchsorted/bucketize, bincount, histc,
unique and unique_consecutive.

Every test takes the ``lib`` fixture, so the same code runs on rtorch and on PyTorch (which validates the
spec); numpy is the value oracle (stable sorts, np.partition-style selection, accumulate ufuncs, np.diff,
np.searchsorted/np.digitize, np.bincount, np.histogram, np.unique).  Inputs cover every dtype torch accepts
for each op, the layouts of conftest (contiguous, transposed, sliced with steps, expanded), negative dims,
0-dim and empty tensors, NaN/inf ordering (NaN sorts as the largest value).  Where ties make an index
ambiguous the indices are checked by gathering (and for sort by being a permutation); with ``stable=True``
and for cummax/cummin (a tie moves the index to the later position) they are exact.  Errors are pinned to
torch's exception type and message.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, LAYOUT_KINDS, NP_DTYPES, N, T, dname, lay, np_vals, to_oracle

NAN, INF = float("nan"), float("inf")
SELECT_DTYPES = [d for d in ALL_DTYPES if d != "bool"]  # topk/kthvalue/median/searchsorted reject bool
# tolerances for the float results of scans (low precision rounds every partial result)
TOL = {"float32": (1e-5, 1e-5), "float64": (1e-10, 1e-10), "float16": (2e-3, 2e-3), "bfloat16": (2e-2, 2e-2)}


# ----------------------------------------------------------------------------------------------------------
# helpers (library-agnostic: they work on rtorch and on torch)
# ----------------------------------------------------------------------------------------------------------
def check(t, expected, name, exact=True):
    """`t` has dtype `name`, the shape of `expected` and its values (NaN == NaN; floats within TOL unless exact)."""
    expected = np.asarray(expected)
    assert dname(t) == name, f"dtype {dname(t)} != {name}"
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != {expected.shape}"
    got, want = N(t).astype(np.float64), expected.astype(np.float64)
    if exact or name not in TOL:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=TOL[name][0], atol=TOL[name][1], equal_nan=True)


def check_gather(idx, a, values, axis, perm=False, distinct=False, keepdim=False):
    """int64 indices `idx` pick `values` out of numpy `a` along `axis`; with `perm` they are a permutation
    of range(n) along it, with `distinct` no index repeats; a reduced (not keepdim) `idx` lacks `axis`."""
    assert dname(idx) == "int64", f"indices dtype {dname(idx)}"
    i = N(idx)
    full = i if (perm or distinct or keepdim) else np.expand_dims(i, axis)
    got = np.take_along_axis(a, full, axis)
    np.testing.assert_array_equal(got.astype(np.float64), np.reshape(values, full.shape).astype(np.float64))
    if perm:
        n = a.shape[axis]
        shape = [1] * a.ndim
        shape[axis] = n
        np.testing.assert_array_equal(np.sort(i, axis), np.broadcast_to(np.arange(n).reshape(shape), i.shape))
    if distinct:
        s = np.sort(i, axis)
        assert not (np.diff(s, axis=axis) == 0).any(), "repeated index"


def with_nans(name):
    """(4, 7) float values of dtype `name` with NaN, inf and -inf; row 3 is finite, row 2 all NaN."""
    a = np_vals((4, 7), name).astype(np.float64)
    a[0, [1, 4]] = NAN
    a[1, [0, 5]] = [INF, NAN]
    a[2] = NAN
    a[3, 2] = -INF
    return to_oracle(a, name)


def np_argsort(a, axis=-1, descending=False):
    """Stable argsort along `axis` with NaN largest; descending keeps equal values in input order."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)


def np_cum_index(a, axis, largest):
    """torch's cummax/cummin indices: the index moves on a NaN, on a new extreme, and on a tie with it."""
    m = np.moveaxis(np.asarray(a, dtype=np.float64), axis, -1)
    best, bi, out = m[..., 0], np.zeros(m.shape[:-1], np.int64), np.zeros(m.shape, np.int64)
    for j in range(m.shape[-1]):
        cur = m[..., j]
        take = np.isnan(cur) | (~np.isnan(best) & ((cur >= best) if largest else (cur <= best)))
        best, bi = np.where(take, cur, best), np.where(take, j, bi)
        out[..., j] = bi
    return np.moveaxis(out, -1, axis)


def np_unique_consecutive(a, axis=None):
    """(values, inverse, counts) of torch.unique_consecutive (NaN never equals NaN)."""
    m = a.reshape(-1) if axis is None else np.moveaxis(a, axis, 0)
    n = m.shape[0]
    change = (m[1:] != m[:-1]).reshape(max(n - 1, 0), -1).any(1)
    starts = np.concatenate([[True], change]) if n else np.zeros(0, bool)
    keep = np.flatnonzero(starts)
    inverse = np.cumsum(starts) - 1
    values = m[keep] if axis is None else np.moveaxis(m[keep], 0, axis)
    return values, inverse.reshape(a.shape) if axis is None else inverse, np.diff(np.append(keep, n))


def np_histc(a, bins, lo, hi):
    """torch.histc: lo == hi takes the data's range (widened by 1 if that is a point too); NaN is dropped."""
    flat = a.astype(np.float64).reshape(-1)
    flat = flat[~np.isnan(flat)]
    if lo == hi and flat.size:
        lo, hi = flat.min(), flat.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    return np.histogram(flat, bins, (lo, hi))[0]


def check_triple(r, values, inverse, counts, name):
    """`r` is the (values, inverse, counts) tuple of unique/unique_consecutive."""
    assert isinstance(r, tuple) and len(r) == 3
    check(r[0], values, name)
    check(r[1], inverse, "int64")
    check(r[2], counts, "int64")


dtypes = pytest.mark.parametrize("name", ALL_DTYPES)
select_dtypes = pytest.mark.parametrize("name", SELECT_DTYPES)
floats = pytest.mark.parametrize("name", FLOAT_DTYPES)
kinds = pytest.mark.parametrize("kind", LAYOUT_KINDS)
DIMS = (0, 1, 2, -1, -3)


# ----------------------------------------------------------------------------------------------------------
# sort / argsort / msort
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_sort_argsort_msort(lib, kind, name):
    x, a = lay(lib, kind, name)
    for d in DIMS:
        for desc in (False, True):
            order = np_argsort(a, d, desc)
            want = np.take_along_axis(a, order, d)
            r = lib.sort(x, d, desc)
            assert isinstance(r, tuple) and len(r) == 2 and r[0] is r.values and r[1] is r.indices
            check(r.values, want, name)
            check_gather(r.indices, a, want, d, perm=True)
            s = x.sort(dim=d, descending=desc, stable=True)  # stable: exact indices
            check(s.values, want, name)
            check(s.indices, order, "int64")
            check(lib.sort(x, stable=True, dim=d, descending=desc).indices, order, "int64")
            check_gather(lib.argsort(x, d, desc), a, want, d, perm=True)
            check(x.argsort(dim=d, descending=desc, stable=True), order, "int64")
    values, indices = x.sort()  # dim -1, ascending
    check(values, np.sort(a, -1), name)
    check_gather(indices, a, np.sort(a, -1), -1, perm=True)
    check(lib.argsort(x, stable=True), np_argsort(a, -1), "int64")
    check(lib.msort(x), np.sort(a, 0), name)
    check(x.msort(), np.sort(a, 0), name)


@floats
def test_sort_nan_inf(lib, name):
    """NaN sorts after +inf: last ascending, first descending; topk treats it as the largest value."""
    a = with_nans(name)
    x = T(lib, a, name)
    for desc in (False, True):
        order = np_argsort(a, -1, desc)
        want = np.take_along_axis(a, order, -1)
        r = x.sort(descending=desc)
        check(r.values, want, name)
        check_gather(r.indices, a, want, -1, perm=True)
        check(x.sort(dim=-1, descending=desc, stable=True).indices, order, "int64")
        check(x.argsort(dim=-1, descending=desc, stable=True), order, "int64")
        check(x.t().sort(dim=0, descending=desc, stable=True).indices, order.T, "int64")
    for k in (1, 3, 7):
        for largest in (True, False):
            want = np.take_along_axis(a, np_argsort(a, -1, largest), -1)[:, :k]
            r = x.topk(k, largest=largest)
            check(r.values, want, name)
            check_gather(r.indices, a, want, -1, distinct=True)
        want = np.sort(a, -1)[:, k - 1]
        r = x.kthvalue(k)
        check(r.values, want, name)
        check_gather(r.indices, a, want, -1)


def long_rows(name, n, seed=0):
    """(3, n) values of dtype `name` with many ties, both signed zeros and, for floats, NaN and +-inf."""
    rng = np.random.default_rng(seed)
    if name in ("float32", "float64", "float16", "bfloat16"):
        a = rng.integers(-40, 40, (3, n)) * 0.25
        a[0, rng.integers(0, n, n // 8)] = NAN
        a[1, rng.integers(0, n, n // 8)] = -0.0
        a[2, :3] = [INF, -INF, -NAN]
    elif name == "bool":
        a = rng.integers(0, 2, (3, n))
    else:
        info = np.iinfo(NP_DTYPES[name])
        a = rng.integers(-50 if info.min < 0 else 0, 50, (3, n))
        a[0, :2] = [info.min, info.max]
    return to_oracle(a.astype(bool) if name == "bool" else a, name)


@dtypes
@pytest.mark.parametrize("n", [63, 64, 300, 1000])
def test_sort_long_rows(lib, name, n):
    """Rows long enough for the radix sort: stable indices are exact in both directions, -0.0 equals 0.0."""
    a = long_rows(name, n)
    x = T(lib, a, name)
    for desc in (False, True):
        order = np_argsort(a, -1, desc)
        r = x.sort(descending=desc, stable=True)
        check(r.values, np.take_along_axis(a, order, -1), name)
        check(r.indices, order, "int64")
        check(x.t().argsort(dim=0, descending=desc, stable=True), order.T, "int64")


@select_dtypes
@pytest.mark.parametrize("n,k", [(64, 8), (300, 1), (300, 37), (1000, 64), (1000, 65)])
def test_topk_long_rows(lib, name, n, k):
    """Small k of long rows (a single pass keeping candidates): the same values as a full sort, NaN largest."""
    a = long_rows(name, n, seed=1)
    x = T(lib, a, name)
    for largest in (True, False):
        want = np.take_along_axis(a, np_argsort(a, -1, largest), -1)[:, :k]
        for srt in (True, False):
            r = x.topk(k, largest=largest, sorted=srt)
            got = r.values if srt else lib.sort(r.values, -1, largest).values
            check(got, want, name)
            check_gather(r.indices, a, N(r.values), -1, distinct=True)


def test_sort_0dim_and_empty(lib):
    s = T(lib, np.array(2.5), "float32")
    for r in (s.sort(), lib.sort(s, -1, True), s.topk(1), s.kthvalue(1), s.median(0), s.mode(), s.cummax(0),
              lib.cummin(s, -1), s.nanmedian(-1)):
        check(r.values, np.array(2.5), "float32")
        check(r.indices, np.array(0), "int64")
    for r in (s.argsort(), lib.argsort(s, dim=0, stable=True)):
        check(r, np.array(0), "int64")
    for r in (lib.msort(s), s.cumsum(0), lib.cumprod(s, -1), s.logcumsumexp(0), s.median()):
        check(r, np.array(2.5), "float32")
    check(T(lib, np.array(3), "int8").cumsum(0), np.array(3), "int64")
    e = lib.zeros(0, 3)
    for d in (0, 1):
        check(e.sort(d).values, np.zeros((0, 3)), "float32")
        check(e.sort(d).indices, np.zeros((0, 3)), "int64")
        check(e.argsort(d), np.zeros((0, 3)), "int64")
        check(e.cumsum(d), np.zeros((0, 3)), "float32")
        check(e.cummax(d).indices, np.zeros((0, 3)), "int64")
        check(e.logcumsumexp(d), np.zeros((0, 3)), "float32")
    check(e.topk(0).values, np.zeros((0, 0)), "float32")
    check(e.topk(2, dim=1).indices, np.zeros((0, 2)), "int64")
    check(T(lib, np.arange(4.0), "float32").topk(0).values, np.zeros(0), "float32")
    for r in (e.kthvalue(1, 1), e.median(1), e.mode(1), e.nanmedian(-1)):
        check(r.values, np.zeros(0), "float32")
        check(r.indices, np.zeros(0), "int64")
    check(e.median(), np.array(NAN), "float32")  # median of no elements is NaN


def test_sort_topk_cumsum_out(lib):
    a = np_vals((3, 5), "float32")
    x = T(lib, a, "float32")
    v, i = lib.empty(3, 5), lib.empty(3, 5, dtype=lib.int64)
    r = lib.sort(x, 1, True, out=(v, i))
    assert r[0] is v and r[1] is i
    check(v, -np.sort(-a, 1), "float32")
    check_gather(i, a, -np.sort(-a, 1), 1, perm=True)
    v, i = lib.empty(2, 5), lib.empty(2, 5, dtype=lib.int64)
    r = lib.topk(x, 2, 0, largest=False, out=(v, i))
    assert r.values is v and r.indices is i
    check(v, np.sort(a, 0)[:2], "float32")
    o = lib.empty(3, 5, dtype=lib.float64)  # another float dtype: the result is cast
    assert lib.cumsum(x, 0, out=o) is o
    check(o, np.cumsum(a.astype(np.float64), 0), "float64")
    o = lib.empty(3, 5, dtype=lib.float32)
    lib.cumsum(T(lib, np_vals((3, 5), "int32"), "int32"), 1, out=o)
    check(o, np.cumsum(np_vals((3, 5), "int32"), 1), "float32")


# ----------------------------------------------------------------------------------------------------------
# topk / kthvalue / median / nanmedian / mode
# ----------------------------------------------------------------------------------------------------------
@select_dtypes
@kinds
def test_topk(lib, kind, name):
    x, a = lay(lib, kind, name)
    for d in (0, 1, -1, -3):
        n = a.shape[d]
        for k in sorted({1, 2, n}):
            for largest in (True, False):
                want = np.take(np.take_along_axis(a, np_argsort(a, d, largest), d), range(k), axis=d)
                r = lib.topk(x, k, d, largest)
                check(r.values, want, name)
                check_gather(r.indices, a, want, d, distinct=True)
                u = x.topk(k, dim=d, largest=largest, sorted=False)  # any order, same set
                check(lib.sort(u.values, d).values, np.sort(want, d), name)
                check_gather(u.indices, a, N(u.values), d, distinct=True)
    check(x.topk(2).values, -np.sort(-a.astype(np.float64), -1)[..., :2], name)


@select_dtypes
@kinds
def test_kthvalue(lib, kind, name):
    x, a = lay(lib, kind, name)
    for d in (0, 1, 2, -1):
        n = a.shape[d]
        srt = np.sort(a, d)
        for k in sorted({1, (n + 1) // 2, n}):
            want = np.take(srt, k - 1, axis=d)
            r = lib.kthvalue(x, k, d)
            check(r.values, want, name)
            check_gather(r.indices, a, want, d)
            r = x.kthvalue(k, dim=d, keepdim=True)
            check(r.values, np.expand_dims(want, d), name)
            check_gather(r.indices, a, want, d, keepdim=True)
    check(x.kthvalue(2).values, np.sort(a, -1)[..., 1], name)


@select_dtypes
@kinds
def test_median_nanmedian(lib, kind, name):
    """The lower median (the ((n - 1) // 2)-th smallest), never the mean of the middle two."""
    x, a = lay(lib, kind, name)
    flat = np.sort(a.reshape(-1))
    for r in (lib.median(x), x.median(), x.nanmedian(), lib.nanmedian(x)):
        check(r, flat[(flat.size - 1) // 2], name)
    torch_bug = lib.__name__ == "torch" and kind == "expanded"
    for d in (0, 1, 2, -1, -2):
        if torch_bug and d in (1, -2):
            continue  # torch 2.x returns garbage when the reduced dim has stride 0; rtorch must not
        want = np.take(np.sort(a, d), (a.shape[d] - 1) // 2, axis=d)
        for r in (lib.median(x, d), x.median(dim=d), x.nanmedian(d)):
            check(r.values, want, name)
            check_gather(r.indices, a, want, d)
        for r in (x.median(d, keepdim=True), lib.nanmedian(x, d, True)):
            check(r.values, np.expand_dims(want, d), name)
            check_gather(r.indices, a, want, d, keepdim=True)


@floats
def test_median_nan(lib, name):
    """median propagates NaN; nanmedian ignores it (NaN only when every value is NaN)."""
    a = with_nans(name)
    x = T(lib, a, name)
    check(x.median(), np.array(NAN), name)
    fin = np.sort(a[~np.isnan(a)])
    check(x.nanmedian(), fin[(fin.size - 1) // 2], name)
    want = np.array([np.sort(row)[(row.size - 1) // 2] if not np.isnan(row).any() else NAN for row in a])
    r = x.median(1)
    check(r.values, to_oracle(want, name), name)
    check_gather(r.indices, a, want, 1)
    want = np.array([np.sort(row[~np.isnan(row)])[(np.sum(~np.isnan(row)) - 1) // 2]
                     if not np.isnan(row).all() else NAN for row in a])
    for r in (x.nanmedian(1), lib.nanmedian(x.t(), 0)):
        check(r.values, to_oracle(want, name), name)
        check_gather(r.indices, a, want, 1)


def mode_rows(name, rows=5, n=7):
    """(rows, n) values of dtype `name` where each row has exactly one most frequent value, and those values."""
    rng = np.random.default_rng(rows * n)
    out = []
    for r in range(rows):
        if name == "bool":  # 4 against 3: never a tie
            row = np.array([r % 2 == 0] * 4 + [r % 2 == 1] * 3)
        else:  # one value 3 times, 4 distinct others
            vals = rng.permutation(17)[:5] - (0 if name == "uint8" else 8)
            row = np.concatenate([np.repeat(vals[:1], 3), vals[1:]])
        out.append(rng.permutation(row))
    a = np.array(out) / (2 if name in FLOAT_DTYPES else 1)
    modes = []
    for row in a:
        u, c = np.unique(row, return_counts=True)
        assert (c == c.max()).sum() == 1
        modes.append(u[c.argmax()])
    return to_oracle(a, name), to_oracle(np.array(modes), name)


@dtypes
def test_mode(lib, name):
    a, want = mode_rows(name)
    x = T(lib, a, name)
    big = np.zeros((10, 15), dtype=a.dtype)
    big[::2, 1::2] = a
    sliced = T(lib, big, name)[::2, 1::2]
    for r in (x.mode(), lib.mode(x, -1), lib.mode(x.t(), 0), sliced.mode(1), lib.mode(sliced.t(), dim=-2)):
        check(r.values, want, name)
        check_gather(r.indices, a, want, 1)
    r = x.mode(1, keepdim=True)
    check(r.values, want[:, None], name)
    check_gather(r.indices, a, want, 1, keepdim=True)
    r = x[:, None, :].expand(5, 3, 7).mode(-1)  # expanded input
    check(r.values, np.broadcast_to(want[:, None], (5, 3)), name)
    check_gather(r.indices, np.broadcast_to(a[:, None, :], (5, 3, 7)), np.broadcast_to(want[:, None], (5, 3)), -1)


# ----------------------------------------------------------------------------------------------------------
# cumsum / cumprod / cummax / cummin / logcumsumexp
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_cumsum_cumprod(lib, kind, name):
    """Integer and bool inputs accumulate in int64 (unless dtype= says otherwise); floats keep their dtype."""
    x, a = lay(lib, kind, name)
    res = name if name in FLOAT_DTYPES else "int64"
    acc = a.astype(np.float64)
    for d in DIMS:
        for got in (lib.cumsum(x, d), x.cumsum(dim=d), lib.cumsum(x, dim=d)):
            check(got, to_oracle(np.cumsum(acc, d), res), res, exact=False)
        for got in (lib.cumprod(x, d), x.cumprod(d)):
            check(got, to_oracle(np.cumprod(acc, d), res), res, exact=False)
        check(x.cumsum(d, dtype=lib.float64), np.cumsum(acc, d), "float64")
        check(lib.cumprod(x, d, dtype=lib.float32), np.cumprod(acc, d).astype(np.float32), "float32", exact=False)
        check(lib.cumsum(x, d, dtype=lib.int32), np.cumsum(a.astype(np.int32), d), "int32")
    if kind == "expanded" or name == "bool":  # in-place needs writable, non-overlapping memory; bool: see ERRORS
        return
    for d in (1, -1, 0):
        for op, npop in (("cumsum_", np.cumsum), ("cumprod_", np.cumprod)):
            y, b = lay(lib, kind, name)
            assert getattr(y, op)(d) is y
            want = to_oracle(npop(b.astype(np.float64), d), name) if name in FLOAT_DTYPES else npop(b, d, dtype=b.dtype)
            check(y, want, name, exact=False)


@pytest.mark.parametrize("name,vals", [("int8", [100, 100, -100]), ("uint8", [200, 100, 7]), ("int16", [30000, 30000, 1])])
def test_cumsum_inplace_keeps_dtype(lib, name, vals):
    """cumsum_/cumprod_ write into the input's own dtype, so small ints wrap like numpy's dtype= accumulate."""
    a = np.array(vals, dtype=NP_DTYPES[name])
    check(T(lib, a, name).cumsum_(0), np.cumsum(a, dtype=a.dtype), name)
    check(T(lib, a, name).cumprod_(0), np.cumprod(a, dtype=a.dtype), name)
    check(T(lib, a, name).cumsum(0), np.cumsum(a.astype(np.int64)), "int64")  # out of place: no wrap


@dtypes
@kinds
def test_cummax_cummin(lib, kind, name):
    """Values are the running max/min; on a tie the index moves to the later position (torch's CPU rule)."""
    x, a = lay(lib, kind, name)
    for d in DIMS:
        for op, ufunc, largest in (("cummax", np.maximum, True), ("cummin", np.minimum, False)):
            want = ufunc.accumulate(a, axis=d)
            for r in (getattr(lib, op)(x, d), getattr(x, op)(dim=d)):
                check(r.values, want, name)
                check(r.indices, np_cum_index(a, d, largest), "int64")


@floats
def test_cummax_cummin_nan(lib, name):
    """A NaN is sticky: the values stay NaN and the index follows each later NaN."""
    a = with_nans(name)
    x = T(lib, a, name)
    for op, ufunc, largest in (("cummax", np.maximum, True), ("cummin", np.minimum, False)):
        for d, t in ((1, x), (0, x.t())):
            r = getattr(t, op)(d)
            want = ufunc.accumulate(a, axis=1)
            check(r.values, want if d == 1 else want.T, name)
            idx = np_cum_index(a, 1, largest)
            check(r.indices, idx if d == 1 else idx.T, "int64")


@floats
@kinds
def test_logcumsumexp(lib, kind, name):
    x, a = lay(lib, kind, name)
    for d in DIMS:
        want = to_oracle(np.logaddexp.accumulate(a.astype(np.float64), axis=d), name)
        check(lib.logcumsumexp(x, d), want, name, exact=False)
        check(x.logcumsumexp(dim=d), want, name, exact=False)
    s = to_oracle(np.array([[-INF, -INF, 1, INF, 2, NAN, 0], [3, -INF, 30, -2, 0.5, 1, 1]]), name)
    with np.errstate(invalid="ignore"):  # logaddexp(-inf, -inf) is -inf, with a warning
        want = np.logaddexp.accumulate(s.astype(np.float64), 1)
    check(T(lib, s, name).logcumsumexp(1), want, name, exact=False)


# ----------------------------------------------------------------------------------------------------------
# diff
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_diff(lib, kind, name):
    """n-th forward difference (bool: XOR); n >= the dim's size gives an empty result, n == 0 the input."""
    x, a = lay(lib, kind, name)
    for d in (0, 1, 2, -1, -2):
        for n in (0, 1, 2, 3, 6):
            check(lib.diff(x, n, d), np.diff(a, n, d), name)
            check(x.diff(n=n, dim=d), np.diff(a, n, d), name)
        shp = list(a.shape)
        shp[d] = 2
        pre, app = np_vals(tuple(shp), name, seed=4), np_vals(tuple(shp), name, seed=5)
        P, A = T(lib, pre, name), T(lib, app, name)
        check(lib.diff(x, 1, d, P, A), np.diff(a, 1, d, prepend=pre, append=app), name)
        check(x.diff(2, d, prepend=P), np.diff(a, 2, d, prepend=pre), name)
        check(x.diff(dim=d, append=A), np.diff(a, 1, d, append=app), name)
    check(x.diff(), np.diff(a), name)


def test_diff_prepend_promotes(lib):
    a = np.array([1, 3, 0], dtype=np.int32)
    x = T(lib, a, "int32")
    check(x.diff(prepend=T(lib, [1.5], "float32")), np.diff(a, prepend=1.5).astype(np.float32), "float32")
    check(x.diff(append=T(lib, [5], "int64")), np.diff(a.astype(np.int64), append=5), "int64")
    check(T(lib, [1, 4], "uint8").diff(prepend=T(lib, [2], "int8")), np.array([-1, 3]), "int16")


# ----------------------------------------------------------------------------------------------------------
# searchsorted / bucketize
# ----------------------------------------------------------------------------------------------------------
@select_dtypes
def test_searchsorted(lib, name):
    seq = np.sort(np_vals((12,), name, seed=1))  # has duplicates
    vals = np_vals((3, 5), name, seed=4)
    S, V = T(lib, seq, name), T(lib, vals, name)
    seq2 = np.sort(np_vals((6, 4, 3), name, seed=2), axis=0).transpose(2, 1, 0)  # N-d: one sorted row per (i, j)
    vals2 = np_vals((3, 4, 5), name, seed=3)
    for right in (False, True):
        side = "right" if right else "left"
        want = np.searchsorted(seq, vals, side)
        check(lib.searchsorted(S, V, right=right), want, "int64")
        check(lib.searchsorted(S, V, side=side), want, "int64")
        check(lib.searchsorted(S, V, side=side, right=right), want, "int64")
        check(lib.searchsorted(S, V.t(), right=right, out_int32=True), want.T, "int32")
        check(lib.searchsorted(S, vals[1, 2].item(), side=side), np.searchsorted(seq, vals[1, 2], side), "int64")
        check(lib.searchsorted(S, T(lib, vals[0, 0], name), right=right), np.searchsorted(seq, vals[0, 0], side),
              "int64")
        want2 = np.stack([np.stack([np.searchsorted(seq2[i, j], vals2[i, j], side) for j in range(4)])
                          for i in range(3)])
        check(lib.searchsorted(T(lib, seq2.transpose(2, 1, 0), name).permute(2, 1, 0), T(lib, vals2, name),
                               side=side), want2, "int64")
        check(lib.searchsorted(S[::2], V, right=right), np.searchsorted(seq[::2], vals, side), "int64")
    check(lib.searchsorted(S, T(lib, np.zeros(0), name)), np.zeros(0), "int64")
    check(lib.searchsorted(T(lib, np.zeros(0), name), V), np.zeros((3, 5)), "int64")


def test_searchsorted_mixed_dtypes_and_nan(lib):
    """Mixed dtypes compare by value; a NaN value lands after every finite boundary (either side)."""
    seq = np.array([1, 2, 2, 3, 7])
    check(lib.searchsorted(T(lib, seq, "int64"), T(lib, [2.5, -1, 8], "float32")),
          np.searchsorted(seq, [2.5, -1, 8]), "int64")
    check(lib.searchsorted(T(lib, seq, "float32"), T(lib, [2, 9], "int32"), right=True),
          np.searchsorted(seq, [2, 9], "right"), "int64")
    for name in FLOAT_DTYPES:
        S = T(lib, seq, name)
        check(lib.searchsorted(S, T(lib, [NAN, 2, INF, -INF], name)), np.array([5, 1, 5, 0]), "int64")
        check(lib.searchsorted(S, T(lib, [NAN, 2], name), right=True), np.array([5, 3]), "int64")


@select_dtypes
@kinds
def test_bucketize(lib, kind, name):
    """bucketize(x, b, right=r) is searchsorted(b, x, right=r), i.e. np.digitize(x, b, right=not r)."""
    x, a = lay(lib, kind, name)
    b = np.unique(np_vals((9,), name, seed=1))
    B = T(lib, b, name)
    for right in (False, True):
        want = np.digitize(a, b, right=not right)
        check(lib.bucketize(x, B, right=right), want, "int64")
        check(lib.bucketize(x, B, out_int32=True, right=right), want, "int32")
        check(lib.bucketize(a.flat[3].item(), B, right=right), np.digitize(a.flat[3], b, right=not right), "int64")
    check(lib.bucketize(x, B[::2]), np.digitize(a, b[::2], right=True), "int64")


# ----------------------------------------------------------------------------------------------------------
# bincount / histc
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", INT_DTYPES)
def test_bincount(lib, name):
    """Counts are int64; float32 weights give float32 sums, any other weights dtype gives float64."""
    a = np.abs(np_vals((17,), name)).astype(NP_DTYPES[name])
    x = T(lib, a, name)
    check(lib.bincount(x), np.bincount(a), "int64")
    check(x.bincount(minlength=30), np.bincount(a, minlength=30), "int64")
    check(x.bincount(minlength=2), np.bincount(a), "int64")
    check(lib.bincount(x[::3]), np.bincount(a[::3]), "int64")
    for wname, res in (("float32", "float32"), ("float64", "float64"), ("float16", "float64"),
                       ("bfloat16", "float64"), ("int64", "float64"), ("bool", "float64")):
        w = np_vals((17,), wname, seed=3)
        check(lib.bincount(x, T(lib, w, wname)), np.bincount(a, w.astype(np.float64)), res)
        check(x.bincount(weights=T(lib, w, wname), minlength=25), np.bincount(a, w.astype(np.float64), 25), res)
    check(lib.bincount(T(lib, np.zeros(0), name)), np.zeros(0), "int64")
    check(lib.bincount(T(lib, np.zeros(0), name), minlength=3), np.zeros(3), "int64")


# (bins, min, max) whose bin arithmetic is exact even in bfloat16 (edges on representable values), and the rest
HISTC_EXACT = [(4, -2, 2), (8, -4.0, 4.0), (11, -5.5, 5.5), (3, -1.5, -0.5), (2, 0, 3), (1, 0, 0)]
HISTC_INEXACT = [(10, 0, 0), (7, -6.0, 6.0), (5, 1, 1), (100, 0, 0)]


@floats
@kinds
def test_histc(lib, kind, name):
    """Result in the input's dtype; values outside [min, max] are dropped; min == max uses the data's range.

    torch computes bin positions in the input's dtype, so for bfloat16 only exact cases are pinned."""
    x, a = lay(lib, kind, name)
    for bins, lo, hi in HISTC_EXACT + (HISTC_INEXACT if name != "bfloat16" else []):
        check(lib.histc(x, bins, lo, hi), np_histc(a, bins, lo, hi), name)
        check(x.histc(bins=bins, min=lo, max=hi), np_histc(a, bins, lo, hi), name)
    if name != "bfloat16":
        check(x.histc(), np_histc(a, 100, 0, 0), name)  # defaults: bins=100, min=max=0
    check(lib.histc(x, 4, -4, 4), np_histc(a, 4, -4, 4), name)
    n = to_oracle([1.0, NAN, 2.5, -3.0, NAN, 2.0], name)
    check(lib.histc(T(lib, n, name), 4, -1, 3), np_histc(n, 4, -1, 3), name)  # NaN dropped
    p = to_oracle([2.0, 2.0], name)
    check(lib.histc(T(lib, p, name), 4), np_histc(p, 4, 0, 0), name)  # a single point: range widened
    check(lib.histc(T(lib, np.zeros(0), name), 3), np.zeros(3), name)
    check(lib.histc(T(lib, np.array(1.5), name), 2, 0, 2), np.array([0, 1]), name)


# ----------------------------------------------------------------------------------------------------------
# unique / unique_consecutive
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_unique(lib, kind, name):
    x, a = lay(lib, kind, name)
    u, inv, cnt = np.unique(a, return_inverse=True, return_counts=True)
    check(lib.unique(x), u, name)
    check(x.unique(sorted=True), u, name)
    check_triple(lib.unique(x, return_inverse=True, return_counts=True), u, inv.reshape(a.shape), cnt, name)
    vals, counts = x.unique(return_counts=True)
    check(vals, u, name)
    check(counts, cnt, "int64")
    vals, inverse = x.unique(return_inverse=True)
    check(vals, u, name)
    check(inverse, inv.reshape(a.shape), "int64")
    vals, inverse, counts = lib.unique(x, sorted=False, return_inverse=True, return_counts=True)  # any order
    v = N(vals)
    np.testing.assert_array_equal(np.sort(v), u.astype(v.dtype))
    np.testing.assert_array_equal(v[N(inverse)], a.astype(v.dtype))
    np.testing.assert_array_equal(N(counts), [(a.astype(v.dtype) == e).sum() for e in v])
    for d in (0, 1, 2, -1):
        b = np.take(a, [1, 0, 1, 2, 0, 1], axis=d)  # repeated slices along d
        y = T(lib, np.moveaxis(b, d, 0), name).movedim(0, d)  # non-contiguous unless d == 0
        u, inv, cnt = np.unique(b, axis=d, return_inverse=True, return_counts=True)
        check_triple(lib.unique(y, dim=d, return_inverse=True, return_counts=True), u, inv.reshape(-1), cnt, name)
        check(x.unique(dim=d), np.unique(a, axis=d), name)


def test_unique_nan_0dim_empty(lib):
    """NaNs never compare equal, so each one is its own (last-sorted) unique value."""
    a = np.array([NAN, 1.0, NAN, 1.0, 2.0])
    u, cnt = np.unique(a, equal_nan=False, return_counts=True)
    vals, inverse, counts = lib.unique(T(lib, a, "float32"), return_inverse=True, return_counts=True)
    check(vals, u, "float32")
    check(counts, cnt, "int64")
    np.testing.assert_array_equal(N(vals)[N(inverse)], a.astype(np.float32))
    assert len(set(N(inverse)[[0, 2]])) == 2
    check(lib.unique_consecutive(T(lib, [NAN, NAN, 1.0, 1.0], "float64")), np.array([NAN, NAN, 1.0]), "float64")
    # a 0-dim input gives 1-element values and counts and a 0-dim inverse
    check_triple(lib.unique(T(lib, np.array(3), "int32"), return_inverse=True, return_counts=True),
                 np.array([3]), np.array(0), np.array([1]), "int32")
    check_triple(lib.unique_consecutive(T(lib, np.array(3.5), "float16"), return_inverse=True, return_counts=True),
                 np.array([3.5]), np.array(0), np.array([1]), "float16")
    e = lib.zeros(0, 3)
    check_triple(lib.unique(e, return_inverse=True, return_counts=True), np.zeros(0), np.zeros((0, 3)), np.zeros(0),
                 "float32")
    check_triple(lib.unique(e, dim=0, return_inverse=True, return_counts=True), np.zeros((0, 3)), np.zeros(0),
                 np.zeros(0), "float32")


@dtypes
@pytest.mark.parametrize("kind", ["contiguous", "transposed"])
def test_unique_consecutive(lib, kind, name):
    base = np_vals((3, 2, 3), name)
    a = np.repeat(np.repeat(base, [1, 3], axis=1), [2, 1, 2], axis=2)  # runs along dims 1 and 2
    x = T(lib, a, name) if kind == "contiguous" else T(lib, a.transpose(2, 1, 0), name).permute(2, 1, 0)
    u, inv, cnt = np_unique_consecutive(a)
    check(lib.unique_consecutive(x), u, name)
    check_triple(x.unique_consecutive(return_inverse=True, return_counts=True), u, inv, cnt, name)
    for d in (0, 1, 2, -1, -2):
        u, inv, cnt = np_unique_consecutive(a, d)
        check_triple(lib.unique_consecutive(x, return_inverse=True, return_counts=True, dim=d), u, inv, cnt, name)
        check(x.unique_consecutive(dim=d), u, name)


# ----------------------------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------------------------
NIE = NotImplementedError  # a RuntimeError subclass
ERRORS = [
    ("sort_0dim_dim", lambda L: L.tensor(1.0).sort(1), IndexError,  # a 0-dim tensor takes dims -1 and 0
     r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"),
    ("cumsum_0dim_dim", lambda L: L.cumsum(L.tensor(1.0), -2), IndexError,
     r"Dimension out of range \(expected to be in range of \[-1, 0\], but got -2\)"),
    ("topk_k_big", lambda L: L.zeros(3).topk(4), RuntimeError, "selected index k out of range"),
    ("topk_k_negative", lambda L: L.zeros(2, 3).topk(-1), RuntimeError, "selected index k out of range"),
    ("topk_0dim_k2", lambda L: L.tensor(1.0).topk(2), RuntimeError, "selected index k out of range"),
    ("topk_empty_dim", lambda L: L.zeros(0, 3).topk(1, 0), RuntimeError, "selected index k out of range"),
    ("topk_bool", lambda L: L.zeros(3, dtype=L.bool).topk(1), NIE, "topk does not support bool dtypes"),
    ("topk_out_dtype", lambda L: L.topk(L.zeros(3), 1, out=(L.empty(1), L.empty(1))), RuntimeError,
     "Expected out tensor to have dtype long int, but got float instead"),
    ("kthvalue_k_big", lambda L: L.zeros(3).kthvalue(4), RuntimeError,
     r"kthvalue\(\): selected number k out of range for dimension 0"),
    ("kthvalue_k_zero", lambda L: L.zeros(2, 3).kthvalue(0), RuntimeError,
     r"kthvalue\(\): selected number k out of range for dimension 1"),
    ("kthvalue_0dim_k2", lambda L: L.tensor(1.0).kthvalue(2), RuntimeError,
     r"kthvalue\(\): selected number k out of range for dimension 0"),
    ("kthvalue_empty", lambda L: L.zeros(0, 3).kthvalue(1, 0), IndexError,
     r"kthvalue\(\): Expected reduction dim 0 to have non-zero size\."),
    ("kthvalue_bool", lambda L: L.zeros(3, dtype=L.bool).kthvalue(1), NIE, "not implemented for 'Bool'"),
    ("median_empty", lambda L: L.zeros(0, 3).median(0), IndexError,
     r"median\(\): Expected reduction dim 0 to have non-zero size\."),
    ("median_bool", lambda L: L.zeros(3, dtype=L.bool).median(), NIE, "not implemented for 'Bool'"),
    ("nanmedian_bool", lambda L: L.zeros(3, dtype=L.bool).nanmedian(), NIE, "not implemented for 'Bool'"),
    ("mode_empty", lambda L: L.zeros(0, 3).mode(0), IndexError,
     r"mode\(\): Expected reduction dim 0 to have non-zero size\."),
    ("sort_out_dtype", lambda L: L.sort(L.zeros(2), out=(L.empty(2), L.empty(2, dtype=L.int32))), RuntimeError,
     "Expected out tensor to have dtype long int, but got int instead"),
    ("cumsum_out_dtype", lambda L: L.cumsum(L.zeros(2), 0, dtype=L.float64, out=L.empty(2)), RuntimeError,
     "Expected out tensor to have dtype double, but got float instead"),
    ("cumsum_inplace_bool", lambda L: L.zeros(2, dtype=L.bool).cumsum_(0), NIE, "not implemented for 'Bool'"),
    ("cumsum_dtype_bool", lambda L: L.zeros(2).cumsum(0, dtype=L.bool), NIE, "not implemented for 'Bool'"),
    ("cumsum_inplace_dtype", lambda L: L.zeros(2, dtype=L.int32).cumsum_(0, dtype=L.int64), RuntimeError,
     "Bad in-place call: input tensor dtype int and output tensor dtype long int should match"),
    ("logcumsumexp_int", lambda L: L.zeros(2, dtype=L.int64).logcumsumexp(0), NIE, "not implemented for 'Long'"),
    ("diff_negative_n", lambda L: L.zeros(3).diff(-1), RuntimeError, "order must be non-negative but got -1"),
    ("diff_0dim", lambda L: L.diff(L.tensor(1.0)), RuntimeError, "diff expects input to be at least one-dimensional"),
    ("diff_prepend_ndim", lambda L: L.zeros(2, 3).diff(dim=1, prepend=L.zeros(3)), RuntimeError,
     "diff expects prepend or append to be the same dimension as input"),
    ("diff_append_shape", lambda L: L.zeros(2, 3).diff(dim=1, append=L.zeros(3, 1)), RuntimeError,
     r"diff expects the shape of tensor to prepend or append to match that of input except along the "
     r"differencing dimension; input.size\(0\) = 2, but got tensor.size\(0\) = 3"),
    ("searchsorted_dims", lambda L: L.searchsorted(L.zeros(2, 3), L.zeros(3, 1)), RuntimeError,
     r"torch.searchsorted\(\): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
     r"tensor and input value tensor must match, but we got boundaries tensor \[2, 3\] and input value tensor \[3, 1\]"),
    ("searchsorted_0dim_seq", lambda L: L.searchsorted(L.tensor(1.0), L.zeros(2)), RuntimeError,
     r"torch.searchsorted\(\): boundaries tensor should have positive dimension, but got 0 dimension"),
    ("searchsorted_scalar_nd", lambda L: L.searchsorted(L.zeros(2, 3), 1.0), RuntimeError,
     r"torch.searchsorted\(\): input value can be a scalar only when boundaries tensor dimension is 1, but we got "
     r"boundaries tensor dim\(2\) and input value's dim\(0\) numel\(1\)"),
    ("searchsorted_side", lambda L: L.searchsorted(L.zeros(3), L.zeros(1), side="middle"), RuntimeError,
     r"torch.searchsorted\(\): side can only be 'left' or 'right' but got middle"),
    ("searchsorted_side_right", lambda L: L.searchsorted(L.zeros(3), L.zeros(1), side="left", right=True),
     RuntimeError, r"side and right can't be set to opposites, got side of left while right was True"),
    ("searchsorted_bool", lambda L: L.searchsorted(L.zeros(3, dtype=L.bool), L.zeros(1, dtype=L.bool)), NIE,
     "not implemented for 'Bool'"),
    ("bucketize_2d", lambda L: L.bucketize(L.zeros(1), L.zeros(1, 3)), RuntimeError,
     r"boundaries tensor must be 1 dimension, but got dim\(2\)"),
    ("bincount_negative", lambda L: L.bincount(L.tensor([1, -1])), RuntimeError,
     r"bincount only supports 1-d non-negative integral inputs\."),
    ("bincount_2d", lambda L: L.bincount(L.tensor([[1]])), RuntimeError,
     r"bincount only supports 1-d non-negative integral inputs\."),
    ("bincount_0dim", lambda L: L.bincount(L.tensor(1)), RuntimeError,
     r"bincount only supports 1-d non-negative integral inputs\."),
    ("bincount_float", lambda L: L.bincount(L.zeros(2)), NIE, "not implemented for 'Float'"),
    ("bincount_bool", lambda L: L.bincount(L.zeros(2, dtype=L.bool)), NIE, "not implemented for 'Bool'"),
    ("bincount_minlength", lambda L: L.bincount(L.tensor([1]), minlength=-1), RuntimeError, "minlength should be >= 0"),
    ("bincount_weights", lambda L: L.bincount(L.tensor([1, 2]), L.ones(3)), RuntimeError,
     "weights should be 1-d and have the same length as input"),
    ("histc_int", lambda L: L.histc(L.tensor([1, 2]), 3), NIE, "not implemented for 'Long'"),
    ("histc_bins", lambda L: L.histc(L.zeros(2), 0), RuntimeError, "bins must be > 0, but got 0 for dimension 0"),
    ("histc_min_max", lambda L: L.histc(L.zeros(2), 3, 2, 1), RuntimeError, "torch.histc: max must be larger than min"),
    ("histc_inf", lambda L: L.histc(L.tensor([1.0, float("inf")]), 3), RuntimeError,
     r"torch.histc: range of \[1, inf\] is not finite"),
    ("histc_nan", lambda L: L.histc(L.tensor([1.0, float("nan")]), 3), RuntimeError,
     r"torch.histc: range of \[.*nan, .*nan\] is not finite"),
    ("unique_zero_sized", lambda L: L.unique(L.zeros(0, 3), dim=1), RuntimeError,
     "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(lib, fn, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn(lib)


DIM_OPS = {
    "sort": lambda L, x: x.sort(2), "sort_neg": lambda L, x: L.sort(x, -3), "argsort": lambda L, x: x.argsort(2),
    "topk": lambda L, x: x.topk(1, 2), "kthvalue": lambda L, x: x.kthvalue(1, 2), "median": lambda L, x: x.median(2),
    "nanmedian": lambda L, x: x.nanmedian(2), "mode": lambda L, x: L.mode(x, 2), "cumsum": lambda L, x: x.cumsum(2),
    "cumsum_": lambda L, x: x.cumsum_(2), "cumprod": lambda L, x: L.cumprod(x, 2), "cummax": lambda L, x: x.cummax(2),
    "cummin_neg": lambda L, x: L.cummin(x, -3), "logcumsumexp": lambda L, x: x.logcumsumexp(2),
    "diff": lambda L, x: x.diff(dim=2), "unique": lambda L, x: L.unique(x, dim=2),
    "unique_consecutive": lambda L, x: L.unique_consecutive(x, dim=2),
}


@pytest.mark.parametrize("op", list(DIM_OPS))
def test_dim_out_of_range(lib, op):
    bad = "-3" if op.endswith("_neg") else "2"
    with pytest.raises(IndexError, match=rf"Dimension out of range \(expected to be in range of \[-2, 1\], but got {bad}\)"):
        DIM_OPS[op](lib, lib.zeros(2, 3))

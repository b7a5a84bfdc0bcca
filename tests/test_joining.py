"""Joining, splitting and rearranging ops: cat/stack/*stack, split/chunk/tensor_split/unbind, repeat/tile/
repeat_interleave, roll/flip/rot90, movedim/swapdims, broadcast_to/broadcast_tensors/meshgrid, tril/triu
(+ indices), diag/diagonal/diag_embed/trace and ``nn.functional.pad`` (constant mode).

Every test takes the ``lib`` fixture, so the same code runs on rtorch and on PyTorch (which validates the
spec); numpy is the value oracle.  Inputs cover every dtype, the layouts of conftest (contiguous,
transposed, sliced with steps, expanded), negative dims, empty and 0-dim tensors.  Views (split, chunk,
unbind, diagonal, movedim, broadcast_to...) must share memory with their base; cat, stack, flip, roll,
repeat... must return fresh memory.  Errors are pinned to torch's exception type and message.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import ALL_DTYPES, FLOAT_DTYPES, LAYOUT_KINDS, N, T, dname, lay, np_vals


# ----------------------------------------------------------------------------------------------------------
# helpers (library-agnostic: they work on rtorch and on torch)
# ----------------------------------------------------------------------------------------------------------
def check(t, expected, name):
    """`t` has dtype `name`, the shape of `expected` and exactly its values (all ops here are exact)."""
    expected = np.asarray(expected)
    assert dname(t) == name, f"dtype {dname(t)} != {name}"
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != {expected.shape}"
    np.testing.assert_array_equal(N(t).astype(np.float64), expected.astype(np.float64))


def check_all(ts, expected, name):
    ts = list(ts)
    assert len(ts) == len(expected), f"{len(ts)} pieces != {len(expected)}"
    for t, e in zip(ts, expected):
        check(t, e, name)


def owner(lib, shape=(4, 6)):
    """A float32 tensor owning its memory, values 1..n (never -1)."""
    return T(lib, np.arange(1, np.prod(shape) + 1).reshape(shape), "float32")


def assert_view(base, views):
    """Writing -1 through each view changes exactly that many elements of `base`."""
    for v in views:
        before = N(base)
        v.fill_(-1)
        assert (N(v) == -1).all()
        assert int(((N(base) == -1) & (before != -1)).sum()) == v.numel(), "not a view of its base"


def assert_fresh(base, r):
    before = N(base)
    r.fill_(-1)
    np.testing.assert_array_equal(N(base), before)


def np_chunk(a, chunks, d):
    n = a.shape[d]
    if n == 0:
        return [a] * chunks
    s = -(-n // chunks)
    return np.split(a, range(s, n, s), axis=d)


def np_diag_embed(a, offset=0, dim1=-2, dim2=-1):
    n, m = a.shape[-1], a.shape[-1] + abs(offset)
    out = np.zeros(a.shape[:-1] + (m, m), dtype=a.dtype)
    i = np.arange(n)
    out[..., i + max(-offset, 0), i + max(offset, 0)] = a
    return np.moveaxis(out, [-2, -1], [dim1, dim2])


def np_pad(a, pad, value):
    out = a
    for i in range(len(pad) // 2):
        ax, lo, hi = a.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        width = [(0, 0)] * a.ndim
        width[ax] = (max(lo, 0), max(hi, 0))
        out = np.pad(out, width, constant_values=value)
        sl = [slice(None)] * a.ndim
        sl[ax] = slice(-min(lo, 0), out.shape[ax] + min(hi, 0))
        out = out[tuple(sl)]
    return out


dtypes = pytest.mark.parametrize("name", ALL_DTYPES)
kinds = pytest.mark.parametrize("kind", LAYOUT_KINDS)


# ----------------------------------------------------------------------------------------------------------
# cat / stack / hstack / vstack / dstack / column_stack
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_cat(lib, kind, name):
    x, a = lay(lib, kind, name)
    for d in (0, 1, 2, -1, -2, -3):
        shp = list(a.shape)
        shp[d] = 2
        b = np_vals(tuple(shp), name, seed=5)
        y = T(lib, b, name)
        for fn in (lib.cat, lib.concat, lib.concatenate):
            check(fn([x, y, x], d), np.concatenate([a, b, a], d), name)
        check(lib.cat((y, x), dim=d), np.concatenate([b, a], d), name)
    check(lib.cat([x, x]), np.concatenate([a, a]), name)
    check(lib.cat([x]), a, name)


@dtypes
@kinds
def test_stack(lib, kind, name):
    x, a = lay(lib, kind, name)
    b = np_vals((3, 4, 5), name, seed=7)
    y = T(lib, b, name)
    for d in (0, 1, 2, 3, -1, -2, -4):
        check(lib.stack([x, y], d), np.stack([a, b], d), name)
    check(lib.stack((y, x, y)), np.stack([b, a, b]), name)
    check(lib.stack([x]), a[None], name)


@pytest.mark.parametrize("name", ["float32", "int64", "bool", "bfloat16"])
def test_cat_stack_edge_shapes(lib, name):
    a, b = np_vals((2, 3), name), np_vals((2, 3), name, seed=1)
    x, y = T(lib, a, name), T(lib, b, name)
    empty1 = T(lib, np.zeros((0,)), name)
    # legacy rule: 1-d tensors of shape (0,) are skipped whatever the other shapes and the dim
    check(lib.cat([x, empty1, y]), np.concatenate([a, b]), name)
    check(lib.cat([empty1, x], dim=1), a, name)
    check(lib.cat([empty1, empty1]), np.zeros((0,)), name)
    # a genuinely empty (0, 3) tensor joins normally
    check(lib.cat([T(lib, np.zeros((0, 3)), name), x]), a, name)
    check(lib.cat([x, T(lib, np.zeros((2, 0)), name)], 1), a, name)
    # stack of 0-dim and of empty tensors
    s0, s1 = T(lib, a[0, 0], name), T(lib, a[1, 2], name)
    check(lib.stack([s0, s1]), np.stack([a[0, 0], a[1, 2]]), name)
    check(lib.stack([s0, s1], -1), np.stack([a[0, 0], a[1, 2]]), name)
    e = T(lib, np.zeros((0, 2)), name)
    check(lib.stack([e, e], 1), np.zeros((0, 2, 2)), name)


@pytest.mark.parametrize("a_name,b_name,res", [
    ("int32", "float32", "float32"), ("bool", "uint8", "uint8"), ("int8", "uint8", "int16"),
    ("bfloat16", "float16", "float32"), ("int64", "bool", "int64"), ("float16", "int64", "float16"),
    ("float32", "float64", "float64"), ("bool", "bfloat16", "bfloat16"),
])
def test_cat_type_promotion(lib, a_name, b_name, res):
    a, b = np_vals((2, 3), a_name), np_vals((1, 3), b_name, seed=2)
    x, y = T(lib, a, a_name), T(lib, b, b_name)
    want = np.concatenate([a.astype(np.float64), b.astype(np.float64)])
    check(lib.cat([x, y]), want, res)
    check(lib.cat([y, x]), np.concatenate([want[2:], want[:2]]), res)
    # a skipped legacy-empty tensor still takes part in promotion
    check(lib.cat([x, T(lib, np.zeros((0,)), b_name)]), a, res)


def test_cat_stack_out(lib):
    a, b = np_vals((2, 3), "float32"), np_vals((2, 3), "float32", seed=1)
    x, y = T(lib, a, "float32"), T(lib, b, "float32")
    o = lib.empty(2, 6)
    assert lib.cat([x, y], 1, out=o) is o
    check(o, np.concatenate([a, b], 1), "float32")
    o = lib.zeros(2, 2, 3, dtype=lib.float64)  # right shape, other dtype: values are cast
    assert lib.stack([x, y], out=o) is o
    check(o, np.stack([a, b]), "float64")
    o = lib.empty(2, 2, 3, dtype=lib.int32)  # int inputs into an int out of another width
    i = np_vals((2, 3), "int64")
    lib.stack([T(lib, i, "int64"), T(lib, i, "int64")], 1, out=o)
    check(o, np.stack([i, i], 1), "int32")
    o = lib.empty(4, 3, dtype=lib.float32)  # float64 -> float32 out is allowed
    lib.cat([x, T(lib, b, "float64")], out=o)
    check(o, np.concatenate([a, b]), "float32")
    o = lib.empty(0)  # resized to the result's shape
    assert lib.cat([x, y], 1, out=o) is o
    check(o, np.concatenate([a, b], 1), "float32")
    o = lib.empty(0, dtype=lib.int32)
    lib.stack([T(lib, i, "int64"), T(lib, i, "int64")], 1, out=o)
    check(o, np.stack([i, i], 1), "int32")


@pytest.mark.parametrize("name", ["float32", "int32", "bool", "float16"])
def test_hstack_vstack_dstack_column_stack(lib, name):
    s, v, w = np_vals((), name), np_vals((3,), name, seed=1), np_vals((3,), name, seed=2)
    m, k = np_vals((3, 2), name, seed=3), np_vals((2, 3), name, seed=4)
    cases = [
        (lib.hstack, np.hstack, [v, w]), (lib.hstack, np.hstack, [s, s]), (lib.hstack, np.hstack, [m, m]),
        (lib.vstack, np.vstack, [v, w]), (lib.vstack, np.vstack, [s, s]), (lib.vstack, np.vstack, [k, v]),
        (lib.dstack, np.dstack, [v, w]), (lib.dstack, np.dstack, [s, s]), (lib.dstack, np.dstack, [m, m]),
        (lib.column_stack, np.column_stack, [v, w]), (lib.column_stack, np.column_stack, [v, m]),
        (lib.column_stack, np.column_stack, [m, v, m]),
    ]
    for fn, npfn, arrs in cases:
        check(fn([T(lib, a, name) for a in arrs]), npfn(arrs), name)
    check(lib.hstack((T(lib, m, name).t(), T(lib, k, name))), np.hstack([m.T, k]), name)  # non-contiguous


# ----------------------------------------------------------------------------------------------------------
# split / chunk / tensor_split / unbind
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_split_chunk_unbind(lib, kind, name):
    x, a = lay(lib, kind, name)
    for d in (0, 1, 2, -1, -2):
        n = a.shape[d]
        for s in (1, 2, 3, n, n + 3):
            check_all(lib.split(x, s, d), np.split(a, range(s, n, s), axis=d), name)
            check_all(x.split(s, dim=d), np.split(a, range(s, n, s), axis=d), name)
        sizes = [1, 0, n - 1]
        check_all(x.split(sizes, d), np.split(a, np.cumsum(sizes)[:-1], axis=d), name)
        for c in (1, 2, 3, 4, 7):
            check_all(x.chunk(c, d), np_chunk(a, c, d), name)
            check_all(lib.chunk(x, c, dim=d), np_chunk(a, c, d), name)
        check_all(x.unbind(d), [np.take(a, i, axis=d) for i in range(n)], name)
        check_all(lib.unbind(x, dim=d), [np.take(a, i, axis=d) for i in range(n)], name)
    check_all(lib.split(x, 2), np.split(a, [2]), name)
    check_all(x.unbind(), list(a), name)


@pytest.mark.parametrize("n,chunks", [(5, 4), (6, 4), (0, 3), (1, 3), (7, 7), (13, 5)])
def test_chunk_split_1d(lib, n, chunks):
    """chunk takes ceil(n / chunks) per piece, so it can return fewer pieces (and `chunks` empty ones if n == 0)."""
    a = np.arange(n)
    check_all(lib.arange(n).chunk(chunks), np_chunk(a, chunks, 0), "int64")
    check_all(lib.arange(n).split(chunks), np.split(a, range(chunks, n, chunks)), "int64")
    check_all(lib.arange(n).unbind(), list(a), "int64")


@dtypes
@kinds
def test_tensor_split(lib, kind, name):
    x, a = lay(lib, kind, name)
    for d in (0, 1, 2, -1):
        for sections in (1, 2, 3, 6):
            check_all(lib.tensor_split(x, sections, d), np.array_split(a, sections, axis=d), name)
            check_all(x.tensor_split(sections, dim=d), np.array_split(a, sections, axis=d), name)
        for idx in ([1], [1, 3], [3, 1], [0, 2, 10], [-2], (1, -1)):
            check_all(lib.tensor_split(x, idx, dim=d), np.split(a, list(idx), axis=d), name)
    check_all(lib.tensor_split(x, lib.tensor([1, 2])), np.split(a, [1, 2]), name)
    check_all(lib.tensor_split(x, lib.tensor(2)), np.array_split(a, 2), name)


@pytest.mark.parametrize("op", ["split", "split_sizes", "chunk", "tensor_split", "tensor_split_idx", "unbind",
                                "unbind_t", "split_t", "diagonal", "diagonal_t", "movedim", "moveaxis",
                                "swapdims"])
def test_results_are_views(lib, op):
    base = owner(lib)
    views = {
        "split": lambda: base.split(2, 1), "split_sizes": lambda: lib.split(base, [1, 3], 0),
        "chunk": lambda: base.chunk(4, 1), "tensor_split": lambda: base.tensor_split(3, 0),
        "tensor_split_idx": lambda: lib.tensor_split(base, [1, 4], 1), "unbind": lambda: base.unbind(1),
        "unbind_t": lambda: base.t().unbind(0), "split_t": lambda: base.t()[::2].split(2, 1),
        "diagonal": lambda: [base.diagonal(1)], "diagonal_t": lambda: [lib.diagonal(base.t(), -2)],
        "movedim": lambda: [base.movedim(0, 1)], "moveaxis": lambda: [lib.moveaxis(base, (0, 1), (1, 0))],
        "swapdims": lambda: [lib.swapdims(base, 0, -1)],
    }[op]()
    assert_view(base, views)


@pytest.mark.parametrize("op", ["broadcast_to", "broadcast_tensors", "meshgrid"])
def test_expanding_results_are_views(lib, op):
    base = T(lib, np.arange(1, 5), "float32")
    outs = {  # the results that derive from `base`
        "broadcast_to": lambda: [base.broadcast_to((3, 4)), lib.broadcast_to(base[:, None], (4, 2))],
        "broadcast_tensors": lambda: lib.broadcast_tensors(base, lib.zeros(3, 1))[:1],
        "meshgrid": lambda: lib.meshgrid(base, base, indexing="xy"),
    }[op]()
    base.fill_(-1)  # several elements of an expanded view alias one slot: write through the base instead
    for o in outs:
        assert (N(o) == -1).all()


@pytest.mark.parametrize("op", ["cat", "stack", "hstack", "flip", "fliplr", "roll", "repeat", "tile", "rot90_0",
                                "rot90_4", "diag", "tril", "triu", "pad", "repeat_interleave", "diag_embed"])
def test_results_are_fresh(lib, op):
    base = owner(lib, (3, 4))
    F = lib.nn.functional
    r = {
        "cat": lambda: lib.cat([base]), "stack": lambda: lib.stack([base])[0], "hstack": lambda: lib.hstack([base]),
        "flip": lambda: base.flip([]), "fliplr": lambda: lib.fliplr(base), "roll": lambda: base.roll(0, 0),
        "repeat": lambda: base.repeat(1, 1), "tile": lambda: base.tile((1,)), "rot90_0": lambda: lib.rot90(base, 0),
        "rot90_4": lambda: base.rot90(4), "diag": lambda: base.diag(), "tril": lambda: base.tril(5),
        "triu": lambda: lib.triu(base, -5), "pad": lambda: F.pad(base, (0, 0)),
        "repeat_interleave": lambda: base.repeat_interleave(1, 0), "diag_embed": lambda: lib.diag_embed(base),
    }[op]()
    assert_fresh(base, r)


# ----------------------------------------------------------------------------------------------------------
# repeat / tile / repeat_interleave
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_repeat_tile(lib, kind, name):
    x, a = lay(lib, kind, name)
    for reps in [(1, 1, 1), (2, 1, 3), (1, 0, 2), (2, 1, 1, 2), (1, 2, 1, 1, 1)]:
        check(x.repeat(*reps), np.tile(a, reps), name)
        check(x.repeat(reps), np.tile(a, reps), name)
    for reps in [(2,), (2, 3), (1, 2, 1, 2), (0,), ()]:
        check(lib.tile(x, reps), np.tile(a, reps), name)
        check(x.tile(reps), np.tile(a, reps), name)
    s = np_vals((), name)
    check(T(lib, s, name).repeat(2, 3), np.tile(s, (2, 3)), name)
    check(T(lib, s, name).tile((3,)), np.tile(s, (3,)), name)


@dtypes
@kinds
def test_repeat_interleave(lib, kind, name):
    x, a = lay(lib, kind, name)
    check(x.repeat_interleave(2), np.repeat(a, 2), name)
    check(lib.repeat_interleave(x, 0), np.repeat(a, 0), name)
    for d in (0, 1, 2, -1, -3):
        check(x.repeat_interleave(3, dim=d), np.repeat(a, 3, axis=d), name)
        reps = np.arange(a.shape[d]) % 3
        check(lib.repeat_interleave(x, lib.tensor(reps), dim=d), np.repeat(a, reps, axis=d), name)
        check(x.repeat_interleave(lib.tensor([2]), d), np.repeat(a, 2, axis=d), name)
    check(x.repeat_interleave(lib.tensor(2), dim=1), np.repeat(a, 2, axis=1), name)
    s = np_vals((), name)
    check(T(lib, s, name).repeat_interleave(3), np.repeat(s, 3), name)


def test_repeat_interleave_repeats_only(lib):
    reps = np.array([2, 0, 1, 3])
    check(lib.repeat_interleave(lib.tensor(reps)), np.repeat(np.arange(4), reps), "int64")
    check(lib.repeat_interleave(lib.tensor(reps, dtype=lib.int32)), np.repeat(np.arange(4), reps), "int32")


# ----------------------------------------------------------------------------------------------------------
# roll / flip / rot90
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_roll(lib, kind, name):
    x, a = lay(lib, kind, name)
    for shift in (0, 1, -1, 7, -13):
        check(x.roll(shift), np.roll(a, shift), name)  # no dims: flattened
        for d in (0, 1, 2, -1):
            check(lib.roll(x, shift, d), np.roll(a, shift, d), name)
    for shifts, dims in [((1, 2), (0, 1)), ((-1, 3, 2), (2, 0, 1)), ((2, 2), (1, 1)), ((1, -6), (-1, -3))]:
        check(lib.roll(x, shifts, dims), np.roll(a, shifts, dims), name)
        check(x.roll(shifts=shifts, dims=dims), np.roll(a, shifts, dims), name)
    s = np_vals((), name)
    check(T(lib, s, name).roll(3), s, name)
    check(lib.roll(T(lib, np.zeros((0, 2)), name), 1, 0), np.zeros((0, 2)), name)


@dtypes
@kinds
def test_flip(lib, kind, name):
    x, a = lay(lib, kind, name)
    for dims in [(0,), (1,), (-1,), (0, 2), (2, -2, 0), ()]:
        check(lib.flip(x, dims), np.flip(a, dims), name)
        check(x.flip(dims), np.flip(a, dims), name)
    check(x.flip(0, 2), np.flip(a, (0, 2)), name)
    check(lib.fliplr(x), np.fliplr(a), name)
    check(lib.flipud(x), np.flipud(a), name)
    check(x[:, 0].fliplr(), np.fliplr(a[:, 0]), name)
    check(lib.flipud(x[0, 0]), np.flipud(a[0, 0]), name)
    s = np_vals((), name)
    check(T(lib, s, name).flip(0), s, name)


@dtypes
@kinds
def test_rot90(lib, kind, name):
    x, a = lay(lib, kind, name)
    for k in (-5, -2, -1, 0, 1, 2, 3, 4, 6):
        for dims in [(0, 1), (1, 0), (1, 2), (-1, 0), (2, -2)]:
            check(lib.rot90(x, k, dims), np.rot90(a, k, dims), name)
        check(x.rot90(k), np.rot90(a, k), name)
    check(lib.rot90(x), np.rot90(a), name)
    check(lib.rot90(x, k=3, dims=[2, 0]), np.rot90(a, 3, (2, 0)), name)


# ----------------------------------------------------------------------------------------------------------
# movedim / swapdims / broadcast_to / broadcast_tensors / meshgrid
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_movedim_swapdims(lib, kind, name):
    x, a = lay(lib, kind, name)
    for src, dst in [(0, 2), (-1, 0), (1, 1), ((0, 1), (2, 0)), ((0, -1), (-1, 0)), ((), ()), ([2, 0, 1], [0, 1, 2])]:
        check(lib.movedim(x, src, dst), np.moveaxis(a, src, dst), name)
        check(x.movedim(src, dst), np.moveaxis(a, src, dst), name)
        check(lib.moveaxis(x, src, dst), np.moveaxis(a, src, dst), name)
    for d0, d1 in [(0, 2), (-1, 1), (1, 1)]:
        check(lib.swapdims(x, d0, d1), np.swapaxes(a, d0, d1), name)
        check(x.swapdims(d0, d1), np.swapaxes(a, d0, d1), name)


@dtypes
def test_broadcast(lib, name):
    a, b, s = np_vals((3, 1), name), np_vals((2, 1, 4), name, seed=1), np_vals((), name, seed=2)
    x, y, z = T(lib, a, name), T(lib, b, name), T(lib, s, name)
    for shape in [(3, 4), (2, 3, 1), (5, 3, 6), (-1, 2), (2, -1, 0)]:
        want = tuple(a.shape[i - len(shape) + a.ndim] if v == -1 else v for i, v in enumerate(shape))
        check(x.broadcast_to(shape), np.broadcast_to(a, want), name)
        check(lib.broadcast_to(x, shape), np.broadcast_to(a, want), name)
    check(lib.broadcast_to(z, (2, 3)), np.broadcast_to(s, (2, 3)), name)
    check(lib.broadcast_to(x.t(), (2, 1, 3)), np.broadcast_to(a.T, (2, 1, 3)), name)
    check_all(lib.broadcast_tensors(x, y, z), np.broadcast_arrays(a, b, s), name)
    check_all(lib.broadcast_tensors(x), [a], name)


@dtypes
@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(lib, name, indexing):
    arrs = [np_vals((n,), name, seed=n) for n in (2, 3, 4)]
    ts = [T(lib, v, name) for v in arrs]
    for k in (1, 2, 3):
        check_all(lib.meshgrid(*ts[:k], indexing=indexing), np.meshgrid(*arrs[:k], indexing=indexing), name)
        check_all(lib.meshgrid(ts[:k], indexing=indexing), np.meshgrid(*arrs[:k], indexing=indexing), name)
    s = np_vals((), name)
    check_all(lib.meshgrid(T(lib, s, name), ts[1], indexing=indexing),
              np.meshgrid(s.reshape(1), arrs[1], indexing=indexing), name)
    big = np_vals((8,), name)
    check_all(lib.meshgrid(T(lib, big, name)[::3], ts[0], indexing=indexing),
              np.meshgrid(big[::3], arrs[0], indexing=indexing), name)


# ----------------------------------------------------------------------------------------------------------
# tril / triu / tril_indices / triu_indices
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_tril_triu(lib, kind, name):
    x, a = lay(lib, kind, name)
    for k in (-5, -2, -1, 0, 1, 3, 6):
        check(lib.tril(x, k), np.tril(a, k), name)  # batched: the last two dims
        check(x.triu(diagonal=k), np.triu(a, k), name)
        check(x[1].tril(k), np.tril(a[1], k), name)
        check(lib.triu(x[:, 1:3].transpose(-1, -2), k), np.triu(a[:, 1:3].swapaxes(-1, -2), k), name)
    check(lib.tril(x), np.tril(a), name)
    check(lib.triu(T(lib, np.zeros((2, 0)), name)), np.zeros((2, 0)), name)
    for k in (-1, 0, 2):  # in-place, on a private copy and on a non-contiguous one (no aliasing)
        y = x.clone()
        assert y.tril_(k) is y
        check(y, np.tril(a, k), name)
        z = x.clone().transpose(0, 2).contiguous().transpose(0, 2)
        assert not z.is_contiguous()
        assert z.triu_(k) is z
        check(z, np.triu(a, k), name)


@pytest.mark.parametrize("row,col,off", [(3, 3, 0), (3, 4, -1), (4, 3, 1), (3, 4, 10), (3, 4, -10), (0, 4, 0),
                                         (1, 1, 0), (5, 2, -3)])
def test_tril_triu_indices(lib, row, col, off):
    check(lib.tril_indices(row, col, off), np.stack(np.tril_indices(row, off, col)).reshape(2, -1), "int64")
    check(lib.triu_indices(row, col, off), np.stack(np.triu_indices(row, off, col)).reshape(2, -1), "int64")
    check(lib.tril_indices(row, col, offset=off, dtype=lib.int32),
          np.stack(np.tril_indices(row, off, col)).reshape(2, -1), "int32")


# ----------------------------------------------------------------------------------------------------------
# diag / diagonal / diag_embed / trace
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_diag_diagonal(lib, kind, name):
    x, a = lay(lib, kind, name)
    for off in (-4, -1, 0, 1, 2, 5):
        check(lib.diag(x[:, :, 2], off), np.diag(a[:, :, 2], off), name)  # 2-d -> 1-d (non-square)
        check(x[1].diag(off), np.diag(a[1], off), name)
        check(lib.diag(x[2, 1], off), np.diag(a[2, 1], off), name)  # 1-d -> 2-d
        check(x[:, 0, 1:].diag(diagonal=off), np.diag(a[:, 0, 1:], off), name)
        for d1, d2 in [(0, 1), (1, 0), (0, 2), (-1, -2), (2, 1)]:
            check(lib.diagonal(x, off, d1, d2), np.diagonal(a, off, d1, d2), name)
            check(x.diagonal(offset=off, dim1=d1, dim2=d2), np.diagonal(a, off, d1, d2), name)
    check(x.diagonal(), np.diagonal(a), name)
    check(lib.diag(T(lib, np.zeros((0,)), name)), np.zeros((0, 0)), name)


@dtypes
def test_diag_embed(lib, name):
    x, a = lay(lib, "sliced", name)
    for off in (0, 1, -2):
        for d1, d2 in [(-2, -1), (-1, -2), (0, 1), (1, 3), (3, 0)]:
            check(lib.diag_embed(x, off, d1, d2), np_diag_embed(a, off, d1, d2), name)
            check(x.diag_embed(offset=off, dim1=d1, dim2=d2), np_diag_embed(a, off, d1, d2), name)
    check(lib.diag_embed(x[0, 0]), np_diag_embed(a[0, 0]), name)


@pytest.mark.parametrize("name", [n for n in ALL_DTYPES if n != "bool"])
@kinds
def test_trace(lib, kind, name):
    x, a = lay(lib, kind, name)
    res = name if name in FLOAT_DTYPES else "int64"  # integer traces accumulate in int64 like sum
    for idx in [(slice(None), slice(None), 0), (0,), (slice(None), 1, slice(None)), (slice(None), 2, slice(0, 3))]:
        want = np.array(np.trace(a[idx].astype(np.float64)))
        check(lib.trace(x[idx]), want, res)
        check(x[idx].trace(), want, res)
    check(lib.trace(x[0].t()), np.array(np.trace(a[0].T.astype(np.float64))), res)
    check(lib.trace(T(lib, np.zeros((0, 3)), name)), np.array(0.0), res)


# ----------------------------------------------------------------------------------------------------------
# nn.functional.pad (constant)
# ----------------------------------------------------------------------------------------------------------
@dtypes
@kinds
def test_pad_constant(lib, kind, name):
    F = lib.nn.functional
    x, a = lay(lib, kind, name)
    value = {"bool": True, "uint8": 7}.get(name, -2 if name not in FLOAT_DTYPES else 1.5)
    for pad in [(1, 2), (0, 0, 2, 1), (1, 1, 1, 1, 1, 1), (-1, 2), (-2, -1, 0, -3), (3, -4, 1, 0, -1, 2), ()]:
        check(F.pad(x, pad, mode="constant", value=value), np_pad(a, pad, value), name)
        check(F.pad(x, list(pad)), np_pad(a, pad, 0), name)
    check(F.pad(x[0, 0], (2, 0), value=value), np_pad(a[0, 0], (2, 0), value), name)
    check(F.pad(T(lib, np.zeros((0, 2)), name), (1, 1, 1, 0)), np.zeros((1, 4)), name)


def test_pad_value_cast(lib):
    F = lib.nn.functional
    check(F.pad(lib.zeros(2, dtype=lib.int32), (1, 1), value=2.7), [2, 0, 0, 2], "int32")  # truncated
    check(F.pad(lib.zeros(2, dtype=lib.int32), (1, 0), value=-2.7), [-2, 0, 0], "int32")


# ----------------------------------------------------------------------------------------------------------
# errors: type and torch's message
# ----------------------------------------------------------------------------------------------------------
ERRORS = [
    ("cat_sizes", lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 4)]), RuntimeError,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1"),
    ("cat_empty_list", lambda L: L.cat([]), ValueError, "expected a non-empty list of Tensors"),
    ("cat_ndim", lambda L: L.cat([L.zeros(2, 3), L.zeros(2, 3, 1)]), RuntimeError,
     "Tensors must have same number of dimensions: got 2 and 3"),
    ("cat_0dim", lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)]), RuntimeError,
     r"zero-dimensional tensor \(at position 0\) cannot be concatenated"),
    ("cat_out_cast", lambda L: L.cat([L.zeros(2), L.zeros(2, dtype=L.int32)], out=L.empty(0, dtype=L.int32)),
     TypeError, "input types can't be cast to the desired output type Int"),
    ("stack_sizes", lambda L: L.stack([L.zeros(2, 3), L.zeros(2, 4)]), RuntimeError,
     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"),
    ("stack_empty", lambda L: L.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    ("stack_dim", lambda L: L.stack([L.zeros(2, 3)], 3), IndexError,
     r"Dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)"),
    ("hstack_empty", lambda L: L.hstack([]), RuntimeError, "hstack expects a non-empty TensorList"),
    ("split_zero", lambda L: L.zeros(2, 3).split(0), RuntimeError,
     "split_size can only be 0 if dimension size is 0, but got dimension size of 2"),
    ("split_negative", lambda L: L.zeros(2, 3).split(-1), RuntimeError,
     "split expects split_size be non-negative, but got split_size=-1"),
    ("split_sizes_sum", lambda L: L.zeros(5).split([2, 4]), RuntimeError,
     r"split_with_sizes expects split_sizes to sum exactly to 5 \(input tensor's size at dimension 0\)"),
    ("split_sizes_negative", lambda L: L.zeros(5).split([2, -1, 4]), RuntimeError,
     "split_with_sizes expects split_sizes have only non-negative entries"),
    ("chunk_zero", lambda L: L.zeros(2, 3).chunk(0), RuntimeError,
     "chunk expects `chunks` to be greater than 0, got: 0"),
    ("tensor_split_zero", lambda L: L.tensor_split(L.zeros(2, 3), 0), RuntimeError,
     "number of sections must be larger than 0, got 0"),
    ("tensor_split_0dim", lambda L: L.tensor_split(L.tensor(1.0), 2), RuntimeError,
     "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"),
    ("unbind_0dim", lambda L: L.unbind(L.tensor(1.0)), IndexError,
     "Dimension specified as 0 but tensor has no dimensions"),
    ("roll_0dim_dim", lambda L: L.roll(L.tensor(1.0), 1, 0), IndexError,
     "Dimension specified as 0 but tensor has no dimensions"),
    ("rot90_same", lambda L: L.rot90(L.zeros(2, 3), 1, [0, 0]), RuntimeError,
     "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0"),
    ("rot90_one_dim", lambda L: L.rot90(L.zeros(2, 3), 1, [0]), RuntimeError,
     "expected total rotation dims == 2, but got dims = 1"),
    ("rot90_1d", lambda L: L.rot90(L.zeros(3)), RuntimeError, "expected total dims >= 2, but got total dims = 1"),
    ("repeat_fewer", lambda L: L.zeros(2, 3).repeat(2), RuntimeError,
     "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"),
    ("repeat_negative", lambda L: L.zeros(2, 3).repeat(-1, 2), RuntimeError,
     "Trying to create tensor with negative dimension -2"),
    ("tile_negative", lambda L: L.tile(L.zeros(2, 3), (-1,)), RuntimeError,
     "Trying to create tensor with negative dimension -3"),
    ("flip_repeated", lambda L: L.zeros(2, 3).flip(0, 0), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    ("roll_align", lambda L: L.zeros(2, 3).roll((1, 2), (0,)), RuntimeError,
     "shifts and dimensions must align. shifts: 2, dims:1"),
    ("movedim_repeated", lambda L: L.zeros(2, 3).movedim((0, 1), (1, 1)), RuntimeError,
     r"movedim: repeated dim in `destination` \(\[1, 1\]\)"),
    ("movedim_count", lambda L: L.zeros(2, 3).movedim((0, 1), (0,)), RuntimeError,
     r"movedim: Invalid source or destination dims: source \(\[0, 1\] dims\) should contain the same number"),
    ("broadcast_to_size", lambda L: L.zeros(2, 3).broadcast_to((3, 3)), RuntimeError,
     r"The expanded size of the tensor \(3\) must match the existing size \(2\) at non-singleton dimension 0"),
    ("broadcast_to_fewer", lambda L: L.zeros(2, 3).broadcast_to((3,)), RuntimeError,
     r"the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)"),
    ("broadcast_tensors", lambda L: L.broadcast_tensors(L.zeros(2, 3), L.zeros(2, 4)), RuntimeError,
     r"The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"),
    ("meshgrid_2d", lambda L: L.meshgrid(L.zeros(2, 2), indexing="ij"), RuntimeError,
     "torch.meshgrid: Expected 0D or 1D tensor in the tensor list"),
    ("meshgrid_dtype", lambda L: L.meshgrid(L.zeros(2), L.zeros(3, dtype=L.int32), indexing="ij"), RuntimeError,
     "meshgrid expects all tensors to have the same dtype"),
    ("meshgrid_indexing", lambda L: L.meshgrid(L.zeros(2), indexing="foo"), RuntimeError,
     'torch.meshgrid: indexing must be one of "xy" or "ij", but received: foo'),
    ("tril_1d", lambda L: L.zeros(3).tril(), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    ("triu_1d", lambda L: L.triu(L.zeros(3)), RuntimeError, "triu: input tensor must have at least 2 dimensions"),
    ("tril_indices_negative", lambda L: L.tril_indices(-1, 3), RuntimeError, "row must be non-negative"),
    ("diag_3d", lambda L: L.diag(L.zeros(2, 2, 2)), RuntimeError, "diag\\(\\): Supports 1D or 2D tensors. Got 3D"),
    ("diag_0d", lambda L: L.diag(L.tensor(1.0)), RuntimeError, "diag\\(\\): Supports 1D or 2D tensors. Got 0D"),
    ("diagonal_same", lambda L: L.zeros(2, 3).diagonal(0, 0, 0), RuntimeError,
     "diagonal dimensions cannot be identical 0, 0"),
    ("diag_embed_same", lambda L: L.diag_embed(L.zeros(3), 0, 0, 0), RuntimeError,
     "diagonal dimensions cannot be identical 0, 0"),
    ("trace_1d", lambda L: L.trace(L.zeros(3)), RuntimeError, "trace: expected a matrix, but got tensor with dim 1"),
    ("trace_3d", lambda L: L.zeros(2, 2, 2).trace(), RuntimeError, "trace: expected a matrix, but got tensor with dim 3"),
    # NotImplementedError is a RuntimeError subclass
    ("trace_bool", lambda L: L.trace(L.zeros(2, 2, dtype=L.bool)), NotImplementedError,
     "\"trace\" not implemented for 'Bool'"),
    ("repeat_interleave_size", lambda L: L.repeat_interleave(L.arange(3), L.tensor([1, 2])), RuntimeError,
     r"repeats must have the same size as input along dim, but got repeats.size\(0\) = 2 and input.size\(0\) = 3"),
    ("repeat_interleave_negative_tensor", lambda L: L.repeat_interleave(L.arange(3), L.tensor([1, -2, 1])),
     RuntimeError, "repeats can not be negative"),
    ("repeat_interleave_negative_int", lambda L: L.arange(3).repeat_interleave(-1), RuntimeError,
     "Repeats must be non-negative"),
    ("pad_odd", lambda L: L.nn.functional.pad(L.zeros(2, 3), (1,)), RuntimeError,
     "Padding length must be divisible by 2"),
    ("pad_too_long", lambda L: L.nn.functional.pad(L.zeros(2, 3), (1,) * 6), RuntimeError,
     "Padding length should be less than or equal to two times the input dimension but got padding length 6 "
     "and input of dimension 2"),
    ("pad_uint8_overflow", lambda L: L.nn.functional.pad(L.zeros(3, dtype=L.uint8), (1, 1), value=300),
     RuntimeError, "value cannot be converted to type uint8_t without overflow"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(lib, fn, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn(lib)


DIM_OPS = {
    "cat": lambda L, x: L.cat([x], 2), "cat_neg": lambda L, x: L.concat([x], -3),
    "split": lambda L, x: x.split(1, 2), "chunk": lambda L, x: x.chunk(2, 2), "unbind": lambda L, x: x.unbind(2),
    "tensor_split": lambda L, x: x.tensor_split(2, dim=2), "flip": lambda L, x: x.flip(2),
    "roll": lambda L, x: x.roll(1, 2), "rot90": lambda L, x: L.rot90(x, 1, [0, 2]),
    "movedim": lambda L, x: x.movedim(2, 0), "swapdims": lambda L, x: x.swapdims(0, -3),
    "diagonal": lambda L, x: x.diagonal(0, 0, 2), "repeat_interleave": lambda L, x: x.repeat_interleave(2, dim=2),
}


@pytest.mark.parametrize("op", list(DIM_OPS))
def test_dim_out_of_range(lib, op):
    bad = "-3" if op in ("cat_neg", "swapdims") else "2"
    with pytest.raises(IndexError, match=rf"Dimension out of range \(expected to be in range of \[-2, 1\], but got {bad}\)"):
        DIM_OPS[op](lib, lib.zeros(2, 3))

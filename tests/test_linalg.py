"""Linear algebra: einsum, tensordot, kron, the addmm family (addmm/addmv/addbmm/baddbmm, in-place and
``out=``), norms (linalg.vector_norm / matrix_norm / norm, Tensor.norm), det / logdet / slogdet, inv /
inverse, solve, cholesky, qr, svd / torch.svd / svdvals, eigh / eigvalsh, pinv, matrix_power, cross /
linalg.cross, cdist, LinAlgError, and the gradients of all of them (``autograd.gradcheck`` in float64).

Every test takes the ``lib`` fixture, so the same code runs on rtorch and on PyTorch (which validates the
spec).  numpy is the value oracle (np.einsum, np.tensordot, np.kron, np.linalg.*); decompositions whose
factors are not unique (signs of Q/R rows, of singular and eigen vectors) are checked through invariants:
reconstruction, orthonormality, triangularity, ordering, and the unique parts (|R|, singular values,
eigenvalues, Cholesky factor) against numpy.  Inputs cover float32 and float64, batched inputs,
non-contiguous inputs (transposed, last two dims swapped, sliced with steps), empty batches and 0x0
matrices where torch supports them.  Errors are pinned to torch's exception type and message.

Validated against PyTorch 2.15 (every test passes with ``lib`` = torch, and with an ``rtorch`` package
that only re-exports torch), so a failure on the rtorch half is an rtorch bug.
"""
from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from conftest import NP_DTYPES, dname, rng_for

FLOATS = ["float32", "float64"]
KINDS = ["contiguous", "transposed", "swapped", "sliced"]
INF = math.inf
NAN = math.nan
# (rtol, atol) for results of float32 / float64 computations on O(1) values
TOL = {"float32": (2e-4, 2e-4), "float64": (1e-9, 1e-9), "int64": (0, 0), "int32": (0, 0)}
# torch's name of an integer dtype in "Got Long"-style messages
TORCH_NAME = {"int64": "Long", "int32": "Int"}


# ----------------------------------------------------------------------------------------------------------
# helpers (library-agnostic: `lib` is rtorch or torch)
# ----------------------------------------------------------------------------------------------------------
def tens(lib, a, name, kind="contiguous"):
    """A `lib` tensor of dtype `name` holding numpy `a`, laid out as `kind`:
    contiguous; transposed (every dim reversed in memory); swapped (last two dims swapped in memory);
    sliced (every other element of a larger buffer in every dim)."""
    a = np.asarray(a).astype(NP_DTYPES[name])

    def build(v):
        return lib.tensor(np.array(v, order="C"), dtype=getattr(lib, name))

    if a.ndim == 0 or kind == "contiguous":
        return build(a)
    if kind == "transposed":
        perm = tuple(reversed(range(a.ndim)))
        t = build(np.ascontiguousarray(a.transpose(perm))).permute(*perm)
    elif kind == "swapped":
        if a.ndim < 2:
            return build(a)
        t = build(np.ascontiguousarray(np.swapaxes(a, -1, -2))).transpose(-1, -2)
    else:
        assert kind == "sliced", kind
        big = np.zeros(tuple(2 * s + 1 for s in a.shape), dtype=a.dtype)
        sl = tuple(slice(1, None, 2) for _ in a.shape)
        big[sl] = a
        t = build(big)[sl]
    assert tuple(t.shape) == a.shape
    return t


def npy(t) -> np.ndarray:
    """A float64/int64 numpy copy of a tensor's values."""
    return np.array(t.detach().numpy(), copy=True)


def check(t, expected, name, tol=None):
    """`t` is a tensor of dtype `name` with `expected`'s shape and (within TOL[name]) values."""
    assert hasattr(t, "shape") and hasattr(t, "dtype"), f"expected a tensor, got {type(t)}"
    expected = np.asarray(expected)
    assert dname(t) == name, f"dtype {dname(t)} != {name}"
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != {expected.shape}"
    rtol, atol = tol if tol is not None else TOL[name]
    got = npy(t)
    if rtol == 0 and atol == 0:
        np.testing.assert_array_equal(got, expected.astype(got.dtype))
    else:
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=True)


def vals(shape, name, *key):
    """Deterministic values for dtype `name`: floats standard-normal (rounded to the dtype), ints in [-5, 5]."""
    rng = rng_for(tuple(shape), name, *key)
    if name.startswith("int"):
        return rng.integers(-5, 6, shape).astype(NP_DTYPES[name])
    return rng.standard_normal(shape).astype(NP_DTYPES[name])


def grid(shape, name, *key):
    """Multiples of 0.25 in [-2, 2] (exact in every float dtype; ties and zeros on purpose)."""
    rng = rng_for(tuple(shape), name, "grid", *key)
    return (rng.integers(-8, 9, shape) / 4.0).astype(NP_DTYPES[name])


def wellcond(shape, name, *key):
    """Square matrices (..., n, n) that are well conditioned: standard normal plus 3 * I (det > 0 mostly)."""
    n = shape[-1]
    rng = rng_for(tuple(shape), name, "wc", *key)
    a = rng.standard_normal(shape) + 3.0 * np.eye(n) * rng.choice([-1.0, 1.0], shape[:-1])[..., None]
    return a.astype(NP_DTYPES[name])


def spd(shape, name, *key):
    """Symmetric positive-definite matrices X X^T + n I of shape (..., n, n)."""
    n = shape[-1]
    x = rng_for(tuple(shape), name, "spd", *key).standard_normal(shape)
    a = x @ np.swapaxes(x, -1, -2) + n * np.eye(n)
    return a.astype(NP_DTYPES[name])


def f64(a):
    return np.asarray(a, dtype=np.float64)


def mT(a):
    return np.swapaxes(a, -1, -2)


def assert_orthonormal_columns(q, name):
    """q^T q == I for numpy q of shape (..., m, k)."""
    k = q.shape[-1]
    np.testing.assert_allclose(mT(q) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)),
                               rtol=0, atol=10 * TOL[name][1])


def raises(exc, pattern, fn):
    with pytest.raises(exc, match=pattern):
        fn()


# ==========================================================================================================
# einsum
# ==========================================================================================================
def _bcast(*shapes):
    """An oracle that broadcasts the operands to `shapes` (torch's size-1 broadcasting) before np.einsum."""
    def prep(arrs):
        return [np.broadcast_to(a, s) for a, s in zip(arrs, shapes)]
    return prep


# id -> (equation, operand shapes, numpy equation (None: same), operand preparation for numpy (None: none))
EINSUM = {
    "matmul": ("ij,jk->ik", [(3, 4), (4, 5)], None, None),
    "bmm": ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], None, None),
    "transpose": ("ij->ji", [(3, 4)], None, None),
    "trace": ("ii", [(4, 4)], None, None),
    "trace_explicit": ("ii->", [(4, 4)], None, None),
    "diagonal": ("ii->i", [(4, 4)], None, None),
    "batch_diagonal": ("bii->bi", [(2, 3, 3)], None, None),
    "outer": ("i,j->ij", [(3,), (4,)], None, None),
    "dot": ("i,i->", [(5,)] * 2, None, None),
    "sum_all": ("ij->", [(3, 4)], None, None),
    "sum_rows": ("ij->j", [(3, 4)], None, None),
    "implicit_matmul": ("ij,jk", [(3, 4), (4, 5)], None, None),
    "implicit_sorted": ("ba", [(3, 4)], None, None),                # implicit output is alphabetical: a transpose
    "implicit_scalar": ("ij,ij", [(3, 4), (3, 4)], None, None),
    "implicit_outer": ("j,i", [(3,), (4,)], None, None),
    "ellipsis_batch_ranks": ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)], None, None),
    "ellipsis_implicit": ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)], None, None),
    "ellipsis_middle": ("i...j->j...i", [(2, 3, 4, 5)], None, None),
    "ellipsis_sum": ("b...,b->...", [(3, 4, 5), (3,)], None, None),
    "ellipsis_empty": ("...ij->...ji", [(3, 4)], None, None),
    "repeated_in_operand": ("iij->j", [(3, 3, 4)], None, None),
    "repeated_split": ("iji->j", [(3, 4, 3)], None, None),
    "repeated_kept": ("iij->ij", [(3, 3, 2)], None, None),
    "three_operands": ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], None, None),
    "three_operands_scalar": ("i,i,i->", [(4,)] * 3, None, None),
    "three_operands_batch": ("bi,bj,bk->bijk", [(2, 3), (2, 2), (2, 4)], None, None),
    "size1_contracted": ("ij,jk->ik", [(3, 1), (4, 5)], "ij,jk->ik", _bcast((3, 4), (4, 5))),
    "size1_batch": ("bij,bjk->bik", [(1, 2, 3), (4, 3, 5)], "bij,bjk->bik", _bcast((4, 2, 3), (4, 3, 5))),
    "size1_free": ("ij,ij->ij", [(3, 1), (1, 4)], "ij,ij->ij", _bcast((3, 4), (3, 4))),
    "uppercase": ("iJ,Jk->ik", [(3, 4), (4, 5)], None, None),
    "mixed_case": ("Aa,aB->BA", [(3, 4), (4, 2)], None, None),
    "spaces": (" i j , j k -> i k ", [(3, 4), (4, 5)], "ij,jk->ik", None),
    "scalar_operand": (",i->i", [(), (4,)], None, None),
    "zero_dim": ("->", [()], None, None),
    "empty_contraction": ("ij,jk->ik", [(2, 0), (0, 3)], None, None),
    "empty_free": ("ij,jk->ik", [(0, 3), (3, 2)], None, None),
}


def _einsum_oracle(case, arrs):
    eq, _, npeq, prep = EINSUM[case]
    if prep is not None:
        arrs = prep(arrs)
    return np.einsum(npeq or eq, *arrs)


@pytest.mark.parametrize("name", FLOATS + ["int64"])
@pytest.mark.parametrize("case", list(EINSUM))
def test_einsum(lib, case, name):
    eq, shapes, _, _ = EINSUM[case]
    arrs = [vals(s, name, case, i) for i, s in enumerate(shapes)]
    out = lib.einsum(eq, *[tens(lib, a, name) for a in arrs])
    want = _einsum_oracle(case, [a.astype(np.int64 if name == "int64" else np.float64) for a in arrs])
    check(out, want, name)


@pytest.mark.parametrize("kind", KINDS[1:])
@pytest.mark.parametrize("case", ["matmul", "bmm", "trace", "diagonal", "ellipsis_batch_ranks", "three_operands",
                                  "repeated_in_operand", "size1_batch"])
def test_einsum_non_contiguous(lib, case, kind):
    eq, shapes, _, _ = EINSUM[case]
    arrs = [vals(s, "float64", case, i) for i, s in enumerate(shapes)]
    out = lib.einsum(eq, *[tens(lib, a, "float64", kind) for a in arrs])
    check(out, _einsum_oracle(case, arrs), "float64")


@pytest.mark.parametrize("case", ["matmul", "three_operands", "transpose"])
def test_einsum_list_form(lib, case):
    eq, shapes, _, _ = EINSUM[case]
    arrs = [vals(s, "float32", case, i) for i, s in enumerate(shapes)]
    ts = [tens(lib, a, "float32") for a in arrs]
    want = _einsum_oracle(case, [f64(a) for a in arrs])
    check(lib.einsum(eq, ts), want, "float32")
    check(lib.einsum(eq, tuple(ts)), want, "float32")


EINSUM_ERRORS = [
    ("too_few_operands", lambda L, a, b: L.einsum("ij,jk->ik", a), RuntimeError,
     r"^einsum\(\): fewer operands were provided than specified in the equation"),
    ("too_many_operands", lambda L, a, b: L.einsum("ij,jk->ik", a, b, b), RuntimeError,
     r"^einsum\(\): more operands were provided than specified in the equation"),
    ("too_many_operands_implicit", lambda L, a, b: L.einsum("ij", a, b), RuntimeError,
     r"^einsum\(\): more operands were provided than specified in the equation"),
    ("subscripts_vs_ndim", lambda L, a, b: L.einsum("ijk,jk->ik", a, b), RuntimeError,
     r"^einsum\(\): the number of subscripts in the equation \(3\) does not match the number of dimensions "
     r"\(2\) for operand 0 and no ellipsis was given"),
    ("subscripts_vs_ndim_op1", lambda L, a, b: L.einsum("ij,j->i", a, b), RuntimeError,
     r"^einsum\(\): the number of subscripts in the equation \(1\) does not match the number of dimensions "
     r"\(2\) for operand 1 and no ellipsis was given"),
    ("size_mismatch", lambda L, a, b: L.einsum("ij,jk->ik", a, a), RuntimeError,
     r"^einsum\(\): subscript j has size 2 for operand 1 which does not broadcast with previously seen size 3"),
    ("repeated_size_mismatch", lambda L, a, b: L.einsum("ii", a), RuntimeError,
     r"^einsum\(\): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    ("invalid_digit", lambda L, a, b: L.einsum("i1,jk->ik", a, b), RuntimeError,
     r"^einsum\(\): invalid subscript given at index 1 in the equation string, subscripts must be in \[a-zA-Z\]"),
    ("invalid_dash", lambda L, a, b: L.einsum("ij-ik", a), RuntimeError,
     r"^einsum\(\): invalid subscript given at index 2 in the equation string, subscripts must be in \[a-zA-Z\]"),
    ("output_not_in_input", lambda L, a, b: L.einsum("ij,jk->il", a, b), RuntimeError,
     r"^einsum\(\): output subscript l does not appear in the equation for any input operand"),
    ("output_repeated", lambda L, a, b: L.einsum("ij,jk->iik", a, b), RuntimeError,
     r"^einsum\(\): output subscript i appears more than once in the output"),
    ("lone_dot", lambda L, a, b: L.einsum("i.j", a), RuntimeError,
     r"^einsum\(\): found '\.' for operand 0 that is not part of any ellipsis"),
    ("two_ellipses", lambda L, a, b: L.einsum("...i...", a), RuntimeError,
     r"^einsum\(\): found '\.' for operand 0 for which an ellipsis was already found"),
    ("no_operands", lambda L, a, b: L.einsum("ij,jk->ik"), ValueError,
     r"^einsum\(\): must specify the equation string and at least one operand"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in EINSUM_ERRORS], ids=[e[0] for e in EINSUM_ERRORS])
def test_einsum_errors(lib, fn, exc, pattern):
    a, b = lib.zeros(2, 3), lib.zeros(3, 4)
    raises(exc, pattern, lambda: fn(lib, a, b))


# ==========================================================================================================
# tensordot, kron
# ==========================================================================================================
TENSORDOT = {
    "dims2": ((2, 3, 4), (3, 4, 5), 2, 2),
    "dims1": ((2, 3, 4), (4, 5), 1, 1),
    "dims0": ((2, 3), (4,), 0, 0),
    "dims3_full": ((2, 3, 4), (2, 3, 4), 3, 3),
    "lists": ((2, 3, 4), (3, 4, 5), ([1, 2], [0, 1]), ([1, 2], [0, 1])),
    "lists_of_lists": ((2, 3, 4), (3, 4, 5), [[1, 2], [0, 1]], ([1, 2], [0, 1])),
    "lists_permuted": ((2, 3, 4), (4, 3, 5), ([2, 1], [0, 1]), ([2, 1], [0, 1])),
    "lists_negative": ((2, 3, 4), (3, 4, 5), ([-2, -1], [0, 1]), ([1, 2], [0, 1])),
    "single_pair": ((2, 3, 4), (5, 2), ([0], [1]), ([0], [1])),
    "empty_lists": ((2, 3), (4,), ([], []), 0),
}


@pytest.mark.parametrize("name", FLOATS + ["int64"])
@pytest.mark.parametrize("case", list(TENSORDOT))
def test_tensordot(lib, case, name):
    sa, sb, dims, npdims = TENSORDOT[case]
    a, b = vals(sa, name, case, 0), vals(sb, name, case, 1)
    out = lib.tensordot(tens(lib, a, name), tens(lib, b, name), dims=dims)
    wide = np.int64 if name == "int64" else np.float64
    check(out, np.tensordot(a.astype(wide), b.astype(wide), axes=npdims), name)


@pytest.mark.parametrize("kind", KINDS[1:])
def test_tensordot_non_contiguous_and_positional(lib, kind):
    a, b = vals((2, 3, 4), "float64", "tdnc"), vals((3, 4, 5), "float64", "tdnc")
    ta, tb = tens(lib, a, "float64", kind), tens(lib, b, "float64", kind)
    check(lib.tensordot(ta, tb, 2), np.tensordot(a, b, 2), "float64")
    check(lib.tensordot(ta, tb, ([1, 2], [0, 1])), np.tensordot(a, b, 2), "float64")


TENSORDOT_ERRORS = [
    ("negative_dims", lambda L: L.tensordot(L.zeros(2, 3), L.zeros(3, 4), dims=-1), RuntimeError,
     r"^tensordot expects dims >= 0, but got dims=-1"),
    ("size_mismatch", lambda L: L.tensordot(L.zeros(2, 3, 4), L.zeros(3, 4, 5), dims=1), RuntimeError,
     r"^contracted dimensions need to match, but first has size 4 in dim -1 and second has size 3 in dim 0"),
    ("list_size_mismatch", lambda L: L.tensordot(L.zeros(2, 3, 4), L.zeros(3, 4, 5), dims=([0], [0])), RuntimeError,
     r"^contracted dimensions need to match, but first has size 2 in dim 0 and second has size 3 in dim 0"),
    ("list_lengths", lambda L: L.tensordot(L.zeros(2, 3, 4), L.zeros(3, 4, 5), dims=([1, 2], [0])), RuntimeError,
     r"^both dimension lists should have same length"),
    ("dtype", lambda L: L.tensordot(L.zeros(2, 3), L.zeros(3, 4, dtype=L.float64), dims=1), RuntimeError,
     r"^both inputs should have same dtype"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in TENSORDOT_ERRORS], ids=[e[0] for e in TENSORDOT_ERRORS])
def test_tensordot_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


KRON = [((2, 3), (4, 5)), ((2, 3), (4,)), ((3,), (2, 2)), ((2, 1, 3), (3, 2)), ((), (4,)), ((2, 2), ()),
        ((0, 2), (3, 3))]


@pytest.mark.parametrize("name", FLOATS + ["int64"])
@pytest.mark.parametrize("shapes", KRON, ids=[f"{a}x{b}" for a, b in KRON])
def test_kron(lib, shapes, name):
    a, b = vals(shapes[0], name, "kron", 0), vals(shapes[1], name, "kron", 1)
    want = np.kron(a, b)
    if want.ndim == 0:
        want = np.asarray(a * b)
    check(lib.kron(tens(lib, a, name), tens(lib, b, name)), want, name)
    check(tens(lib, a, name).kron(tens(lib, b, name)), want, name)


@pytest.mark.parametrize("kind", KINDS[1:])
def test_kron_non_contiguous_and_promotion(lib, kind):
    a, b = vals((2, 3), "float64", "kronnc", 0), vals((3, 2), "float64", "kronnc", 1)
    check(lib.kron(tens(lib, a, "float64", kind), tens(lib, b, "float64", kind)), np.kron(a, b), "float64")
    ai = vals((2, 3), "int64", "kronp")
    b32 = vals((2,), "float32", "kronp")
    check(lib.kron(tens(lib, ai, "int64"), tens(lib, b32, "float32")), np.kron(ai, f64(b32)), "float32")
    check(lib.kron(tens(lib, b32, "float32"), tens(lib, b, "float64")), np.kron(f64(b32), b), "float64")


# ==========================================================================================================
# addmm, addmv, addbmm, baddbmm
# ==========================================================================================================
# op -> (full input shape, mat1 shape, mat2/vec shape, broadcastable input shapes)
ADD_OPS = {
    "addmm": ((2, 4), (2, 3), (3, 4), [(4,), (1, 1), (2, 1), ()]),
    "addmv": ((2,), (2, 3), (3,), [(1,), ()]),
    "addbmm": ((2, 4), (5, 2, 3), (5, 3, 4), [(4,), (2, 1), ()]),
    "baddbmm": ((5, 2, 4), (5, 2, 3), (5, 3, 4), [(2, 4), (5, 1, 4), (1,), ()]),
}


def add_oracle(op, inp, m1, m2, beta, alpha):
    wide = np.int64 if inp.dtype.kind == "i" else np.float64
    inp, m1, m2 = inp.astype(wide), m1.astype(wide), m2.astype(wide)
    if op == "addmm":
        prod = m1 @ m2
    elif op == "addmv":
        prod = m1 @ m2
    elif op == "addbmm":
        prod = (m1 @ m2).sum(0)
    else:
        prod = m1 @ m2
    full = np.broadcast_to(inp, prod.shape)
    if beta == 0:
        return alpha * prod
    return beta * full + alpha * prod


def _add_call(lib, op, form, inp, m1, m2, kwargs):
    if form == "function":
        return getattr(lib, op)(inp, m1, m2, **kwargs)
    if form == "method":
        return getattr(inp, op)(m1, m2, **kwargs)
    if form == "inplace":
        r = getattr(inp, op + "_")(m1, m2, **kwargs)
        assert r is inp, "in-place op must return self"
        return inp
    assert form == "out"
    out = lib.empty(0, dtype=inp.dtype)
    r = getattr(lib, op)(inp, m1, m2, out=out, **kwargs)
    assert r is out, "out= must return out"
    return out


BETA_ALPHA_FLOAT = [(1, 1), (0.5, 2.0), (-1.5, 0.25), (0, 1.5)]
BETA_ALPHA_INT = [(1, 1), (2, 3), (0, -2)]


@pytest.mark.parametrize("form", ["function", "method", "inplace", "out"])
@pytest.mark.parametrize("name", FLOATS + ["int64"])
@pytest.mark.parametrize("op", list(ADD_OPS))
def test_add_family(lib, op, name, form):
    full, s1, s2, _ = ADD_OPS[op]
    pairs = BETA_ALPHA_INT if name == "int64" else BETA_ALPHA_FLOAT
    for i, (beta, alpha) in enumerate(pairs):
        inp, m1, m2 = (vals(s, name, op, form, i, j) for j, s in enumerate((full, s1, s2)))
        kwargs = {} if (beta, alpha) == (1, 1) else {"beta": beta, "alpha": alpha}
        out = _add_call(lib, op, form, tens(lib, inp, name), tens(lib, m1, name), tens(lib, m2, name), kwargs)
        check(out, add_oracle(op, inp, m1, m2, beta, alpha), name)


@pytest.mark.parametrize("kind", KINDS[1:])
@pytest.mark.parametrize("op", list(ADD_OPS))
def test_add_family_non_contiguous(lib, op, kind):
    full, s1, s2, _ = ADD_OPS[op]
    inp, m1, m2 = (vals(s, "float64", op, kind, j) for j, s in enumerate((full, s1, s2)))
    out = getattr(lib, op)(tens(lib, inp, "float64", kind), tens(lib, m1, "float64", kind),
                           tens(lib, m2, "float64", kind), beta=0.5, alpha=-2.0)
    check(out, add_oracle(op, inp, m1, m2, 0.5, -2.0), "float64")
    x = tens(lib, inp, "float64", kind)
    getattr(x, op + "_")(tens(lib, m1, "float64", kind), tens(lib, m2, "float64", kind), beta=0.5, alpha=-2.0)
    check(x, add_oracle(op, inp, m1, m2, 0.5, -2.0), "float64")


@pytest.mark.parametrize("op", list(ADD_OPS))
def test_add_family_broadcast_input(lib, op):
    _, s1, s2, shapes = ADD_OPS[op]
    for i, s in enumerate(shapes):
        inp, m1, m2 = (vals(sh, "float32", op, "bc", i, j) for j, sh in enumerate((s, s1, s2)))
        for form in ("function", "method", "out"):
            out = _add_call(lib, op, form, tens(lib, inp, "float32"), tens(lib, m1, "float32"),
                            tens(lib, m2, "float32"), {"beta": 0.5, "alpha": 2.0})
            check(out, add_oracle(op, inp, m1, m2, 0.5, 2.0), "float32")


@pytest.mark.parametrize("op", ["addmm", "addmv", "baddbmm"])  # torch's addbmm_ resizes a smaller self instead
def test_add_family_inplace_rejects_broadcast_self(lib, op):
    _, s1, s2, shapes = ADD_OPS[op]
    small = shapes[0]
    full = ADD_OPS[op][0]
    fmt = lambda s: "[" + ", ".join(map(str, s)) + "]"  # noqa: E731
    raises(RuntimeError, rf"^Bad in-place call: input tensor size {re.escape(fmt(small))} and output tensor size "
                         rf"{re.escape(fmt(full))} should match",
           lambda: getattr(lib.zeros(*small), op + "_")(lib.zeros(*s1), lib.zeros(*s2)))


@pytest.mark.parametrize("form", ["function", "method", "inplace", "out"])
@pytest.mark.parametrize("op", list(ADD_OPS))
def test_add_family_beta_zero_ignores_nan_input(lib, op, form):
    full, s1, s2, _ = ADD_OPS[op]
    m1, m2 = vals(s1, "float64", op, "nan", 1), vals(s2, "float64", op, "nan", 2)
    inp = np.full(full, np.nan)
    out = _add_call(lib, op, form, tens(lib, inp, "float64"), tens(lib, m1, "float64"), tens(lib, m2, "float64"),
                    {"beta": 0, "alpha": 1.5})
    assert not np.isnan(npy(out)).any()
    check(out, add_oracle(op, inp, m1, m2, 0, 1.5), "float64")
    # beta != 0 propagates the NaN
    out = getattr(lib, op)(tens(lib, inp, "float64"), tens(lib, m1, "float64"), tens(lib, m2, "float64"), beta=0.5)
    assert np.isnan(npy(out)).all()


def test_add_family_empty(lib):
    check(lib.addmm(lib.ones(2, 2), lib.ones(2, 0), lib.ones(0, 2), beta=3), np.full((2, 2), 3.0, np.float32), "float32")
    check(lib.addmm(lib.ones(2, 0), lib.ones(2, 3), lib.ones(3, 0)), np.zeros((2, 0), np.float32), "float32")
    check(lib.addmv(lib.ones(2), lib.ones(2, 0), lib.ones(0), alpha=2), np.ones(2, np.float32), "float32")
    check(lib.baddbmm(lib.ones(0, 2, 2), lib.ones(0, 2, 3), lib.ones(0, 3, 2)), np.zeros((0, 2, 2), np.float32),
          "float32")
    check(lib.addbmm(lib.ones(2, 2), lib.ones(0, 2, 3), lib.ones(0, 3, 2), beta=2), np.full((2, 2), 2.0, np.float32),
          "float32")


ADD_ERRORS = [
    ("addmm_shapes", lambda L: L.addmm(L.zeros(2, 4), L.zeros(2, 3), L.zeros(2, 4)), RuntimeError,
     r"^addmm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x4\)"),
    ("addmm_mat1_3d", lambda L: L.addmm(L.zeros(2, 2), L.zeros(2, 2, 2), L.zeros(2, 2)), RuntimeError,
     r"^addmm: self must be a matrix, got 3-D tensor"),
    ("addmm_mat2_1d", lambda L: L.addmm(L.zeros(2, 2), L.zeros(2, 2), L.zeros(2)), RuntimeError,
     r"^addmm: mat2 must be a matrix, got 1-D tensor"),
    ("addmm_input_shape", lambda L: L.addmm(L.zeros(3), L.zeros(2, 3), L.zeros(3, 4)), RuntimeError,
     r"^The expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1"),
    ("addmm_dtype", lambda L: L.addmm(L.zeros(2, 4), L.zeros(2, 3), L.zeros(3, 4, dtype=L.float64)), RuntimeError,
     r"^self and mat2 must have the same dtype, but got Float and Double"),
    ("addmm_input_dtype", lambda L: L.addmm(L.zeros(2, 2, dtype=L.float64), L.zeros(2, 2), L.zeros(2, 2)),
     RuntimeError, r"^self and mat2 must have the same dtype, but got Double and Float"),
    ("addmm_bool", lambda L: L.addmm(*[L.ones(2, 2, dtype=L.bool)] * 3), NotImplementedError,
     r"not implemented for 'Bool'"),
    ("addmm_out_dtype", lambda L: L.addmm(L.zeros(2, 4), L.zeros(2, 3), L.zeros(3, 4), out=L.empty(0, dtype=L.float64)),
     RuntimeError, r"^Expected out tensor to have dtype float, but got double instead"),
    ("addmv_sizes", lambda L: L.addmv(L.zeros(2), L.zeros(2, 3), L.zeros(4)), RuntimeError,
     r"^size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    ("addmv_mat_1d", lambda L: L.addmv(L.zeros(2), L.zeros(2), L.zeros(2)), RuntimeError,
     r"^vector \+ matrix @ vector expected, got 1, 1, 1"),
    ("addmv_vec_2d", lambda L: L.addmv(L.zeros(2), L.zeros(2, 2), L.zeros(2, 1)), RuntimeError,
     r"^vector \+ matrix @ vector expected, got 1, 2, 2"),
    ("addmv_dtype", lambda L: L.addmv(L.zeros(2, dtype=L.float64), L.zeros(2, 2), L.zeros(2)), RuntimeError,
     r"^addmv input tensors must have the same dtype, but got Double, Float, and Float"),
    ("addbmm_batch1_2d", lambda L: L.addbmm(L.zeros(2, 2), L.zeros(2, 2), L.zeros(2, 2, 2)), RuntimeError,
     r"^batch1 must be a 3D tensor"),
    ("addbmm_inner", lambda L: L.addbmm(L.zeros(2, 2), L.zeros(2, 2, 3), L.zeros(2, 2, 2)), RuntimeError,
     r"^Incompatible matrix sizes for bmm \(2x3 and 2x2\)"),
    ("addbmm_batches", lambda L: L.addbmm(L.zeros(2, 2), L.zeros(3, 2, 2), L.zeros(2, 2, 2)), RuntimeError,
     r"^batch1 and batch2 must have same number of batches, got 3 and 2"),
    ("baddbmm_inner", lambda L: L.baddbmm(L.zeros(2, 2, 2), L.zeros(2, 2, 3), L.zeros(2, 2, 2)), RuntimeError,
     r"^Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[2, 2\]\."),
    ("baddbmm_batches", lambda L: L.baddbmm(L.zeros(5, 2, 4), L.zeros(5, 2, 3), L.zeros(4, 3, 4)), RuntimeError,
     r"^Expected size for first two dimensions of batch2 tensor to be: \[5, 3\] but got: \[4, 3\]\."),
    ("baddbmm_input_dtype", lambda L: L.baddbmm(L.zeros(2, 2, 2, dtype=L.float64), L.zeros(2, 2, 2), L.zeros(2, 2, 2)),
     RuntimeError, r"^Input dtypes must be the same, got: input double, batch1: float, batch2: float"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in ADD_ERRORS], ids=[e[0] for e in ADD_ERRORS])
def test_add_family_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# norms
# ==========================================================================================================
VEC_ORDS = [2, 1, INF, -INF, 0, 3, 0.5]


def np_vector_norm(a, ord=2, dim=None, keepdim=False):
    a = np.abs(f64(a))
    axis = None if dim is None else (tuple(dim) if isinstance(dim, (tuple, list)) else (dim,))
    if ord == INF:
        r = a.max(axis=axis, keepdims=keepdim)
    elif ord == -INF:
        r = a.min(axis=axis, keepdims=keepdim)
    elif ord == 0:
        r = (a != 0).sum(axis=axis, keepdims=keepdim).astype(np.float64)
    else:
        r = (a ** ord).sum(axis=axis, keepdims=keepdim) ** (1.0 / ord)
    if keepdim and axis is None:
        r = np.reshape(r, (1,) * a.ndim)
    return np.asarray(r)


def norm_data(shape, name, *key):
    """Standard-normal values with some exact zeros (for ord=0) and no others."""
    a = vals(shape, name, "norm", *key)
    flat = a.reshape(-1)
    flat[::5] = 0
    return a


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 1, -1, (0, 2), (2, 0), (0, 1, 2)], ids=str)
@pytest.mark.parametrize("ord", VEC_ORDS, ids=str)
@pytest.mark.parametrize("name", FLOATS)
def test_vector_norm(lib, name, ord, dim, keepdim):
    a = norm_data((3, 4, 5), name, ord, dim)
    out = lib.linalg.vector_norm(tens(lib, a, name), ord, dim=dim, keepdim=keepdim)
    check(out, np_vector_norm(a, ord, dim, keepdim), name, (1e-5, 1e-6) if name == "float32" else None)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FLOATS)
def test_vector_norm_layouts_and_defaults(lib, kind, name):
    a = norm_data((3, 4, 5), name, kind)
    t = tens(lib, a, name, kind)
    tol = (1e-5, 1e-6) if name == "float32" else None
    check(lib.linalg.vector_norm(t), np_vector_norm(a), name, tol)
    check(lib.linalg.vector_norm(t, ord=1, dim=1), np_vector_norm(a, 1, 1), name, tol)
    check(lib.linalg.vector_norm(t, INF, (0, 1), True), np_vector_norm(a, INF, (0, 1), True), name, tol)
    check(lib.linalg.vector_norm(t, dim=[]), np_vector_norm(a), name, tol)  # an empty dim list reduces everything


def test_vector_norm_dtype_argument(lib):
    a = norm_data((4, 5), "float32", "dtype")
    out = lib.linalg.vector_norm(tens(lib, a, "float32"), dtype=lib.float64)
    check(out, np_vector_norm(a), "float64")  # computed in float64 from the float32 values
    out = lib.linalg.vector_norm(tens(lib, a, "float32"), 3, dim=0, dtype=lib.float64)
    check(out, np_vector_norm(a, 3, 0), "float64")
    raises(RuntimeError, r"^linalg.vector_norm: the dtype of the input \(Double\) should be convertible without "
                         r"narrowing to the specified dtype \(Float\)",
           lambda: lib.linalg.vector_norm(lib.zeros(3, dtype=lib.float64), dtype=lib.float32))


def test_vector_norm_scalar_and_empty(lib):
    check(lib.linalg.vector_norm(lib.tensor(-3.0)), np.float32(3.0), "float32")
    check(lib.linalg.vector_norm(lib.tensor(-3.0), 0), np.float32(1.0), "float32")
    for o in (2, 1, 0, 3):
        check(lib.linalg.vector_norm(lib.zeros(0, 3), o), np.float32(0.0), "float32")
    check(lib.linalg.vector_norm(lib.zeros(0, 3), INF, dim=1), np.zeros(0, np.float32), "float32")
    check(lib.linalg.vector_norm(lib.zeros(0, 3), 2, dim=0), np.zeros(3, np.float32), "float32")
    raises(RuntimeError, r"^linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
                         r"does not have an identity", lambda: lib.linalg.vector_norm(lib.zeros(0, 3), INF))
    raises(RuntimeError, r"^linalg.vector_norm cannot compute the -inf norm on an empty tensor because the operation "
                         r"does not have an identity", lambda: lib.linalg.vector_norm(lib.zeros(0, 3), -INF))
    raises(RuntimeError, r"^linalg.vector_norm cannot compute the inf norm on the dimension 0",
           lambda: lib.linalg.vector_norm(lib.zeros(0, 3), INF, dim=0))


def test_vector_norm_inf_nan(lib):
    a = np.array([[1.0, NAN, 2.0], [INF, -1.0, 0.0], [-INF, 3.0, 1.0]])
    t = tens(lib, a, "float64")
    check(lib.linalg.vector_norm(t, 2, dim=1), [NAN, INF, INF], "float64")
    check(lib.linalg.vector_norm(t, INF, dim=1), [NAN, INF, INF], "float64")
    check(lib.linalg.vector_norm(t, 1, dim=0), [INF, NAN, 3.0], "float64")


MAT_ORDS = ["fro", "nuc", 1, -1, 2, -2, INF, -INF]


@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((-2, -1), True), ((0, 2), False), ((2, 0), True),
                                         ((1, 0), False)], ids=str)
@pytest.mark.parametrize("ord", MAT_ORDS, ids=str)
@pytest.mark.parametrize("name", FLOATS)
def test_matrix_norm(lib, name, ord, dim, keepdim):
    a = vals((2, 3, 4), name, "mnorm", ord, dim)
    out = lib.linalg.matrix_norm(tens(lib, a, name), ord, dim=dim, keepdim=keepdim)
    check(out, np.linalg.norm(f64(a), ord, axis=dim, keepdims=keepdim), name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ord", MAT_ORDS, ids=str)
def test_matrix_norm_layouts_and_shapes(lib, ord, kind):
    for shape in [(4, 4), (5, 3), (3, 5), (2, 3, 4, 3)]:
        a = vals(shape, "float64", "mnl", ord, kind)
        t = tens(lib, a, "float64", kind)
        check(lib.linalg.matrix_norm(t, ord), np.linalg.norm(a, ord, axis=(-2, -1)), "float64")
        if ord == "fro":
            check(lib.linalg.matrix_norm(t), np.linalg.norm(a, ord, axis=(-2, -1)), "float64")


def test_matrix_norm_dtype_and_empty(lib):
    a = vals((3, 4), "float32", "mndt")
    check(lib.linalg.matrix_norm(tens(lib, a, "float32"), dtype=lib.float64), np.linalg.norm(f64(a)), "float64")
    check(lib.linalg.matrix_norm(tens(lib, a, "float32"), "nuc", dtype=lib.float64),
          np.linalg.norm(f64(a), "nuc"), "float64")
    for o in ("fro", "nuc", 2, 1, INF):
        check(lib.linalg.matrix_norm(lib.zeros(0, 3), o), np.float32(0), "float32")
    for o in ("fro", "nuc", 2, -2, 1):
        check(lib.linalg.matrix_norm(lib.zeros(0, 3, 3), o), np.zeros(0, np.float32), "float32")


MNORM_ERRORS = [
    ("ord3", lambda L: L.linalg.matrix_norm(L.zeros(2, 3), 3), RuntimeError,
     r"^linalg.matrix_norm: Order 3 not supported\."),
    ("ord0", lambda L: L.linalg.matrix_norm(L.zeros(2, 3), 0), RuntimeError,
     r"^linalg.matrix_norm: Order 0 not supported\."),
    ("ord_str", lambda L: L.linalg.matrix_norm(L.zeros(2, 3), "abc"), RuntimeError,
     r"^linalg.matrix_norm: Order abc not supported\."),
    ("1d", lambda L: L.linalg.matrix_norm(L.zeros(3)), RuntimeError,
     r"^linalg.matrix_norm: The input tensor A must have at least 2 dimensions\."),
    ("same_dims", lambda L: L.linalg.matrix_norm(L.zeros(2, 3, 4), dim=(0, 0)), RuntimeError,
     r"^linalg.matrix_norm: dims must be different\. Got \(0, 0\)"),
    ("one_dim", lambda L: L.linalg.matrix_norm(L.zeros(2, 3, 4), dim=(0,)), RuntimeError,
     r"^linalg.matrix_norm: dim must be a 2-tuple\. Got 0"),
    ("narrowing", lambda L: L.linalg.matrix_norm(L.zeros(3, 4, dtype=L.float64), dtype=L.float32), RuntimeError,
     r"^linalg.matrix_norm: the dtype of the input \(Double\) should be convertible without narrowing to the "
     r"specified dtype \(Float\)"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in MNORM_ERRORS], ids=[e[0] for e in MNORM_ERRORS])
def test_matrix_norm_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# linalg.norm dispatch: id -> (input shape, args, kwargs, oracle(a))
LNORM = {
    "none_flattens_3d": ((2, 3, 4), (), {}, lambda a: np.sqrt((a ** 2).sum())),
    "none_flattens_2d": ((3, 4), (), {}, lambda a: np.sqrt((a ** 2).sum())),
    "none_keepdim": ((2, 3, 4), (), {"keepdim": True}, lambda a: np.sqrt((a ** 2).sum()).reshape(1, 1, 1)),
    "ord2_on_2d_is_spectral": ((3, 4), (2,), {}, lambda a: np.linalg.norm(a, 2)),
    "ord1_on_2d_is_matrix": ((3, 4), (1,), {}, lambda a: np.linalg.norm(a, 1)),
    "inf_on_2d_is_matrix": ((3, 4), (INF,), {}, lambda a: np.linalg.norm(a, INF)),
    "fro_on_2d": ((3, 4), ("fro",), {}, lambda a: np.linalg.norm(a, "fro")),
    "nuc_on_2d": ((3, 4), ("nuc",), {}, lambda a: np.linalg.norm(a, "nuc")),
    "ord2_keepdim_2d": ((3, 4), (2,), {"keepdim": True}, lambda a: np.linalg.norm(a, 2, keepdims=True)),
    "ord3_on_1d": ((5,), (3,), {}, lambda a: np_vector_norm(a, 3)),
    "ord0_on_1d": ((5,), (0,), {}, lambda a: np_vector_norm(a, 0)),
    "int_dim_is_vector": ((2, 3, 4), (3,), {"dim": 1}, lambda a: np_vector_norm(a, 3, 1)),
    "int_dim_inf_vector": ((2, 3, 4), (INF,), {"dim": -1}, lambda a: np_vector_norm(a, INF, -1)),
    "one_tuple_dim_is_vector": ((2, 3, 4), (1,), {"dim": (1,)}, lambda a: np_vector_norm(a, 1, 1)),
    "none_int_dim": ((2, 3, 4), (), {"dim": 2}, lambda a: np_vector_norm(a, 2, 2)),
    "two_dims_is_matrix": ((2, 3, 4), (2,), {"dim": (1, 2)}, lambda a: np.linalg.norm(a, 2, axis=(1, 2))),
    "two_dims_none_is_fro": ((2, 3, 4), (None,), {"dim": (0, 2)}, lambda a: np.linalg.norm(a, "fro", axis=(0, 2))),
    "two_dims_nuc_keepdim": ((2, 3, 4), ("nuc",), {"dim": (2, 1), "keepdim": True},
                             lambda a: np.linalg.norm(a, "nuc", axis=(2, 1), keepdims=True)),
}


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("case", list(LNORM))
def test_linalg_norm_dispatch(lib, case, name):
    shape, args, kwargs, oracle = LNORM[case]
    a = norm_data(shape, name, case)
    check(lib.linalg.norm(tens(lib, a, name), *args, **kwargs), oracle(f64(a)), name)


LNORM_ERRORS = [
    ("ord_without_dim_3d", lambda L: L.linalg.norm(L.zeros(2, 3, 4), 2), RuntimeError,
     r"^linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D\. Got 3D\."),
    ("fro_on_1d", lambda L: L.linalg.norm(L.zeros(3), "fro"), RuntimeError,
     r"^linalg.matrix_norm: The input tensor A must have at least 2 dimensions\."),
    ("three_dims", lambda L: L.linalg.norm(L.zeros(2, 3, 4), dim=(0, 1, 2)), RuntimeError,
     r"^linalg.norm: If dim is specified, it must be of length 1 or 2\. Got \[0, 1, 2\]"),
    ("fro_with_int_dim", lambda L: L.linalg.norm(L.zeros(2, 3, 4), "fro", dim=1), RuntimeError,
     r"^linalg.matrix_norm: dim must be a 2-tuple\. Got 1"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in LNORM_ERRORS], ids=[e[0] for e in LNORM_ERRORS])
def test_linalg_norm_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


def test_tensor_norm(lib):
    a = norm_data((2, 3, 4), "float32", "tnorm")
    t = tens(lib, a, "float32")
    check(lib.norm(t), np_vector_norm(a), "float32")
    check(t.norm(), np_vector_norm(a), "float32")
    check(lib.norm(t, "fro"), np_vector_norm(a), "float32")
    check(t.norm(p=3, dim=1), np_vector_norm(a, 3, 1), "float32")
    check(t.norm(dim=1), np_vector_norm(a, 2, 1), "float32")
    check(t.norm(p="fro", dim=(1, 2), keepdim=True), np.linalg.norm(f64(a), "fro", axis=(1, 2), keepdims=True),
          "float32")
    check(lib.norm(t, "nuc", dim=(1, 2)), np.linalg.norm(f64(a), "nuc", axis=(1, 2)), "float32")
    check(lib.norm(t[0], "nuc"), np.linalg.norm(f64(a[0]), "nuc"), "float32")
    check(lib.norm(t, p=0), np_vector_norm(a, 0), "float32")
    check(lib.norm(t, p=INF, dim=2), np_vector_norm(a, INF, 2), "float32")
    check(lib.norm(t, dtype=lib.float64), np_vector_norm(a), "float64")


# ==========================================================================================================
# det, logdet, slogdet, inv, solve
# ==========================================================================================================
SQ_SHAPES = [(1, 1), (4, 4), (2, 3, 4, 4), (3, 5, 5)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", SQ_SHAPES, ids=str)
def test_det(lib, shape, name, kind):
    a = wellcond(shape, name, "det", kind)
    want = np.linalg.det(f64(a))
    for fn in (lambda t: lib.linalg.det(t), lambda t: lib.det(t), lambda t: t.det()):
        check(fn(tens(lib, a, name, kind)), want, name, (1e-4, 1e-4) if name == "float32" else None)


@pytest.mark.parametrize("name", FLOATS)
def test_det_special(lib, name):
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    check(lib.linalg.det(tens(lib, sing, name)), np.asarray(0.0), name, (0, 1e-6))
    check(lib.linalg.det(lib.zeros(3, 3, dtype=getattr(lib, name))), np.asarray(0.0), name)
    check(lib.linalg.det(lib.zeros(0, 3, 3, dtype=getattr(lib, name))), np.zeros(0), name)
    check(lib.linalg.det(lib.zeros(0, 0, dtype=getattr(lib, name))), np.asarray(1.0), name)
    check(lib.linalg.det(lib.zeros(2, 0, 0, dtype=getattr(lib, name))), np.ones(2), name)
    perm = np.eye(3)[[1, 0, 2]]
    check(lib.det(tens(lib, perm, name)), np.asarray(-1.0), name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", SQ_SHAPES, ids=str)
def test_slogdet_logdet(lib, shape, name, kind):
    a = wellcond(shape, name, "slogdet", kind)
    sign, logabs = np.linalg.slogdet(f64(a))
    tol = (1e-4, 1e-4) if name == "float32" else None
    for fn in (lib.linalg.slogdet, lib.slogdet, lambda t: t.slogdet()):
        res = fn(tens(lib, a, name, kind))
        assert isinstance(res, tuple) and len(res) == 2
        check(res.sign, sign, name)
        check(res.logabsdet, logabs, name, tol)
        s, la = res
        check(s, sign, name)
        check(la, logabs, name, tol)
    # logdet: log(det) -- NaN where det < 0
    want = np.where(sign > 0, logabs, np.nan)
    check(lib.logdet(tens(lib, a, name, kind)), want, name, tol)
    check(tens(lib, a, name, kind).logdet(), want, name, tol)


@pytest.mark.parametrize("name", FLOATS)
def test_slogdet_logdet_special(lib, name):
    dt = getattr(lib, name)
    r = lib.linalg.slogdet(lib.zeros(3, 3, dtype=dt))
    check(r.sign, np.asarray(0.0), name)
    check(r.logabsdet, np.asarray(-np.inf), name)
    check(lib.logdet(lib.zeros(3, 3, dtype=dt)), np.asarray(-np.inf), name)
    check(lib.logdet(-lib.eye(3, dtype=dt)), np.asarray(np.nan), name)
    r = lib.linalg.slogdet(-lib.eye(3, dtype=dt))
    check(r.sign, np.asarray(-1.0), name)
    check(r.logabsdet, np.asarray(0.0), name)
    r = lib.linalg.slogdet(lib.zeros(0, 3, 3, dtype=dt))
    check(r.sign, np.zeros(0), name)
    check(r.logabsdet, np.zeros(0), name)
    r = lib.linalg.slogdet(lib.zeros(2, 0, 0, dtype=dt))
    check(r.sign, np.ones(2), name)
    check(r.logabsdet, np.zeros(2), name)
    check(lib.logdet(lib.zeros(0, 0, dtype=dt)), np.asarray(0.0), name)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", SQ_SHAPES, ids=str)
def test_inv(lib, shape, name, kind):
    a = wellcond(shape, name, "inv", kind)
    want = np.linalg.inv(f64(a))
    for fn in (lib.linalg.inv, lib.inverse, lambda t: t.inverse()):
        t = tens(lib, a, name, kind)
        out = fn(t)
        check(out, want, name)
        check(t, a, name)  # input untouched
    eye = np.broadcast_to(np.eye(shape[-1]), shape)
    check(lib.matmul(tens(lib, a, name, kind), lib.linalg.inv(tens(lib, a, name, kind))), eye, name)


@pytest.mark.parametrize("name", FLOATS)
def test_inv_empty(lib, name):
    dt = getattr(lib, name)
    check(lib.linalg.inv(lib.zeros(0, 3, 3, dtype=dt)), np.zeros((0, 3, 3)), name)
    check(lib.linalg.inv(lib.zeros(0, 0, dtype=dt)), np.zeros((0, 0)), name)
    check(lib.inverse(lib.zeros(2, 0, 0, dtype=dt)), np.zeros((2, 0, 0)), name)


# (A shape, B shape, result shape): B is a vector when B.ndim == 1, or when B.ndim == A.ndim - 1 and
# B.shape == A.shape[:-1]; otherwise a (batch of) matrix; batch dims broadcast.
SOLVE = [
    ((3, 3), (3,), (3,)),
    ((3, 3), (3, 2), (3, 2)),
    ((3, 3), (3, 1), (3, 1)),
    ((2, 3, 3), (2, 3), (2, 3)),          # batched vector
    ((2, 3, 3), (3,), (2, 3)),            # one vector for every matrix
    ((2, 3, 3), (3, 4), (2, 3, 4)),       # one matrix for every matrix
    ((2, 1, 3, 3), (3,), (2, 1, 3)),
    ((2, 1, 3, 3), (4, 3, 2), (2, 4, 3, 2)),
    ((3, 3), (5, 3, 2), (5, 3, 2)),
    ((4, 4), (4, 0), (4, 0)),
    ((0, 3, 3), (0, 3), (0, 3)),
    ((0, 3, 3), (3, 2), (0, 3, 2)),
]


def np_solve(a, b):
    """torch.linalg.solve on numpy: B is a (batch of) vector(s) when B.ndim == 1, or when B.ndim == A.ndim - 1
    and B.shape == A.shape[:-1]; batch dims broadcast."""
    a, b = f64(a), f64(b)
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b[..., None] if vector else b
    batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    am = np.broadcast_to(a, batch + a.shape[-2:])
    bm = np.broadcast_to(bm, batch + bm.shape[-2:])
    x = np.linalg.solve(am, bm) if am.size and bm.size else np.zeros(bm.shape)
    return x[..., 0] if vector else x


@pytest.mark.parametrize("kind", ["contiguous", "swapped", "sliced"])
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shapes", SOLVE, ids=[f"{a}\\{b}" for a, b, _ in SOLVE])
def test_solve(lib, shapes, name, kind):
    sa, sb, sr = shapes
    a, b = wellcond(sa, name, "solve", sb), vals(sb, name, "solve", sa)
    ta, tb = tens(lib, a, name, kind), tens(lib, b, name, kind)
    out = lib.linalg.solve(ta, tb)
    check(out, np_solve(a, b), name)
    check(ta, a, name)
    check(tb, b, name)


SOLVE_ERRORS = [
    ("b_rows", lambda L: L.linalg.solve(L.eye(3), L.zeros(4, 2)), RuntimeError,
     r"^linalg.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 4x2\)"),
    ("b_vector_len", lambda L: L.linalg.solve(L.eye(3), L.zeros(4)), RuntimeError,
     r"^linalg.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 4x1\)"),
    ("b_2d_not_batched_vector", lambda L: L.linalg.solve(L.eye(3), L.zeros(2, 3)), RuntimeError,
     r"^linalg.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 2x3\)"),
    ("batch_mismatch", lambda L: L.linalg.solve(L.zeros(2, 1, 3, 3), L.zeros(5, 3)), RuntimeError,
     r"^linalg.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 5x3\)"),
    ("dtype", lambda L: L.linalg.solve(L.eye(3), L.zeros(3, 2, dtype=L.float64)), RuntimeError,
     r"^linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of type Double instead"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in SOLVE_ERRORS], ids=[e[0] for e in SOLVE_ERRORS])
def test_solve_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# LinAlgError: singular / not positive-definite input
# ==========================================================================================================
def test_linalg_error_class(lib):
    err = lib.linalg.LinAlgError
    assert isinstance(err, type)
    assert issubclass(err, RuntimeError)


SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])


def eye_and(lib, name, bad):
    """A batch of two 3x3 matrices of dtype `name`: the identity, then `bad`."""
    return lib.stack([lib.eye(3, dtype=getattr(lib, name)), bad])


LINALG_ERRORS = [
    ("inv_zeros", lambda L, n: L.linalg.inv(L.zeros(3, 3, dtype=getattr(L, n))),
     r"^linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because the input matrix "
     r"is singular\."),
    ("inv_singular", lambda L, n: L.linalg.inv(L.tensor(SINGULAR, dtype=getattr(L, n))),
     r"^linalg.inv: The diagonal element \d+ is zero, the inversion could not be completed because the input "
     r"matrix is singular\."),
    ("inverse_singular", lambda L, n: L.inverse(L.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=getattr(L, n))),
     r"^linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the input matrix "
     r"is singular\."),
    ("inv_batched", lambda L, n: L.linalg.inv(eye_and(L, n, L.zeros(3, 3, dtype=getattr(L, n)))),
     r"^linalg.inv: \(Batch element 1\): The diagonal element 1 is zero, the inversion could not be completed "
     r"because the input matrix is singular\."),
    ("solve_singular", lambda L, n: L.linalg.solve(L.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=getattr(L, n)),
                                                   L.ones(2, dtype=getattr(L, n))),
     r"^torch.linalg.solve: The solver failed because the input matrix is singular\."),
    ("solve_batched", lambda L, n: L.linalg.solve(eye_and(L, n, L.zeros(3, 3, dtype=getattr(L, n))),
                                                  L.ones(2, 3, dtype=getattr(L, n))),
     r"^torch.linalg.solve: \(Batch element 1\): The solver failed because the input matrix is singular\."),
    ("cholesky_not_pd", lambda L, n: L.linalg.cholesky(L.tensor(NOT_PD, dtype=getattr(L, n))),
     r"^linalg.cholesky: The factorization could not be completed because the input is not positive-definite "
     r"\(the leading minor of order 2 is not positive-definite\)\."),
    ("cholesky_negative", lambda L, n: L.linalg.cholesky(-L.eye(3, dtype=getattr(L, n)), upper=True),
     r"^linalg.cholesky: The factorization could not be completed because the input is not positive-definite "
     r"\(the leading minor of order 1 is not positive-definite\)\."),
    ("cholesky_batched", lambda L, n: L.linalg.cholesky(eye_and(L, n, -L.eye(3, dtype=getattr(L, n)))),
     r"^linalg.cholesky: \(Batch element 1\): The factorization could not be completed because the input is not "
     r"positive-definite \(the leading minor of order 1 is not positive-definite\)\."),
    ("matrix_power_negative_singular", lambda L, n: L.linalg.matrix_power(L.zeros(3, 3, dtype=getattr(L, n)), -1),
     r"^linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because the input matrix "
     r"is singular\."),
]


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("fn,pattern", [e[1:] for e in LINALG_ERRORS], ids=[e[0] for e in LINALG_ERRORS])
def test_linalg_errors(lib, fn, pattern, name):
    with pytest.raises(lib.linalg.LinAlgError, match=pattern) as info:
        fn(lib, name)
    assert isinstance(info.value, RuntimeError)


# ==========================================================================================================
# matrices larger than a block of the blocked LU / Cholesky (16 columns), against numpy in float64;
# from n = 128 the inverse is solved in bands of columns, one per thread
# ==========================================================================================================
@pytest.mark.parametrize("n", [15, 16, 17, 33, 70, 130, 203])
def test_blocked_factorizations(lib, n):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n)) + n ** 0.5 * np.eye(n)
    b = rng.standard_normal((n, 5))
    A, B = lib.tensor(a, dtype=lib.float64), lib.tensor(b, dtype=lib.float64)
    np.testing.assert_allclose(npy(lib.linalg.det(A)), np.linalg.det(a), rtol=1e-10)
    sign, logabs = lib.linalg.slogdet(A)
    np.testing.assert_allclose((npy(sign), npy(logabs)), np.linalg.slogdet(a), rtol=1e-10)
    np.testing.assert_allclose(npy(lib.linalg.inv(A)), np.linalg.inv(a), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(npy(lib.linalg.solve(A, B)), np.linalg.solve(a, b), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(npy(lib.linalg.solve(A, B.T, left=False)), np.linalg.solve(a.T, b).T, rtol=1e-9,
                               atol=1e-11)
    s = a @ a.T + np.eye(n)
    np.testing.assert_allclose(npy(lib.linalg.cholesky(lib.tensor(s, dtype=lib.float64))), np.linalg.cholesky(s),
                               rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("bad", [3, 40, 69])
def test_blocked_factorization_errors(lib, bad):
    """The failing column / minor is reported by its global index, also past the first block."""
    n = 70
    a = np.random.default_rng(bad).standard_normal((n, n)) + 10 * np.eye(n)
    a[:, bad] = 0.0  # column `bad` stays zero through elimination: its pivot is the first zero
    with pytest.raises(lib.linalg.LinAlgError, match=f"The diagonal element {bad + 1} is zero"):
        lib.linalg.inv(lib.tensor(a, dtype=lib.float64))
    s = np.eye(n)
    s[bad, bad] = -1.0
    with pytest.raises(lib.linalg.LinAlgError, match=f"leading minor of order {bad + 1} is not positive-definite"):
        lib.linalg.cholesky(lib.tensor(s, dtype=lib.float64))


# ==========================================================================================================
# cholesky
# ==========================================================================================================
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (2, 3, 4, 4), (6, 6)], ids=str)
def test_cholesky(lib, shape, name, kind):
    a = spd(shape, name, kind)
    want = np.linalg.cholesky(f64(a))
    tol = (1e-4, 1e-4) if name == "float32" else None
    low = lib.linalg.cholesky(tens(lib, a, name, kind))
    check(low, want, name, tol)
    got = npy(low)
    assert (np.triu(got, 1) == 0).all(), "upper part must be exactly zero"
    assert (np.diagonal(got, axis1=-2, axis2=-1) > 0).all()
    check(lib.linalg.cholesky(tens(lib, a, name, kind), upper=False), want, name, tol)
    up = lib.linalg.cholesky(tens(lib, a, name, kind), upper=True)
    check(up, mT(want), name, tol)
    assert (np.tril(npy(up), -1) == 0).all(), "lower part must be exactly zero"
    np.testing.assert_allclose(got @ mT(got), f64(a), rtol=TOL[name][0], atol=TOL[name][1] * 10)


def test_cholesky_reads_one_triangle_and_empty(lib):
    a = spd((4, 4), "float64", "lowtri")
    junk_up = a.copy()
    junk_up[np.triu_indices(4, 1)] = 100.0  # upper=False reads only the lower triangle
    check(lib.linalg.cholesky(tens(lib, junk_up, "float64")), np.linalg.cholesky(a), "float64")
    junk_low = a.copy()
    junk_low[np.tril_indices(4, -1)] = 100.0  # upper=True reads only the upper triangle
    check(lib.linalg.cholesky(tens(lib, junk_low, "float64"), upper=True), mT(np.linalg.cholesky(a)), "float64")
    check(lib.linalg.cholesky(lib.zeros(0, 3, 3)), np.zeros((0, 3, 3), np.float32), "float32")
    check(lib.linalg.cholesky(lib.zeros(0, 0)), np.zeros((0, 0), np.float32), "float32")


def test_removed_torch_cholesky_and_qr(lib):
    """torch.cholesky / Tensor.cholesky and torch.qr / Tensor.qr were removed from PyTorch: they raise."""
    a = lib.eye(3)
    msg = r"^This function was deprecated since version 1\.9 and is now removed\. `torch\.cholesky` is deprecated in " \
          r"favor of `torch\.linalg\.cholesky`\."
    raises(RuntimeError, msg, lambda: lib.cholesky(a))
    raises(RuntimeError, msg, lambda: lib.cholesky(a, upper=True))
    raises(RuntimeError, msg, lambda: a.cholesky())
    msg = r"^This function was deprecated since version 1\.9 and is now removed\. `torch\.qr` is deprecated in favor " \
          r"of `torch\.linalg\.qr`"
    raises(RuntimeError, msg, lambda: lib.qr(a))
    raises(RuntimeError, msg, lambda: a.qr())


# ==========================================================================================================
# qr
# ==========================================================================================================
QR_SHAPES = [(4, 4), (5, 3), (3, 5), (2, 3, 4, 3), (1, 1)]


@pytest.mark.parametrize("kind", ["contiguous", "swapped", "sliced"])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", QR_SHAPES, ids=str)
def test_qr(lib, shape, name, mode, kind):
    a = vals(shape, name, "qr", kind)
    m, n = shape[-2:]
    k = min(m, n)
    batch = shape[:-2]
    res = lib.linalg.qr(tens(lib, a, name, kind), mode=mode) if mode != "reduced" else \
        lib.linalg.qr(tens(lib, a, name, kind))
    assert isinstance(res, tuple) and len(res) == 2
    q, r = res
    assert q is res.Q and r is res.R
    assert dname(q) == name and dname(r) == name
    r_rows = m if mode == "complete" else k
    assert tuple(r.shape) == batch + (r_rows, n)
    rn = npy(r)
    assert (np.tril(rn, -1) == 0).all(), "R must be upper triangular"
    np_r = np.linalg.qr(f64(a), mode="complete" if mode == "complete" else "reduced")[1]
    # R is unique up to the sign of each row
    np.testing.assert_allclose(np.abs(rn), np.abs(np_r), rtol=TOL[name][0], atol=TOL[name][1] * 10)
    if mode == "r":
        assert tuple(q.shape) == (0,), f"mode='r' returns an empty Q, got {tuple(q.shape)}"
        return
    q_cols = m if mode == "complete" else k
    assert tuple(q.shape) == batch + (m, q_cols)
    qn = npy(q)
    assert_orthonormal_columns(qn, name)
    np.testing.assert_allclose(qn @ rn, f64(a), rtol=TOL[name][0], atol=TOL[name][1] * 10)


def test_qr_positional_mode_and_empty(lib):
    a = vals((4, 3), "float64", "qrpos")
    q, r = lib.linalg.qr(tens(lib, a, "float64"), "complete")
    assert tuple(q.shape) == (4, 4) and tuple(r.shape) == (4, 3)
    np.testing.assert_allclose(npy(q) @ npy(r), a, atol=1e-12)
    q, r = lib.linalg.qr(lib.zeros(0, 3, 3))
    assert tuple(q.shape) == (0, 3, 3) and tuple(r.shape) == (0, 3, 3)
    q, r = lib.linalg.qr(lib.zeros(2, 0, 0))
    assert tuple(q.shape) == (2, 0, 0) and tuple(r.shape) == (2, 0, 0)
    raises(RuntimeError, r"^qr received unrecognized mode 'x' but expected one of 'reduced' \(default\), 'r', or "
                         r"'complete'", lambda: lib.linalg.qr(lib.zeros(3, 3), mode="x"))


# ==========================================================================================================
# svd, torch.svd, svdvals
# ==========================================================================================================
SVD_SHAPES = [(4, 4), (5, 3), (3, 5), (2, 3, 4, 3), (1, 1), (1, 4)]


@pytest.mark.parametrize("kind", ["contiguous", "swapped", "sliced"])
@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", SVD_SHAPES, ids=str)
def test_linalg_svd(lib, shape, name, full, kind):
    a = vals(shape, name, "svd", kind)
    m, n = shape[-2:]
    k = min(m, n)
    batch = shape[:-2]
    res = lib.linalg.svd(tens(lib, a, name, kind), full_matrices=full)
    assert isinstance(res, tuple) and len(res) == 3
    u, s, vh = res
    assert u is res.U and s is res.S and vh is res.Vh
    assert tuple(u.shape) == batch + ((m, m) if full else (m, k))
    assert tuple(vh.shape) == batch + ((n, n) if full else (k, n))
    check(s, np.linalg.svd(f64(a), compute_uv=False), name)
    sn, un, vhn = npy(s), npy(u), npy(vh)
    assert (sn >= 0).all() and (np.diff(sn, axis=-1) <= 0).all(), "S must be non-negative and descending"
    assert_orthonormal_columns(un, name)
    assert_orthonormal_columns(mT(vhn), name)
    rec = (un[..., :, :k] * sn[..., None, :]) @ vhn[..., :k, :]
    np.testing.assert_allclose(rec, f64(a), rtol=TOL[name][0], atol=TOL[name][1] * 10)


def test_linalg_svd_default_is_full_and_empty(lib):
    a = vals((3, 5), "float64", "svdfull")
    u, s, vh = lib.linalg.svd(tens(lib, a, "float64"))
    assert tuple(u.shape) == (3, 3) and tuple(s.shape) == (3,) and tuple(vh.shape) == (5, 5)
    u, s, vh = lib.linalg.svd(lib.zeros(0, 3, 3))
    assert tuple(u.shape) == (0, 3, 3) and tuple(s.shape) == (0, 3) and tuple(vh.shape) == (0, 3, 3)
    u, s, vh = lib.linalg.svd(lib.zeros(0, 0))
    assert tuple(u.shape) == (0, 0) and tuple(s.shape) == (0,) and tuple(vh.shape) == (0, 0)
    check(lib.linalg.svd(lib.zeros(3, 3)).S, np.zeros(3, np.float32), "float32")


@pytest.mark.parametrize("some", [True, False])
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)], ids=str)
def test_torch_svd(lib, shape, name, some):
    """torch.svd returns V (not Vh); some=True is the reduced decomposition."""
    a = vals(shape, name, "tsvd", some)
    m, n = shape[-2:]
    k = min(m, n)
    batch = shape[:-2]
    for res in (lib.svd(tens(lib, a, name), some=some), tens(lib, a, name).svd(some=some)):
        u, s, v = res
        assert u is res.U and s is res.S and v is res.V
        assert tuple(u.shape) == batch + ((m, k) if some else (m, m))
        assert tuple(v.shape) == batch + ((n, k) if some else (n, n))
        check(s, np.linalg.svd(f64(a), compute_uv=False), name)
        un, sn, vn = npy(u), npy(s), npy(v)
        assert_orthonormal_columns(un, name)
        assert_orthonormal_columns(vn, name)
        rec = (un[..., :, :k] * sn[..., None, :]) @ mT(vn[..., :, :k])
        np.testing.assert_allclose(rec, f64(a), rtol=TOL[name][0], atol=TOL[name][1] * 10)
    u, s, v = lib.svd(tens(lib, a, name))  # default some=True
    assert tuple(u.shape) == batch + (m, k) and tuple(v.shape) == batch + (n, k)


def test_torch_svd_compute_uv_false(lib):
    """With compute_uv=False torch.svd returns zero-filled U (m x m) and V (n x n), whatever `some` is."""
    a = vals((3, 5), "float64", "svduv")
    for some in (True, False):
        u, s, v = lib.svd(tens(lib, a, "float64"), some=some, compute_uv=False)
        check(s, np.linalg.svd(a, compute_uv=False), "float64")
        check(u, np.zeros((3, 3)), "float64")
        check(v, np.zeros((5, 5)), "float64")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FLOATS)
def test_svdvals(lib, name, kind):
    for shape in SVD_SHAPES + [(0, 3, 2), (0, 0)]:
        a = vals(shape, name, "svdvals", kind)
        want = np.linalg.svd(f64(a), compute_uv=False) if a.size else np.zeros(shape[:-2] + (min(shape[-2:]),))
        check(lib.linalg.svdvals(tens(lib, a, name, kind)), want, name)
    rank1 = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])
    check(lib.linalg.svdvals(tens(lib, rank1, name)), np.linalg.svd(rank1, compute_uv=False), name, (1e-5, 1e-5))


# ==========================================================================================================
# eigh, eigvalsh
# ==========================================================================================================
def tri_sym(a, uplo):
    """The symmetric matrix that LAPACK sees when reading only triangle `uplo` of `a`."""
    t = np.tril(a) if uplo == "L" else np.triu(a)
    return t + mT(t) - np.eye(a.shape[-1]) * a


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("uplo", [None, "L", "U"])
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (2, 3, 4, 4), (5, 5)], ids=str)
def test_eigh(lib, shape, name, uplo, kind):
    a = vals(shape, name, "eigh", uplo, kind)  # not symmetric: only one triangle is read
    eff = tri_sym(f64(a), uplo or "L")
    kwargs = {} if uplo is None else {"UPLO": uplo}
    w_np = np.linalg.eigvalsh(eff)
    res = lib.linalg.eigh(tens(lib, a, name, kind), **kwargs)
    assert isinstance(res, tuple) and len(res) == 2
    w, v = res
    assert w is res.eigenvalues and v is res.eigenvectors
    check(w, w_np, name)
    wn, vn = npy(w), npy(v)
    assert (np.diff(wn, axis=-1) >= 0).all(), "eigenvalues must be ascending"
    assert tuple(v.shape) == shape and dname(v) == name
    assert_orthonormal_columns(vn, name)
    np.testing.assert_allclose(eff @ vn, vn * wn[..., None, :], rtol=TOL[name][0], atol=TOL[name][1] * 10)
    check(lib.linalg.eigvalsh(tens(lib, a, name, kind), **kwargs), w_np, name)


def test_eigh_positional_uplo_and_empty(lib):
    a = vals((4, 4), "float64", "eighpos")
    w, _ = lib.linalg.eigh(tens(lib, a, "float64"), "U")
    check(w, np.linalg.eigvalsh(a, UPLO="U"), "float64")
    check(lib.linalg.eigvalsh(tens(lib, a, "float64"), "U"), np.linalg.eigvalsh(a, UPLO="U"), "float64")
    w, v = lib.linalg.eigh(lib.zeros(0, 3, 3))
    assert tuple(w.shape) == (0, 3) and tuple(v.shape) == (0, 3, 3)
    w, v = lib.linalg.eigh(lib.zeros(0, 0))
    assert tuple(w.shape) == (0,) and tuple(v.shape) == (0, 0)
    check(lib.linalg.eigvalsh(lib.zeros(2, 0, 0)), np.zeros((2, 0), np.float32), "float32")
    raises(RuntimeError, r"^Expected UPLO argument to be 'L' or 'U', but got X",
           lambda: lib.linalg.eigh(lib.eye(3), UPLO="X"))


# ==========================================================================================================
# pinv
# ==========================================================================================================
@pytest.mark.parametrize("kind", ["contiguous", "swapped", "sliced"])
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (4, 4), (2, 3, 4), (1, 1)], ids=str)
def test_pinv(lib, shape, name, kind):
    a = vals(shape, name, "pinv", kind)
    want = np.linalg.pinv(f64(a))
    tol = (1e-3, 1e-4) if name == "float32" else None
    check(lib.linalg.pinv(tens(lib, a, name, kind)), want, name, tol)
    check(lib.linalg.pinv(tens(lib, a, name, kind), hermitian=False), want, name, tol)
    check(tens(lib, a, name, kind).pinverse(), want, name, tol)
    check(lib.pinverse(tens(lib, a, name, kind)), want, name, tol)


def with_singular_values(s, m, n, *key):
    """An m x n float64 matrix with singular values `s` (length min(m, n))."""
    rng = rng_for("sv", m, n, *key)
    u, _ = np.linalg.qr(rng.standard_normal((m, m)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    k = min(m, n)
    return (u[:, :k] * np.asarray(s)) @ v[:, :k].T


def np_pinv_cut(a, cutoff):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    sinv = np.where(s > cutoff, 1.0 / np.where(s > cutoff, s, 1.0), 0.0)
    return (mT(vh) * sinv[..., None, :]) @ mT(u)


def test_pinv_rank_deficient_and_tolerances(lib):
    s = [3.0, 1.0, 0.1, 0.01]
    a = with_singular_values(s, 4, 5, "pinv")
    t = tens(lib, a, "float64")
    check(lib.linalg.pinv(t), np_pinv_cut(a, 0.0), "float64", (1e-8, 1e-8))
    check(lib.linalg.pinv(t, atol=0.05), np_pinv_cut(a, 0.05), "float64", (1e-8, 1e-8))
    check(lib.linalg.pinv(t, atol=0.5), np_pinv_cut(a, 0.5), "float64", (1e-8, 1e-8))
    check(lib.linalg.pinv(t, rtol=0.2), np_pinv_cut(a, 0.6), "float64", (1e-8, 1e-8))
    check(lib.linalg.pinv(t, atol=0.05, rtol=0.2), np_pinv_cut(a, 0.6), "float64", (1e-8, 1e-8))
    check(lib.linalg.pinv(t, atol=0.5, rtol=0.02), np_pinv_cut(a, 0.5), "float64", (1e-8, 1e-8))
    check(lib.pinverse(t, rcond=0.2), np_pinv_cut(a, 0.6), "float64", (1e-8, 1e-8))
    zero_rank = with_singular_values([2.0, 1.0, 0.0], 3, 3, "pinv0")
    check(lib.linalg.pinv(tens(lib, zero_rank, "float64")), np.linalg.pinv(zero_rank), "float64", (1e-8, 1e-8))
    check(lib.linalg.pinv(lib.zeros(3, 4, dtype=lib.float64)), np.zeros((4, 3)), "float64")


def test_pinv_empty(lib):
    check(lib.linalg.pinv(lib.zeros(0, 3, 3)), np.zeros((0, 3, 3), np.float32), "float32")
    check(lib.linalg.pinv(lib.zeros(0, 0)), np.zeros((0, 0), np.float32), "float32")
    check(lib.linalg.pinv(lib.zeros(3, 0)), np.zeros((0, 3), np.float32), "float32")


# ==========================================================================================================
# matrix_power
# ==========================================================================================================
MP_NS = [0, 1, 2, 3, 5, -1, -2, -3]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", MP_NS)
@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (1, 1)], ids=str)
def test_matrix_power(lib, shape, name, n, kind):
    a = (wellcond(shape, name, "mp", kind) / 3).astype(NP_DTYPES[name])
    want = np.linalg.matrix_power(f64(a), n)
    tol = (1e-4, 1e-4) if name == "float32" else None
    check(lib.linalg.matrix_power(tens(lib, a, name, kind), n), want, name, tol)
    check(lib.matrix_power(tens(lib, a, name, kind), n), want, name, tol)
    check(tens(lib, a, name, kind).matrix_power(n), want, name, tol)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("name", ["int64", "int32"])
def test_matrix_power_integer(lib, name, n):
    a = vals((2, 3, 3), name, "mpint")
    want = np.linalg.matrix_power(a.astype(np.int64), n).astype(NP_DTYPES[name])
    check(lib.linalg.matrix_power(tens(lib, a, name), n), want, name)
    check(tens(lib, a, name, "swapped").matrix_power(n), want, name)
    check(tens(lib, a, name, "sliced").matrix_power(n), want, name)


def test_matrix_power_empty_and_fresh(lib):
    check(lib.linalg.matrix_power(lib.zeros(0, 3, 3), 2), np.zeros((0, 3, 3), np.float32), "float32")
    check(lib.linalg.matrix_power(lib.zeros(0, 0), -1), np.zeros((0, 0), np.float32), "float32")
    a = vals((3, 3), "float64", "mpfresh")
    t = tens(lib, a, "float64")
    r = lib.linalg.matrix_power(t, 1)
    r.add_(1.0)
    check(t, a, "float64")  # n == 1 returns a copy, not the input
    check(lib.linalg.matrix_power(t, 0), np.eye(3), "float64")


# ==========================================================================================================
# cross, linalg.cross
# ==========================================================================================================
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FLOATS + ["int64"])
def test_linalg_cross(lib, name, kind):
    a, b = vals((4, 2, 3), name, "cross", kind, 0), vals((4, 2, 3), name, "cross", kind, 1)
    wide = np.int64 if name == "int64" else np.float64
    ta, tb = tens(lib, a, name, kind), tens(lib, b, name, kind)
    want = np.cross(a.astype(wide), b.astype(wide))
    check(lib.linalg.cross(ta, tb), want, name)
    check(lib.linalg.cross(ta, tb, dim=-1), want, name)
    check(lib.linalg.cross(ta, tb, dim=2), want, name)
    check(lib.cross(ta, tb, dim=-1), want, name)
    check(ta.cross(tb, dim=2), want, name)
    # dim != -1
    c, d = vals((3, 4), name, "cross0", kind, 0), vals((3, 4), name, "cross0", kind, 1)
    want = np.cross(c.astype(wide), d.astype(wide), axis=0)
    check(lib.linalg.cross(tens(lib, c, name, kind), tens(lib, d, name, kind), dim=0), want, name)
    check(lib.cross(tens(lib, c, name, kind), tens(lib, d, name, kind), 0), want, name)


def test_cross_broadcasting(lib):
    a, b = vals((2, 3), "float64", "xb", 0), vals((1, 3), "float64", "xb", 1)
    check(lib.linalg.cross(tens(lib, a, "float64"), tens(lib, b, "float64")), np.cross(a, b), "float64")
    c, d = vals((3, 2), "float64", "xb", 2), vals((3, 1), "float64", "xb", 3)
    check(lib.cross(tens(lib, c, "float64"), tens(lib, d, "float64"), dim=0), np.cross(c, d, axis=0), "float64")
    e, f = vals((3,), "float64", "xb", 4), vals((3,), "float64", "xb", 5)
    check(lib.linalg.cross(tens(lib, e, "float64"), tens(lib, f, "float64")), np.cross(e, f), "float64")


def test_cross_without_dim_uses_first_dim_of_size_3(lib):
    """torch.cross / Tensor.cross without dim use the FIRST dim of size 3 (deprecated; torch warns once per
    process), unlike linalg.cross whose default is dim=-1."""
    a, b = vals((4, 3, 5), "float64", "xd", 0), vals((4, 3, 5), "float64", "xd", 1)
    c, d = vals((3, 3), "float64", "xd", 2), vals((3, 3), "float64", "xd", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lib.cross(tens(lib, a, "float64"), tens(lib, b, "float64")), np.cross(a, b, axis=1), "float64")
        check(tens(lib, a, "float64").cross(tens(lib, b, "float64")), np.cross(a, b, axis=1), "float64")
        check(lib.cross(tens(lib, c, "float64"), tens(lib, d, "float64")), np.cross(c, d, axis=0), "float64")
        raises(RuntimeError, r"^no dimension of size 3 in input", lambda: lib.cross(lib.zeros(2, 4), lib.zeros(2, 4)))
    check(lib.linalg.cross(tens(lib, c, "float64"), tens(lib, d, "float64")), np.cross(c, d, axis=1), "float64")


CROSS_ERRORS = [
    ("last_dim_not_3", lambda L: L.linalg.cross(L.zeros(4, 3, 5), L.zeros(4, 3, 5)), RuntimeError,
     r"^linalg.cross: inputs dimension -1 must have length 3\. Got 5 and 5"),
    ("dim_not_3", lambda L: L.linalg.cross(L.zeros(3, 4), L.zeros(3, 4), dim=1), RuntimeError,
     r"^linalg.cross: inputs dimension 1 must have length 3\. Got 4 and 4"),
    ("ndim_differs", lambda L: L.linalg.cross(L.zeros(2, 3), L.zeros(3)), RuntimeError,
     r"^linalg.cross: inputs must have the same number of dimensions\."),
    ("cross_ndim_differs", lambda L: L.cross(L.zeros(2, 3), L.zeros(3), dim=1), RuntimeError,
     r"^linalg.cross: inputs must have the same number of dimensions\."),
    ("dim_out_of_range", lambda L: L.linalg.cross(L.zeros(2, 3), L.zeros(2, 3), dim=2), IndexError,
     r"^Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    ("bool", lambda L: L.linalg.cross(L.zeros(2, 3, dtype=L.bool), L.zeros(2, 3, dtype=L.bool)), NotImplementedError,
     r"not implemented for 'Bool'"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in CROSS_ERRORS], ids=[e[0] for e in CROSS_ERRORS])
def test_cross_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# cdist
# ==========================================================================================================
def np_cdist(x1, x2, p):
    d = np.abs(f64(x1)[..., :, None, :] - f64(x2)[..., None, :, :])
    if p == 0:
        return (d != 0).sum(-1).astype(np.float64)
    if p == INF:
        return d.max(-1) if d.shape[-1] else np.zeros(d.shape[:-1])
    return (d ** p).sum(-1) ** (1.0 / p)


CDIST_SHAPES = [((5, 3), (4, 3)), ((2, 1, 5, 3), (3, 4, 3)), ((1, 2), (6, 2)), ((0, 3), (4, 3)), ((3, 3), (0, 3)),
                ((2, 4, 1), (2, 3, 1))]


@pytest.mark.parametrize("kind", ["contiguous", "transposed", "sliced"])
@pytest.mark.parametrize("p", [0, 1, 2, 3, INF, 0.5], ids=str)
@pytest.mark.parametrize("name", FLOATS)
def test_cdist(lib, name, p, kind):
    for sa, sb in CDIST_SHAPES:
        x1, x2 = grid(sa, name, "cd", 0), grid(sb, name, "cd", 1)
        out = lib.cdist(tens(lib, x1, name, kind), tens(lib, x2, name, kind), p=p)
        want = np_cdist(np.broadcast_to(x1, np.broadcast_shapes(sa[:-2], sb[:-2]) + sa[-2:]),
                        np.broadcast_to(x2, np.broadcast_shapes(sa[:-2], sb[:-2]) + sb[-2:]), p)
        check(out, want, name, (1e-5, 1e-5) if name == "float32" else None)


def test_cdist_default_p_and_large(lib):
    rng = rng_for("cdist_large")
    x1, x2 = rng.standard_normal((40, 7)), rng.standard_normal((30, 7))  # > 25 rows: torch may use the mm path
    check(lib.cdist(tens(lib, x1, "float64"), tens(lib, x2, "float64")), np_cdist(x1, x2, 2), "float64", (1e-7, 1e-7))
    check(lib.cdist(tens(lib, x1, "float64"), tens(lib, x2, "float64"), 2.0), np_cdist(x1, x2, 2), "float64",
          (1e-7, 1e-7))
    check(lib.cdist(tens(lib, x1, "float64"), tens(lib, x1, "float64")), np_cdist(x1, x1, 2), "float64", (1e-7, 1e-7))


CDIST_ERRORS = [
    ("negative_p", lambda L: L.cdist(L.zeros(2, 3), L.zeros(2, 3), p=-1), RuntimeError,
     r"^cdist only supports non-negative p values"),
    ("columns", lambda L: L.cdist(L.zeros(5, 3), L.zeros(4, 2)), RuntimeError,
     r"^X1 and X2 must have the same number of columns\. X1: 3 X2: 2"),
    ("int", lambda L: L.cdist(L.zeros(2, 3, dtype=L.int64), L.zeros(2, 3, dtype=L.int64)), RuntimeError,
     r"^cdist only supports floating-point dtypes, X1 got: Long"),
    ("1d", lambda L: L.cdist(L.zeros(3), L.zeros(2, 3)), RuntimeError,
     r"^cdist only supports at least 2D tensors, X1 got: 1D"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in CDIST_ERRORS], ids=[e[0] for e in CDIST_ERRORS])
def test_cdist_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# errors shared by the matrix functions: integer input, non-square, 1-D input
# ==========================================================================================================
NIE = NotImplementedError
# op -> (call on a square int tensor, exception, message pattern with {T} for torch's dtype name)
INT_INPUT = {
    "linalg.det": (lambda L, x: L.linalg.det(x), NIE, r"^linalg.det: Expected a floating point or complex tensor as "
                                                      r"input\. Got {T}"),
    "det": (lambda L, x: L.det(x), NIE, r"^linalg.det: Expected a floating point or complex tensor as input\. Got {T}"),
    "Tensor.det": (lambda L, x: x.det(), NIE, r"^linalg.det: Expected a floating point or complex tensor as input\. "
                                              r"Got {T}"),
    "logdet": (lambda L, x: L.logdet(x), NIE, r"^logdet: Expected a floating point or complex tensor as input\. Got {T}"),
    "slogdet": (lambda L, x: L.linalg.slogdet(x), NIE, r"^linalg.slogdet: Expected a floating point or complex tensor "
                                                       r"as input\. Got {T}"),
    "inv": (lambda L, x: L.linalg.inv(x), NIE, r"^linalg.inv: Expected a floating point or complex tensor as input\. "
                                               r"Got {T}"),
    "inverse": (lambda L, x: L.inverse(x), NIE, r"^linalg.inv: Expected a floating point or complex tensor as input\. "
                                                r"Got {T}"),
    "solve": (lambda L, x: L.linalg.solve(x, x), NIE, r"^linalg.solve: Expected a floating point or complex tensor as "
                                                      r"input\. Got {T}"),
    "cholesky": (lambda L, x: L.linalg.cholesky(x), NIE, r"^linalg.cholesky: Expected a floating point or complex "
                                                         r"tensor as input\. Got {T}"),
    "qr": (lambda L, x: L.linalg.qr(x), NIE, r"^linalg.qr: Expected a floating point or complex tensor as input\. "
                                             r"Got {T}"),
    "svd": (lambda L, x: L.linalg.svd(x), NIE, r"^linalg.svd: Expected a floating point or complex tensor as input\. "
                                               r"Got {T}"),
    "torch.svd": (lambda L, x: L.svd(x), NIE, r"^linalg.svd: Expected a floating point or complex tensor as input\. "
                                              r"Got {T}"),
    "svdvals": (lambda L, x: L.linalg.svdvals(x), NIE, r"^linalg.svd: Expected a floating point or complex tensor as "
                                                       r"input\. Got {T}"),
    "eigh": (lambda L, x: L.linalg.eigh(x), NIE, r"not implemented for '{T}'"),
    "eigvalsh": (lambda L, x: L.linalg.eigvalsh(x), NIE, r"not implemented for '{T}'"),
    "pinv": (lambda L, x: L.linalg.pinv(x), RuntimeError, r"^linalg.pinv\({T}\{\[3, 3\]\}\): expected a tensor with 2 "
                                                          r"or more dimensions of float, double, cfloat or cdouble types"),
    "matrix_power_negative": (lambda L, x: L.linalg.matrix_power(x, -1), NIE,
                              r"^linalg.inv: Expected a floating point or complex tensor as input\. Got {T}"),
    "vector_norm": (lambda L, x: L.linalg.vector_norm(x), NIE, r"^linalg.vector_norm: Expected a floating point or "
                                                               r"complex tensor as input\. Got {T}"),
    "matrix_norm": (lambda L, x: L.linalg.matrix_norm(x), NIE, r"^linalg.matrix_norm: Expected a floating point or "
                                                               r"complex tensor as input\. Got {T}"),
    "matrix_norm_nuc": (lambda L, x: L.linalg.matrix_norm(x, "nuc"), NIE, r"^linalg.matrix_norm: Expected a floating "
                                                                          r"point or complex tensor as input\. Got {T}"),
    "linalg.norm": (lambda L, x: L.linalg.norm(x), NIE, r"^linalg.vector_norm: Expected a floating point or complex "
                                                        r"tensor as input\. Got {T}"),
    "linalg.norm_fro": (lambda L, x: L.linalg.norm(x, "fro"), NIE, r"^linalg.matrix_norm: Expected a floating point "
                                                                   r"or complex tensor as input\. Got {T}"),
    "Tensor.norm": (lambda L, x: x.norm(), NIE, r"^linalg.vector_norm: Expected a floating point or complex tensor "
                                                r"as input\. Got {T}"),
    "cdist": (lambda L, x: L.cdist(x, x), RuntimeError, r"^cdist only supports floating-point dtypes, X1 got: {T}"),
}


@pytest.mark.parametrize("name", ["int64", "int32"])
@pytest.mark.parametrize("op", list(INT_INPUT))
def test_integer_input_rejected(lib, op, name):
    fn, exc, pattern = INT_INPUT[op]
    x = lib.ones(3, 3, dtype=getattr(lib, name))
    raises(exc, pattern.replace("{T}", TORCH_NAME[name]), lambda: fn(lib, x))


def test_bool_input_rejected(lib):
    raises(NIE, r"^linalg.det: Expected a floating point or complex tensor as input\. Got Bool",
           lambda: lib.linalg.det(lib.ones(3, 3, dtype=lib.bool)))
    raises(NIE, r"^linalg.vector_norm: Expected a floating point or complex tensor as input\. Got Bool",
           lambda: lib.linalg.vector_norm(lib.ones(3, dtype=lib.bool)))


# integer inputs that torch accepts
def test_integer_input_accepted(lib):
    a = vals((3, 3), "int64", "intok")
    t = tens(lib, a, "int64")
    check(lib.linalg.matrix_power(t, 2), a @ a, "int64")
    check(lib.einsum("ij,jk->ik", t, t), a @ a, "int64")
    check(lib.einsum("ii", t), np.trace(a), "int64")
    check(lib.tensordot(t, t, 1), a @ a, "int64")
    check(lib.kron(t, t), np.kron(a, a), "int64")
    b = vals((3, 3), "int64", "intok2")
    check(lib.linalg.cross(t, tens(lib, b, "int64")), np.cross(a, b), "int64")
    check(lib.addmm(t, t, t, beta=2, alpha=3), 2 * a + 3 * (a @ a), "int64")


NON_SQUARE = {
    "linalg.det": (lambda L, x: L.linalg.det(x), "linalg.det"),
    "det": (lambda L, x: L.det(x), "linalg.det"),
    "logdet": (lambda L, x: L.logdet(x), "logdet"),
    "slogdet": (lambda L, x: L.linalg.slogdet(x), "linalg.slogdet"),
    "inv": (lambda L, x: L.linalg.inv(x), "linalg.inv"),
    "inverse": (lambda L, x: x.inverse(), "linalg.inv"),
    "solve": (lambda L, x: L.linalg.solve(x, L.zeros(3)), "linalg.solve"),
    "cholesky": (lambda L, x: L.linalg.cholesky(x), "linalg.cholesky"),
    "eigh": (lambda L, x: L.linalg.eigh(x), "linalg.eigh"),
    "eigvalsh": (lambda L, x: L.linalg.eigvalsh(x), "linalg.eigh"),
    "matrix_power": (lambda L, x: L.linalg.matrix_power(x, 2), "linalg.matrix_power"),
    "matrix_power_method": (lambda L, x: x.matrix_power(-1), "linalg.matrix_power"),
}


@pytest.mark.parametrize("op", list(NON_SQUARE))
def test_non_square_rejected(lib, op):
    fn, prefix = NON_SQUARE[op]
    raises(RuntimeError, rf"^{re.escape(prefix)}: A must be batches of square matrices, but they are 3 by 4 matrices",
           lambda: fn(lib, lib.zeros(3, 4)))
    raises(RuntimeError, rf"^{re.escape(prefix)}: A must be batches of square matrices, but they are 3 by 4 matrices",
           lambda: fn(lib, lib.zeros(2, 3, 4)))


ONE_D = {
    "linalg.det": (lambda L, x: L.linalg.det(x), "linalg.det"),
    "logdet": (lambda L, x: L.logdet(x), "logdet"),
    "slogdet": (lambda L, x: L.linalg.slogdet(x), "linalg.slogdet"),
    "inv": (lambda L, x: L.linalg.inv(x), "linalg.inv"),
    "solve": (lambda L, x: L.linalg.solve(x, x), "linalg.solve"),
    "cholesky": (lambda L, x: L.linalg.cholesky(x), "linalg.cholesky"),
    "qr": (lambda L, x: L.linalg.qr(x), "linalg.qr"),
    "svd": (lambda L, x: L.linalg.svd(x), "linalg.svd"),
    "svdvals": (lambda L, x: L.linalg.svdvals(x), "linalg.svd"),
    "eigh": (lambda L, x: L.linalg.eigh(x), "linalg.eigh"),
    "matrix_power": (lambda L, x: L.linalg.matrix_power(x, 2), "linalg.matrix_power"),
}


@pytest.mark.parametrize("op", list(ONE_D))
def test_one_d_rejected(lib, op):
    fn, prefix = ONE_D[op]
    raises(RuntimeError, rf"^{re.escape(prefix)}: The input tensor A must have at least 2 dimensions\.",
           lambda: fn(lib, lib.zeros(3)))


def test_one_d_rejected_other_messages(lib):
    raises(RuntimeError, r"^linalg.svd: input should have at least 2 dimensions, but has 1 dimensions instead",
           lambda: lib.svd(lib.zeros(3)))
    raises(RuntimeError, r"^linalg.pinv\(Float\{\[3\]\}\): expected a tensor with 2 or more dimensions of float, "
                         r"double, cfloat or cdouble types", lambda: lib.linalg.pinv(lib.zeros(3)))


# ==========================================================================================================
# gradients (float64 gradcheck)
# ==========================================================================================================
def _leaf(lib, values, layout="c"):
    values = f64(values)
    if layout == "t":
        t = lib.tensor(np.ascontiguousarray(mT(values)), dtype=lib.float64).transpose(-1, -2)
    else:
        t = lib.tensor(values, dtype=lib.float64)
    return t.detach().requires_grad_()


def _rand(shape, *key):
    return rng_for(tuple(shape), "grad", *key).standard_normal(shape)


def _wc(shape, *key):
    return wellcond(shape, "float64", "grad", *key)


def _away(shape, *key):
    """Values at least 0.2 away from 0, no two with equal |.| nearby (vector_norm ord 1/inf smooth)."""
    n = int(np.prod(shape))
    rng = rng_for(tuple(shape), "away", *key)
    mags = 0.3 + 0.25 * rng.permutation(n)
    return (mags * rng.choice([-1.0, 1.0], n)).reshape(shape)


def _spd_fn(lib, n):
    def make(x):
        return x @ x.transpose(-1, -2) + n * lib.eye(n, dtype=lib.float64)
    return make


def _svd_gauge_free(lib):
    def fn(x):
        u, s, vh = lib.linalg.svd(x, full_matrices=False)
        return s, (u * s.sqrt().unsqueeze(-2)) @ vh, u @ vh
    return fn


def _eigh_gauge_free(lib, uplo="L"):
    def fn(x):
        a = x + x.transpose(-1, -2)
        w, v = lib.linalg.eigh(a, UPLO=uplo)
        return w, (v * (w * w).unsqueeze(-2)) @ v.transpose(-1, -2)
    return fn


def _cholesky(lib, upper):
    sp = _spd_fn(lib, 4)
    return lambda x: lib.linalg.cholesky(sp(x), upper=upper)


def _qr(lib, mode):
    def fn(x):
        q, r = lib.linalg.qr(x, mode=mode)
        return q, r
    return fn


# id -> lambda lib: (function of the leaves, list of numpy input values)
GRAD_CASES = {
    "einsum_matmul": lambda L: (lambda a, b: L.einsum("ij,jk->ik", a, b), [_rand((3, 4), 1), _rand((4, 2), 2)]),
    "einsum_diag_trace": lambda L: (lambda a: (L.einsum("ii->i", a), L.einsum("ii", a)), [_rand((3, 3), 3)]),
    "einsum_ellipsis_broadcast": lambda L: (lambda a, b: L.einsum("...ij,...jk->...ik", a, b),
                                            [_rand((2, 1, 2, 3), 4), _rand((3, 3, 2), 5)]),
    "einsum_three": lambda L: (lambda a, b, c: L.einsum("i,ij,j->", a, b, c), [_rand((3,), 6), _rand((3, 4), 7),
                                                                              _rand((4,), 8)]),
    "einsum_size1": lambda L: (lambda a, b: L.einsum("bij,bjk->bik", a, b), [_rand((1, 2, 3), 9), _rand((3, 3, 2), 10)]),
    "einsum_list_outer": lambda L: (lambda a, b: L.einsum("i,j->ij", [a, b]), [_rand((3,), 11), _rand((2,), 12)]),
    "tensordot_int": lambda L: (lambda a, b: L.tensordot(a, b, dims=2), [_rand((2, 3, 4), 13), _rand((3, 4, 2), 14)]),
    "tensordot_lists": lambda L: (lambda a, b: L.tensordot(a, b, dims=([0, 2], [1, 0])),
                                  [_rand((2, 3, 4), 15), _rand((4, 2, 3), 16)]),
    "kron": lambda L: (lambda a, b: L.kron(a, b), [_rand((2, 3), 17), _rand((3, 2), 18)]),
    "addmm": lambda L: (lambda i, a, b: L.addmm(i, a, b, beta=0.5, alpha=2.0), [_rand((4,), 19), _rand((2, 3), 20),
                                                                              _rand((3, 4), 21)]),
    "addmv": lambda L: (lambda i, a, b: L.addmv(i, a, b, beta=-1.5, alpha=0.5), [_rand((2,), 22), _rand((2, 3), 23),
                                                                                _rand((3,), 24)]),
    "addbmm": lambda L: (lambda i, a, b: L.addbmm(i, a, b, beta=2.0, alpha=0.5), [_rand((2, 4), 25),
                                                                                 _rand((3, 2, 3), 26),
                                                                                 _rand((3, 3, 4), 27)]),
    "baddbmm": lambda L: (lambda i, a, b: L.baddbmm(i, a, b, beta=0.5, alpha=-1.0), [_rand((1, 2, 4), 28),
                                                                                    _rand((3, 2, 3), 29),
                                                                                    _rand((3, 3, 4), 30)]),
    "addmm_beta0": lambda L: (lambda i, a, b: L.addmm(i, a, b, beta=0), [_rand((2, 4), 31), _rand((2, 3), 32),
                                                                         _rand((3, 4), 33)]),
    "vector_norm_2": lambda L: (lambda x: L.linalg.vector_norm(x), [_away((3, 4), 34)]),
    "vector_norm_2_dim": lambda L: (lambda x: L.linalg.vector_norm(x, 2, dim=1, keepdim=True), [_away((3, 4), 35)]),
    "vector_norm_1": lambda L: (lambda x: L.linalg.vector_norm(x, 1, dim=0), [_away((3, 4), 36)]),
    "vector_norm_inf": lambda L: (lambda x: L.linalg.vector_norm(x, INF, dim=-1), [_away((3, 4), 37)]),
    "vector_norm_3": lambda L: (lambda x: L.linalg.vector_norm(x, 3), [_away((3, 4), 38)]),
    "matrix_norm_fro": lambda L: (lambda x: L.linalg.matrix_norm(x), [_rand((2, 3, 4), 39)]),
    "matrix_norm_nuc": lambda L: (lambda x: L.linalg.matrix_norm(x, "nuc"), [_rand((2, 3, 4), 40)]),
    "linalg_norm": lambda L: (lambda x: L.linalg.norm(x), [_away((2, 3), 41)]),
    "tensor_norm_dim": lambda L: (lambda x: x.norm(dim=1), [_away((2, 3), 42)]),
    "det": lambda L: (lambda x: L.linalg.det(x), [_wc((2, 3, 3), 43)]),
    "det_method": lambda L: (lambda x: x.det(), [_wc((4, 4), 44)]),
    "logdet": lambda L: (lambda x: L.logdet(x @ x.transpose(-1, -2)), [_wc((3, 3), 45)]),
    "slogdet": lambda L: (lambda x: L.linalg.slogdet(x).logabsdet, [_wc((2, 3, 3), 46)]),
    "inv": lambda L: (lambda x: L.linalg.inv(x), [_wc((2, 3, 3), 47)]),
    "inverse": lambda L: (lambda x: L.inverse(x), [_wc((3, 3), 48)]),
    "solve_matrix": lambda L: (lambda a, b: L.linalg.solve(a, b), [_wc((3, 3), 49), _rand((3, 2), 50)]),
    "solve_vector": lambda L: (lambda a, b: L.linalg.solve(a, b), [_wc((2, 3, 3), 51), _rand((3,), 52)]),
    "solve_batched_vector": lambda L: (lambda a, b: L.linalg.solve(a, b), [_wc((2, 3, 3), 53), _rand((2, 3), 54)]),
    "cholesky": lambda L: (_cholesky(L, False), [_rand((4, 4), 55)]),
    "cholesky_upper": lambda L: (_cholesky(L, True), [_rand((4, 4), 56)]),
    "qr_square": lambda L: (_qr(L, "reduced"), [_rand((3, 3), 57)]),
    "qr_tall": lambda L: (_qr(L, "reduced"), [_rand((4, 3), 58)]),
    "svd_square": lambda L: (_svd_gauge_free(L), [_rand((3, 3), 59)]),
    "svd_wide": lambda L: (_svd_gauge_free(L), [_rand((2, 3), 60)]),
    "svdvals": lambda L: (lambda x: L.linalg.svdvals(x), [_rand((4, 3), 61)]),
    "eigh": lambda L: (_eigh_gauge_free(L), [_rand((3, 3), 62)]),
    "eigh_upper": lambda L: (_eigh_gauge_free(L, "U"), [_rand((3, 3), 63)]),
    "eigvalsh": lambda L: (lambda x: L.linalg.eigvalsh(x + x.transpose(-1, -2)), [_rand((2, 4, 4), 64)]),
    "pinv_wide": lambda L: (lambda x: L.linalg.pinv(x), [_rand((2, 3), 65)]),
    "pinv_tall": lambda L: (lambda x: L.linalg.pinv(x), [_rand((4, 2), 66)]),
    "matrix_power_3": lambda L: (lambda x: L.linalg.matrix_power(x, 3), [_rand((3, 3), 67)]),
    "matrix_power_neg2": lambda L: (lambda x: L.linalg.matrix_power(x, -2), [_wc((3, 3), 68)]),
    "matrix_power_method": lambda L: (lambda x: x.matrix_power(2), [_rand((2, 3, 3), 69)]),
    "linalg_cross": lambda L: (lambda a, b: L.linalg.cross(a, b), [_rand((4, 3), 70), _rand((4, 3), 71)]),
    "cross_dim0_broadcast": lambda L: (lambda a, b: L.cross(a, b, dim=0), [_rand((3, 2), 72), _rand((3, 1), 73)]),
    "cdist_p2": lambda L: (lambda a, b: L.cdist(a, b), [_rand((4, 3), 74), _rand((5, 3), 75)]),
    "cdist_p1": lambda L: (lambda a, b: L.cdist(a, b, p=1), [_rand((4, 3), 76), _rand((5, 3), 77)]),
    "cdist_p3_batched": lambda L: (lambda a, b: L.cdist(a, b, p=3), [_rand((2, 3, 2), 78), _rand((2, 4, 2), 79)]),
    "cdist_inf": lambda L: (lambda a, b: L.cdist(a, b, p=INF), [_rand((3, 3), 80), _rand((2, 3), 81)]),
}
# non-contiguous (transposed) leaves for a few
GRAD_TRANSPOSED = {"einsum_matmul", "addmm", "det", "inv", "solve_matrix", "cholesky", "qr_tall", "svd_wide",
                   "eigh", "pinv_wide", "kron", "cdist_p2"}


@pytest.mark.parametrize("case", list(GRAD_CASES))
def test_gradcheck(lib, case):
    fn, arrays = GRAD_CASES[case](lib)
    layout = "t" if case in GRAD_TRANSPOSED else "c"
    inputs = tuple(_leaf(lib, a, layout if a.ndim >= 2 else "c") for a in arrays)
    assert lib.autograd.gradcheck(fn, inputs)


@pytest.mark.parametrize("ord", [2, 1, INF, 3])
def test_vector_norm_grad_at_zero_is_zero(lib, ord):
    x = lib.zeros(3, 4, dtype=lib.float64, requires_grad=True)
    lib.linalg.vector_norm(x, ord).backward()
    check(x.grad, np.zeros((3, 4)), "float64")
    y = lib.zeros(2, 3, dtype=lib.float64, requires_grad=True)
    lib.linalg.vector_norm(y, ord, dim=1).sum().backward()
    check(y.grad, np.zeros((2, 3)), "float64")


def test_norm_grad_at_zero_is_zero(lib):
    x = lib.zeros(2, 2, dtype=lib.float64, requires_grad=True)
    lib.linalg.matrix_norm(x).backward()
    check(x.grad, np.zeros((2, 2)), "float64")
    z = lib.zeros(3, dtype=lib.float64, requires_grad=True)
    z.norm().backward()
    check(z.grad, np.zeros(3), "float64")


def test_vector_norm_inf_grad_splits_ties(lib):
    x = lib.tensor([1.0, -2.0, 2.0], dtype=lib.float64, requires_grad=True)
    lib.linalg.vector_norm(x, INF).backward()
    check(x.grad, [0.0, -0.5, 0.5], "float64")


def test_outputs_require_grad(lib):
    a = _leaf(lib, _wc((3, 3), 99))
    for out in (lib.linalg.det(a), lib.linalg.inv(a), lib.linalg.slogdet(a).logabsdet, lib.linalg.svdvals(a),
                lib.einsum("ij->j", a), lib.linalg.vector_norm(a), lib.linalg.qr(a).R):
        assert out.requires_grad
    with lib.no_grad():
        assert not lib.linalg.inv(a).requires_grad

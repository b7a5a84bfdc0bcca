"""matmul / mm / bmm / mv / dot / outer / ``@``.

numpy's matmul (float64 for floating inputs, int64 then cast for integer inputs, so integer
wrap-around matches) is the oracle.  Operands come contiguous, transposed, sliced with steps and
expanded (stride-0) and the batch dims broadcast like torch.matmul.
"""
from __future__ import annotations


import numpy as np
import pytest

import rtorch
from conftest import (
    FLOAT_DTYPES, INT_DTYPES, NP_DTYPES, assert_close, dname, make, rng_for, to_numpy, to_oracle,
)

MM_DTYPES = FLOAT_DTYPES + INT_DTYPES          # torch's CPU matmul: every dtype except bool


def gen(name, shape, rng):
    if name in INT_DTYPES:
        lo = 0 if name == "uint8" else -5
        return rng.integers(lo, 6, shape).astype(NP_DTYPES[name])
    return to_oracle(rng.integers(-16, 17, shape) / 4.0, name)


def operand(shape, layout, name, rng):
    """(tensor, numpy) with logical ``shape`` built in the given memory layout."""
    shape = tuple(shape)
    nd = len(shape)
    if layout == "transposed" and nd >= 2:
        base_shape = shape[:-2] + (shape[-1], shape[-2])
        v = gen(name, base_shape, rng)
        t = make(v, name)
        t = t.t() if nd == 2 else t.transpose(-2, -1)
        return t, np.swapaxes(v, -1, -2)
    if layout == "sliced":
        base_shape = (shape[0] * 2,) + shape[1:-1] + ((shape[-1] * 3,) if nd > 1 else ())
        v = gen(name, base_shape, rng)
        idx = (slice(None, None, 2),) + (slice(None),) * max(nd - 2, 0) + \
            ((slice(1, None, 3),) if nd > 1 else ())
        return make(v, name)[idx], v[idx]
    if layout == "expanded" and nd >= 1:
        base_shape = (1,) + shape[1:]
        v = gen(name, base_shape, rng)
        return make(v, name).expand(*shape), np.broadcast_to(v, shape)
    v = gen(name, shape, rng)
    return make(v, name), v


def expected_matmul(x, y, name):
    if name in INT_DTYPES:
        r = np.matmul(x.astype(np.int64), y.astype(np.int64))
        return np.asarray(r).astype(NP_DTYPES[name])
    return to_oracle(np.matmul(x.astype(np.float64), y.astype(np.float64)), name)


# (shape_a, shape_b, result_shape) -- torch.matmul semantics
MATMUL_CASES = {
    "mm": ((3, 4), (4, 5), (3, 5)),
    "vec_mat": ((4,), (4, 5), (5,)),
    "mat_vec": ((3, 4), (4,), (3,)),
    "vec_vec": ((4,), (4,), ()),
    "bmm": ((2, 3, 4), (2, 4, 5), (2, 3, 5)),
    "batch_mat": ((2, 3, 4), (4, 5), (2, 3, 5)),
    "mat_batch": ((3, 4), (2, 4, 5), (2, 3, 5)),
    "broadcast_4d_3d": ((2, 1, 3, 4), (5, 4, 2), (2, 5, 3, 2)),
    "broadcast_batch1": ((1, 3, 4), (6, 4, 2), (6, 3, 2)),
    "batch4d_vec": ((2, 1, 3, 4), (4,), (2, 1, 3)),
    "vec_batch4d": ((4,), (2, 1, 4, 3), (2, 1, 3)),
    "size_one": ((1, 1), (1, 1), (1, 1)),
    "outer_like": ((4, 1), (1, 3), (4, 3)),
    "row_col": ((1, 4), (4, 1), (1, 1)),
    "empty_m": ((0, 4), (4, 5), (0, 5)),
    "empty_k": ((3, 0), (0, 5), (3, 5)),
    "empty_n": ((3, 4), (4, 0), (3, 0)),
    "empty_batch": ((2, 0, 3, 4), (4, 5), (2, 0, 3, 5)),
    "empty_k_batch": ((2, 3, 0), (2, 0, 4), (2, 3, 4)),
    "empty_vec_vec": ((0,), (0,), ()),
}
LAYOUT_PAIRS = [("contiguous", "contiguous"), ("transposed", "contiguous"),
                ("contiguous", "transposed"), ("transposed", "transposed"),
                ("sliced", "contiguous"), ("contiguous", "sliced"), ("expanded", "contiguous"),
                ("contiguous", "expanded")]


@pytest.mark.parametrize("layouts", LAYOUT_PAIRS, ids=lambda p: f"{p[0]}-{p[1]}")
@pytest.mark.parametrize("dtype", MM_DTYPES)
@pytest.mark.parametrize("case", list(MATMUL_CASES))
def test_matmul(case, dtype, layouts):
    sa, sb, sr = MATMUL_CASES[case]
    rng = rng_for("matmul", case, dtype, layouts)
    a, x = operand(sa, layouts[0], dtype, rng)
    b, y = operand(sb, layouts[1], dtype, rng)
    exp = expected_matmul(x, y, dtype)
    assert exp.shape == sr
    for form in ("operator", "function", "method"):
        if form == "operator":
            out = a @ b
        elif form == "function":
            out = rtorch.matmul(a, b)
        else:
            out = a.matmul(b)
        assert dname(out) == dtype
        assert tuple(out.shape) == sr
        assert_close(out, exp)


def test_empty_k_gives_zeros():
    a = make(np.zeros((3, 0), np.float32), "float32")
    b = make(np.zeros((0, 2), np.float32), "float32")
    for out in (a @ b, rtorch.mm(a, b)):
        assert_close(out, np.zeros((3, 2), np.float32))
    assert_close(rtorch.dot(make(np.zeros(0, np.float32), "float32"),
                            make(np.zeros(0, np.float32), "float32")), np.array(0.0, np.float32))
    bb = rtorch.bmm(make(np.zeros((2, 3, 0), np.float64), "float64"),
                    make(np.zeros((2, 0, 4), np.float64), "float64"))
    assert_close(bb, np.zeros((2, 3, 4)))


# ---- mm / bmm / mv / dot / outer

@pytest.mark.parametrize("layouts", LAYOUT_PAIRS[:6], ids=lambda p: f"{p[0]}-{p[1]}")
@pytest.mark.parametrize("dtype", MM_DTYPES)
def test_mm(dtype, layouts):
    rng = rng_for("mm", dtype, layouts)
    a, x = operand((5, 7), layouts[0], dtype, rng)
    b, y = operand((7, 3), layouts[1], dtype, rng)
    exp = expected_matmul(x, y, dtype)
    assert_close(rtorch.mm(a, b), exp)
    assert_close(a.mm(b), exp)


@pytest.mark.parametrize("layouts", LAYOUT_PAIRS, ids=lambda p: f"{p[0]}-{p[1]}")
@pytest.mark.parametrize("dtype", MM_DTYPES)
def test_bmm(dtype, layouts):
    rng = rng_for("bmm", dtype, layouts)
    a, x = operand((3, 4, 6), layouts[0], dtype, rng)
    b, y = operand((3, 6, 2), layouts[1], dtype, rng)
    exp = expected_matmul(x, y, dtype)
    assert_close(rtorch.bmm(a, b), exp)
    assert_close(a.bmm(b), exp)


def test_bmm_permuted_batch_dim():
    rng = rng_for("bmm_perm")
    x = gen("float32", (4, 3, 5), rng)          # stored (m, batch, k)
    y = gen("float32", (5, 3, 2), rng)          # stored (k, batch, n)
    a = make(x, "float32").permute(1, 0, 2)
    b = make(y, "float32").permute(1, 0, 2)
    assert_close(rtorch.bmm(a, b), np.matmul(x.transpose(1, 0, 2), y.transpose(1, 0, 2)))


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "sliced", "expanded"])
@pytest.mark.parametrize("dtype", MM_DTYPES)
def test_mv(dtype, layout):
    rng = rng_for("mv", dtype, layout)
    a, x = operand((6, 5), layout, dtype, rng)
    v, y = operand((5,), "sliced" if layout != "contiguous" else "contiguous", dtype, rng)
    exp = expected_matmul(x, y, dtype)
    assert_close(rtorch.mv(a, v), exp)
    assert_close(a.mv(v), exp)


@pytest.mark.parametrize("layout", ["contiguous", "sliced", "expanded"])
@pytest.mark.parametrize("dtype", MM_DTYPES)
def test_dot(dtype, layout):
    rng = rng_for("dot", dtype, layout)
    a, x = operand((7,), layout, dtype, rng)
    b, y = operand((7,), "sliced", dtype, rng)
    exp = expected_matmul(x, y, dtype)
    out = rtorch.dot(a, b)
    assert tuple(out.shape) == ()
    assert_close(out, exp)
    assert_close(a.dot(b), exp)


@pytest.mark.parametrize("dtype", MM_DTYPES + ["bool"])
def test_outer(dtype):
    rng = rng_for("outer", dtype)
    if dtype == "bool":
        x = rng.integers(0, 2, 4).astype(np.bool_)
        y6 = rng.integers(0, 2, 6).astype(np.bool_)
        a, b = make(x, "bool"), make(y6, "bool")[::2]
        exp = np.outer(x, y6[::2])
    else:
        a, x = operand((4,), "contiguous", dtype, rng)
        b, y = operand((3,), "sliced", dtype, rng)
        if dtype in INT_DTYPES:
            exp = np.outer(x.astype(np.int64), y.astype(np.int64)).astype(NP_DTYPES[dtype])
        else:
            exp = to_oracle(np.outer(x.astype(np.float64), y.astype(np.float64)), dtype)
    assert_close(rtorch.outer(a, b), exp)
    assert_close(a.outer(b), exp)


def test_outer_promotes():
    x = np.array([1, 2], np.int32)
    y = np.array([0.5, 1.5, -2.0], np.float64)
    out = rtorch.outer(make(x, "int32"), make(y, "float64"))
    assert dname(out) == "float64"
    assert_close(out, np.outer(x, y))


def test_vec_vec_matmul_is_zero_dim():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    out = make(x, "float32") @ make(x, "float32")
    assert out.dim() == 0
    assert float(out) == 14.0


# ---- sizes large enough for blocked / parallel kernels

@pytest.mark.parametrize("transpose", ["none", "a", "b", "both"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_matmul(dtype, transpose):
    rng = rng_for("large", dtype, transpose)
    m, k, n = 300, 200, 500
    x = rng.standard_normal((m, k)).astype(NP_DTYPES[dtype])
    y = rng.standard_normal((k, n)).astype(NP_DTYPES[dtype])
    a = make(x.T, dtype).t() if transpose in ("a", "both") else make(x, dtype)
    b = make(y.T, dtype).t() if transpose in ("b", "both") else make(y, dtype)
    exp = (x.astype(np.float64) @ y.astype(np.float64))
    tol = 1e-4 if dtype == "float32" else 1e-10
    out = a @ b
    assert_close(out, exp.astype(NP_DTYPES[dtype]), rtol=tol, atol=tol * np.sqrt(k))
    assert_close(rtorch.mm(a, b), exp.astype(NP_DTYPES[dtype]), rtol=tol, atol=tol * np.sqrt(k))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_large_matmul_low_precision(dtype):
    rng = rng_for("large_lp", dtype)
    m, k, n = 96, 160, 72
    x = to_oracle(rng.standard_normal((m, k)), dtype)
    y = to_oracle(rng.standard_normal((k, n)), dtype)
    exp = x.astype(np.float64) @ y.astype(np.float64)
    out = make(x, dtype) @ make(y.T, dtype).t()
    # torch accumulates in float32: only the final rounding to the low-precision type is lost
    eps = 2.0 ** -10 if dtype == "float16" else 2.0 ** -7
    got = to_numpy(out).astype(np.float64)
    scale = np.abs(x.astype(np.float64)) @ np.abs(y.astype(np.float64))
    assert np.all(np.abs(got - exp) <= eps * np.abs(exp) + 1e-3 * scale), \
        np.max(np.abs(got - exp) / (np.abs(exp) + 1e-3 * scale))


def test_large_batched_broadcast():
    rng = rng_for("large_batch")
    x = rng.standard_normal((4, 1, 33, 65)).astype(np.float32)
    y = rng.standard_normal((3, 65, 47)).astype(np.float32)
    exp = np.matmul(x.astype(np.float64), y.astype(np.float64)).astype(np.float32)
    assert_close(make(x, "float32") @ make(y, "float32"), exp, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_large_int_matmul_exact(dtype):
    rng = rng_for("large_int", dtype)
    x = rng.integers(-100, 100, (50, 60)).astype(NP_DTYPES[dtype])
    y = rng.integers(-100, 100, (60, 70)).astype(NP_DTYPES[dtype])
    assert_close(make(x, dtype) @ make(y, dtype), (x.astype(np.int64) @ y.astype(np.int64))
                 .astype(NP_DTYPES[dtype]))


def test_int8_matmul_wraps():
    x = np.full((2, 8), 100, np.int8)
    y = np.full((8, 3), 3, np.int8)
    out = make(x, "int8") @ make(y, "int8")
    assert dname(out) == "int8"
    assert_close(out, (x.astype(np.int64) @ y.astype(np.int64)).astype(np.int8))


# ---- out=

def test_mm_and_matmul_out():
    rng = rng_for("mm_out")
    x = gen("float32", (3, 4), rng)
    y = gen("float32", (4, 5), rng)
    exp = (x.astype(np.float64) @ y.astype(np.float64)).astype(np.float32)
    o = rtorch.empty(3, 5)
    rtorch.matmul(make(x, "float32"), make(y, "float32"), out=o)
    assert_close(o, exp)
    o1 = rtorch.empty(3, 5)
    rtorch.mm(make(x, "float32"), make(y, "float32"), out=o1)
    assert_close(o1, exp)


# ---- errors

@pytest.mark.parametrize("call", [
    lambda a, b: a @ b,
    lambda a, b: rtorch.matmul(a, b),
    lambda a, b: rtorch.mm(a, b),
    lambda a, b: a.mm(b),
], ids=["operator", "matmul", "mm", "method_mm"])
def test_shape_mismatch_message_names_shapes(call):
    a = make(np.ones((2, 3), np.float32), "float32")
    b = make(np.ones((4, 5), np.float32), "float32")
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        call(a, b)


@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 3), (4,)), ((3,), (4, 5)),
                                   ((7, 2, 3), (7, 4, 5)), ((2, 2, 3), (3, 3, 5)),
                                   ((2, 3, 4), (5, 4, 2))],
                         ids=["vec_vec", "mat_vec", "vec_mat", "batched_k", "batch_broadcast",
                              "batch_mismatch"])
def test_matmul_shape_mismatch_raises(sa, sb):
    a = make(np.ones(sa, np.float32), "float32")
    b = make(np.ones(sb, np.float32), "float32")
    with pytest.raises(RuntimeError):
        a @ b


def test_dtype_mismatch_raises():
    f32 = make(np.ones((2, 3), np.float32), "float32")
    f64 = make(np.ones((3, 4), np.float64), "float64")
    i64 = make(np.ones((3, 4), np.int64), "int64")
    pat = r"same dtype|scalar type|dtype"
    for call in (lambda: f32 @ f64, lambda: rtorch.mm(f32, f64), lambda: rtorch.matmul(f32, i64),
                 lambda: rtorch.bmm(f32[None], f64[None]),
                 lambda: rtorch.mv(f32, make(np.ones(3, np.float64), "float64")),
                 lambda: rtorch.dot(make(np.ones(3, np.float32), "float32"),
                                    make(np.ones(3, np.float64), "float64"))):
        with pytest.raises(RuntimeError, match=pat):
            call()


def test_mm_message_for_dtype_mismatch():
    f32 = make(np.ones((2, 3), np.float32), "float32")
    f64 = make(np.ones((3, 4), np.float64), "float64")
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        rtorch.mm(f32, f64)


@pytest.mark.parametrize("call", [
    lambda: rtorch.mm(rtorch.ones(2, 2, 3), rtorch.ones(3, 4)),
    lambda: rtorch.mm(rtorch.ones(2, 3), rtorch.ones(2, 3, 4)),
    lambda: rtorch.mm(rtorch.ones(3), rtorch.ones(3, 4)),
    lambda: rtorch.bmm(rtorch.ones(2, 3), rtorch.ones(3, 4)),
    lambda: rtorch.bmm(rtorch.ones(7, 2, 3), rtorch.ones(6, 3, 5)),
    lambda: rtorch.bmm(rtorch.ones(7, 2, 3), rtorch.ones(7, 4, 5)),
    lambda: rtorch.dot(rtorch.ones(2, 3), rtorch.ones(2, 3)),
    lambda: rtorch.dot(rtorch.ones(3), rtorch.ones(4)),
    lambda: rtorch.mv(rtorch.ones(2, 3), rtorch.ones(4)),
    lambda: rtorch.mv(rtorch.ones(2, 3, 1), rtorch.ones(3)),
    lambda: rtorch.matmul(rtorch.ones(()), rtorch.ones(3)),
    lambda: rtorch.ones(3) @ rtorch.ones(()),
], ids=["mm_3d", "mm_3d_b", "mm_1d", "bmm_2d", "bmm_batch", "bmm_k", "dot_2d", "dot_len", "mv_len",
        "mv_3d", "matmul_0d", "matmul_0d_b"])
def test_rank_errors(call):
    with pytest.raises(RuntimeError):
        call()


def test_mm_3d_message():
    with pytest.raises(RuntimeError, match="must be a matrix"):
        rtorch.mm(rtorch.ones(2, 2, 3), rtorch.ones(3, 4))


@pytest.mark.parametrize("call", [lambda a: a @ a.t(), lambda a: rtorch.mm(a, a.t()),
                                  lambda a: rtorch.bmm(a[None], a.t()[None]),
                                  lambda a: rtorch.mv(a, a[0]), lambda a: rtorch.dot(a[0], a[0])],
                         ids=["matmul", "mm", "bmm", "mv", "dot"])
def test_bool_matmul_not_supported(call):
    a = make(np.array([[True, False], [True, True]]), "bool")
    with pytest.raises(RuntimeError):
        call(a)


# ---- cross-check with real torch (skipped when torch is not installed)

@pytest.mark.parametrize("case", list(MATMUL_CASES))
def test_matmul_matches_torch(torch_ref, case):
    sa, sb, sr = MATMUL_CASES[case]
    rng = rng_for("torch_mm", case)
    x = gen("float64", sa, rng)
    y = gen("float64", sb, rng)
    ref = torch_ref.from_numpy(x) @ torch_ref.from_numpy(y)
    assert tuple(ref.shape) == sr
    assert_close(make(x, "float64") @ make(y, "float64"), ref.numpy())


# ---- kernel paths: small products (register-blocked kernel, any row / column leftover) and
# products split across threads by rows or by columns (sizes not multiples of the split unit)

@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (3, 7, 5), (8, 32, 32), (13, 9, 17), (33, 64, 31),
                                   (12, 5, 16), (7, 100, 48), (64, 64, 64), (95, 3, 95), (2, 256, 65)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("transpose", ["none", "a", "b"])
def test_small_products_every_leftover(m, k, n, dtype, transpose):
    rng = rng_for("small", m, k, n, dtype, transpose)
    x = rng.standard_normal((4, m, k)).astype(NP_DTYPES[dtype])
    y = rng.standard_normal((4, k, n)).astype(NP_DTYPES[dtype])
    a = make(np.ascontiguousarray(x.transpose(0, 2, 1)), dtype).transpose(1, 2) if transpose == "a" else make(x, dtype)
    b = make(np.ascontiguousarray(y.transpose(0, 2, 1)), dtype).transpose(1, 2) if transpose == "b" else make(y, dtype)
    exp = np.matmul(x.astype(np.float64), y.astype(np.float64))
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert_close(rtorch.bmm(a, b), exp.astype(NP_DTYPES[dtype]), rtol=tol, atol=tol * np.sqrt(k))
    assert_close(a[1] @ b[1], exp[1].astype(NP_DTYPES[dtype]), rtol=tol, atol=tol * np.sqrt(k))


@pytest.mark.parametrize("m,k,n", [(250, 131, 129), (129, 140, 250), (17, 2000, 300), (300, 70, 17)])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threaded_products_split_by_rows_or_columns(m, k, n, threads):
    rng = rng_for("split", m, k, n)
    x = rng.standard_normal((m, k))
    y = rng.standard_normal((k, n))
    before = rtorch.get_num_threads()
    rtorch.set_num_threads(threads)
    try:
        got = make(x, "float64") @ make(y.T.copy(), "float64").t()
    finally:
        rtorch.set_num_threads(before)
    assert_close(got, x @ y, rtol=1e-12, atol=1e-12 * np.sqrt(k))

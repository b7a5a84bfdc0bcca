"""Elementwise ops: arithmetic, type promotion, comparisons, logical/bitwise, unary math, clamp/where/...

Values are checked against numpy computed independently (in float64 for floating results, in the
result's integer dtype for integer results, so wrap-around matches).  Result dtypes are checked
against a small re-implementation of torch's type-promotion rules (``result_type`` below).
Adding an op normally means adding one row to one of the tables.
"""
from __future__ import annotations

import math
import operator

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

INT_INFO = {"uint8": (0, 255, 8), "int8": (-128, 127, 8), "int16": (-(2**15), 2**15 - 1, 16),
            "int32": (-(2**31), 2**31 - 1, 32), "int64": (-(2**63), 2**63 - 1, 64)}
FLOAT_ORDER = ["float16", "bfloat16", "float32", "float64"]
TORCH_NAME = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
              "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
              "bool": "Bool"}


def is_int(name):
    return name in INT_INFO


# value generators: (dtype name, shape, rng) -> numpy array in oracle dtype

def gen_nonzero(name, shape, rng):
    if name == "bool":
        return np.ones(shape, dtype=np.bool_)
    if is_int(name):
        if name == "uint8":
            return rng.integers(1, 11, shape).astype(np.uint8)
        v = rng.integers(1, 6, shape) * rng.choice([-1, 1], shape)
        return v.astype(NP_DTYPES[name])
    choices = np.array([-4, -2.5, -2, -1.25, -1, -0.75, -0.5, 0.5, 0.75, 1, 1.25, 2, 2.5, 4])
    return to_oracle(rng.choice(choices, shape), name)


def gen_exponent(name, shape, rng):
    if name == "bool":
        return rng.integers(0, 2, shape).astype(np.bool_)
    if is_int(name):
        return rng.integers(0, 4, shape).astype(NP_DTYPES[name])
    return to_oracle(rng.integers(-4, 7, shape) / 2.0, name)  # multiples of 0.5 in [-2, 3]


def gen_shift(name, shape, rng):
    return rng.integers(0, 4, shape).astype(NP_DTYPES[name])


# ---- single-tensor layouts: (tensor, numpy) with the same logical values

def _base(gen, name, shape, rng):
    v = gen(name, shape, rng)
    return make(v, name), v


def layout_tensor(layout, name, rng, gen=gen_general):
    if layout == "contiguous":
        return _base(gen, name, (3, 4), rng)
    if layout == "transposed":
        t, v = _base(gen, name, (4, 3), rng)
        return t.t(), v.T
    if layout == "sliced":
        t, v = _base(gen, name, (7, 11), rng)
        return t[::2, 1::3], v[::2, 1::3]
    if layout == "expanded":
        t, v = _base(gen, name, (3, 1), rng)
        return t.expand(3, 4), np.broadcast_to(v, (3, 4))
    if layout == "permuted":
        t, v = _base(gen, name, (2, 3, 4), rng)
        return t.permute(2, 0, 1), v.transpose(2, 0, 1)
    if layout == "zero_dim":
        return _base(gen, name, (), rng)
    if layout == "empty":
        return _base(gen, name, (0, 3), rng)
    if layout == "size_one":
        return _base(gen, name, (1, 3, 1), rng)
    raise AssertionError(layout)


LAYOUTS = ["contiguous", "transposed", "sliced", "expanded", "permuted", "zero_dim", "empty",
           "size_one"]
WRITABLE_LAYOUTS = [l for l in LAYOUTS if l != "expanded"]


# ---- two-tensor layouts (same dtype for both, so 0-dim tensors don't change the result type)

def pair_tensors(layout, na, nb, rng, gen_a=gen_general, gen_b=gen_general):
    def mk(gen, name, shape):
        v = gen(name, shape, rng)
        return make(v, name), v

    if layout == "same_contiguous":
        (a, x), (b, y) = mk(gen_a, na, (3, 4)), mk(gen_b, nb, (3, 4))
    elif layout == "a_transposed":
        (a, x), (b, y) = mk(gen_a, na, (4, 3)), mk(gen_b, nb, (3, 4))
        a, x = a.t(), x.T
    elif layout == "both_transposed":
        (a, x), (b, y) = mk(gen_a, na, (4, 3)), mk(gen_b, nb, (4, 3))
        a, x, b, y = a.t(), x.T, b.t(), y.T
    elif layout == "b_sliced":
        (a, x), (b, y) = mk(gen_a, na, (3, 4)), mk(gen_b, nb, (6, 12))
        b, y = b[::2, 1::3], y[::2, 1::3]
    elif layout == "broadcast_row_col":
        (a, x), (b, y) = mk(gen_a, na, (3, 1)), mk(gen_b, nb, (4,))
    elif layout == "broadcast_leading":
        (a, x), (b, y) = mk(gen_a, na, (2, 1, 4)), mk(gen_b, nb, (3, 1))
    elif layout == "a_expanded":
        (a, x), (b, y) = mk(gen_a, na, (1, 4)), mk(gen_b, nb, (3, 4))
        a, x = a.expand(3, 4), np.broadcast_to(x, (3, 4))
    elif layout == "permuted":
        (a, x), (b, y) = mk(gen_a, na, (4, 2, 3)), mk(gen_b, nb, (3, 4))
        a, x = a.permute(1, 2, 0), x.transpose(1, 2, 0)
    elif layout == "zero_dim_and_matrix":
        (a, x), (b, y) = mk(gen_a, na, ()), mk(gen_b, nb, (2, 3))
    elif layout == "both_zero_dim":
        (a, x), (b, y) = mk(gen_a, na, ()), mk(gen_b, nb, ())
    elif layout == "empty":
        (a, x), (b, y) = mk(gen_a, na, (0, 3)), mk(gen_b, nb, (3,))
    elif layout == "empty_broadcast":
        (a, x), (b, y) = mk(gen_a, na, (2, 0, 1)), mk(gen_b, nb, (1, 5))
    elif layout == "size_one":
        (a, x), (b, y) = mk(gen_a, na, (1, 1)), mk(gen_b, nb, (1,))
    else:
        raise AssertionError(layout)
    return a, x, b, y


PAIR_LAYOUTS = ["same_contiguous", "a_transposed", "both_transposed", "b_sliced",
                "broadcast_row_col", "broadcast_leading", "a_expanded", "permuted",
                "zero_dim_and_matrix", "both_zero_dim", "empty", "empty_broadcast", "size_one"]


# ---- torch's type promotion, re-implemented as the dtype oracle

def category(name):
    return 0 if name == "bool" else (1 if is_int(name) else 2)


def promote(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    if a == "bool":
        return b
    if b == "bool":
        return a
    ca, cb = category(a), category(b)
    if ca == 2 and cb == 2:
        if {a, b} == {"float16", "bfloat16"}:
            return "float32"
        return max(a, b, key=FLOAT_ORDER.index)
    if ca == 2:
        return a
    if cb == 2:
        return b
    if "uint8" in (a, b):
        other = b if a == "uint8" else a
        return "int16" if other == "int8" else other
    return max(a, b, key=lambda n: INT_INFO[n][2])


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if category(higher) == 2:
        return higher
    if higher == "bool" or category(lower) == 2:
        return promote(higher, lower)
    return higher


SCALAR_DTYPE = {bool: "bool", int: "int64", float: "float32"}


def result_type(*operands):
    """operands: ('dim', name) | ('zero', name) | python scalar."""
    dim = zero = wrapped = None
    for op in operands:
        if isinstance(op, tuple):
            kind, name = op
            if kind == "dim":
                dim = promote(dim, name)
            else:
                zero = promote(zero, name)
        else:
            wrapped = promote(wrapped, SCALAR_DTYPE[type(op)])
    return _combine(dim, _combine(zero, wrapped))


def can_cast(src, dst):
    if category(src) == 2 and category(dst) < 2:
        return False
    if src != "bool" and dst == "bool":
        return False
    return True


def operand_kind(t):
    return ("dim", dname(t)) if t.dim() > 0 else ("zero", dname(t))


def np_value(x, name):
    """numpy array holding the values of an operand (tensor oracle array or python scalar)."""
    return np.asarray(x)


# ----------------------------------------------------------------------------------------------
# binary arithmetic table
# ----------------------------------------------------------------------------------------------

def _trunc_div(x, y):
    if np.issubdtype(np.asarray(x).dtype, np.integer):
        q = np.abs(x.astype(np.int64)) // np.abs(y.astype(np.int64))
        return (np.sign(x.astype(np.int64)) * np.sign(y.astype(np.int64)) * q)
    return np.trunc(x / y)


class BinOp:
    def __init__(self, name, pyop, np_fn, rhs_gen=gen_general, lhs_gen_reflected=gen_general,
                 true_div=False, bool_ok=True, func=None, bool_operand_ok=True):
        self.name, self.pyop, self.np_fn = name, pyop, np_fn
        self.rhs_gen = rhs_gen            # generator for the right operand
        self.lhs_gen_reflected = lhs_gen_reflected  # tensor generator when the tensor is on the right
        self.true_div = true_div
        self.bool_ok = bool_ok            # defined when the computation dtype is bool
        self.bool_operand_ok = bool_operand_ok  # False: any bool operand raises (torch's sub)
        self.func = func or name          # rtorch.<func>

    def __repr__(self):
        return self.name


BINOPS = [
    BinOp("add", operator.add, np.add),
    BinOp("sub", operator.sub, np.subtract, bool_ok=False, bool_operand_ok=False),
    BinOp("mul", operator.mul, np.multiply),
    BinOp("div", operator.truediv, np.true_divide, rhs_gen=gen_nonzero,
          lhs_gen_reflected=gen_nonzero, true_div=True),
    BinOp("floordiv", operator.floordiv, np.floor_divide, rhs_gen=gen_nonzero,
          lhs_gen_reflected=gen_nonzero, bool_ok=False, func="floor_divide"),
    BinOp("mod", operator.mod, np.remainder, rhs_gen=gen_nonzero, lhs_gen_reflected=gen_nonzero,
          bool_ok=False, func="remainder"),
    BinOp("pow", operator.pow, np.power, rhs_gen=gen_exponent, lhs_gen_reflected=gen_exponent,
          bool_ok=False),
]
BINOP_IDS = [b.name for b in BINOPS]


def binop_result_dtype(op, *operands):
    res = result_type(*operands)
    if op.true_div and category(res) < 2:
        return "float32", res
    return res, res


def np_binop(op, x, y, res, compute):
    """numpy oracle: x, y numpy values; res the result dtype; compute the computation dtype."""
    with np.errstate(all="ignore"):
        if category(res) == 2:
            r = op.np_fn(np.asarray(x).astype(np.float64), np.asarray(y).astype(np.float64))
            return to_oracle(r, res)
        npd = NP_DTYPES[compute]
        r = op.np_fn(np.asarray(x).astype(npd), np.asarray(y).astype(npd))
        return np.asarray(r).astype(NP_DTYPES[res])


def _is_bool_operand(kind):
    return kind is True or kind is False or (isinstance(kind, tuple) and kind[1] == "bool")


def check_binop(op, a, x, b, y, a_kind, b_kind):
    res, compute = binop_result_dtype(op, a_kind, b_kind)
    if (compute == "bool" and not op.bool_ok) or (
            not op.bool_operand_ok and (_is_bool_operand(a_kind) or _is_bool_operand(b_kind))):
        with pytest.raises(RuntimeError):
            op.pyop(a, b)
        return
    out = op.pyop(a, b)
    assert dname(out) == res, f"{op.name}: {a_kind} with {b_kind} gave {dname(out)}, torch gives {res}"
    assert_close(out, np_binop(op, x, y, res, compute))


@pytest.mark.parametrize("layout", PAIR_LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("op", BINOPS, ids=BINOP_IDS)
def test_binary_tensor_tensor(op, dtype, layout):
    rng = rng_for("bin", op.name, dtype, layout)
    a, x, b, y = pair_tensors(layout, dtype, dtype, rng, gen_b=op.rhs_gen)
    check_binop(op, a, x, b, y, operand_kind(a), operand_kind(b))


@pytest.mark.parametrize("db", ALL_DTYPES)
@pytest.mark.parametrize("da", ALL_DTYPES)
@pytest.mark.parametrize("op", BINOPS, ids=BINOP_IDS)
def test_binary_promotion_dim_tensors(op, da, db):
    rng = rng_for("promo", op.name, da, db)
    a, x, b, y = pair_tensors("broadcast_row_col", da, db, rng, gen_b=op.rhs_gen)
    check_binop(op, a, x, b, y, ("dim", da), ("dim", db))


@pytest.mark.parametrize("db", ALL_DTYPES)
@pytest.mark.parametrize("da", ALL_DTYPES)
@pytest.mark.parametrize("op", [BINOPS[0], BINOPS[2], BINOPS[3]], ids=["add", "mul", "div"])
def test_binary_promotion_zero_dim_operand(op, da, db):
    """A 0-dim tensor only decides the dtype when its category is higher."""
    rng = rng_for("promo0", op.name, da, db)
    x = gen_general(da, (2, 3), rng)
    y = op.rhs_gen(db, (), rng)
    a, b = make(x, da), make(y, db)
    check_binop(op, a, x, b, y, ("dim", da), ("zero", db))
    check_binop(op, b, y, a, x, ("zero", db), ("dim", da))


SCALARS = [3, 2, 2.5, -1.5, True]


@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: f"{type(s).__name__}{s}")
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("op", BINOPS, ids=BINOP_IDS)
def test_binary_tensor_scalar(op, dtype, scalar):
    if op.name in ("floordiv", "mod", "div") and scalar == 0:
        pytest.skip("division by zero is tested separately")
    if op.name == "pow" and dtype == "bool" and scalar is True:
        pytest.skip("torch quirk: pow(bool_tensor, True) short-circuits to a copy")
    rng = rng_for("scal", op.name, dtype, repr(scalar))
    for layout in ["contiguous", "transposed", "sliced", "zero_dim", "empty"]:
        t, x = layout_tensor(layout, dtype, rng)
        check_binop(op, t, x, scalar, np.asarray(scalar), operand_kind(t), scalar)


@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: f"{type(s).__name__}{s}")
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("op", BINOPS, ids=BINOP_IDS)
def test_binary_reflected_scalar(op, dtype, scalar):
    """``2 - t``, ``2 ** t``, ``2.5 / t``: Tensor.__rsub__ / __rpow__ / __rtruediv__ ..."""
    rng = rng_for("rscal", op.name, dtype, repr(scalar))
    for layout in ["contiguous", "transposed", "sliced", "expanded", "zero_dim", "empty"]:
        t, x = layout_tensor(layout, dtype, rng, gen=op.lhs_gen_reflected)
        check_binop(op, scalar, np.asarray(scalar), t, x, scalar, operand_kind(t))


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_pow_negative_scalar_exponent_raises(dtype):
    t = make(np.array([1, 2, 3]), dtype)
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        t ** -1


@pytest.mark.parametrize("da,db,expected", [
    ("int32", "int64", "int32"),       # 0-dim int64 does not widen int32
    ("uint8", "int64", "uint8"),
    ("int32", "float64", "float64"),   # 0-dim of a higher category wins
    ("float16", "float64", "float16"),
    ("bool", "int32", "int32"),
    ("int64", "bool", "int64"),
])
def test_zero_dim_weak_promotion_examples(da, db, expected):
    a = make(np.array([1, 2, 3]), da)
    b = make(np.array(1), db)
    assert dname(a + b) == expected
    assert dname(b + a) == expected
    assert dname(rtorch.add(a, b)) == expected


@pytest.mark.parametrize("da,db,expected", [
    ("uint8", "int8", "int16"), ("uint8", "int16", "int16"), ("int8", "int64", "int64"),
    ("float16", "bfloat16", "float32"), ("int64", "float16", "float16"),
    ("bool", "uint8", "uint8"), ("int32", "float32", "float32"), ("float32", "float64", "float64"),
    ("bool", "bool", "bool"),
])
def test_dim_promotion_examples(da, db, expected):
    a = make(np.array([1, 0, 1]), da)
    b = make(np.array([1, 1, 0]), db)
    assert dname(a * b) == expected
    assert dname(rtorch.mul(b, a)) == expected


@pytest.mark.parametrize("scalar,dtype,expected", [
    (2.5, "int64", "float32"), (2.5, "int8", "float32"), (2.5, "uint8", "float32"),
    (2.5, "bool", "float32"), (2.5, "float16", "float16"), (2.5, "bfloat16", "bfloat16"),
    (2.5, "float64", "float64"), (3, "int8", "int8"), (3, "uint8", "uint8"), (3, "bool", "int64"),
    (3, "float16", "float16"), (True, "uint8", "uint8"), (True, "bool", "bool"),
    (True, "float32", "float32"),
])
def test_scalar_promotion_examples(scalar, dtype, expected):
    t = make(np.array([1, 0, 1]), dtype)
    assert dname(t + scalar) == expected
    assert dname(scalar + t) == expected
    assert dname(t * scalar) == expected


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_true_division_of_ints_is_float32(dtype):
    rng = rng_for("truediv", dtype)
    x = gen_general(dtype, (5,), rng)
    y = gen_nonzero(dtype, (5,), rng)
    a, b = make(x, dtype), make(y, dtype)
    for out in (a / b, rtorch.div(a, b), rtorch.true_divide(a, b), a.div(b)):
        assert_close(out, (x.astype(np.float64) / y.astype(np.float64)).astype(np.float32))


@pytest.mark.parametrize("mode", ["floor", "trunc", None])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "int32",
                                   "int16", "int8"])
def test_div_rounding_mode(dtype, mode):
    rng = rng_for("rdiv", dtype, mode)
    x = gen_general(dtype, (4, 5), rng)
    y = gen_nonzero(dtype, (5,), rng)
    a, b = make(x, dtype), make(y, dtype)
    out = rtorch.div(a, b, rounding_mode=mode)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    if mode is None:
        res = dtype if is_float(dtype) else "float32"
        assert_close(out, to_oracle(x64 / y64, res))
        return
    if mode == "floor":
        exp = np.floor_divide(x64, y64)
    else:
        exp = _trunc_div(x64, y64) if is_float(dtype) else _trunc_div(x, y)
    assert_close(out, to_oracle(exp, dtype))
    assert_close(a.div(b, rounding_mode=mode), to_oracle(exp, dtype))


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_floor_divide_and_remainder_python_sign_semantics(dtype):
    if dtype == "uint8":
        x = np.array([7, 0, 13, 200], dtype=np.uint8)
        y = np.array([2, 3, 5, 7], dtype=np.uint8)
    else:
        x = np.array([7, -7, 7, -7, 0, 9, -9], dtype=NP_DTYPES[dtype])
        y = np.array([2, 2, -2, -2, 3, 4, 4], dtype=NP_DTYPES[dtype])
    a, b = make(x, dtype), make(y, dtype)
    assert_close(a // b, x // y)
    assert_close(a % b, x % y)
    assert_close(rtorch.floor_divide(a, b), x // y)
    assert_close(rtorch.remainder(a, b), x % y)
    if dtype != "uint8":
        # Python semantics, checked without numpy too
        assert to_numpy(a // b).tolist() == [int(p) // int(q) for p, q in zip(x, y)]
        assert to_numpy(a % b).tolist() == [int(p) % int(q) for p, q in zip(x, y)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float_floor_divide_and_remainder_python_sign_semantics(dtype):
    x = np.array([7.5, -7.5, 7.5, -7.5, 0.0, 5.0], dtype=NP_DTYPES[dtype])
    y = np.array([2.0, 2.0, -2.0, -2.0, 3.0, -2.5], dtype=NP_DTYPES[dtype])
    a, b = make(x, dtype), make(y, dtype)
    assert to_numpy(a // b).tolist() == [p // q for p, q in zip(x.tolist(), y.tolist())]
    assert to_numpy(a % b).tolist() == [p % q for p, q in zip(x.tolist(), y.tolist())]


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("form", ["tensor_floordiv", "tensor_mod", "scalar_floordiv", "scalar_mod",
                                  "func_floor_divide", "func_remainder", "div_floor", "div_trunc"])
def test_integer_division_by_zero_raises(dtype, form):
    a = make(np.array([5, 6, 7]), dtype)
    z = make(np.array([1, 0, 2]), dtype)
    call = {
        "tensor_floordiv": lambda: a // z,
        "tensor_mod": lambda: a % z,
        "scalar_floordiv": lambda: a // 0,
        "scalar_mod": lambda: a % 0,
        "func_floor_divide": lambda: rtorch.floor_divide(a, z),
        "func_remainder": lambda: rtorch.remainder(a, z),
        "div_floor": lambda: rtorch.div(a, z, rounding_mode="floor"),
        "div_trunc": lambda: rtorch.div(a, z, rounding_mode="trunc"),
    }[form]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_float_division_by_zero_gives_inf_nan(dtype):
    x = np.array([1.0, -1.0, 0.0, 2.5], dtype=NP_DTYPES[dtype])
    z = np.zeros(4, dtype=NP_DTYPES[dtype])
    a, b = make(x, dtype), make(z, dtype)
    with np.errstate(all="ignore"):
        assert_close(a / b, x / z)
        assert_close(a // b, np.floor_divide(x, z))
        assert_close(a % b, np.remainder(x, z))


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_int_true_division_by_zero_gives_inf(dtype):
    x = np.array([1, 0, 3]).astype(NP_DTYPES[dtype])
    z = np.zeros(3).astype(NP_DTYPES[dtype])
    with np.errstate(all="ignore"):
        assert_close(make(x, dtype) / make(z, dtype),
                     (x.astype(np.float64) / z.astype(np.float64)).astype(np.float32))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32"])
def test_integer_overflow_wraps(dtype):
    lo, hi, _ = INT_INFO[dtype]
    x = np.array([hi, lo, hi], dtype=NP_DTYPES[dtype])
    y = np.array([1, -1 if dtype != "uint8" else 1, 2], dtype=NP_DTYPES[dtype])
    a, b = make(x, dtype), make(y, dtype)
    with np.errstate(all="ignore"):
        assert_close(a + b, x + y)
        assert_close(a * b, x * y)
        assert_close(a - b, x - y)


# ---- alpha, function and method forms, out=

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "int32",
                                   "int8", "uint8"])
def test_add_sub_alpha(dtype):
    rng = rng_for("alpha", dtype)
    a, x, b, y = pair_tensors("a_transposed", dtype, dtype, rng)
    alpha = 2 if is_int(dtype) else 2.5
    npd = np.float64 if is_float(dtype) else NP_DTYPES[dtype]
    with np.errstate(all="ignore"):
        exp_add = to_oracle(x.astype(npd) + npd(alpha) * y.astype(npd), dtype)
        exp_sub = to_oracle(x.astype(npd) - npd(alpha) * y.astype(npd), dtype)
    assert_close(rtorch.add(a, b, alpha=alpha), exp_add)
    assert_close(a.add(b, alpha=alpha), exp_add)
    assert_close(rtorch.sub(a, b, alpha=alpha), exp_sub)
    assert_close(a.sub(b, alpha=alpha), exp_sub)
    c = a.clone()
    c.add_(b, alpha=alpha)
    assert_close(c, exp_add)


def test_add_scalar_other_with_alpha():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert_close(rtorch.add(make(x, "float32"), 3, alpha=2), x + 6)
    assert_close(rtorch.sub(make(x, "float32"), 3, alpha=2), x - 6)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_float_alpha_with_int_tensors_raises(dtype):
    a = make(np.array([1, 2]), dtype)
    with pytest.raises(RuntimeError, match="alpha"):
        rtorch.add(a, a, alpha=2.5)


def test_sub_bool_tensors_raises():
    a = make(np.array([True, False]), "bool")
    with pytest.raises(RuntimeError, match="Subtraction"):
        a - a
    with pytest.raises(RuntimeError):
        rtorch.sub(a, a)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float16"])
@pytest.mark.parametrize("op", BINOPS, ids=BINOP_IDS)
def test_binary_function_and_method_forms(op, dtype):
    rng = rng_for("forms", op.name, dtype)
    a, x, b, y = pair_tensors("broadcast_row_col", dtype, dtype, rng, gen_b=op.rhs_gen)
    res, compute = binop_result_dtype(op, ("dim", dtype), ("dim", dtype))
    fn = getattr(rtorch, op.func)
    meth = getattr(a, op.func)
    if compute == "bool" and not op.bool_ok:
        with pytest.raises(RuntimeError):
            fn(a, b)
        return
    exp = np_binop(op, x, y, res, compute)
    assert_close(fn(a, b), exp)
    assert_close(meth(b), exp)
    # the short method aliases
    alias = {"add": "add", "sub": "subtract", "mul": "multiply", "div": "divide",
             "floordiv": "floor_divide", "mod": "remainder", "pow": "pow"}[op.name]
    assert_close(getattr(rtorch, alias)(a, b), exp)


@pytest.mark.parametrize("op", BINOPS, ids=BINOP_IDS)
def test_binary_out(op):
    rng = rng_for("out", op.name)
    a, x, b, y = pair_tensors("b_sliced", "float32", "float32", rng, gen_b=op.rhs_gen)
    exp = np_binop(op, x, y, "float32", "float32")
    o = rtorch.empty(3, 4)
    r = getattr(rtorch, op.func)(a, b, out=o)
    assert_close(o, exp)
    assert_close(r, exp)
    # out with a wider dtype is allowed
    o64 = rtorch.empty(3, 4, dtype=rtorch.float64)
    getattr(rtorch, op.func)(a, b, out=o64)
    assert_close(o64, exp.astype(np.float64), rtol=1e-6, atol=1e-6)


def test_out_returns_the_out_tensor():
    a = make(np.ones((2, 3), np.float32), "float32")
    o = rtorch.empty(2, 3)
    assert rtorch.add(a, a, out=o) is o
    assert rtorch.exp(a, out=o) is o


@pytest.mark.parametrize("fn,expected", [
    (lambda a, o: rtorch.add(a, a, out=o), lambda x: x + x),
    (lambda a, o: rtorch.exp(a, out=o), np.exp),
    (lambda a, o: rtorch.mul(a, 2, out=o), lambda x: x * 2),
    (lambda a, o: rtorch.matmul(a, a.T, out=o), lambda x: x @ x.T),
], ids=["add", "exp", "mul_scalar", "matmul"])
@pytest.mark.parametrize("start", [(0,), (5, 7)], ids=["empty", "other_shape"])
def test_out_of_another_shape_is_resized(fn, expected, start):
    """As torch: out= of the wrong shape is resized to the result's (not an error)."""
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    o = rtorch.zeros(*start)
    assert fn(make(x, "float32"), o) is o
    assert_close(o, expected(x).astype(np.float32))


def test_out_int_for_float_result_raises():
    a = make(np.ones(3, np.float32), "float32")
    o = rtorch.empty(3, dtype=rtorch.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        rtorch.add(a, 1, out=o)
    with pytest.raises(RuntimeError, match="can't be cast"):
        rtorch.div(make(np.ones(3, np.int64), "int64"), 2, out=o)


def test_out_float_for_int_result():
    x = np.array([1, 2, 3], np.int64)
    o = rtorch.empty(3, dtype=rtorch.float32)
    rtorch.add(make(x, "int64"), 1, out=o)
    assert_close(o, (x + 1).astype(np.float32))


def test_out_on_non_contiguous_view():
    base_np = np.zeros((4, 6), np.float32)
    base = make(base_np, "float32")
    view = base[::2, 1::2]            # (2, 3) strided view
    a = make(np.arange(6, dtype=np.float32).reshape(2, 3), "float32")
    rtorch.mul(a, 2, out=view)
    base_np[::2, 1::2] = np.arange(6, dtype=np.float32).reshape(2, 3) * 2
    assert_close(base, base_np)


# ---- in-place

INPLACE = [("add", operator.iadd, "add_"), ("sub", operator.isub, "sub_"),
           ("mul", operator.imul, "mul_"), ("div", operator.itruediv, "div_"),
           ("floordiv", operator.ifloordiv, "floor_divide_"), ("mod", operator.imod, "remainder_"),
           ("pow", operator.ipow, "pow_")]
BINOP_BY_NAME = {b.name: b for b in BINOPS}


@pytest.mark.parametrize("db", ALL_DTYPES)
@pytest.mark.parametrize("da", ALL_DTYPES)
@pytest.mark.parametrize("name,iop,meth", INPLACE, ids=[i[0] for i in INPLACE])
def test_inplace_keeps_dtype_or_raises(name, iop, meth, da, db):
    op = BINOP_BY_NAME[name]
    rng = rng_for("inplace", name, da, db)
    x = gen_general(da, (3, 4), rng)
    y = op.rhs_gen(db, (4,), rng)
    res, compute = binop_result_dtype(op, ("dim", da), ("dim", db))
    for use_method in (False, True):
        a, b = make(x, da), make(y, db)
        ident = id(a)

        def run():
            if use_method:
                return getattr(a, meth)(b)
            return iop(a, b)

        if (compute == "bool" and not op.bool_ok) or (
                not op.bool_operand_ok and "bool" in (da, db)):
            with pytest.raises(RuntimeError):
                run()
            continue
        if not can_cast(res, da):
            with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
                run()
            assert_close(a, x)  # unchanged
            continue
        r = run()
        if not use_method:
            assert id(r) == ident, "augmented assignment must return the same tensor"
        else:
            assert r is a or r.data_ptr() == a.data_ptr()
        with np.errstate(all="ignore"):
            exp = np_binop(op, x, y, res, compute)
            if category(da) == 2:
                exp = to_oracle(exp.astype(np.float64), da)
            else:
                exp = exp.astype(NP_DTYPES[da])
        assert dname(a) == da
        assert_close(a, exp)


def test_inplace_float_scalar_on_int_message():
    a = make(np.array([1, 2]), "int64")
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        a += 1.5
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        a /= 2
    b = make(np.array([True, False]), "bool")
    with pytest.raises(RuntimeError, match="result type Long can't be cast to the desired output "
                                           "type Bool"):
        b += 1


@pytest.mark.parametrize("scalar", [2, 2.5, True], ids=["int", "float", "bool"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_inplace_scalar(dtype, scalar):
    rng = rng_for("iscal", dtype, repr(scalar))
    op = BINOP_BY_NAME["mul"]
    x = gen_general(dtype, (3, 4), rng)
    a = make(x, dtype)
    res, compute = binop_result_dtype(op, ("dim", dtype), scalar)
    if not can_cast(res, dtype):
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            a *= scalar
        return
    a *= scalar
    exp = np_binop(op, x, np.asarray(scalar), res, compute)
    assert_close(a, to_oracle(exp, dtype))


@pytest.mark.parametrize("layout", WRITABLE_LAYOUTS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int32", "uint8"])
def test_inplace_on_views_writes_through(dtype, layout):
    rng = rng_for("iview", dtype, layout)
    t, x = layout_tensor(layout, dtype, rng)
    t += 1
    t.mul_(2)
    with np.errstate(all="ignore"):
        if is_float(dtype):
            exp = to_oracle((x.astype(np.float64) + 1) * 2, dtype)
        else:
            exp = ((x + NP_DTYPES[dtype](1)) * NP_DTYPES[dtype](2)).astype(NP_DTYPES[dtype])
    assert_close(t, exp)


def test_inplace_slice_updates_base():
    base_np = np.arange(24, dtype=np.float32).reshape(4, 6)
    base = make(base_np, "float32")
    v = base[::2, 1::2]
    v += 100
    base[1].mul_(-1)
    base.t()[0].sub_(0.5)       # column 0 through a transposed view
    exp = base_np.copy()
    exp[::2, 1::2] += 100
    exp[1] *= -1
    exp[:, 0] -= 0.5
    assert_close(base, exp)


def test_inplace_broadcast_self_shape_must_not_change():
    a = make(np.ones(3, np.float32), "float32")
    b = make(np.ones((2, 3), np.float32), "float32")
    with pytest.raises(RuntimeError):
        a += b
    with pytest.raises(RuntimeError):
        a.add_(b)


def test_inplace_on_expanded_tensor_raises():
    a = make(np.ones((1, 3), np.float32), "float32").expand(2, 3)
    with pytest.raises(RuntimeError):
        a.add_(1)


# ----------------------------------------------------------------------------------------------
# comparisons
# ----------------------------------------------------------------------------------------------

COMPARISONS = [("eq", operator.eq, np.equal), ("ne", operator.ne, np.not_equal),
               ("lt", operator.lt, np.less), ("le", operator.le, np.less_equal),
               ("gt", operator.gt, np.greater), ("ge", operator.ge, np.greater_equal)]
CMP_IDS = [c[0] for c in COMPARISONS]


def np_compare(np_fn, x, y, common):
    if category(common) == 2:
        return np_fn(np.asarray(x).astype(np.float64), np.asarray(y).astype(np.float64))
    npd = NP_DTYPES[common]
    return np_fn(np.asarray(x).astype(npd), np.asarray(y).astype(npd))


@pytest.mark.parametrize("layout", PAIR_LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name,pyop,np_fn", COMPARISONS, ids=CMP_IDS)
def test_comparison_tensor_tensor(name, pyop, np_fn, dtype, layout):
    rng = rng_for("cmp", name, dtype, layout)
    a, x, b, y = pair_tensors(layout, dtype, dtype, rng)
    exp = np_fn(x, y)
    assert_close(pyop(a, b), exp)
    assert_close(getattr(rtorch, name)(a, b), exp)
    assert_close(getattr(a, name)(b), exp)


@pytest.mark.parametrize("db", ALL_DTYPES)
@pytest.mark.parametrize("da", ALL_DTYPES)
def test_comparison_mixed_dtypes(da, db):
    rng = rng_for("cmpmix", da, db)
    a, x, b, y = pair_tensors("broadcast_row_col", da, db, rng)
    common = promote(da, db)
    for name, pyop, np_fn in COMPARISONS:
        assert_close(pyop(a, b), np_compare(np_fn, x, y, common))


@pytest.mark.parametrize("scalar", [1, 0.5, -1.25, True, 0], ids=repr)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_comparison_with_scalar(dtype, scalar):
    rng = rng_for("cmpscal", dtype, repr(scalar))
    t, x = layout_tensor("sliced", dtype, rng)
    common = result_type(("dim", dtype), scalar)
    for name, pyop, np_fn in COMPARISONS:
        exp = np_compare(np_fn, x, np.asarray(scalar), common)
        assert_close(pyop(t, scalar), exp)
        assert_close(getattr(rtorch, name)(t, scalar), exp)
        # reflected: scalar OP tensor
        exp_r = np_compare(np_fn, np.asarray(scalar), x, common)
        assert_close(pyop(scalar, t), exp_r)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_comparison_nan(dtype):
    x = np.array([np.nan, 1.0, np.inf, -np.inf, np.nan], np.float32)
    y = np.array([np.nan, np.nan, np.inf, 0.0, 1.0], np.float32)
    a, b = make(to_oracle(x, dtype), dtype), make(to_oracle(y, dtype), dtype)
    for name, pyop, np_fn in COMPARISONS:
        assert_close(pyop(a, b), np_fn(x, y))


@pytest.mark.parametrize("name,pyop,np_fn", COMPARISONS, ids=CMP_IDS)
def test_comparison_out(name, pyop, np_fn):
    x = np.array([[1.0, 2.0, 3.0]], np.float32)
    y = np.array([[2.0], [1.0]], np.float32)
    o = rtorch.empty(2, 3, dtype=rtorch.bool)
    getattr(rtorch, name)(make(x, "float32"), make(y, "float32"), out=o)
    assert_close(o, np_fn(x, y))


# ----------------------------------------------------------------------------------------------
# logical and bitwise
# ----------------------------------------------------------------------------------------------

LOGICAL = [("logical_and", np.logical_and), ("logical_or", np.logical_or),
           ("logical_xor", np.logical_xor)]


@pytest.mark.parametrize("db", ALL_DTYPES)
@pytest.mark.parametrize("da", ALL_DTYPES)
@pytest.mark.parametrize("name,np_fn", LOGICAL, ids=[l[0] for l in LOGICAL])
def test_logical_binary(name, np_fn, da, db):
    rng = rng_for("logical", name, da, db)
    a, x, b, y = pair_tensors("a_transposed", da, db, rng)
    exp = np_fn(x != 0, y != 0)
    assert_close(getattr(rtorch, name)(a, b), exp)
    assert_close(getattr(a, name)(b), exp)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_logical_not(dtype, layout):
    rng = rng_for("lnot", dtype, layout)
    t, x = layout_tensor(layout, dtype, rng)
    assert_close(rtorch.logical_not(t), np.logical_not(x))
    assert_close(t.logical_not(), np.logical_not(x))


@pytest.mark.parametrize("layout", PAIR_LAYOUTS)
@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_layouts(name, layout):
    rng = rng_for("llay", name, layout)
    a, x, b, y = pair_tensors(layout, "float32", "int32", rng)
    assert_close(getattr(rtorch, name)(a, b), getattr(np, name)(x != 0, y != 0))


BITWISE = [("and", operator.and_, np.bitwise_and, "bitwise_and"),
           ("or", operator.or_, np.bitwise_or, "bitwise_or"),
           ("xor", operator.xor, np.bitwise_xor, "bitwise_xor"),
           ("lshift", operator.lshift, np.left_shift, "bitwise_left_shift"),
           ("rshift", operator.rshift, np.right_shift, "bitwise_right_shift")]
BIT_IDS = [b[0] for b in BITWISE]


@pytest.mark.parametrize("layout", PAIR_LAYOUTS)
@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
@pytest.mark.parametrize("name,pyop,np_fn,func", BITWISE, ids=BIT_IDS)
def test_bitwise_int_and_bool(name, pyop, np_fn, func, dtype, layout):
    rng = rng_for("bit", name, dtype, layout)
    shift = name in ("lshift", "rshift")
    a, x, b, y = pair_tensors(layout, dtype, dtype, rng, gen_b=gen_shift if shift else gen_general)
    if shift and dtype == "bool":
        with pytest.raises(RuntimeError):
            pyop(a, b)
        return
    exp = np_fn(x, y).astype(NP_DTYPES[dtype])
    assert_close(pyop(a, b), exp)
    assert_close(getattr(rtorch, func)(a, b), exp)
    assert_close(getattr(a, func)(b), exp)


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
@pytest.mark.parametrize("name,pyop,np_fn,func", BITWISE[:3], ids=BIT_IDS[:3])
def test_bitwise_inplace_and_scalar(name, pyop, np_fn, func, dtype):
    rng = rng_for("bitip", name, dtype)
    x = gen_general(dtype, (3, 4), rng)
    y = gen_general(dtype, (4,), rng)
    a, b = make(x, dtype), make(y, dtype)
    getattr(a, func + "_")(b)
    assert_close(a, np_fn(x, y).astype(NP_DTYPES[dtype]))
    s = True if dtype == "bool" else 6
    exp = np_fn(x, np.asarray(s).astype(NP_DTYPES[dtype]))
    assert_close(pyop(make(x, dtype), s), exp)
    assert_close(pyop(s, make(x, dtype)), exp)


@pytest.mark.parametrize("db", INT_DTYPES + ["bool"])
@pytest.mark.parametrize("da", INT_DTYPES + ["bool"])
def test_bitwise_mixed_int_dtypes(da, db):
    rng = rng_for("bitmix", da, db)
    a, x, b, y = pair_tensors("broadcast_row_col", da, db, rng)
    common = promote(da, db)
    npd = NP_DTYPES[common]
    for name, pyop, np_fn, func in BITWISE[:3]:
        out = pyop(a, b)
        assert dname(out) == common
        assert_close(out, np_fn(x.astype(npd), y.astype(npd)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_bitwise_not(dtype, layout):
    rng = rng_for("bnot", dtype, layout)
    t, x = layout_tensor(layout, dtype, rng)
    exp = np.invert(x)
    assert_close(~t, exp)
    assert_close(rtorch.bitwise_not(t), exp)
    assert_close(t.bitwise_not(), exp)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64"])
def test_right_shift_is_arithmetic(dtype):
    x = np.array([-8, -1, 7, -128 if dtype != "int8" else -100], NP_DTYPES[dtype])
    s = np.array([1, 1, 2, 3], NP_DTYPES[dtype])
    assert_close(make(x, dtype) >> make(s, dtype), x >> s)
    assert to_numpy(make(x, dtype) >> 1).tolist() == [int(v) >> 1 for v in x]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("form", ["and", "or", "xor", "not", "lshift", "rshift", "func_and",
                                  "and_scalar", "and_int_tensor"])
def test_bitwise_on_float_raises(dtype, form):
    a = make(np.array([1.0, 2.0]), dtype)
    i = make(np.array([1, 2]), "int64")
    call = {"and": lambda: a & a, "or": lambda: a | a, "xor": lambda: a ^ a, "not": lambda: ~a,
            "lshift": lambda: a << a, "rshift": lambda: a >> a,
            "func_and": lambda: rtorch.bitwise_and(a, a), "and_scalar": lambda: a & 1,
            "and_int_tensor": lambda: i & a}[form]
    with pytest.raises((RuntimeError, TypeError)):
        call()


# ----------------------------------------------------------------------------------------------
# unary math
# ----------------------------------------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])


def np_erfinv(y):
    """erfinv by Newton iterations on math.erf (no scipy)."""
    y = np.asarray(y, dtype=np.float64)
    out = np.full(y.shape, np.nan)
    inside = np.abs(y) < 1
    yi = y[inside]
    # Giles-style starting point, then Newton: x <- x - (erf(x) - y) / erf'(x)
    w = -np.log((1.0 - yi) * (1.0 + yi))
    x = np.sign(yi) * np.sqrt(np.maximum(w, 0.0)) * 0.8
    x = np.where(np.abs(yi) < 0.7, yi * math.sqrt(math.pi) / 2, x)
    for _ in range(100):
        x = x - (_erf(x) - yi) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    out[inside] = x
    out[y == 1] = np.inf
    out[y == -1] = -np.inf
    return out


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def np_gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def np_sign_torch(x):
    return np.where(np.isnan(x), 0.0, np.sign(x))   # torch.sign(nan) == 0


class Unary:
    """name, numpy oracle (float64 -> float64), input domain, behaviour on int and bool inputs.

    int_mode / bool_mode: 'float' -> result float32; 'keep' -> same dtype; 'int64'; 'error'.
    call: how to reach it ('torch' -> rtorch.<name>, 'F' -> rtorch.nn.functional.<name>)."""

    def __init__(self, name, ref, domain=(-3.0, 3.0), int_mode="float", bool_mode="float",
                 call="torch", kwargs=None, inplace=True, special=True, label=None):
        self.name, self.ref, self.domain = name, ref, domain
        self.int_mode, self.bool_mode, self.call = int_mode, bool_mode, call
        self.kwargs = kwargs or {}
        self.inplace = inplace
        self.special = special
        self.label = label or name

    def fn(self):
        if self.call == "F":
            return getattr(nnf(), self.name)
        return getattr(rtorch, self.name)

    def __call__(self, t, **kw):
        return self.fn()(t, **self.kwargs, **kw)


POS = (0.05, 6.0)
UNIT = (-0.99, 0.99)
UNARY = [
    Unary("abs", np.abs, int_mode="keep", bool_mode="error"),
    Unary("neg", np.negative, int_mode="keep", bool_mode="error"),
    Unary("sign", np_sign_torch, int_mode="keep", bool_mode="keep"),
    Unary("exp", np.exp, domain=(-5, 5)),
    Unary("exp2", np.exp2, domain=(-5, 5)),
    Unary("expm1", np.expm1, domain=(-5, 5)),
    Unary("log", np.log, domain=POS),
    Unary("log2", np.log2, domain=POS),
    Unary("log10", np.log10, domain=POS),
    Unary("log1p", np.log1p, domain=(-0.95, 5)),
    Unary("sqrt", np.sqrt, domain=(0.0, 9.0)),
    Unary("rsqrt", lambda x: 1.0 / np.sqrt(x), domain=POS),
    Unary("sin", np.sin),
    Unary("cos", np.cos),
    Unary("tan", np.tan, domain=(-1.4, 1.4)),
    Unary("asin", np.arcsin, domain=UNIT),
    Unary("acos", np.arccos, domain=UNIT),
    Unary("atan", np.arctan, domain=(-5, 5)),
    Unary("sinh", np.sinh, domain=(-4, 4)),
    Unary("cosh", np.cosh, domain=(-4, 4)),
    Unary("tanh", np.tanh),
    Unary("sigmoid", np_sigmoid, domain=(-8, 8)),
    Unary("relu", lambda x: np.where(x > 0, x, np.where(np.isnan(x), x, 0.0)), int_mode="keep",
          bool_mode="error"),
    Unary("erf", _erf),
    Unary("erfinv", np_erfinv, domain=UNIT),
    Unary("floor", np.floor, int_mode="keep", bool_mode="error"),
    Unary("ceil", np.ceil, int_mode="keep", bool_mode="error"),
    Unary("round", np.round, int_mode="keep", bool_mode="error"),
    Unary("trunc", np.trunc, int_mode="keep", bool_mode="error"),
    Unary("frac", lambda x: x - np.trunc(x), int_mode="error", bool_mode="error"),
    Unary("reciprocal", lambda x: 1.0 / x, domain=(0.2, 4.0)),
    Unary("square", np.square, int_mode="keep", bool_mode="int64"),
    Unary("gelu", np_gelu, int_mode="error", bool_mode="error", call="F", inplace=False,
          special=False),
    Unary("gelu", np_gelu_tanh, int_mode="error", bool_mode="error", call="F",
          kwargs={"approximate": "tanh"}, inplace=False, special=False, label="gelu_tanh"),
    Unary("gelu", np_gelu, int_mode="error", bool_mode="error", call="F",
          kwargs={"approximate": "none"}, inplace=False, special=False, label="gelu_none"),
    Unary("silu", lambda x: x * np_sigmoid(x), int_mode="error", bool_mode="error", call="F",
          inplace=False, special=False),
]
UNARY_IDS = [u.label for u in UNARY]


def unary_expected_dtype(u, dtype):
    if is_float(dtype):
        return dtype
    mode = u.int_mode if is_int(dtype) else u.bool_mode
    return {"float": "float32", "keep": dtype, "int64": "int64", "error": None}[mode]


def gen_unary(u, dtype):
    lo, hi = u.domain

    def gen(name, shape, rng):
        v = rng.uniform(lo, hi, shape)
        if is_float(name):
            if u.name == "reciprocal":
                v = v * rng.choice([-1, 1], shape)
            return to_oracle(v, name)
        if name == "bool":
            return rng.integers(0, 2, shape).astype(np.bool_)
        v = np.round(v)
        if name == "uint8":
            v = np.abs(v)
        return v.astype(NP_DTYPES[name])
    return gen


def unary_expected(u, x, res):
    with np.errstate(all="ignore"):
        if category(res) == 2:
            return to_oracle(u.ref(np.asarray(x).astype(np.float64)), res)
        # integer-valued result computed in the integer dtype (wrap-around like torch)
        if res == "bool":           # sign(bool) is the identity
            return np.asarray(x).astype(np.bool_)
        if u.name == "square":
            xi = np.asarray(x).astype(NP_DTYPES[res])
            return (xi * xi).astype(NP_DTYPES[res])
        if u.name in ("abs", "neg", "sign"):
            f = {"abs": np.abs, "neg": np.negative, "sign": np.sign}[u.name]
            return f(np.asarray(x).astype(NP_DTYPES[res])).astype(NP_DTYPES[res])
        if u.name == "relu":
            return np.maximum(x, 0).astype(NP_DTYPES[res])
        return np.asarray(x).astype(NP_DTYPES[res])  # floor/ceil/round/trunc on ints: identity


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("u", UNARY, ids=UNARY_IDS)
def test_unary(u, dtype, layout):
    rng = rng_for("unary", u.label, dtype, layout)
    t, x = layout_tensor(layout, dtype, rng, gen=gen_unary(u, dtype))
    res = unary_expected_dtype(u, dtype)
    if res is None:
        with pytest.raises(RuntimeError):
            u(t)
        return
    out = u(t)
    assert dname(out) == res, f"{u.label}({dtype}) gave {dname(out)}, torch gives {res}"
    assert_close(out, unary_expected(u, x, res))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("u", [u for u in UNARY if u.special], ids=[u.label for u in UNARY
                                                                     if u.special])
def test_unary_special_values(u, dtype):
    x = to_oracle(np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5]),
                  dtype)
    out = u(make(x, dtype))
    exp = unary_expected(u, x, dtype)
    assert_close(out, exp)
    # signed zeros / infinities exactly where the oracle says so
    got = to_numpy(out).astype(np.float64)
    e64 = exp.astype(np.float64)
    assert np.array_equal(np.isinf(got), np.isinf(e64)), (got, e64)
    assert np.array_equal(np.isnan(got), np.isnan(e64)), (got, e64)


METHOD_UNARY = [u for u in UNARY if u.call == "torch"]


@pytest.mark.parametrize("mode", ["method", "inplace", "out", "out_noncontig"])
@pytest.mark.parametrize("u", METHOD_UNARY, ids=[u.label for u in METHOD_UNARY])
def test_unary_forms(u, mode):
    dtype = "float32"
    rng = rng_for("uforms", u.label, mode)
    t, x = layout_tensor("transposed", dtype, rng, gen=gen_unary(u, dtype))
    exp = unary_expected(u, x, dtype)
    if mode == "method":
        assert_close(getattr(t, u.name)(), exp)
    elif mode == "inplace":
        r = getattr(t, u.name + "_")()
        assert_close(t, exp)
        assert r is t or r.data_ptr() == t.data_ptr()
    elif u.name == "relu":
        pytest.skip("torch.relu has no out= overload")
    elif mode == "out":
        o = rtorch.empty(3, 4)
        getattr(rtorch, u.name)(t, out=o)
        assert_close(o, exp)
    else:
        base = rtorch.zeros(6, 4)
        o = base[::2]
        getattr(rtorch, u.name)(t, out=o)
        assert_close(o, exp)
        assert_close(base[1::2], np.zeros((3, 4), np.float32))


@pytest.mark.parametrize("u", [u for u in METHOD_UNARY if u.int_mode == "float"],
                         ids=[u.label for u in METHOD_UNARY if u.int_mode == "float"])
def test_unary_inplace_float_result_on_int_raises(u):
    t = make(np.array([1, 2, 3]), "int64")
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        getattr(t, u.name + "_")()


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_unary_int_keep_inplace(dtype):
    rng = rng_for("ukeep", dtype)
    x = gen_general(dtype, (3, 4), rng)
    t = make(x, dtype)
    t.abs_()
    assert_close(t, np.abs(x).astype(NP_DTYPES[dtype]))
    t.neg_()
    with np.errstate(all="ignore"):
        assert_close(t, np.negative(np.abs(x)).astype(NP_DTYPES[dtype]))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_gelu_silu_large_range(dtype, approximate):
    x = to_oracle(np.linspace(-12, 12, 97), dtype)
    ref = np_gelu if approximate == "none" else np_gelu_tanh
    assert_close(nnf().gelu(make(x, dtype), approximate=approximate),
                 to_oracle(ref(x.astype(np.float64)), dtype))
    with np.errstate(over="ignore"):
        assert_close(nnf().silu(make(x, dtype)),
                     to_oracle(x.astype(np.float64) * np_sigmoid(x.astype(np.float64)), dtype))


def test_sigmoid_extreme_values_stable():
    x = np.array([-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0], np.float32)
    with np.errstate(over="ignore"):
        exp = np_sigmoid(x.astype(np.float64)).astype(np.float32)
    out = rtorch.sigmoid(make(x, "float32"))
    assert_close(out, exp)
    assert not np.isnan(to_numpy(out)).any()


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, -1, -2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_decimals(dtype, decimals):
    x = np.array([0.125, 0.375, 0.625, 0.875, -0.125, 1.5, 2.5, -2.5, 12.5, 125.0, 135.0, 1234.5678,
                  -0.0, 3.14159], dtype=NP_DTYPES[dtype])
    # torch: nearbyint(x * 10**d) / 10**d (d >= 0), nearbyint(x / 10**-d) * 10**-d (d < 0)
    if decimals >= 0:
        p = NP_DTYPES[dtype](10.0 ** decimals)
        exp = np.rint(x * p) / p
    else:
        p = NP_DTYPES[dtype](10.0 ** -decimals)
        exp = np.rint(x / p) * p
    out = rtorch.round(make(x, dtype), decimals=decimals)
    assert_close(out, exp.astype(NP_DTYPES[dtype]))
    assert_close(make(x, dtype).round(decimals=decimals), exp.astype(NP_DTYPES[dtype]))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_round_half_to_even(dtype):
    x = to_oracle(np.array([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49, 1.51, -3.5]), dtype)
    assert_close(rtorch.round(make(x, dtype)), np.round(x))
    assert to_numpy(rtorch.round(make(x, dtype))).astype(np.float64)[:7].tolist() == \
        [0.0, 2.0, 2.0, 4.0, -0.0, -2.0, -2.0]


def test_round_decimals_on_int_raises():
    with pytest.raises(RuntimeError):
        rtorch.round(make(np.array([125, 135]), "int64"), decimals=-1)


# ----------------------------------------------------------------------------------------------
# clamp / clip
# ----------------------------------------------------------------------------------------------

CLAMP_DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
                "uint8"]


@pytest.mark.parametrize("fname", ["clamp", "clip"])
@pytest.mark.parametrize("bounds", [(-1, 2), (None, 1), (0, None), (3, 1), (-0.5, 0.75)],
                         ids=["both", "max_only", "min_only", "min_gt_max", "float_bounds"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "sliced", "expanded", "zero_dim",
                                    "empty"])
@pytest.mark.parametrize("dtype", CLAMP_DTYPES)
def test_clamp_scalar_bounds(dtype, layout, bounds, fname):
    lo, hi = bounds
    if dtype == "uint8" and isinstance(lo, int) and lo < 0:
        lo = 0  # a negative int bound would wrap when cast to uint8
    bounds = (lo, hi)
    rng = rng_for("clamp", dtype, layout, bounds)
    t, x = layout_tensor(layout, dtype, rng)
    res = result_type(("dim", dtype), *[b for b in bounds if b is not None])
    xr = x.astype(np.float64) if category(res) == 2 else x.astype(NP_DTYPES[res])
    exp = xr
    if lo is not None:
        exp = np.maximum(exp, lo)
    if hi is not None:
        exp = np.minimum(exp, hi)
    exp = to_oracle(exp, res)
    assert_close(getattr(rtorch, fname)(t, lo, hi), exp)
    assert_close(getattr(t, fname)(min=lo, max=hi), exp)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_clamp_nan_propagates(dtype):
    x = to_oracle(np.array([np.nan, -5.0, 0.5, 5.0, np.inf, -np.inf]), dtype)
    assert_close(rtorch.clamp(make(x, dtype), -1, 1), np.minimum(np.maximum(x, -1), 1).astype(x.dtype))


def test_clamp_no_bounds_raises():
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        rtorch.clamp(make(np.ones(3, np.float32), "float32"))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bfloat16"])
def test_clamp_tensor_bounds_broadcast(dtype):
    rng = rng_for("clampt", dtype)
    x = gen_general(dtype, (3, 4), rng)
    lo = gen_general(dtype, (4,), rng)
    hi = gen_general(dtype, (3, 1), rng)
    t = make(x, dtype)
    exp = np.minimum(np.maximum(x, lo), hi)
    assert_close(rtorch.clamp(t, make(lo, dtype), make(hi, dtype)), exp)
    assert_close(rtorch.clamp(t.t().t(), min=make(lo, dtype)), np.maximum(x, lo))
    assert_close(rtorch.clamp(t, max=make(hi, dtype)), np.minimum(x, hi))


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_clamp_inplace_and_out(dtype):
    rng = rng_for("clampip", dtype)
    t, x = layout_tensor("sliced", dtype, rng)
    exp = np.minimum(np.maximum(x, -2), 2).astype(x.dtype)
    o = rtorch.empty(4, 4, dtype=dt(dtype))
    rtorch.clamp(t, -2, 2, out=o)
    assert_close(o, exp)
    t.clamp_(-2, 2)
    assert_close(t, exp)
    u = make(x, dtype)
    u.clamp_(min=-2)
    assert_close(u, np.maximum(x, -2).astype(x.dtype))


def test_clamp_int_tensor_float_bound_promotes():
    x = np.array([1, 5, -3], np.int64)
    out = rtorch.clamp(make(x, "int64"), 2.5)
    assert dname(out) == "float32"
    assert_close(out, np.maximum(x, 2.5).astype(np.float32))


# ----------------------------------------------------------------------------------------------
# where / masked_fill
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("db", ALL_DTYPES)
@pytest.mark.parametrize("da", ALL_DTYPES)
def test_where_tensors_promote_and_broadcast(da, db):
    rng = rng_for("where", da, db)
    cond = rng.integers(0, 2, (3, 1)).astype(np.bool_)
    x = gen_general(da, (4,), rng)
    y = gen_general(db, (2, 1, 1), rng)
    res = promote(da, db)
    out = rtorch.where(make(cond, "bool"), make(x, da), make(y, db))
    assert dname(out) == res
    exp = np.where(cond, x.astype(np.float64) if category(res) == 2 else x.astype(NP_DTYPES[res]),
                   y.astype(np.float64) if category(res) == 2 else y.astype(NP_DTYPES[res]))
    assert_close(out, to_oracle(exp, res))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int64", "uint8", "bool"])
def test_where_layouts(dtype, layout):
    rng = rng_for("wherel", dtype, layout)
    t, x = layout_tensor(layout, dtype, rng)
    c, cv = layout_tensor(layout, "bool", rng)
    u, y = layout_tensor(layout, dtype, rng)
    exp = np.where(cv, x, y)
    assert_close(rtorch.where(c, t, u), exp)
    assert_close(t.where(c, u), exp)


@pytest.mark.parametrize("other", [2, 2.5, True], ids=["int", "float", "bool"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_where_with_scalar(dtype, other):
    rng = rng_for("wheres", dtype, repr(other))
    cond = rng.integers(0, 2, (3, 4)).astype(np.bool_)
    x = gen_general(dtype, (3, 4), rng)
    res = result_type(("dim", dtype), other)
    cast = (lambda v: np.asarray(v).astype(np.float64)) if category(res) == 2 else \
        (lambda v: np.asarray(v).astype(NP_DTYPES[res]))
    c, t = make(cond, "bool"), make(x, dtype)
    out = rtorch.where(c, t, other)
    assert dname(out) == res
    assert_close(out, to_oracle(np.where(cond, cast(x), cast(other)), res))
    out = rtorch.where(c, other, t)
    assert dname(out) == res
    assert_close(out, to_oracle(np.where(cond, cast(other), cast(x)), res))


@pytest.mark.parametrize("a,b,expected", [(1, 2.5, "float32"), (1, 2, "int64"),
                                          (1.0, 2.0, "float32"), (True, False, "bool")])
def test_where_two_scalars(a, b, expected):
    cond = np.array([True, False, True])
    out = rtorch.where(make(cond, "bool"), a, b)
    assert dname(out) == expected
    assert_close(out, np.where(cond, a, b).astype(NP_DTYPES[expected]))


def test_where_condition_must_be_bool():
    with pytest.raises(RuntimeError, match="boolean"):
        rtorch.where(make(np.array([1, 0]), "int64"), make(np.array([1.0, 2.0]), "float32"),
                     make(np.array([3.0, 4.0]), "float32"))


@pytest.mark.parametrize("layout", WRITABLE_LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_masked_fill(dtype, layout):
    rng = rng_for("mfill", dtype, layout)
    t, x = layout_tensor(layout, dtype, rng)
    mask = rng.integers(0, 2, x.shape).astype(np.bool_)
    value = True if dtype == "bool" else (3 if is_int(dtype) else -1.5)
    exp = np.where(mask, np.asarray(value).astype(x.dtype), x)
    out = t.masked_fill(make(mask, "bool"), value)
    assert dname(out) == dtype
    assert_close(out, exp)
    assert_close(t, x)                      # out-of-place leaves the input alone
    r = t.masked_fill_(make(mask, "bool"), value)
    assert_close(t, exp)


def test_masked_fill_broadcast_mask_and_tensor_value():
    rng = rng_for("mfill_b")
    x = gen_general("float32", (3, 4), rng)
    mask = np.array([True, False, False, True])
    out = make(x, "float32").masked_fill(make(mask, "bool"), make(np.array(7.0), "float64"))
    assert dname(out) == "float32"
    assert_close(out, np.where(mask, np.float32(7.0), x))
    out = rtorch.masked_fill(make(x, "float32"), make(mask[:, None][:3], "bool"), 0.0)
    assert_close(out, np.where(mask[:, None][:3], np.float32(0.0), x))


def test_masked_fill_non_bool_mask_raises():
    with pytest.raises(RuntimeError, match="boolean"):
        make(np.array([1, 2]), "int64").masked_fill(make(np.array([1, 0]), "int64"), 2)


# ----------------------------------------------------------------------------------------------
# lerp, maximum / minimum, atan2
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("weight", [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, -0.5, "tensor"], ids=repr)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_lerp(dtype, weight):
    rng = rng_for("lerp", dtype, repr(weight))
    a, x, b, y = pair_tensors("broadcast_row_col", dtype, dtype, rng)
    if weight == "tensor":
        w = to_oracle(rng.uniform(-0.5, 1.5, (3, 4)), dtype)
        wt = make(w, dtype)
    else:
        w, wt = weight, weight
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    exp = to_oracle(x64 + np.asarray(w, np.float64) * (y64 - x64), dtype)
    assert_close(rtorch.lerp(a, b, wt), exp)
    assert_close(a.lerp(b, wt), exp)
    if weight == "tensor":
        return
    c = a.expand(3, 4).clone()
    c.lerp_(b, wt)
    assert_close(c, exp)


def test_lerp_int_raises():
    a = make(np.array([1, 2]), "int64")
    with pytest.raises(RuntimeError):
        rtorch.lerp(a, a, 0.5)


MAXMIN = [("maximum", np.maximum), ("minimum", np.minimum)]


@pytest.mark.parametrize("layout", PAIR_LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name,np_fn", MAXMIN, ids=["maximum", "minimum"])
def test_maximum_minimum(name, np_fn, dtype, layout):
    rng = rng_for("maxmin", name, dtype, layout)
    a, x, b, y = pair_tensors(layout, dtype, dtype, rng)
    exp = np_fn(x, y)
    assert_close(getattr(rtorch, name)(a, b), exp)
    assert_close(getattr(a, name)(b), exp)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name,np_fn", MAXMIN, ids=["maximum", "minimum"])
def test_maximum_minimum_nan_propagates(name, np_fn, dtype):
    x = to_oracle(np.array([np.nan, 1.0, np.nan, -np.inf, 2.0]), dtype)
    y = to_oracle(np.array([1.0, np.nan, np.nan, 3.0, np.inf]), dtype)
    assert_close(getattr(rtorch, name)(make(x, dtype), make(y, dtype)), np_fn(x, y))


@pytest.mark.parametrize("name,np_fn", MAXMIN, ids=["maximum", "minimum"])
def test_maximum_minimum_promotion(name, np_fn):
    x = np.array([1, 5, -2], np.int64)
    y = np.array([1.5, 4.0, -2.5], np.float32)
    out = getattr(rtorch, name)(make(x, "int64"), make(y, "float32"))
    assert dname(out) == "float32"
    assert_close(out, np_fn(x.astype(np.float32), y))
    x8 = np.array([200, 3], np.uint8)
    y8 = np.array([-100, 4], np.int8)
    out = getattr(rtorch, name)(make(x8, "uint8"), make(y8, "int8"))
    assert dname(out) == "int16"
    assert_close(out, np_fn(x8.astype(np.int16), y8.astype(np.int16)))


@pytest.mark.parametrize("layout", PAIR_LAYOUTS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_atan2(dtype, layout):
    rng = rng_for("atan2", dtype, layout)
    a, x, b, y = pair_tensors(layout, dtype, dtype, rng)
    res = dtype if is_float(dtype) else "float32"
    exp = to_oracle(np.arctan2(x.astype(np.float64), y.astype(np.float64)), res)
    assert_close(rtorch.atan2(a, b), exp)
    assert_close(a.atan2(b), exp)
    assert_close(rtorch.arctan2(a, b), exp)


def test_atan2_special_and_inplace():
    x = np.array([0.0, -0.0, 1.0, -1.0, np.inf, np.nan, 0.0], np.float32)
    y = np.array([0.0, -1.0, 0.0, -np.inf, np.inf, 1.0, -0.0], np.float32)
    exp = np.arctan2(x, y)
    t = make(x, "float32")
    assert_close(rtorch.atan2(t, make(y, "float32")), exp)
    t.atan2_(make(y, "float32"))
    assert_close(t, exp)


# ----------------------------------------------------------------------------------------------
# isnan / isinf / isfinite / nan_to_num
# ----------------------------------------------------------------------------------------------

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -3.0, 65504.0, 1e30])


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "sliced", "zero_dim", "empty"])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name,np_fn", [("isnan", np.isnan), ("isinf", np.isinf),
                                        ("isfinite", np.isfinite)], ids=["isnan", "isinf",
                                                                         "isfinite"])
def test_isnan_isinf_isfinite(name, np_fn, dtype, layout):
    rng = rng_for("isx", name, dtype, layout)

    def gen(n, shape, r):
        if is_float(n):
            with np.errstate(over="ignore"):
                return to_oracle(r.choice(SPECIAL, shape), n)
        return gen_general(n, shape, r)
    t, x = layout_tensor(layout, dtype, rng, gen=gen)
    exp = np_fn(x.astype(np.float64)) if is_float(dtype) else np_fn(x)
    out = getattr(rtorch, name)(t)
    assert dname(out) == "bool"
    assert_close(out, exp)
    assert_close(getattr(t, name)(), exp)


@pytest.mark.parametrize("args", [{}, {"nan": 1.5}, {"nan": 0.0, "posinf": 100.0},
                                  {"neginf": -7.0}, {"nan": -1.0, "posinf": 2.0, "neginf": -2.0}],
                         ids=["default", "nan", "nan_posinf", "neginf", "all"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_nan_to_num(dtype, args):
    x = to_oracle(np.array([[np.nan, np.inf, -np.inf], [0.5, -2.0, np.nan]]), dtype)
    if dtype == "bfloat16":
        big = float(np.float32(2 ** 127 * (2 - 2 ** -7)))
    else:
        big = float(np.finfo(NP_DTYPES[dtype]).max)
    nan = args.get("nan", 0.0)
    posinf = args.get("posinf", big)
    neginf = args.get("neginf", -big)
    x64 = x.astype(np.float64)
    exp = np.where(np.isnan(x64), nan, np.where(x64 == np.inf, posinf,
                                                np.where(x64 == -np.inf, neginf, x64)))
    exp = to_oracle(exp, dtype)
    t = make(x, dtype)
    assert_close(rtorch.nan_to_num(t, **args), exp)
    assert_close(t.t().nan_to_num(**args), exp.T)
    t.nan_to_num_(**args)
    assert_close(t, exp)


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_nan_to_num_int_is_identity(dtype):
    x = gen_general(dtype, (5,), rng_for("n2n", dtype))
    out = rtorch.nan_to_num(make(x, dtype))
    assert dname(out) == dtype
    assert_close(out, x)


# ----------------------------------------------------------------------------------------------
# oracle cross-checks against the real PyTorch (skipped when torch is not installed)
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("db", ALL_DTYPES)
@pytest.mark.parametrize("da", ALL_DTYPES)
def test_promotion_matches_torch(torch_ref, da, db):
    for kind_b in ("dim", "zero"):
        shape_b = (3,) if kind_b == "dim" else ()
        ra = rtorch.ones(3, dtype=dt(da))
        rb = rtorch.ones(shape_b, dtype=dt(db))
        ta = torch_ref.ones(3, dtype=getattr(torch_ref, da))
        tb = torch_ref.ones(shape_b, dtype=getattr(torch_ref, db))
        assert str(rtorch.result_type(ra, rb)).replace("torch.", "") == \
            str(torch_ref.result_type(ta, tb)).replace("torch.", "")
        for s in (2, 2.5, True):
            assert dname(ra * s) == str((ta * s).dtype).replace("torch.", "")


@pytest.mark.parametrize("u", UNARY, ids=UNARY_IDS)
def test_unary_matches_torch(torch_ref, u):
    for dtype in ALL_DTYPES:
        x = gen_unary(u, dtype)(dtype, (4, 5), rng_for("ut", u.label, dtype))
        fn_t = (getattr(torch_ref.nn.functional, u.name) if u.call == "F"
                else getattr(torch_ref, u.name))
        ref_in = torch_ref.from_numpy(np.array(x, copy=True))
        if dtype == "bfloat16":
            ref_in = ref_in.to(torch_ref.bfloat16)
        try:
            ref = fn_t(ref_in, **u.kwargs)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                u(make(x, dtype))
            continue
        out = u(make(x, dtype))
        assert dname(out) == str(ref.dtype).replace("torch.", "")
        assert_close(out, ref.float().numpy() if dtype == "bfloat16" else ref.numpy(),
                     check_dtype=dtype != "bfloat16")


# ----------------------------------------------------------------------------------------------------------
# float16 / bfloat16 rounding (numpy oracle: float32 arithmetic, then round-to-nearest-even)
# ----------------------------------------------------------------------------------------------------------
def _round_bf16(x: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 (round to nearest, ties to even), returned as float32."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(np.float32)


def _round_to(name: str, x: np.ndarray) -> np.ndarray:
    return x.astype(np.float16).astype(np.float32) if name == "float16" else _round_bf16(x)


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_float32_to_reduced_float_rounds_to_nearest_even(name):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(200_000).astype(np.float32)
    x[0] = np.array([0x40028005], dtype=np.uint32).view(np.float32)[0]  # sticky bits below the cut
    got = rtorch.from_numpy(x).to(getattr(rtorch, name)).float().numpy()
    np.testing.assert_array_equal(got, _round_to(name, x))


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", ["mul", "rmul", "div", "rdiv", "div_"])
def test_reduced_float_with_python_number_computes_in_float32(name, op):
    """As torch: the number stays unrounded, the product is taken in float32 and rounded once;
    ``s / x`` is ``x.reciprocal() * s``."""
    rng = np.random.default_rng(8)
    x = _round_to(name, rng.standard_normal(50_000).astype(np.float32))
    s = 0.3
    t = rtorch.from_numpy(x).to(getattr(rtorch, name))
    got = {"mul": lambda: t * s, "rmul": lambda: s * t, "div": lambda: t / s, "rdiv": lambda: s / t,
           "div_": lambda: t.clone().div_(s)}[op]().float().numpy()
    f32 = np.float32(s)
    with np.errstate(divide="ignore"):
        want = {"mul": lambda: x * f32, "rmul": lambda: x * f32, "div": lambda: x / f32,
                "rdiv": lambda: _round_to(name, np.float32(1) / x) * f32, "div_": lambda: x / f32}[op]()
    np.testing.assert_array_equal(got, _round_to(name, want))

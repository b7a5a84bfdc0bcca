"""Utilities: finfo/iinfo, isclose/allclose/equal (and their Tensor methods), can_cast, where(condition),
get_rng_state/set_rng_state, and torch.testing's assert_close/make_tensor.

Tests taking the ``lib`` fixture run the same code on rtorch and on PyTorch (which validates the spec); numpy is
the value oracle (np.finfo/np.iinfo, np.isclose computed in float64, np.array_equal, np.nonzero, numpy's
same_kind casting).  Tests taking ``torch_ref`` compare rtorch with PyTorch directly on equivalent inputs: every
finfo/iinfo attribute and repr, can_cast over every dtype pair, isclose on values straddling the tolerance, and
the exact exception type and message text of assert_close and of the argument checks.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import rtorch
from conftest import (ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NP_DTYPES, TOLS, N, T, dname, np_vals, rng_for,
                      to_oracle)

NAN, INF = float("nan"), float("inf")
NP_FINFO = {"float32": np.float32, "float64": np.float64, "float16": np.float16}


def outcome(fn):
    """(exception type name, message) raised by fn(), or ("ok", result) when it returns.

    Class reprs in messages name the module: ``<class 'rtorch.Tensor'>`` is read as ``<class 'torch.Tensor'>``.
    """
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the exception itself is the result being compared
        return (type(e).__name__, str(e).replace("<class 'rtorch.", "<class 'torch."))


def both(torch, fn):
    """fn(rtorch) and fn(torch): (exception type, message) pairs, or ("ok", value) pairs."""
    return outcome(lambda: fn(rtorch)), outcome(lambda: fn(torch))


def bf16_bits(bits: int) -> float:
    """The float value of the bfloat16 with the given 16-bit pattern (through float32's upper half)."""
    return float(np.array([bits << 16], dtype=np.uint32).view(np.float32)[0])


# ----------------------------------------------------------------------------------------------------------
# finfo / iinfo
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FLOAT_DTYPES)
def test_finfo_matches_numpy_and_bit_patterns(name):
    f = rtorch.finfo(getattr(rtorch, name))
    if name == "bfloat16":  # numpy has no bfloat16: its limits from bit patterns
        eps, fmax, tiny, bits = bf16_bits(0x3F81) - 1.0, bf16_bits(0x7F7F), bf16_bits(0x0080), 16
        resolution = 10.0 ** -math.floor(-math.log10(eps))  # numpy's definition of resolution
        assert f.resolution == pytest.approx(resolution, rel=1e-12)
    else:
        nf = np.finfo(NP_FINFO[name])
        eps, fmax, tiny, bits = float(nf.eps), float(nf.max), float(nf.tiny), nf.bits
        assert NP_FINFO[name](f.resolution) == nf.resolution  # numpy holds it in the dtype itself
    assert (f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal) == (bits, eps, fmax, -fmax, tiny, tiny)
    assert f.dtype == name
    for attr in ("eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert type(getattr(f, attr)) is float
    assert type(f.bits) is int


@pytest.mark.parametrize("name", FLOAT_DTYPES)
def test_finfo_values_behave_in_the_dtype(name):
    """eps is the gap above 1, max is the largest finite value and tiny the smallest normal, in rtorch's own dtype."""
    d = getattr(rtorch, name)
    f = rtorch.finfo(d)
    one = rtorch.tensor([1.0], dtype=d)
    assert bool(((one + f.eps) != one).all())
    assert bool(((one + f.eps / 2) == one).all())
    big = rtorch.tensor([f.max, f.min], dtype=d)
    assert N(big).tolist() == [f.max, f.min]
    assert bool(((big * 2).isinf()).all())
    assert N(rtorch.tensor([f.tiny], dtype=d)).tolist() == [f.tiny]


@pytest.mark.parametrize("name", INT_DTYPES)
def test_iinfo_matches_numpy(name):
    i = rtorch.iinfo(getattr(rtorch, name))
    ni = np.iinfo(NP_DTYPES[name])
    assert (i.bits, i.min, i.max, i.dtype) == (ni.bits, int(ni.min), int(ni.max), name)
    assert type(i.min) is int and type(i.max) is int


def test_finfo_default_dtype_and_python_types():
    assert rtorch.finfo() == rtorch.finfo(rtorch.get_default_dtype())
    old = rtorch.get_default_dtype()
    try:
        rtorch.set_default_dtype(rtorch.float64)
        assert rtorch.finfo().dtype == "float64"
    finally:
        rtorch.set_default_dtype(old)
    assert rtorch.finfo(float).dtype == "float64"
    assert rtorch.iinfo(int).dtype == "int64"
    assert rtorch.finfo(type=rtorch.float16).dtype == "float16"


def test_finfo_iinfo_equality_and_immutability():
    assert rtorch.finfo(rtorch.float32) == rtorch.finfo(rtorch.float32)
    assert rtorch.finfo(rtorch.float32) != rtorch.finfo(rtorch.float64)
    assert rtorch.iinfo(rtorch.int8) == rtorch.iinfo(rtorch.int8)
    assert rtorch.iinfo(rtorch.int8) != rtorch.iinfo(rtorch.uint8)
    assert rtorch.finfo(rtorch.float32) != 3
    assert hash(rtorch.finfo(rtorch.float16)) == hash(rtorch.finfo(rtorch.float16))
    with pytest.raises(AttributeError):
        rtorch.finfo(rtorch.float32).eps = 1.0
    with pytest.raises(AttributeError):
        rtorch.iinfo(rtorch.int32).max = 1


@pytest.mark.parametrize("name", FLOAT_DTYPES)
def test_finfo_vs_torch(torch_ref, name):
    f, g = rtorch.finfo(getattr(rtorch, name)), torch_ref.finfo(getattr(torch_ref, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(f, attr) == getattr(g, attr), attr
        assert type(getattr(f, attr)) is type(getattr(g, attr)), attr
    assert repr(f) == repr(g)
    assert str(f) == str(g)


@pytest.mark.parametrize("name", INT_DTYPES)
def test_iinfo_vs_torch(torch_ref, name):
    i, j = rtorch.iinfo(getattr(rtorch, name)), torch_ref.iinfo(getattr(torch_ref, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(i, attr) == getattr(j, attr), attr
        assert type(getattr(i, attr)) is type(getattr(j, attr)), attr
    assert repr(i) == repr(j)
    assert str(i) == str(j)


def test_finfo_default_vs_torch(torch_ref):
    assert repr(rtorch.finfo()) == repr(torch_ref.finfo())
    for py in (float, int, bool):
        got, want = both(torch_ref, lambda lib: repr(lib.finfo(py)))
        assert got == want
        got, want = both(torch_ref, lambda lib: repr(lib.iinfo(py)))
        assert got == want


@pytest.mark.parametrize("call", [
    lambda lib: lib.finfo(lib.int32),
    lambda lib: lib.finfo(lib.uint8),
    lambda lib: lib.finfo(lib.bool),
    lambda lib: lib.iinfo(lib.float32),
    lambda lib: lib.iinfo(lib.bfloat16),
    lambda lib: lib.iinfo(lib.bool),
    lambda lib: lib.finfo("float32"),
    lambda lib: lib.finfo(None),
    lambda lib: lib.finfo(3),
    lambda lib: lib.iinfo("int8"),
    lambda lib: lib.iinfo(float),
    lambda lib: lib.finfo(int),
    lambda lib: lib.finfo(bool),
    lambda lib: lib.iinfo(bool),
])
def test_finfo_iinfo_errors_vs_torch(torch_ref, call):
    got, want = both(torch_ref, call)
    assert want[0] == "TypeError"
    assert got == want


@pytest.mark.parametrize("call", [lambda lib: lib.finfo(lib.int64), lambda lib: lib.iinfo(lib.float64)])
def test_finfo_iinfo_wrong_kind_raises_type_error(call):
    with pytest.raises(TypeError, match="requires an? (floating point|integer) input type"):
        call(rtorch)


# ----------------------------------------------------------------------------------------------------------
# can_cast
# ----------------------------------------------------------------------------------------------------------
def np_can_cast(a: str, b: str) -> bool:
    """numpy's same_kind casting with signed and unsigned integers as one kind (bfloat16 as float32)."""
    na, nb = np.dtype(NP_DTYPES[a]), np.dtype(NP_DTYPES[b])
    if na.kind in "iu" and nb.kind in "iu":
        return True
    return bool(np.can_cast(na, nb, "same_kind"))


@pytest.mark.parametrize("src", ALL_DTYPES)
def test_can_cast_every_pair_vs_numpy(src):
    for dst in ALL_DTYPES:
        assert rtorch.can_cast(getattr(rtorch, src), getattr(rtorch, dst)) is np_can_cast(src, dst), (src, dst)


def test_can_cast_every_pair_vs_torch(torch_ref):
    for src in ALL_DTYPES:
        for dst in ALL_DTYPES:
            want = torch_ref.can_cast(getattr(torch_ref, src), getattr(torch_ref, dst))
            assert rtorch.can_cast(getattr(rtorch, src), getattr(rtorch, dst)) is want, (src, dst)
    for src in (float, int, bool):
        for dst in ALL_DTYPES + [float, int, bool]:
            d = dst if isinstance(dst, type) else getattr(rtorch, dst)
            td = dst if isinstance(dst, type) else getattr(torch_ref, dst)
            assert rtorch.can_cast(src, d) is torch_ref.can_cast(src, td), (src, dst)
            assert rtorch.can_cast(d, src) is torch_ref.can_cast(td, src), (dst, src)


@pytest.mark.parametrize("call", [
    lambda lib: lib.can_cast(1, lib.int32),
    lambda lib: lib.can_cast(lib.float32, "int32"),
    lambda lib: lib.can_cast(from_=lib.float32, to=lib.float64),
    lambda lib: lib.can_cast(lib.int8, to=lib.bool),
])
def test_can_cast_arguments_vs_torch(torch_ref, call):
    got, want = both(torch_ref, call)
    assert got == want


# ----------------------------------------------------------------------------------------------------------
# isclose / allclose / equal
# ----------------------------------------------------------------------------------------------------------
def np_isclose(a, b, rtol, atol, equal_nan=False):
    """torch's documented closeness in float64 with numpy (the oracle for values away from the tolerance
    boundary): equal, or a finite ``|a - b| <= atol + |rtol * b|``; NaNs equal only with ``equal_nan``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - b)
        close = (a == b) | (np.isfinite(diff) & (diff <= atol + np.abs(rtol * b)))
    if equal_nan:
        close |= np.isnan(a) & np.isnan(b)
    return close


def close_pairs(name, shape, seed, rtol, atol):
    """Values a, b of dtype `name` whose differences are 0, 0.3x or 3x the allowed error: never near the boundary."""
    rng = rng_for(name, shape, seed)
    b = np_vals(shape, name, seed=seed).astype(np.float64)
    if name == "bool":
        return to_oracle(rng.integers(0, 2, shape).astype(bool), name), to_oracle(b, name)
    allowed = atol + rtol * np.abs(b)
    factor = rng.choice([0.0, 0.3, 3.0], size=shape)
    sign = rng.choice([-1.0, 1.0], size=shape)
    a = b + sign * factor * allowed
    if name in INT_DTYPES:
        a = np.round(a)
        info = np.iinfo(NP_DTYPES[name])
        a = np.clip(a, info.min, info.max)
    return to_oracle(a, name), to_oracle(b, name)


ISCLOSE_TOLS = [(1e-05, 1e-08), (0.1, 0.0), (0.0, 0.5), (0.05, 2.0)]


@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("tol", ISCLOSE_TOLS, ids=str)
def test_isclose_values(lib, name, tol):
    rtol, atol = tol
    a, b = close_pairs(name, (3, 4, 5), 0, rtol, atol)
    got = lib.isclose(T(lib, a, name), T(lib, b, name), rtol=rtol, atol=atol)
    assert dname(got) == "bool" and tuple(got.shape) == (3, 4, 5)
    np.testing.assert_array_equal(N(got), np_isclose(a, b, rtol, atol))
    # Tensor method and allclose agree with the function
    np.testing.assert_array_equal(N(T(lib, a, name).isclose(T(lib, b, name), rtol, atol)), N(got))
    assert lib.allclose(T(lib, a, name), T(lib, b, name), rtol, atol) is bool(N(got).all())
    assert T(lib, b, name).allclose(T(lib, b, name), rtol=rtol, atol=atol) is True


@pytest.mark.parametrize("name", FLOAT_DTYPES)
@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_nan_inf(lib, name, equal_nan):
    a = to_oracle([NAN, NAN, 1.0, INF, -INF, INF, INF, 1e30 if name != "float16" else 6e4, 0.0, -0.0], name)
    b = to_oracle([NAN, 1.0, NAN, INF, -INF, -INF, 1.0, INF, -0.0, 0.0], name)
    got = lib.isclose(T(lib, a, name), T(lib, b, name), rtol=1e-5, atol=1e-8, equal_nan=equal_nan)
    np.testing.assert_array_equal(N(got), np_isclose(a, b, 1e-5, 1e-8, equal_nan))
    # infinite tolerances still do not make inf close to -inf or nan close to anything
    got = lib.isclose(T(lib, a, name), T(lib, b, name), rtol=INF, atol=INF, equal_nan=equal_nan)
    np.testing.assert_array_equal(N(got), np_isclose(a, b, INF, INF, equal_nan))
    assert not N(got)[5]  # inf is never close to -inf


@pytest.mark.parametrize("shapes", [((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (5,)), ((0, 3), (1, 3)), ((), ())],
                         ids=str)
@pytest.mark.parametrize("name", ["float32", "int16", "bfloat16"])
def test_isclose_broadcasting_zero_dim_and_empty(lib, shapes, name):
    sa, sb = shapes
    a, b = np_vals(sa, name, seed=1), np_vals(sb, name, seed=2)
    got = lib.isclose(T(lib, a, name), T(lib, b, name), rtol=0.1, atol=1.0)
    want = np_isclose(a, b, 0.1, 1.0)
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(N(got), want)
    assert lib.allclose(T(lib, a, name), T(lib, b, name), 0.1, 1.0) is bool(want.all())


@pytest.mark.parametrize("kind", ["transposed", "sliced", "expanded"])
def test_isclose_layouts(lib, kind):
    from conftest import lay
    x, xa = lay(lib, kind, "float64")
    y = T(lib, xa + 1e-9, "float64")
    np.testing.assert_array_equal(N(lib.isclose(x, y)), np_isclose(xa, xa + 1e-9, 1e-5, 1e-8))
    assert lib.equal(x, T(lib, xa, "float64")) is True


@pytest.mark.parametrize("name", ["int8", "uint8", "int16", "int32", "int64", "bool"])
def test_isclose_integers_do_not_wrap(lib, name):
    """Integer differences are not taken modulo 2**bits (torch compares in the default float dtype)."""
    info = np.iinfo(NP_DTYPES[name]) if name != "bool" else None
    if name == "bool":
        a, b = np.array([True, False, True]), np.array([False, False, True])
    else:
        a = np.array([info.max, info.min, info.max, 0], dtype=NP_DTYPES[name])
        b = np.array([info.min, info.max, info.max - 1, info.max], dtype=NP_DTYPES[name])
    for rtol, atol in [(0.0, 1.0), (0.0, 60.0), (0.5, 0.0), (0.0, 1e30)]:
        got = lib.isclose(T(lib, a, name), T(lib, b, name), rtol=rtol, atol=atol)
        np.testing.assert_array_equal(N(got), np_isclose(a, b, rtol, atol), err_msg=str((rtol, atol)))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_isclose_vs_torch_at_the_boundary(torch_ref, name):
    """Random pairs straddling atol + rtol * |other| (computed in the dtype): exactly torch's verdicts."""
    rng = rng_for("boundary", name)
    quarters = rng.integers(-50, 51, 400) / 4.0
    continuous = rng.standard_normal(400) * 10.0 ** rng.integers(-3, 4, 400)
    for b, (rtol, atol) in [(b, tol) for b in (quarters, continuous)
                            for tol in [(1e-5, 1e-8), (1e-3, 1e-5), (0.1, 0.25), (0.0, 1.0), (0.5, 0.0),
                                        (1.6e-2, 1e-5), (1.3e-6, 1e-5)]]:
        b = to_oracle(b, name).astype(np.float64) if name not in INT_DTYPES + ["bool"] else b
        allowed = atol + rtol * np.abs(b)
        a = b + rng.choice([-1.0, 1.0], 400) * allowed * rng.choice([0.0, 0.999, 1.0, 1.001, 0.5, 2.0], 400)
        if name in INT_DTYPES + ["bool"]:
            a, b2 = np.round(a), np.round(b)
            if name == "uint8":
                a, b2 = np.abs(a), np.abs(b2)
            if name == "bool":
                a, b2 = a > 0, b2 > 0
        else:
            b2 = b
        av, bv = to_oracle(a, name), to_oracle(b2, name)
        for equal_nan in (False, True):
            got = rtorch.isclose(T(rtorch, av, name), T(rtorch, bv, name), rtol, atol, equal_nan)
            want = torch_ref.isclose(T(torch_ref, av, name), T(torch_ref, bv, name), rtol, atol, equal_nan)
            np.testing.assert_array_equal(N(got), N(want), err_msg=str((rtol, atol)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.isclose(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0], dtype=lib.float64)),
    lambda lib: lib.isclose(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])),
    lambda lib: lib.isclose(lib.tensor([True]), lib.tensor([1], dtype=lib.uint8)),
    lambda lib: lib.isclose(lib.tensor([1.0], dtype=lib.bfloat16), lib.tensor([1.0], dtype=lib.float16)),
    lambda lib: lib.isclose(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0]), rtol=-1),
    lambda lib: lib.isclose(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0]), atol=-0.5),
    lambda lib: lib.isclose(lib.tensor([1.0, 2.0]), 2.0),
    lambda lib: lib.isclose([1.0, 2.0], lib.tensor([1.0, 2.0])),
    lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1.0]), rtol=None),
    lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1.0]), rtol="a"),
    lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1.0]), equal_nan=1),
    lambda lib: lib.isclose(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0, 3.0])),
    lambda lib: lib.allclose(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])),
    lambda lib: lib.allclose(lib.tensor([1.0, 2.0]), 1.0),
    lambda lib: lib.allclose(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0, 3.0])),
    lambda lib: lib.tensor([1.0]).isclose(2.0),
    lambda lib: lib.tensor([1.0]).allclose(lib.tensor([1], dtype=lib.int32)),
    lambda lib: lib.tensor([1.0]).equal([1.0]),
    lambda lib: lib.equal(lib.tensor([1, 2]), [1, 2]),
    lambda lib: lib.equal(1, lib.tensor(1)),
    lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1.0]), rtol=True, atol=0),
    lambda lib: lib.isclose(input=lib.tensor([1.0]), other=lib.tensor([3.0]), atol=2),
])
def test_isclose_allclose_equal_errors_vs_torch(torch_ref, call):
    got, want = both(torch_ref, call)
    if want[0] == "ok":
        assert got[0] == "ok"
        got, want = N(got[1]).tolist() if not isinstance(got[1], bool) else got[1], \
            N(want[1]).tolist() if not isinstance(want[1], bool) else want[1]
    assert got == want


def test_isclose_ignores_requires_grad(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    got = lib.isclose(x, lib.tensor([1.0, 3.0]))
    assert not got.requires_grad
    assert N(got).tolist() == [True, False]
    assert lib.allclose(x, x) is True


EQUAL_CASES = [
    (("int64", [1, 2]), ("float32", [1.0, 2.0])),
    (("int64", [1, 2]), ("int64", [1, 2, 3])),
    (("int64", [1, 2]), ("int64", [[1, 2]])),
    (("float32", [NAN]), ("float32", [NAN])),
    (("float32", []), ("float32", [])),
    (("int64", 3), ("int64", [3])),
    (("bool", [True]), ("int64", [1])),
    (("bool", [True]), ("int64", [2])),
    (("float32", [0.5]), ("float16", [0.5])),
    (("float32", [0.1]), ("float64", [0.1])),
    (("int8", [-1]), ("uint8", [255])),
    (("int64", [300]), ("uint8", [44])),
    (("float32", [1.5]), ("bool", [True])),
    (("bfloat16", [1.5, -2.0]), ("float32", [1.5, -2.0])),
    (("float64", [[INF, -INF]]), ("float64", [[INF, -INF]])),
    (("float64", [0.0]), ("float64", [-0.0])),
    (("int16", [[1, 2], [3, 4]]), ("int16", [[1, 2], [3, 5]])),
]


def np_equal(a, b):
    """Same shape and the same values after numpy's promotion (NaN != NaN)."""
    return a.shape == b.shape and bool(np.all(a == b))


@pytest.mark.parametrize("case", EQUAL_CASES, ids=str)
def test_equal(lib, case):
    (na, va), (nb, vb) = case
    a, b = to_oracle(np.array(va, dtype=np.float64), na), to_oracle(np.array(vb, dtype=np.float64), nb)
    ta, tb = T(lib, a, na), T(lib, b, nb)
    assert lib.equal(ta, tb) is np_equal(a, b)
    assert ta.equal(tb) is np_equal(a, b)
    assert lib.equal(tb, ta) is np_equal(b, a)


def test_equal_views_and_self(lib):
    x = T(lib, np.arange(6.0).reshape(2, 3), "float32")
    assert lib.equal(x, x) and lib.equal(x.t(), x.t().contiguous())
    assert not lib.equal(x.t(), x.t().flip(0))
    assert lib.equal(T(lib, [1, 2], "int64").expand(2, 2), T(lib, [[1, 2], [1, 2]], "int64"))
    nan = T(lib, [NAN], "float64")
    assert lib.equal(nan, nan) is False


@pytest.mark.parametrize("case", EQUAL_CASES, ids=str)
def test_equal_vs_torch(torch_ref, case):
    (na, va), (nb, vb) = case
    a, b = to_oracle(np.array(va, dtype=np.float64), na), to_oracle(np.array(vb, dtype=np.float64), nb)
    got, want = both(torch_ref, lambda lib: lib.equal(T(lib, a, na), T(lib, b, nb)))
    assert got == want


def test_tensor_methods_are_attached():
    for name in ("isclose", "allclose", "equal"):
        assert callable(getattr(rtorch.Tensor, name))


# ----------------------------------------------------------------------------------------------------------
# where(condition)
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(3, 4, 5), (7,), (), (0, 3), (2, 0)], ids=str)
def test_where_one_argument(lib, name, shape):
    a = np_vals(shape, name, seed=4)
    got = lib.where(T(lib, a, name))
    want = np.nonzero(np.atleast_1d(a))
    assert isinstance(got, tuple) and len(got) == max(len(shape), 1)
    for g, w in zip(got, want):
        assert dname(g) == "int64"
        np.testing.assert_array_equal(N(g), w)


def test_where_one_argument_matches_nonzero_and_rejects_non_tensors(lib):
    x = T(lib, np.array([[0, 1.5], [-2, 0]]), "float32")
    got, ref = lib.where(x), lib.nonzero(x, as_tuple=True)
    assert len(got) == len(ref) and all(lib.equal(g, r) for g, r in zip(got, ref))
    got = lib.where(condition=x > 0)
    assert [N(g).tolist() for g in got] == [[0], [1]]
    with pytest.raises(TypeError, match=r"where\(\): argument 'condition' \(position 1\) must be Tensor, not list"):
        lib.where([1, 0])


def test_where_three_arguments_still_work(lib):
    c = T(lib, [True, False, True], "bool")
    out = lib.where(c, T(lib, [1.0, 2.0, 3.0], "float32"), 0.0)
    assert N(out).tolist() == [1.0, 0.0, 3.0]


# ----------------------------------------------------------------------------------------------------------
# get_rng_state / set_rng_state
# ----------------------------------------------------------------------------------------------------------
def test_rng_state_roundtrip(lib):
    s = lib.get_rng_state()
    assert dname(s) == "uint8" and s.dim() == 1 and s.numel() > 0
    a = lib.rand(3)
    b1 = lib.randn(2, 2)
    c1 = lib.randint(0, 100, (5,))
    lib.set_rng_state(s)
    assert N(lib.rand(3)).tolist() == N(a).tolist()
    assert N(lib.randn(2, 2)).tolist() == N(b1).tolist()
    assert N(lib.randint(0, 100, (5,))).tolist() == N(c1).tolist()
    # the state is the default generator's
    assert lib.equal(lib.default_generator.get_state(), lib.get_rng_state())
    lib.default_generator.set_state(s)
    assert N(lib.rand(3)).tolist() == N(a).tolist()
    assert lib.random.get_rng_state is lib.get_rng_state or lib.equal(lib.random.get_rng_state(), lib.get_rng_state())


def test_rng_state_is_a_copy_and_follows_manual_seed(lib):
    lib.manual_seed(1234)
    s = lib.get_rng_state()
    x = lib.rand(4)
    s2 = lib.get_rng_state()
    assert not lib.equal(s, s2)  # drawing moved the generator, not the saved state
    lib.manual_seed(1234)
    assert lib.equal(lib.get_rng_state(), s)
    assert N(lib.rand(4)).tolist() == N(x).tolist()
    lib.random.set_rng_state(s2)
    assert lib.equal(lib.get_rng_state(), s2)


@pytest.mark.parametrize("bad, exc, pattern", [
    (lambda lib: [1, 2], TypeError, r"^expected a torch\.ByteTensor, but got list$"),
    (lambda lib: lib.zeros(3), TypeError, r"^RNG state must be a torch\.ByteTensor$"),
    (lambda lib: lib.get_rng_state().float(), TypeError, r"^RNG state must be a torch\.ByteTensor$"),
    (lambda lib: lib.get_rng_state().to(lib.int8), TypeError, r"^RNG state must be a torch\.ByteTensor$"),
    (lambda lib: lib.zeros(3, dtype=lib.uint8), RuntimeError,
     r"^Expected a CPUGeneratorImplState of size \d+ but found the input RNG state size to be 3$"),
    (lambda lib: lib.get_rng_state()[:-1], RuntimeError,
     r"^Expected a CPUGeneratorImplState of size \d+ but found the input RNG state size to be \d+$"),
])
def test_set_rng_state_errors(lib, bad, exc, pattern):
    before = lib.get_rng_state()
    with pytest.raises(exc, match=pattern):
        lib.set_rng_state(bad(lib))
    assert lib.equal(lib.get_rng_state(), before)  # a rejected state changes nothing


# ----------------------------------------------------------------------------------------------------------
# testing.assert_close
# ----------------------------------------------------------------------------------------------------------
def np_mismatch_msg(a, b, rtol, atol, equal_nan=False):
    """torch's "Tensor-likes are not close!" message computed with numpy from the values: differences in the
    dtype (integers in int64), relative differences of integers in float32 (the default dtype of a division)."""
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    matches = np_isclose(a64, b64, rtol, atol, equal_nan)
    n, bad = matches.size, int((~matches).sum())
    work = np.asarray(a).dtype if np.asarray(a).dtype.kind == "f" else np.int64
    quot = np.asarray(a).dtype if np.asarray(a).dtype.kind == "f" else np.float32
    with np.errstate(divide="ignore", invalid="ignore"):
        abs_w = np.abs(np.asarray(a).astype(work) - np.asarray(b).astype(work))
        abs_diff = np.where(matches, 0, abs_w).astype(np.float64)
        rel_diff = np.where(matches, 0, abs_w.astype(quot) / np.abs(np.asarray(b).astype(work)).astype(quot))
        rel_diff = rel_diff.astype(np.float64)
    ia, ir = np.unravel_index(np.argmax(abs_diff), a64.shape), np.unravel_index(np.argmax(rel_diff), a64.shape)
    head = "equal" if rtol == 0 and atol == 0 else "close"
    tol = (lambda t: "") if head == "equal" else (lambda t: f" (up to {t} allowed)")
    return (
        f"Tensor-likes are not {head}!\n\nMismatched elements: {bad} / {n} ({bad / n:.1%})\n"
        f"Greatest absolute difference: {abs_diff[ia]:.17g} at index {tuple(int(i) for i in ia)}{tol(atol)}\n"
        f"Greatest relative difference: {rel_diff[ir]:.17g} at index {tuple(int(i) for i in ir)}{tol(rtol)}"
    )


def normalize_numbers(msg: str) -> str:
    """Floats in a message re-printed with 17 significant digits (so numpy's and Python's reprs compare)."""
    return re.sub(r"(?<![\w.])-?\d+\.\d+(e[+-]?\d+)?|(?<=difference: )\d+(?= )|\binf\b|\bnan\b",
                  lambda m: f"{float(m.group(0)):.17g}", msg)


@pytest.mark.parametrize("name", ["float32", "float64", "int32", "int8", "uint8"])
def test_assert_close_message_vs_numpy(name):
    a = np_vals((3, 4), name, seed=5)
    b = a.copy()
    b[1, 2] = b[1, 2] + 3
    b[2, 0] = b[2, 0] - 1 if name != "uint8" else b[2, 0] + 1  # uint8 stays in range
    rtol, atol = TOLS.get(name, (0.0, 0.0))
    # matching elements with expected 0 (relative difference inf or nan) must not count
    a[0, 0], b[0, 0] = (atol / 2, 0) if name in FLOAT_DTYPES else (0, 0)
    a[0, 1], b[0, 1] = 0, 0
    b = b.astype(NP_DTYPES[name])
    with pytest.raises(AssertionError) as info:
        rtorch.testing.assert_close(T(rtorch, a, name), T(rtorch, b, name))
    assert normalize_numbers(str(info.value)) == normalize_numbers(np_mismatch_msg(a, b, rtol, atol))


@pytest.mark.parametrize("name", FLOAT_DTYPES)
def test_assert_close_default_tolerances(lib, name):
    """Differences just inside and just outside the dtype's default (rtol, atol) pass and fail."""
    rtol, atol = TOLS[name]  # torch's table of default tolerances
    b = to_oracle([1.0, 4.0, 0.0, 64.0], name)
    x = T(lib, b, name)
    for factor, ok in [(0.5, True), (3.0, False)]:
        a = to_oracle(b + factor * (atol + rtol * np.abs(b.astype(np.float64))), name)
        assert bool(np_isclose(a, b, rtol, atol).all()) is ok  # rounding kept the values on the intended side
        if ok:
            lib.testing.assert_close(T(lib, a, name), x)
        else:
            with pytest.raises(AssertionError, match="Tensor-likes are not close!"):
                lib.testing.assert_close(T(lib, a, name), x)
    # explicit tolerances override the defaults
    lib.testing.assert_close(x + 1, x, rtol=0, atol=1.5)
    with pytest.raises(AssertionError, match="not close"):
        lib.testing.assert_close(x + 1, x, rtol=0, atol=0.5)


def test_assert_close_passes(lib):
    ac = lib.testing.assert_close
    ac(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0]))
    ac(lib.tensor([INF, -INF]), lib.tensor([INF, -INF]))
    ac(lib.tensor([NAN, 1.0]), lib.tensor([NAN, 1.0]), equal_nan=True)
    ac(lib.tensor([1, 2]), lib.tensor([1.0, 2.0]), check_dtype=False)
    ac(lib.zeros(0, 3), lib.zeros(0, 3))
    ac(lib.tensor(3.0), lib.tensor(3.0 + 1e-7))
    ac(1.0, 1.0 + 1e-9)
    ac(1, 1)
    ac(True, True)
    ac(None, None)
    ac([lib.tensor([1.0]), 2.0, (3, 4)], (lib.tensor([1.0]), 2.0, [3, 4]))
    ac({"a": lib.tensor([1.0]), "b": 2}, {"b": 2, "a": lib.tensor([1.0])})
    ac(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]))
    ac(lib.arange(6.0).reshape(2, 3).t(), lib.arange(6.0).reshape(2, 3).t().contiguous())
    ac(lib.tensor([1.0], requires_grad=True), lib.tensor([1.0]))
    ac(1.0, 1, check_dtype=False)


ASSERT_CLOSE_CASES = {
    "one_of_four": lambda lib: ((lib.tensor([1.0, 2.0, 3.0, 4.0]), lib.tensor([1.0, 2.5, 3.0, 4.0])), {}),
    "two_of_three": lambda lib: ((lib.tensor([1.0, 4.0, 5.0]), lib.tensor([1.0, 2.0, 3.0])), {}),
    "float64": lambda lib: ((lib.tensor([[0.1, 0.2], [0.3, 0.4]], dtype=lib.float64),
                             lib.tensor([[0.1, 0.2], [0.3, 0.40001]], dtype=lib.float64)), {}),
    "float16": lambda lib: ((lib.tensor([1.0, 2.0, 3.0], dtype=lib.float16),
                             lib.tensor([1.0, 2.01, 3.0], dtype=lib.float16)), {}),
    "bfloat16": lambda lib: ((lib.tensor([1.0, 2.0, 3.0], dtype=lib.bfloat16),
                              lib.tensor([1.0, 2.5, 3.0], dtype=lib.bfloat16)), {}),
    "int": lambda lib: ((lib.tensor([[1, 2], [3, 4]]), lib.tensor([[1, 2], [3, 7]])), {}),
    "int8_no_overflow": lambda lib: ((lib.tensor([127, -128], dtype=lib.int8),
                                      lib.tensor([-128, 127], dtype=lib.int8)), {}),
    "uint8": lambda lib: ((lib.tensor([0, 200], dtype=lib.uint8), lib.tensor([10, 100], dtype=lib.uint8)), {}),
    "bool": lambda lib: ((lib.tensor([True, False, True]), lib.tensor([True, True, False])), {}),
    "zero_expected": lambda lib: ((lib.tensor([1.0, 0.5]), lib.tensor([0.0, 0.5])), {}),
    "nan": lambda lib: ((lib.tensor([NAN, 1.0]), lib.tensor([NAN, 1.0])), {}),
    "nan_vs_number": lambda lib: ((lib.tensor([1.0, NAN]), lib.tensor([1.0, 2.0])), {}),
    "inf": lambda lib: ((lib.tensor([INF, 1.0]), lib.tensor([-INF, 1.0])), {}),
    "scalar_tensor": lambda lib: ((lib.tensor(1.0), lib.tensor(2.0)), {}),
    "scalar_nan": lambda lib: ((lib.tensor(NAN), lib.tensor(NAN)), {}),
    "scalar_int": lambda lib: ((lib.tensor(3), lib.tensor(5)), {}),
    "shape": lambda lib: ((lib.zeros(2, 3), lib.zeros(3, 2)), {}),
    "shape_0d": lambda lib: ((lib.zeros(1), lib.zeros(())), {}),
    "dtype": lambda lib: ((lib.zeros(2), lib.zeros(2, dtype=lib.float64)), {}),
    "dtype_int": lambda lib: ((lib.zeros(2, dtype=lib.int32), lib.zeros(2, dtype=lib.int64)), {}),
    "promoted": lambda lib: ((lib.tensor([1, 2]), lib.tensor([1.0, 2.5])), {"check_dtype": False}),
    "stride": lambda lib: ((lib.zeros(3, 2).t(), lib.zeros(2, 3)), {"check_stride": True}),
    "stride_unchecked": lambda lib: ((lib.zeros(3, 2).t(), lib.ones(2, 3)), {}),
    "explicit_tol": lambda lib: ((lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.2])), {"rtol": 0.05, "atol": 0.0}),
    "zero_tol": lambda lib: ((lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.2])), {"rtol": 0, "atol": 0}),
    "only_rtol": lambda lib: ((lib.tensor([1.0]), lib.tensor([1.0])), {"rtol": 0.1}),
    "only_atol": lambda lib: ((lib.tensor([1.0]), lib.tensor([1.0])), {"atol": 0.1}),
    "msg_str": lambda lib: ((lib.tensor([1.0]), lib.tensor([2.0])), {"msg": "Argh!"}),
    "msg_callable": lambda lib: ((lib.tensor([1.0, 3.0]), lib.tensor([2.0, 3.0])),
                                 {"msg": lambda m: f"Header\n\n{m}\n\nFooter"}),
    "scalars": lambda lib: ((1e-9, 1e-10), {"rtol": 0, "atol": 0}),
    "scalars_close": lambda lib: ((1.0, 1.1), {}),
    "scalar_types": lambda lib: ((1.0, 1), {}),
    "ints": lambda lib: ((3, 4), {}),
    "nan_scalars": lambda lib: ((NAN, NAN), {}),
    "bools": lambda lib: ((True, False), {}),
    "none": lambda lib: ((None, 1), {}),
    "sequence_item": lambda lib: (([lib.tensor([1.0]), 2.0, 3], (lib.tensor([1.0]), 2.0, 4)), {}),
    "nested_item": lambda lib: (([[1.0, 2.0], [lib.tensor([1.0, 2.0])]], [[1.0, 2.0], [lib.tensor([1.0, 2.5])]]), {}),
    "sequence_length": lambda lib: (([1, 2], [1, 2, 3]), {}),
    "mapping_keys": lambda lib: (({"a": 1, "b": 2}, {"a": 1, "c": 2}), {}),
    "mapping_item": lambda lib: (({"a": lib.tensor([1.0]), "b": 2}, {"b": 2, "a": lib.tensor([1.5])}), {}),
    "numpy": lambda lib: ((np.array([1.0, 2.0]), np.array([1.0, 3.0])), {}),
    "numpy_vs_tensor": lambda lib: ((np.array([1.0, 2.0]), lib.tensor([1.0, 2.0])), {}),
    "tensor_vs_scalar": lambda lib: ((lib.tensor(1.0), 1.0), {}),
    "tensor_vs_list": lambda lib: ((lib.tensor([1.0]), [1.0]), {}),
    "no_subclasses": lambda lib: ((np.float64(1.0), 1.0), {"allow_subclasses": False}),
    "numpy_scalars": lambda lib: ((np.float32(1.0), np.float32(1.5)), {}),
    "large": lambda lib: ((lib.arange(1000.0).reshape(10, 100), lib.arange(1000.0).reshape(10, 100) * 1.001), {}),
    "empty_vs_shape": lambda lib: ((lib.zeros(0), lib.zeros(0, 1)), {}),
    # the order of the checks: structure and pairing of every item first, then the values; stride before dtype
    "structure_before_values": lambda lib: (([1.0, [2]], [2.0, [2, 3]]), {}),
    "pairing_before_values": lambda lib: (([1.0, 2], [2.0, np.zeros(1)]), {}),
    "rtol_in_sequence": lambda lib: (([1.0], [1.0]), {"rtol": 0.1}),
    "rtol_for_none": lambda lib: ((None, None), {"rtol": 0.1}),
    "msg_not_for_structure": lambda lib: (([1, 2], [1]), {"msg": "Argh!"}),
    "stride_before_dtype": lambda lib: ((lib.zeros(3, 2).t(), lib.zeros(2, 3, dtype=lib.float64)),
                                        {"check_stride": True}),
    "mapping_sorted_keys": lambda lib: (({"b": 1, "a": 2, "c": 3}, {"c": 3, "b": 2, "a": 1}), {}),
    "nested_bool": lambda lib: (([True], [False]), {}),  # torch names no item for booleans
    # values of the reports: differences in the dtype (int64 wraps, float16 overflows), NaN counts as greatest
    "int64_wraps": lambda lib: ((lib.tensor([2 ** 62]), lib.tensor([-2 ** 62])), {}),
    "float16_overflow": lambda lib: ((lib.tensor([1.0, 60000.0], dtype=lib.float16),
                                      lib.tensor([1.5, -60000.0], dtype=lib.float16)), {}),
    "nan_position": lambda lib: ((lib.tensor([1.0, NAN, 5.0]), lib.tensor([2.0, 1.0, 1.0])), {}),
    "promoted_tolerance": lambda lib: ((lib.tensor([1, 2]), lib.tensor([1.0, 2.5], dtype=lib.float16)),
                                       {"check_dtype": False}),
    "scalar_int64_extremes": lambda lib: ((lib.tensor(2 ** 63 - 1), lib.tensor(-2 ** 63)), {}),
    "scalar_bool": lambda lib: ((lib.tensor(True), lib.tensor(False)), {}),
    "nan_vs_zero": lambda lib: ((NAN, 0.0), {}),
    "inf_scalars": lambda lib: ((INF, -INF), {}),
    "big_ints": lambda lib: ((2 ** 70, 2 ** 70 + 1), {}),
    "complex_scalars": lambda lib: ((1 + 1j, 1 + 2j), {}),
    "numpy_scalar_values": lambda lib: ((np.float32(0.1), np.float32(0.2)), {}),
    "numpy_int_scalars": lambda lib: ((np.int64(2 ** 62), np.int64(-2 ** 62)), {}),
    "numpy_tolerances": lambda lib: ((lib.tensor([1.0, 5.0]), lib.tensor([2.0, 1.0])),
                                     {"rtol": np.float32(0.1), "atol": np.int64(1)}),
    "numpy_strings": lambda lib: ((np.array(["a"]), np.array(["a"])), {}),
}


@pytest.mark.parametrize("case", sorted(ASSERT_CLOSE_CASES))
def test_assert_close_outcome_vs_torch(torch_ref, case):
    """Same exception type and message text as torch.testing.assert_close on equivalent inputs."""
    def run(lib):
        args, kwargs = ASSERT_CLOSE_CASES[case](lib)
        return lib.testing.assert_close(*args, **kwargs)

    got, want = both(torch_ref, run)
    assert got == want


def test_assert_close_errors_without_torch():
    """The error types and the structural messages, with the expected text built from the inputs themselves
    (shapes, dtypes, strides, values) and conftest's table of torch's default tolerances."""
    ac = rtorch.testing.assert_close

    def fails(exc, expected, *args, **kwargs):
        with pytest.raises(exc) as info:
            ac(*args, **kwargs)
        assert str(info.value) == expected

    fails(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol.",
          rtorch.zeros(1), rtorch.zeros(1), rtol=0.1)
    fails(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no rtol.",
          rtorch.zeros(1), rtorch.zeros(1), atol=0.1)
    a, b = np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32)
    fails(AssertionError, f"The values for attribute 'shape' do not match: torch.Size({list(a.shape)}) != "
                          f"torch.Size({list(b.shape)}).", T(rtorch, a, "float32"), T(rtorch, b, "float32"))
    fails(AssertionError, "The values for attribute 'dtype' do not match: torch.float32 != torch.float64.",
          T(rtorch, a, "float32"), T(rtorch, a, "float64"))
    strides = tuple(s // a.itemsize for s in b.T.strides), tuple(s // a.itemsize for s in a.strides)
    fails(AssertionError, f"The values for attribute 'stride()' do not match: {strides[0]} != {strides[1]}.",
          T(rtorch, b, "float32").t(), T(rtorch, a, "float32"), check_stride=True)
    with pytest.raises(TypeError, match="^No comparison pair was able to handle inputs of type <class 'numpy.nd"):
        ac(np.zeros(2), rtorch.zeros(2))
    fails(AssertionError, "Argh", rtorch.zeros(2), rtorch.ones(2), msg="Argh")
    with pytest.raises(AssertionError, match=r"\n\nThe failure occurred for item \[1\]\['x'\]$"):
        ac([1, {"x": rtorch.zeros(1)}], [1, {"x": rtorch.ones(1)}])
    fails(AssertionError, "The length of the sequences mismatch: 2 != 3", [1, 2], [1, 2, 3])
    fails(AssertionError, "Booleans mismatch: True is not False", True, False)
    fails(AssertionError, "None mismatch: None is not 1", None, 1)
    fails(AssertionError, f"The (d)types do not match: {float} != {int}.", 1.0, 1)
    rtol, atol = TOLS["float32"]
    x, y = 1.0, 2.0
    fails(AssertionError, f"Scalars are not close!\n\nExpected {y} but got {x}.\n"
                          f"Absolute difference: {abs(x - y)} (up to {atol} allowed)\n"
                          f"Relative difference: {abs(x - y) / abs(y)} (up to {rtol} allowed)",
          rtorch.tensor(x), rtorch.tensor(y))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_assert_close_random_values_vs_torch(torch_ref, name):
    """Random tensors with a few perturbed elements: same verdict and message as torch."""
    rng = rng_for("assert_close", name)
    for trial in range(4):
        shape = [(5,), (3, 4), (2, 3, 4), ()][trial]
        a = np_vals(shape, name, seed=trial)
        b = np.array(a, copy=True)
        if b.size:
            flat = b.reshape(-1)
            for i in rng.choice(flat.size, size=min(3, flat.size), replace=False):
                flat[i] = (not flat[i]) if name == "bool" else flat[i] + rng.integers(1, 3)
        b = to_oracle(b, name)
        got, want = both(torch_ref, lambda lib: lib.testing.assert_close(T(lib, a, name), T(lib, b, name)))
        assert got == want


# ----------------------------------------------------------------------------------------------------------
# testing.make_tensor
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_make_tensor_ranges(lib, name):
    d = getattr(lib, name)
    t = lib.testing.make_tensor(4, 50, dtype=d, device="cpu")
    assert tuple(t.shape) == (4, 50) and dname(t) == name
    v = N(t).astype(np.float64)
    lo, hi = {"bool": (0, 1), "uint8": (0, 9)}.get(name, (-9, 9) if name in FLOAT_DTYPES else (-9, 9))
    assert v.min() >= lo and v.max() <= hi
    t = lib.testing.make_tensor((3, 4), dtype=d, device="cpu", low=1, high=3, noncontiguous=True, exclude_zero=True)
    assert tuple(t.shape) == (3, 4) and not t.is_contiguous()
    v = N(t).astype(np.float64)
    if name != "bool":
        assert v.min() >= 1 and v.max() <= 3
    assert (v != 0).all()


def test_make_tensor_errors(lib):
    mt = lib.testing.make_tensor
    with pytest.raises(ValueError, match="`low` must be less than `high`"):
        mt(3, dtype=lib.float32, device="cpu", low=2, high=1)
    with pytest.raises(ValueError, match="`requires_grad=True` is not supported"):
        mt(3, dtype=lib.int64, device="cpu", requires_grad=True)
    with pytest.raises(ValueError, match="cannot be NaN"):
        mt(3, dtype=lib.float32, device="cpu", low=NAN)
    t = mt(2, 2, dtype=lib.float64, device="cpu", requires_grad=True)
    assert t.requires_grad and t.is_leaf


def test_make_tensor_intervals(lib):
    """Bounds are clamped to the dtype's values (integer bounds rounded up) and ``high`` itself is never drawn."""
    mt = lib.testing.make_tensor
    for name in ("float16", "bfloat16"):  # rounding to a narrow dtype must not reach `high`
        v = N(mt(20000, dtype=getattr(lib, name), device="cpu", low=0, high=1))
        assert v.min() >= 0 and v.max() < 1
    assert set(N(mt(200, dtype=lib.uint8, device="cpu", low=255, high=300)).tolist()) == {255}
    assert set(N(mt(200, dtype=lib.int8, device="cpu", low=-3.5, high=-1.5)).tolist()) <= {-3, -2}
    assert set(N(mt(200, dtype=lib.bool, device="cpu", low=1, high=3)).tolist()) == {True}
    assert N(mt(3, dtype=lib.float16, device="cpu", low=-1e6, high=-65504)).tolist() == [-65504.0] * 3
    assert np.isfinite(N(mt(100, dtype=lib.float64, device="cpu", low=-INF, high=INF))).all()
    with pytest.raises(ValueError, match=r"^The value interval specified by `low` and `high` is \[256, 300\), "
                                         r"but torch\.uint8 only supports \[0, 256\)$"):
        mt(3, dtype=lib.uint8, device="cpu", low=256, high=300)
    with pytest.raises(ValueError, match=r"is \[2, 3\), but torch\.bool only supports \[0, 2\)$"):
        mt(3, dtype=lib.bool, device="cpu", low=2, high=3)
    with pytest.warns(FutureWarning, match="low==high"):
        t = mt(2, 3, dtype=lib.float32, device="cpu", low=0, high=0, exclude_zero=True, noncontiguous=True)
    assert N(t).tolist() == [[lib.finfo(lib.float32).tiny] * 3] * 2 and t.stride() == (6, 2)
    with pytest.raises(ValueError, match="`noncontiguous` and `memory_format` are mutually exclusive"):
        mt(3, dtype=lib.float32, device="cpu", noncontiguous=True, memory_format="x")

"""Random numbers: rand / randn / randint / randperm / normal (every overload), multinomial, bernoulli,
poisson, the in-place samplers (uniform_, normal_, bernoulli_, exponential_, random_, cauchy_, log_normal_,
geometric_), rand_like / randn_like / randint_like, and the generator machinery (manual_seed, seed,
initial_seed, Generator, ``generator=``, get_rng_state / set_rng_state).

Every test takes the ``lib`` fixture, so the same code runs on rtorch and on PyTorch (which validates the
spec).  rtorch's generator is not torch's, so values are never compared bit for bit; the tests check:

* shapes, dtypes, devices, ``requires_grad``, in-place ops returning ``self`` and writing through views;
* supports: uniform values in [from, to), integers in [low, high), bernoulli in {0, 1}, poisson and geometric
  non-negative integers, multinomial indices valid and (without replacement) distinct, zero-probability
  categories never drawn;
* distributions, with fixed seeds and large samples: means within 5 standard errors, chi-square frequency
  checks and Kolmogorov-Smirnov distances against the exact CDF (numpy only).  Every statistical bound is set
  at a false-alarm level of about 1e-6 (KS: 2.69 / sqrt(n); chi-square: the Wilson-Hilferty quantile for
  z = 4.75; means: 5 standard errors), so a correct sampler passes whatever its seed (all the checks together
  fail spuriously with probability well under 1e-3) while a wrong distribution (shifted, scaled by a few
  percent, wrong support, wrong shape) fails by a wide margin;
* reproducibility: the same seed gives identical tensors, different seeds different ones, a Generator passed
  as ``generator=`` advances only itself, get_state / set_state replay;
* errors: torch's exception type and message text.

Validated against PyTorch 2.15: every test passes with ``lib`` = torch, so a failure on the rtorch half is an
rtorch bug (or a missing op).
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from conftest import dname

FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]
ALL = FLOATS + INTS + ["bool"]
# torch's dtype names in '"kernel" not implemented for ...' messages
TORCH_NAME = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
              "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
# the C++ type names torch prints in the bounds checks of random_ / randint / uniform_ and in cauchy_'s message
CPP_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}
# significand bits (with the implicit one) of the float dtypes; numpy has no bfloat16 (8 bits)
DIGITS = {"float32": np.finfo(np.float32).nmant + 1, "float64": np.finfo(np.float64).nmant + 1,
          "float16": np.finfo(np.float16).nmant + 1, "bfloat16": 8}
NP_INT = {"int64": np.int64, "int32": np.int32, "int16": np.int16, "int8": np.int8, "uint8": np.uint8}


def random_max(name):
    """The largest value ``random_()`` draws on dtype `name` (torch: [0, 2^digits] for floats, [0, max] for ints)."""
    if name in DIGITS:
        return 2 ** DIGITS[name]
    if name == "bool":
        return 1
    return int(np.iinfo(NP_INT[name]).max)


def int_bounds(name):
    """(min, max) representable by integer dtype `name` (bool: 0, 1)."""
    if name == "bool":
        return 0, 1
    info = np.iinfo(NP_INT[name])
    return int(info.min), int(info.max)


LEAF_MSG = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_MSG = "a view of a leaf Variable that requires grad is being used in an in-place operation."
OVERLAP_MSG = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
               "location. Please clone() the tensor before performing the operation.")
NIE = NotImplementedError
RE = RuntimeError


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------
def raises(exc, pattern, fn):
    """fn() raises `exc` whose message matches the regex `pattern`."""
    with pytest.raises(exc, match=pattern):
        fn()


def exact(msg):
    """A regex matching exactly the text `msg` (anchored)."""
    return "^" + re.escape(msg) + "$"


def npy(t) -> np.ndarray:
    """A numpy copy of a tensor's values (bfloat16 through float32)."""
    t = t.detach()
    if dname(t) == "bfloat16":
        t = t.float()
    return np.array(t.numpy(), copy=True)


def f64(t) -> np.ndarray:
    return npy(t).astype(np.float64)


def dt(lib, name):
    return getattr(lib, name)


def check_tensor(t, shape, name):
    """`t` is a tensor of `shape` and dtype `name` on the CPU."""
    assert hasattr(t, "shape") and hasattr(t, "dtype"), f"expected a tensor, got {type(t)}"
    assert tuple(t.shape) == tuple(shape), f"shape {tuple(t.shape)} != {tuple(shape)}"
    assert dname(t) == name, f"dtype {dname(t)} != {name}"
    assert t.device.type == "cpu"


KS_C = 2.69  # sqrt(-ln(alpha / 2) / 2) for alpha = 1e-6
Z_CHI2 = 4.753  # the standard normal's 1 - 1e-6 quantile


def ks_distance(x, cdf) -> float:
    """The Kolmogorov-Smirnov distance between the sample `x` and the continuous CDF `cdf` (a numpy ufunc-like)."""
    x = np.sort(np.asarray(x, dtype=np.float64))
    n = len(x)
    f = cdf(x)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))


def assert_ks(x, cdf, what=""):
    d = ks_distance(x, cdf)
    bound = KS_C / math.sqrt(len(x))
    assert d < bound, f"{what}: KS distance {d:.5f} >= {bound:.5f} (n={len(x)})"


_erf = np.frompyfunc(math.erf, 1, 1)


def normal_cdf(mean=0.0, std=1.0):
    return lambda x: 0.5 * (1.0 + _erf((np.asarray(x) - mean) / (std * math.sqrt(2.0))).astype(np.float64))


def uniform_cdf(lo, hi):
    return lambda x: np.clip((np.asarray(x) - lo) / (hi - lo), 0.0, 1.0)


def exponential_cdf(lambd):
    return lambda x: np.where(np.asarray(x) < 0, 0.0, 1.0 - np.exp(-lambd * np.maximum(np.asarray(x), 0.0)))


def cauchy_cdf(median, sigma):
    return lambda x: 0.5 + np.arctan((np.asarray(x) - median) / sigma) / math.pi


def chi2_crit(df: int) -> float:
    """The chi-square quantile at 1 - 1e-6 (Wilson-Hilferty approximation)."""
    a = 2.0 / (9.0 * df)
    return df * (1.0 - a + Z_CHI2 * math.sqrt(a)) ** 3


def assert_chi2(counts, probs, what=""):
    """Observed `counts` are consistent with category probabilities `probs` (categories with p = 0 must be empty)."""
    counts = np.asarray(counts, dtype=np.float64)
    probs = np.asarray(probs, dtype=np.float64)
    probs = probs / probs.sum()
    assert counts.shape == probs.shape
    zero = probs == 0
    assert np.all(counts[zero] == 0), f"{what}: zero-probability categories drawn: {counts[zero]}"
    n = counts.sum()
    exp = n * probs[~zero]
    assert np.all(exp >= 5), "test design: expected counts too small"
    stat = float(np.sum((counts[~zero] - exp) ** 2 / exp))
    df = int((~zero).sum()) - 1
    if df == 0:
        return
    crit = chi2_crit(df)
    assert stat < crit, f"{what}: chi-square {stat:.1f} >= {crit:.1f} (df={df}); counts {counts}, expected {n * probs}"


def assert_mean(x, mean, var, what="", slack=0.0):
    """The sample mean of `x` is within 5 standard errors (+ `slack`) of `mean` for a distribution of variance `var`."""
    x = np.asarray(x, dtype=np.float64)
    se = math.sqrt(var / len(x))
    m = float(x.mean())
    assert abs(m - mean) < 5 * se + slack, f"{what}: mean {m} vs {mean} (5 se = {5 * se})"


def assert_var(x, var, kurt_excess, what="", slack=0.0):
    """The sample variance of `x` is within 5 standard errors of `var` (the distribution's excess kurtosis given)."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    se = var * math.sqrt((kurt_excess + 2.0) / n)
    v = float(x.var())
    assert abs(v - var) < 5 * se + slack, f"{what}: variance {v} vs {var} (5 se = {5 * se})"


def is_integral(x) -> bool:
    x = np.asarray(x, dtype=np.float64)
    return bool(np.all(np.isfinite(x)) and np.all(x == np.round(x)))


# ==========================================================================================================
# rand / randn: sizes, dtypes, defaults
# ==========================================================================================================
SIZE_FORMS = {
    "varargs": (lambda L, f: f(2, 3), (2, 3)),
    "tuple": (lambda L, f: f((2, 3)), (2, 3)),
    "list": (lambda L, f: f([4, 1, 2]), (4, 1, 2)),
    "Size": (lambda L, f: f(L.Size([3, 2])), (3, 2)),
    "size_kw": (lambda L, f: f(size=(2, 5)), (2, 5)),
    "scalar_shape": (lambda L, f: f(()), ()),
    "zero_size": (lambda L, f: f(0, 3), (0, 3)),
    "one_dim": (lambda L, f: f(7), (7,)),
}


@pytest.mark.parametrize("fn", ["rand", "randn"])
@pytest.mark.parametrize("form", list(SIZE_FORMS))
def test_rand_randn_size_forms(lib, fn, form):
    build, shape = SIZE_FORMS[form]
    t = build(lib, getattr(lib, fn))
    check_tensor(t, shape, "float32")
    assert not t.requires_grad
    assert np.all(np.isfinite(f64(t)))


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_rand_randn_dtypes(lib, fn, name):
    t = getattr(lib, fn)(5000, dtype=dt(lib, name))
    check_tensor(t, (5000,), name)
    x = f64(t)
    assert np.all(np.isfinite(x))
    if fn == "rand":
        assert x.min() >= 0.0 and x.max() < 1.0
    assert len(np.unique(x)) > 100


def test_default_dtype_is_followed(lib):
    old = lib.get_default_dtype()
    try:
        lib.set_default_dtype(lib.float64)
        assert lib.rand(3).dtype == lib.float64
        assert lib.randn(3).dtype == lib.float64
        assert lib.normal(0.0, 1.0, (3,)).dtype == lib.float64
        assert lib.randint(0, 5, (3,)).dtype == lib.int64
        assert lib.randperm(4).dtype == lib.int64
    finally:
        lib.set_default_dtype(old)
    assert lib.rand(3).dtype == lib.float32
    assert lib.randn(3).dtype == lib.float32
    assert lib.normal(0.0, 1.0, (3,)).dtype == lib.float32


@pytest.mark.parametrize("case", ["rand", "randn", "randint", "randperm", "normal", "rand_like", "randn_like",
                                  "randint_like"])
def test_device_argument(lib, case):
    fns = {
        "rand": lambda d: lib.rand(2, 3, device=d),
        "randn": lambda d: lib.randn(2, 3, device=d),
        "randint": lambda d: lib.randint(0, 5, (2, 3), device=d),
        "randperm": lambda d: lib.randperm(6, device=d),
        "normal": lambda d: lib.normal(0.0, 1.0, (2, 3), device=d),
        "rand_like": lambda d: lib.rand_like(lib.zeros(2, 3), device=d),
        "randn_like": lambda d: lib.randn_like(lib.zeros(2, 3), device=d),
        "randint_like": lambda d: lib.randint_like(lib.zeros(2, 3), 5, device=d),
    }
    for d in ["cpu", lib.device("cpu")]:
        t = fns[case](d)
        assert t.device == lib.device("cpu")


REQUIRES_GRAD_OK = {
    "rand": lambda L: L.rand(3, requires_grad=True),
    "randn": lambda L: L.randn(3, dtype=L.float64, requires_grad=True),
    "normal_size": lambda L: L.normal(0.0, 1.0, (3,), requires_grad=True),
    "randint_float": lambda L: L.randint(0, 5, (3,), dtype=L.float32, requires_grad=True),
    "randperm_float": lambda L: L.randperm(4, dtype=L.float64, requires_grad=True),
    "rand_like": lambda L: L.rand_like(L.zeros(3), requires_grad=True),
    "randn_like": lambda L: L.randn_like(L.zeros(3), requires_grad=True),
    "randint_like": lambda L: L.randint_like(L.zeros(3), 5, requires_grad=True),
}


@pytest.mark.parametrize("case", list(REQUIRES_GRAD_OK))
def test_requires_grad_argument(lib, case):
    t = REQUIRES_GRAD_OK[case](lib)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None
    (t * 2).sum().backward()
    np.testing.assert_array_equal(f64(t.grad), np.full(tuple(t.shape), 2.0))


@pytest.mark.parametrize("case", ["randint", "randperm"])
def test_requires_grad_integer_dtype_error(lib, case):
    fn = {"randint": lambda: lib.randint(0, 5, (3,), requires_grad=True),
          "randperm": lambda: lib.randperm(3, requires_grad=True)}[case]
    raises(RE, exact("Only Tensors of floating point and complex dtype can require gradients"), fn)


def test_like_ops_do_not_inherit_requires_grad(lib):
    x = lib.zeros(3, requires_grad=True)
    for t in [lib.rand_like(x), lib.randn_like(x), lib.randint_like(x, 4)]:
        assert not t.requires_grad


# ==========================================================================================================
# rand / uniform distribution
# ==========================================================================================================
@pytest.mark.parametrize("name", ["float32", "float64"])
def test_rand_distribution(lib, name):
    lib.manual_seed(1234)
    x = f64(lib.rand(100_000, dtype=dt(lib, name)))
    assert x.min() >= 0.0 and x.max() < 1.0
    assert_ks(x, uniform_cdf(0.0, 1.0), f"rand {name}")
    assert_mean(x, 0.5, 1 / 12, "rand")
    assert_var(x, 1 / 12, -1.2, "rand")
    # every value is on the dtype's grid: float64 draws use the full 53 bits
    assert len(np.unique(x)) > 99_000


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_rand_reduced_precision_distribution(lib, name):
    lib.manual_seed(4321)
    x = f64(lib.rand(100_000, dtype=dt(lib, name)))
    assert x.min() >= 0.0 and x.max() < 1.0
    step = 2.0 ** -DIGITS[name]
    # the values are k / 2^digits: the mean is low by half a step
    assert_mean(x, 0.5, 1 / 12, f"rand {name}", slack=2 * step)
    hist, _ = np.histogram(x, bins=8, range=(0.0, 1.0))
    assert_chi2(hist, np.full(8, 1 / 8), f"rand {name} deciles")


# ==========================================================================================================
# randn
# ==========================================================================================================
@pytest.mark.parametrize("name", ["float32", "float64"])
def test_randn_distribution(lib, name):
    lib.manual_seed(99)
    x = f64(lib.randn(100_000, dtype=dt(lib, name)))
    assert np.all(np.isfinite(x))
    assert_ks(x, normal_cdf(), f"randn {name}")
    assert_mean(x, 0.0, 1.0, "randn")
    assert_var(x, 1.0, 0.0, "randn")


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_randn_reduced_precision(lib, name):
    lib.manual_seed(98)
    x = f64(lib.randn(50_000, dtype=dt(lib, name)))
    assert np.all(np.isfinite(x))
    assert_mean(x, 0.0, 1.0, f"randn {name}")
    assert_var(x, 1.0, 0.0, f"randn {name}", slack=0.02)
    assert abs(np.mean(np.abs(x) < 1.0) - math.erf(1 / math.sqrt(2))) < 0.01


# ==========================================================================================================
# randint
# ==========================================================================================================
def test_randint_range_and_frequencies(lib):
    lib.manual_seed(7)
    t = lib.randint(3, 10, (70_000,))
    check_tensor(t, (70_000,), "int64")
    x = npy(t)
    assert x.min() == 3 and x.max() == 9
    assert_chi2(np.bincount(x - 3, minlength=7), np.full(7, 1 / 7), "randint(3, 10)")


def test_randint_high_only_and_forms(lib):
    lib.manual_seed(8)
    t = lib.randint(5, (2, 3))
    check_tensor(t, (2, 3), "int64")
    x = npy(lib.randint(5, (20_000,)))
    assert x.min() == 0 and x.max() == 4
    assert_chi2(np.bincount(x, minlength=5), np.full(5, 0.2), "randint(5)")
    check_tensor(lib.randint(5, size=(2, 2)), (2, 2), "int64")
    check_tensor(lib.randint(low=1, high=3, size=(4,)), (4,), "int64")
    check_tensor(lib.randint(0, 5, [2, 3]), (2, 3), "int64")
    check_tensor(lib.randint(0, 5, lib.Size([3, 1])), (3, 1), "int64")
    check_tensor(lib.randint(0, 2, (0, 4)), (0, 4), "int64")
    check_tensor(lib.randint(0, 2, ()), (), "int64")


def test_randint_negative_range(lib):
    lib.manual_seed(9)
    x = npy(lib.randint(-4, -1, size=(3000,), dtype=lib.int32))
    assert x.dtype == np.int32
    assert x.min() == -4 and x.max() == -2
    assert_chi2(np.bincount(x + 4, minlength=3), np.full(3, 1 / 3), "randint(-4, -1)")


def test_randint_wide_ranges(lib):
    lib.manual_seed(10)
    hi = 2 ** 40
    x = npy(lib.randint(0, hi, (50_000,))).astype(np.float64)
    assert x.min() >= 0 and x.max() < hi
    assert_mean(x, hi / 2, hi ** 2 / 12, "randint(0, 2^40)")
    # the full int64 range
    y = npy(lib.randint(-2 ** 63, 2 ** 63 - 1, (20_000,)))
    assert y.min() < -2 ** 61 and y.max() > 2 ** 61
    assert_mean(y.astype(np.float64), 0.0, 4.0 ** 63 / 3, "randint full int64")


@pytest.mark.parametrize("name", ALL)
def test_randint_dtypes(lib, name):
    lib.manual_seed(11)
    hi = 2 if name == "bool" else 50
    t = lib.randint(0, hi, (5000,), dtype=dt(lib, name))
    check_tensor(t, (5000,), name)
    x = f64(t)
    assert is_integral(x)
    assert x.min() == 0 and x.max() == hi - 1
    assert_chi2(np.bincount(x.astype(np.int64), minlength=hi), np.full(hi, 1 / hi), f"randint {name}")


RANDINT_ERRORS = [
    ("low_eq_high", lambda L: L.randint(5, 5, (3,)), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=5 >= to=5")),
    ("low_gt_high", lambda L: L.randint(5, 2, (3,)), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=5 >= to=2")),
    ("high_zero", lambda L: L.randint(0, (3,)), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=0 >= to=0")),
    ("uint8_high", lambda L: L.randint(0, 300, (3,), dtype=L.uint8), RE,
     exact("to - 1 is out of bounds for unsigned char")),
    ("uint8_negative_low", lambda L: L.randint(-1, 3, (3,), dtype=L.uint8), RE,
     exact("from is out of bounds for unsigned char")),
    ("int8_low", lambda L: L.randint(-200, 0, (3,), dtype=L.int8), RE, exact("from is out of bounds for signed char")),
    ("bool_high", lambda L: L.randint(0, 3, (3,), dtype=L.bool), RE, exact("to - 1 is out of bounds for bool")),
    ("negative_size", lambda L: L.randint(0, 3, (2, -1)), RE,
     exact("Trying to create tensor with negative dimension -1: [2, -1]")),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in RANDINT_ERRORS], ids=[e[0] for e in RANDINT_ERRORS])
def test_randint_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# randperm
# ==========================================================================================================
@pytest.mark.parametrize("n", [0, 1, 2, 10, 1000])
def test_randperm_is_a_permutation(lib, n):
    lib.manual_seed(n)
    t = lib.randperm(n)
    check_tensor(t, (n,), "int64")
    np.testing.assert_array_equal(np.sort(npy(t)), np.arange(n))


def test_randperm_shuffles(lib):
    lib.manual_seed(12)
    x = npy(lib.randperm(1000))
    assert not np.array_equal(x, np.arange(1000))
    # a uniform shuffle leaves about one fixed point; the identity-like outputs of a broken shuffle leave many
    assert np.sum(x == np.arange(1000)) < 10


@pytest.mark.parametrize("name", FLOATS + INTS)
def test_randperm_dtypes(lib, name):
    lib.manual_seed(13)
    n = 100
    t = lib.randperm(n, dtype=dt(lib, name))
    check_tensor(t, (n,), name)
    np.testing.assert_array_equal(np.sort(f64(t)), np.arange(n, dtype=np.float64))


def test_randperm_dtype_limits(lib):
    lib.manual_seed(14)
    np.testing.assert_array_equal(np.sort(npy(lib.randperm(128, dtype=lib.int8)).astype(np.int64)), np.arange(128))
    np.testing.assert_array_equal(np.sort(npy(lib.randperm(256, dtype=lib.uint8)).astype(np.int64)), np.arange(256))
    half_max = 2 ** DIGITS["float16"] + 1
    np.testing.assert_array_equal(np.sort(f64(lib.randperm(half_max, dtype=lib.float16))), np.arange(half_max))


def test_randperm_uniform_over_permutations(lib):
    """All 24 orderings of randperm(4) are equally likely."""
    lib.manual_seed(15)
    draws = 12_000
    codes = np.empty(draws, dtype=np.int64)
    for i in range(draws):
        p = npy(lib.randperm(4))
        codes[i] = ((p[0] * 4 + p[1]) * 4 + p[2]) * 4 + p[3]
    perms = sorted({((a * 4 + b) * 4 + c) * 4 + d for a in range(4) for b in range(4) for c in range(4)
                    for d in range(4) if len({a, b, c, d}) == 4})
    counts = np.array([np.sum(codes == c) for c in perms])
    assert counts.sum() == draws, "randperm(4) produced a non-permutation"
    assert_chi2(counts, np.full(24, 1 / 24), "randperm(4) orderings")


RANDPERM_ERRORS = [
    ("negative", lambda L: L.randperm(-1), RE, exact("Trying to create tensor with negative dimension -1: [-1]")),
    ("bool", lambda L: L.randperm(3, dtype=L.bool), NIE, exact("\"randperm\" not implemented for 'Bool'")),
    ("int8_overflow", lambda L: L.randperm(129, dtype=L.int8), RE,
     exact("value cannot be converted to type int8_t without overflow")),
    ("uint8_overflow", lambda L: L.randperm(257, dtype=L.uint8), RE,
     exact("value cannot be converted to type uint8_t without overflow")),
    ("int16_overflow", lambda L: L.randperm(40000, dtype=L.int16), RE,
     exact("value cannot be converted to type int16_t without overflow")),
    ("half_too_long", lambda L: L.randperm(3000, dtype=L.float16), RE,
     exact("n cannot be greater than 2049 for Half type.")),
    ("float_n", lambda L: L.randperm(3.0), TypeError,
     r"randperm\(\): argument 'n' \(position 1\) must be int, not float"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in RANDPERM_ERRORS], ids=[e[0] for e in RANDPERM_ERRORS])
def test_randperm_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# rand / randn errors
# ==========================================================================================================
def _int_dtype_cases():
    cases = []
    for name in INTS + ["bool"]:
        T = TORCH_NAME[name]
        cases += [
            (f"rand_{name}", (lambda n: lambda L: L.rand(3, dtype=getattr(L, n)))(name), NIE,
             exact(f"\"check_uniform_bounds\" not implemented for '{T}'")),
            (f"randn_{name}", (lambda n: lambda L: L.randn(3, dtype=getattr(L, n)))(name), NIE,
             exact(f"\"normal_kernel_cpu\" not implemented for '{T}'")),
            (f"normal_size_{name}", (lambda n: lambda L: L.normal(0.0, 1.0, (3,), dtype=getattr(L, n)))(name), NIE,
             exact(f"\"normal_kernel_cpu\" not implemented for '{T}'")),
        ]
    return cases


RAND_ERRORS = _int_dtype_cases() + [
    ("rand_negative", lambda L: L.rand(-1), RE, exact("Trying to create tensor with negative dimension -1: [-1]")),
    ("randn_negative", lambda L: L.randn(2, -1), RE,
     exact("Trying to create tensor with negative dimension -1: [2, -1]")),
    ("rand_float_size", lambda L: L.rand(2.0), TypeError, r"argument 'size'.* must be tuple of ints, not float"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in RAND_ERRORS], ids=[e[0] for e in RAND_ERRORS])
def test_rand_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# normal: all overloads
# ==========================================================================================================
def test_normal_overload_shapes_and_dtypes(lib):
    check_tensor(lib.normal(lib.zeros(2, 3), lib.ones(2, 3)), (2, 3), "float32")
    check_tensor(lib.normal(lib.zeros(2, 3), lib.ones(3)), (2, 3), "float32")  # broadcast
    check_tensor(lib.normal(lib.zeros(3, 1), lib.ones(1, 4)), (3, 4), "float32")
    check_tensor(lib.normal(lib.zeros(2, 3), 2.0), (2, 3), "float32")
    check_tensor(lib.normal(lib.zeros(2, 3)), (2, 3), "float32")  # std defaults to 1
    check_tensor(lib.normal(2.0, lib.ones(2, 3)), (2, 3), "float32")
    check_tensor(lib.normal(0.0, 1.0, (2, 3)), (2, 3), "float32")
    check_tensor(lib.normal(0.0, 1.0, size=(4,)), (4,), "float32")
    check_tensor(lib.normal(0.0, 1.0, [2, 3]), (2, 3), "float32")
    check_tensor(lib.normal(0, 1, (3,)), (3,), "float32")  # integer mean / std are Python numbers
    check_tensor(lib.normal(0.0, 1.0, (2,), dtype=lib.float64), (2,), "float64")
    check_tensor(lib.normal(mean=lib.zeros(3), std=lib.ones(3)), (3,), "float32")
    check_tensor(lib.normal(lib.tensor(0.0), lib.tensor(1.0)), (), "float32")
    check_tensor(lib.normal(lib.zeros(0), lib.ones(0)), (0,), "float32")
    for name in FLOATS:
        d = dt(lib, name)
        check_tensor(lib.normal(lib.zeros(2, dtype=d), lib.ones(2, dtype=d)), (2,), name)
        check_tensor(lib.normal(lib.zeros(2, dtype=d), 1.0), (2,), name)
        check_tensor(lib.normal(0.0, lib.ones(2, dtype=d)), (2,), name)


def test_normal_result_dtype_follows_mean(lib):
    """With a tensor mean the result has the mean's dtype, whatever the std's."""
    check_tensor(lib.normal(lib.zeros(2), lib.ones(2, dtype=lib.float64)), (2,), "float32")
    check_tensor(lib.normal(lib.zeros(2, dtype=lib.float64), lib.ones(2)), (2,), "float64")
    check_tensor(lib.normal(lib.zeros(2), lib.ones(2, dtype=lib.int64)), (2,), "float32")


def test_normal_tensor_tensor_distribution(lib):
    lib.manual_seed(21)
    rng = np.random.default_rng(21)
    n = 60_000
    mean = rng.uniform(-5, 5, n)
    std = rng.uniform(0.1, 3, n)
    t = lib.normal(lib.tensor(mean), lib.tensor(std))
    check_tensor(t, (n,), "float64")
    z = (f64(t) - mean) / std
    assert_ks(z, normal_cdf(), "normal(Tensor, Tensor) standardised")


def test_normal_tensor_float_distribution(lib):
    lib.manual_seed(22)
    mean = np.repeat(np.array([-3.0, 0.0, 10.0]), 20_000)
    t = lib.normal(lib.tensor(mean), 2.5)
    z = (f64(t) - mean) / 2.5
    assert_ks(z, normal_cdf(), "normal(Tensor, float)")
    for m in [-3.0, 0.0, 10.0]:
        assert_mean(f64(t)[mean == m], m, 2.5 ** 2, f"normal(Tensor, 2.5) at mean {m}")


def test_normal_float_tensor_distribution(lib):
    lib.manual_seed(23)
    std = np.repeat(np.array([0.5, 1.0, 4.0]), 20_000)
    t = lib.normal(1.5, lib.tensor(std))
    z = (f64(t) - 1.5) / std
    assert_ks(z, normal_cdf(), "normal(float, Tensor)")
    for s in [0.5, 1.0, 4.0]:
        assert_var(f64(t)[std == s], s * s, 0.0, f"normal(1.5, Tensor) at std {s}")


def test_normal_float_float_size_distribution(lib):
    lib.manual_seed(24)
    x = f64(lib.normal(2.0, 3.0, size=(100_000,)))
    assert_ks(x, normal_cdf(2.0, 3.0), "normal(2, 3, size)")
    assert_mean(x, 2.0, 9.0)
    assert_var(x, 9.0, 0.0)


def test_normal_zero_std_is_the_mean(lib):
    mean = np.array([1.0, -2.5, 7.25])
    np.testing.assert_array_equal(f64(lib.normal(lib.tensor(mean), lib.zeros(3, dtype=lib.float64))), mean)
    np.testing.assert_array_equal(f64(lib.normal(lib.tensor(mean), 0.0)), mean)
    np.testing.assert_array_equal(f64(lib.normal(3.0, 0.0, (4,))), np.full(4, 3.0))


def test_normal_broadcast_rows_use_their_own_parameters(lib):
    lib.manual_seed(25)
    mean = lib.tensor([[0.0], [100.0], [-100.0]])
    std = lib.tensor([0.5, 1.0, 2.0, 4.0])
    check_tensor(lib.normal(mean, std), (3, 4), "float32")
    x = f64(lib.normal(mean.expand(3, 20_000), 1.0))
    for i, m in enumerate([0.0, 100.0, -100.0]):
        assert_mean(x[i], m, 1.0, f"row {i}")
    y = f64(lib.normal(lib.zeros(1, 4), std.expand(20_000, 4)))
    for j, sd in enumerate([0.5, 1.0, 2.0, 4.0]):
        assert_var(y[:, j], sd * sd, 0.0, f"column {j}")


def test_normal_non_contiguous_parameters(lib):
    lib.manual_seed(26)
    mean = lib.tensor(np.arange(12, dtype=np.float64).reshape(3, 4) * 100).t()  # (4, 3), transposed
    t = lib.normal(mean, 0.0)
    np.testing.assert_array_equal(f64(t), np.arange(12, dtype=np.float64).reshape(3, 4).T * 100)
    std = lib.tensor(np.array([[0.0, 1.0], [2.0, 0.0]])).t()
    t = lib.normal(lib.zeros(2, 2, dtype=lib.float64), std)
    x = f64(t)
    assert x[0, 0] == 0.0 and x[1, 1] == 0.0 and x[0, 1] != 0.0 and x[1, 0] != 0.0


NORMAL_ERRORS = [
    ("float_negative_std", lambda L: L.normal(0.0, -1.0, (3,)), RE,
     exact("normal expects std >= 0.0, but found std -1")),
    ("tensor_float_negative_std", lambda L: L.normal(L.zeros(3), -1.0), RE,
     exact("normal expects std >= 0.0, but found std -1")),
    ("tensor_negative_std", lambda L: L.normal(L.zeros(3), L.tensor([1.0, -1.0, 1.0])), RE,
     exact("normal expects all elements of std >= 0.0")),
    ("tensor_nan_std", lambda L: L.normal(L.zeros(3), L.tensor([1.0, math.nan, 1.0])), RE,
     exact("normal expects all elements of std >= 0.0")),
    ("float_tensor_negative_std", lambda L: L.normal(0.0, L.tensor([1.0, -1.0, 1.0])), RE,
     exact("normal expects all elements of std >= 0.0")),
    ("shape_mismatch", lambda L: L.normal(L.zeros(2, 3), L.ones(4)), RE,
     exact("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")),
    ("int_mean", lambda L: L.normal(L.zeros(2, dtype=L.int64), 1.0), NIE,
     exact("\"normal_kernel_cpu\" not implemented for 'Long'")),
    ("int_std", lambda L: L.normal(0.0, L.ones(2, dtype=L.int64)), NIE,
     exact("\"normal_kernel_cpu\" not implemented for 'Long'")),
    ("float_float_without_size", lambda L: L.normal(0.0, 1.0), TypeError,
     r"normal\(\) received an invalid combination"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in NORMAL_ERRORS], ids=[e[0] for e in NORMAL_ERRORS])
def test_normal_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


def test_sampling_functions_have_zero_gradients(lib):
    """normal / bernoulli / poisson are differentiable with zero gradients (torch's derivatives.yaml);
    multinomial's integer result is not differentiable."""
    mean = lib.zeros(3, requires_grad=True)
    std = lib.ones(3, requires_grad=True)
    out = lib.normal(mean, std)
    assert out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(f64(mean.grad), np.zeros(3))
    np.testing.assert_array_equal(f64(std.grad), np.zeros(3))
    m2 = lib.zeros(3, requires_grad=True)
    assert lib.normal(m2, 1.0).requires_grad
    p = lib.full((3,), 0.5, requires_grad=True)
    b = lib.bernoulli(p)
    assert b.requires_grad
    b.sum().backward()
    np.testing.assert_array_equal(f64(p.grad), np.zeros(3))
    r = lib.full((3,), 2.0, requires_grad=True)
    s = lib.poisson(r)
    assert s.requires_grad
    s.sum().backward()
    np.testing.assert_array_equal(f64(r.grad), np.zeros(3))
    assert not lib.multinomial(lib.full((3,), 0.5, requires_grad=True), 2).requires_grad


# ==========================================================================================================
# multinomial
# ==========================================================================================================
@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("name", FLOATS)
def test_multinomial_shapes_and_dtypes(lib, name, replacement):
    lib.manual_seed(31)
    p = lib.tensor([0.2, 0.3, 0.5, 1.0], dtype=dt(lib, name))
    t = lib.multinomial(p, 3, replacement)
    check_tensor(t, (3,), "int64")
    x = npy(t)
    assert x.min() >= 0 and x.max() < 4
    if not replacement:
        assert len(set(x.tolist())) == 3
    t2 = lib.multinomial(p.repeat(5, 1), 2, replacement=replacement)
    check_tensor(t2, (5, 2), "int64")
    x2 = npy(t2)
    assert x2.min() >= 0 and x2.max() < 4
    check_tensor(p.multinomial(2, replacement), (2,), "int64")  # method form


def test_multinomial_with_replacement_frequencies(lib):
    lib.manual_seed(32)
    w = np.array([1.0, 0.0, 2.0, 3.0, 4.0, 0.0]) * 7.0  # unnormalised weights, two zero categories
    n = 50_000
    t = lib.multinomial(lib.tensor(w), n, replacement=True)
    check_tensor(t, (n,), "int64")
    x = npy(t)
    assert_chi2(np.bincount(x, minlength=6), w, "multinomial with replacement")


@pytest.mark.parametrize("name", ["float64", "float16", "bfloat16"])
def test_multinomial_with_replacement_other_dtypes(lib, name):
    lib.manual_seed(33)
    w = np.array([0.125, 0.0, 0.375, 0.5])
    x = npy(lib.multinomial(lib.tensor(w, dtype=dt(lib, name)), 20_000, True))
    assert_chi2(np.bincount(x, minlength=4), w, f"multinomial {name}")


def test_multinomial_2d_rows_use_their_own_distribution(lib):
    lib.manual_seed(34)
    p = np.array([[0.0, 0.0, 1.0, 0.0],
                  [0.7, 0.1, 0.1, 0.1],
                  [0.25, 0.25, 0.25, 0.25],
                  [0.0, 5.0, 0.0, 15.0]])
    n = 20_000
    t = lib.multinomial(lib.tensor(p), n, replacement=True)
    check_tensor(t, (4, n), "int64")
    x = npy(t)
    assert np.all(x[0] == 2)
    for i in range(1, 4):
        assert_chi2(np.bincount(x[i], minlength=4), p[i], f"row {i}")


def test_multinomial_without_replacement_distribution(lib):
    """Without replacement, draws are sequential: the first draw is distributed as p, the second as
    sum_i p_i p_j / (1 - p_i) over i != j, and each row holds distinct categories."""
    lib.manual_seed(35)
    p = np.array([0.4, 0.3, 0.2, 0.1, 0.0])
    rows = 20_000
    t = lib.multinomial(lib.tensor(np.tile(p, (rows, 1))), 3)
    check_tensor(t, (rows, 3), "int64")
    x = npy(t)
    assert x.min() >= 0 and x.max() <= 3, "a zero-probability category was drawn"
    assert np.all((x[:, 0] != x[:, 1]) & (x[:, 0] != x[:, 2]) & (x[:, 1] != x[:, 2])), "repeated category"
    assert_chi2(np.bincount(x[:, 0], minlength=5), p, "first draw")
    second = np.array([sum(p[i] * p[j] / (1 - p[i]) for i in range(5) if i != j) for j in range(5)])
    assert_chi2(np.bincount(x[:, 1], minlength=5), second, "second draw")


@pytest.mark.parametrize("replacement", [False, True])
def test_multinomial_single_sample_distribution(lib, replacement):
    lib.manual_seed(36)
    p = np.array([0.1, 0.6, 0.0, 0.3])
    rows = 20_000
    x = npy(lib.multinomial(lib.tensor(np.tile(p, (rows, 1))), 1, replacement))
    assert x.shape == (rows, 1)
    assert_chi2(np.bincount(x[:, 0], minlength=4), p, "one sample")


def test_multinomial_all_categories_is_a_permutation(lib):
    lib.manual_seed(37)
    p = lib.tensor(np.tile([0.1, 0.2, 0.3, 0.15, 0.25], (200, 1)))
    x = npy(lib.multinomial(p, 5))
    np.testing.assert_array_equal(np.sort(x, axis=1), np.tile(np.arange(5), (200, 1)))
    assert len({tuple(r) for r in x.tolist()}) > 20


def test_multinomial_without_replacement_only_nonzero_categories(lib):
    lib.manual_seed(38)
    p = np.array([0.0, 3.0, 0.0, 1.0, 2.0, 0.0])
    x = npy(lib.multinomial(lib.tensor(np.tile(p, (500, 1))), 3))
    np.testing.assert_array_equal(np.sort(x, axis=1), np.tile([1, 3, 4], (500, 1)))


def test_multinomial_fewer_nonzero_than_samples(lib):
    """torch does not raise when fewer categories than num_samples have p > 0 (without replacement): the positive
    categories come first, then distinct zero-probability ones fill the row."""
    lib.manual_seed(39)
    x = npy(lib.multinomial(lib.tensor([1.0, 0.0, 0.0]), 2))
    assert x.shape == (2,) and x[0] == 0 and x[1] in (1, 2)
    y = npy(lib.multinomial(lib.tensor([[0.0, 2.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]), 3))
    assert y[0, 0] == 1 and len(set(y[0].tolist())) == 3 and len(set(y[1].tolist())) == 3


def test_multinomial_more_samples_than_categories_with_replacement(lib):
    lib.manual_seed(40)
    x = npy(lib.multinomial(lib.tensor([0.5, 0.5]), 1000, True))
    assert x.shape == (1000,) and set(x.tolist()) == {0, 1}


def test_multinomial_non_contiguous_input(lib):
    lib.manual_seed(41)
    base = lib.tensor([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    p = base.t()  # rows [0, 1, 0] and [1, 0, 1]
    for _ in range(20):
        x = npy(lib.multinomial(p, 1))
        assert x[0, 0] == 1 and x[1, 0] in (0, 2)
        y = npy(lib.multinomial(p, 5, True))
        assert np.all(y[0] == 1) and np.all(y[1] != 1)
    sliced = lib.tensor([[9.0, 0.0, 9.0, 1.0, 9.0, 0.0]])[:, 1::2]  # [0, 1, 0]
    assert np.all(npy(lib.multinomial(sliced, 4, True)) == 1)


def test_multinomial_does_not_modify_input(lib):
    w = np.array([[0.5, 0.25, 0.25], [1.0, 2.0, 3.0]])
    p = lib.tensor(w)
    lib.multinomial(p, 2)
    lib.multinomial(p, 5, True)
    np.testing.assert_array_equal(f64(p), w)


def test_multinomial_empty_batch_and_single_category(lib):
    check_tensor(lib.multinomial(lib.ones(0, 3), 2), (0, 2), "int64")
    check_tensor(lib.multinomial(lib.ones(0, 3), 5, True), (0, 5), "int64")
    np.testing.assert_array_equal(npy(lib.multinomial(lib.tensor([3.0]), 1)), [0])
    np.testing.assert_array_equal(npy(lib.multinomial(lib.tensor([3.0]), 4, True)), [0, 0, 0, 0])


def test_multinomial_keyword_arguments(lib):
    g = lib.Generator().manual_seed(1)
    t = lib.multinomial(lib.tensor([0.2, 0.8]), num_samples=3, replacement=True, generator=g)
    check_tensor(t, (3,), "int64")


_PROB_MSG = exact("probability tensor contains either `inf`, `nan` or element < 0")
_SUM_MSG = exact("invalid multinomial distribution (sum of probabilities <= 0)")
MULTINOMIAL_ERRORS = []
for _repl in [False, True]:
    _r = "repl" if _repl else "norepl"
    MULTINOMIAL_ERRORS += [
        (f"negative_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([0.2, -0.1, 0.5]), 1, r))(_repl), RE, _PROB_MSG),
        (f"inf_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([0.2, math.inf, 0.5]), 1, r))(_repl), RE, _PROB_MSG),
        (f"nan_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([0.2, math.nan, 0.5]), 1, r))(_repl), RE, _PROB_MSG),
        (f"negative_2d_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([[0.2, 0.5], [-0.1, 0.5]]), 1, r))(_repl),
         RE, _PROB_MSG),
        (f"zero_sum_{_r}", (lambda r: lambda L: L.multinomial(L.zeros(3), 1, r))(_repl), RE, _SUM_MSG),
        (f"zero_sum_row_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([[1.0, 0.0], [0.0, 0.0]]), 1, r))(_repl),
         RE, _SUM_MSG),
        (f"zero_samples_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([0.5, 0.5]), 0, r))(_repl), RE,
         exact("cannot sample n_sample <= 0 samples")),
        (f"negative_samples_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([0.5, 0.5]), -1, r))(_repl), RE,
         exact("cannot sample n_sample <= 0 samples")),
        (f"0d_{_r}", (lambda r: lambda L: L.multinomial(L.tensor(1.0), 1, r))(_repl), RE,
         exact("prob_dist must be 1 or 2 dim")),
        (f"3d_{_r}", (lambda r: lambda L: L.multinomial(L.ones(2, 2, 2), 1, r))(_repl), RE,
         exact("prob_dist must be 1 or 2 dim")),
        (f"int_input_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([1, 2, 3]), 1, r))(_repl), RE,
         exact("multinomial only supports floating-point dtypes for input, got: Long")),
        (f"bool_input_{_r}", (lambda r: lambda L: L.multinomial(L.tensor([True, False]), 1, r))(_repl), RE,
         exact("multinomial only supports floating-point dtypes for input, got: Bool")),
    ]
MULTINOMIAL_ERRORS += [
    ("too_many_samples", lambda L: L.multinomial(L.tensor([0.2, 0.3, 0.5]), 4), RE,
     exact("cannot sample n_sample > prob_dist.size(-1) samples without replacement")),
    ("too_many_samples_2d", lambda L: L.multinomial(L.ones(2, 3), 4), RE,
     exact("cannot sample n_sample > prob_dist.size(-1) samples without replacement")),
    ("no_categories", lambda L: L.multinomial(L.ones(2, 0), 1), RE,
     exact("cannot sample n_sample > prob_dist.size(-1) samples without replacement")),
    ("too_many_categories", lambda L: L.multinomial(L.ones(2 ** 24 + 1), 1), RE,
     exact("number of categories cannot exceed 2^24")),
    ("float_num_samples", lambda L: L.multinomial(L.tensor([0.5, 0.5]), 1.5), TypeError,
     r"multinomial\(\): argument 'num_samples' \(position 2\) must be int, not float"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in MULTINOMIAL_ERRORS], ids=[e[0] for e in MULTINOMIAL_ERRORS])
def test_multinomial_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# bernoulli
# ==========================================================================================================
@pytest.mark.parametrize("name", FLOATS)
def test_bernoulli_tensor_probabilities(lib, name):
    lib.manual_seed(51)
    probs = np.array([0.0, 0.1, 0.5, 0.875, 1.0])
    reps = 20_000
    p = lib.tensor(np.tile(probs, (reps, 1)), dtype=dt(lib, name))
    t = lib.bernoulli(p)
    check_tensor(t, (reps, 5), name)
    x = f64(t)
    assert set(np.unique(x).tolist()) <= {0.0, 1.0}
    assert np.all(x[:, 0] == 0) and np.all(x[:, 4] == 1)
    for j in (1, 2, 3):
        assert_mean(x[:, j], probs[j], probs[j] * (1 - probs[j]), f"bernoulli p={probs[j]}")


@pytest.mark.parametrize("name", ALL)
def test_bernoulli_scalar_p(lib, name):
    """bernoulli(input, p): input only gives the shape and dtype (any dtype); its values are ignored."""
    lib.manual_seed(52)
    inp = lib.ones(40_000, dtype=dt(lib, name))
    t = lib.bernoulli(inp, 0.25)
    check_tensor(t, (40_000,), name)
    x = f64(t)
    assert set(np.unique(x).tolist()) == {0.0, 1.0}
    assert_mean(x, 0.25, 0.25 * 0.75, f"bernoulli(input, 0.25) {name}")
    np.testing.assert_array_equal(f64(inp), np.ones(40_000))
    assert np.all(f64(lib.bernoulli(inp, 0.0)) == 0) and np.all(f64(lib.bernoulli(inp, 1.0)) == 1)
    check_tensor(lib.bernoulli(inp, p=0.5), (40_000,), name)


def test_bernoulli_forms(lib):
    p = lib.tensor([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(f64(p.bernoulli()), [[0.0, 1.0], [1.0, 0.0]])
    check_tensor(p.bernoulli(0.5), (2, 2), "float32")
    check_tensor(lib.bernoulli(lib.tensor(1.0)), (), "float32")
    check_tensor(lib.bernoulli(lib.ones(0, 3)), (0, 3), "float32")
    np.testing.assert_array_equal(f64(lib.bernoulli(lib.ones(3), 1)), np.ones(3))  # integer p


def test_bernoulli_non_contiguous_probabilities(lib):
    a = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    p = lib.tensor(np.ascontiguousarray(a.T)).t()
    np.testing.assert_array_equal(f64(lib.bernoulli(p)), a)
    big = np.zeros((4, 6))
    big[::2, 1::2] = a
    q = lib.tensor(big)[::2, 1::2]
    np.testing.assert_array_equal(f64(lib.bernoulli(q)), a)


# torch appends its TORCH_CHECK boilerplate "  (Could this error message be improved?  If so, please report an
# enhancement request to PyTorch.)"; only the meaningful part is pinned
BERNOULLI_P_MSG = "^" + re.escape("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
BERNOULLI_ERRORS = [
    ("p_above_one", lambda L: L.bernoulli(L.tensor([0.5, 1.5])), RE, BERNOULLI_P_MSG),
    ("p_negative", lambda L: L.bernoulli(L.tensor([-0.5])), RE, BERNOULLI_P_MSG),
    ("p_nan", lambda L: L.bernoulli(L.tensor([math.nan])), RE, BERNOULLI_P_MSG),
    ("float_p_above_one", lambda L: L.bernoulli(L.ones(3), 1.5), RE,
     exact("bernoulli_ expects p to be in [0, 1], but got p=1.5")),
    ("float_p_negative", lambda L: L.bernoulli(L.ones(3), -0.5), RE,
     exact("bernoulli_ expects p to be in [0, 1], but got p=-0.5")),
] + [
    (f"int_input_{n}", (lambda n: lambda L: L.bernoulli(L.ones(3, dtype=getattr(L, n))))(n), NIE,
     exact(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{TORCH_NAME[n]}'"))
    for n in INTS + ["bool"]
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in BERNOULLI_ERRORS], ids=[e[0] for e in BERNOULLI_ERRORS])
def test_bernoulli_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# poisson
# ==========================================================================================================
@pytest.mark.parametrize("name", ["float32", "float64"])
def test_poisson_moments(lib, name):
    lib.manual_seed(61)
    rates = np.array([0.0, 0.5, 3.0, 20.0, 150.0, 10_000.0])
    reps = 20_000
    t = lib.poisson(lib.tensor(np.tile(rates, (reps, 1)), dtype=dt(lib, name)))
    check_tensor(t, (reps, len(rates)), name)
    x = f64(t)
    assert is_integral(x) and x.min() >= 0
    assert np.all(x[:, 0] == 0)
    for j in range(1, len(rates)):
        lam = rates[j]
        assert_mean(x[:, j], lam, lam, f"poisson rate {lam}")
        assert_var(x[:, j], lam, 1.0 / lam, f"poisson rate {lam}")


def test_poisson_pmf(lib):
    lib.manual_seed(62)
    lam = 2.5
    n = 50_000
    x = npy(lib.poisson(lib.full((n,), lam, dtype=lib.float64))).astype(np.int64)
    kmax = 9
    counts = np.bincount(np.minimum(x, kmax), minlength=kmax + 1)
    pmf = np.array([math.exp(-lam) * lam ** k / math.factorial(k) for k in range(kmax)])
    probs = np.append(pmf, 1.0 - pmf.sum())
    assert_chi2(counts, probs, "poisson(2.5) pmf")


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_poisson_reduced_precision(lib, name):
    lib.manual_seed(63)
    t = lib.poisson(lib.full((20_000,), 4.0, dtype=dt(lib, name)))
    check_tensor(t, (20_000,), name)
    x = f64(t)
    assert is_integral(x) and x.min() >= 0
    assert_mean(x, 4.0, 4.0, f"poisson {name}")


def test_poisson_forms_and_layouts(lib):
    check_tensor(lib.poisson(lib.tensor(3.0)), (), "float32")
    check_tensor(lib.poisson(lib.zeros(0, 2)), (0, 2), "float32")
    a = np.array([[0.0, 50.0, 0.0], [80.0, 0.0, 60.0]])
    r = lib.tensor(np.ascontiguousarray(a.T)).t()
    x = f64(lib.poisson(r))
    assert x.shape == (2, 3)
    assert np.all(x[a == 0] == 0) and np.all(x[a > 0] > 10)
    check_tensor(lib.poisson(lib.ones(3), generator=lib.Generator()), (3,), "float32")
    check_tensor(lib.poisson(lib.ones(3), lib.Generator()), (3,), "float32")  # generator is positional too


POISSON_ERRORS = [
    ("negative_rate", lambda L: L.poisson(L.tensor([1.0, -1.0])), RE,
     exact("invalid Poisson rate, expected rate to be non-negative")),
    ("nan_rate", lambda L: L.poisson(L.tensor([math.nan])), RE,
     exact("invalid Poisson rate, expected rate to be non-negative")),
] + [
    (f"int_{n}", (lambda n: lambda L: L.poisson(L.ones(3, dtype=getattr(L, n))))(n), NIE,
     exact(f"\"poisson_cpu\" not implemented for '{TORCH_NAME[n]}'"))
    for n in INTS + ["bool"]
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in POISSON_ERRORS], ids=[e[0] for e in POISSON_ERRORS])
def test_poisson_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# in-place samplers: dtypes, return value, autograd, views
# ==========================================================================================================
# op -> (call on a tensor, dtypes it accepts)
INPLACE = {
    "uniform_": (lambda t: t.uniform_(), FLOATS),
    "uniform_range": (lambda t: t.uniform_(2.0, 5.0), FLOATS),
    "normal_": (lambda t: t.normal_(), FLOATS),
    "normal_params": (lambda t: t.normal_(3.0, 0.5), FLOATS),
    "bernoulli_": (lambda t: t.bernoulli_(), ALL),
    "bernoulli_float": (lambda t: t.bernoulli_(0.3), ALL),
    "exponential_": (lambda t: t.exponential_(), FLOATS),
    "random_": (lambda t: t.random_(), ALL),
    "random_to": (lambda t: t.random_(2), ALL),
    "random_from_to": (lambda t: t.random_(0, 2), ALL),
    "cauchy_": (lambda t: t.cauchy_(), FLOATS),
    "log_normal_": (lambda t: t.log_normal_(), FLOATS),
    "geometric_": (lambda t: t.geometric_(0.5), FLOATS + INTS),
}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("op", list(INPLACE))
def test_inplace_dtypes_and_return_self(lib, op, name):
    call, accepted = INPLACE[op]
    t = lib.zeros(3, 4, dtype=dt(lib, name))
    if name not in accepted:
        with pytest.raises(RuntimeError):  # NotImplementedError is a RuntimeError; messages in test_inplace_errors
            call(t)
        return
    r = call(t)
    assert r is t
    check_tensor(t, (3, 4), name)


def test_bernoulli_tensor_p_dtypes(lib):
    for name in ALL:
        t = lib.zeros(4, dtype=dt(lib, name))
        assert t.bernoulli_(lib.tensor([0.0, 1.0, 1.0, 0.0])) is t
        np.testing.assert_array_equal(f64(t), [0.0, 1.0, 1.0, 0.0])
        t = lib.zeros(4, dtype=dt(lib, name))
        t.bernoulli_(lib.tensor([0.0, 1.0, 1.0, 0.0], dtype=lib.float64))
        np.testing.assert_array_equal(f64(t), [0.0, 1.0, 1.0, 0.0])


def _inplace_error_cases():
    cases = []
    for n in INTS + ["bool"]:
        T = TORCH_NAME[n]
        mk = (lambda n: lambda L: L.zeros(3, dtype=getattr(L, n)))(n)
        cases += [
            (f"uniform_{n}", (lambda m: lambda L: m(L).uniform_())(mk), NIE,
             exact(f"\"check_uniform_bounds\" not implemented for '{T}'")),
            (f"normal_{n}", (lambda m: lambda L: m(L).normal_())(mk), NIE,
             exact(f"\"normal_kernel_cpu\" not implemented for '{T}'")),
            (f"log_normal_{n}", (lambda m: lambda L: m(L).log_normal_())(mk), NIE,
             exact(f"\"log_normal_cpu\" not implemented for '{T}'")),
            (f"exponential_{n}", (lambda m: lambda L: m(L).exponential_())(mk), RE,
             exact("Exponential distribution is a continuous probability distribution. dtype must be a floating "
                   f"point but you specified {T}")),
            (f"cauchy_{n}", (lambda m: lambda L: m(L).cauchy_())(mk), RE,
             exact("Cauchy distribution is a continuous probability distribution. dtype must be a floating point "
                   f"but you specified {CPP_NAME[n]}")),
        ]
    return cases


INPLACE_ERRORS = _inplace_error_cases() + [
    ("geometric_bool", lambda L: L.zeros(3, dtype=L.bool).geometric_(0.5), NIE,
     exact("\"geometric_cpu\" not implemented for 'Bool'")),
    # uniform_
    ("uniform_from_gt_to", lambda L: L.zeros(3).uniform_(3, 2), RE,
     exact("uniform_ expects to return a [from, to) range, but found from=3 > to=2")),
    ("uniform_to_inf", lambda L: L.zeros(3).uniform_(0, math.inf), RE, exact("to is out of bounds for float")),
    ("uniform_from_nan", lambda L: L.zeros(3).uniform_(math.nan, 1), RE, exact("from is out of bounds for float")),
    ("uniform_double_to_inf", lambda L: L.zeros(3, dtype=L.float64).uniform_(0, math.inf), RE,
     exact("to is out of bounds for double")),
    ("uniform_double_from_minus_inf", lambda L: L.zeros(3, dtype=L.float64).uniform_(-math.inf, 0), RE,
     exact("from is out of bounds for double")),
    ("uniform_half_from", lambda L: L.zeros(3, dtype=L.float16).uniform_(-7e4, 0), RE,
     exact("from is out of bounds for c10::Half")),
    ("uniform_half_to", lambda L: L.zeros(3, dtype=L.float16).uniform_(0, 1e5), RE,
     exact("to is out of bounds for c10::Half")),
    ("uniform_bfloat16_to_inf", lambda L: L.zeros(3, dtype=L.bfloat16).uniform_(0, math.inf), RE,
     exact("to is out of bounds for c10::BFloat16")),
    ("uniform_range_overflow", lambda L: L.zeros(3).uniform_(-3e38, 3e38), RE,
     exact("uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 and from=-3e+38 "
           "which result in to-from to exceed the limit")),
    ("uniform_half_range_overflow", lambda L: L.zeros(3, dtype=L.float16).uniform_(-6e4, 6e4), RE,
     exact("uniform_ expects to-from <= std::numeric_limits<Half>::max(), but found to=60000 and from=-60000 "
           "which result in to-from to exceed the limit")),
    # normal_ / log_normal_ / cauchy_ / exponential_ / geometric_ / bernoulli_ parameters
    ("normal_negative_std", lambda L: L.zeros(3).normal_(0, -1), RE,
     exact("normal expects std >= 0.0, but found std -1")),
    ("normal_nan_std", lambda L: L.zeros(3).normal_(0, math.nan), RE,
     exact("normal expects std >= 0.0, but found std nan")),
    ("log_normal_zero_std", lambda L: L.zeros(3).log_normal_(0, 0), RE,
     exact("log_normal_ expects std > 0.0, but found std=0")),
    ("log_normal_negative_std", lambda L: L.zeros(3).log_normal_(0, -1), RE,
     exact("log_normal_ expects std > 0.0, but found std=-1")),
    ("cauchy_zero_sigma", lambda L: L.zeros(3).cauchy_(0, 0), RE,
     exact("cauchy_ expects sigma > 0.0, but found sigma=0")),
    ("cauchy_negative_sigma", lambda L: L.zeros(3).cauchy_(0, -1), RE,
     exact("cauchy_ expects sigma > 0.0, but found sigma=-1")),
    ("exponential_zero", lambda L: L.zeros(3).exponential_(0), RE,
     exact("exponential_ expects lambda > 0.0, but found lambda=0")),
    ("exponential_negative", lambda L: L.zeros(3).exponential_(-1), RE,
     exact("exponential_ expects lambda > 0.0, but found lambda=-1")),
    ("geometric_zero", lambda L: L.zeros(3).geometric_(0), RE,
     exact("geometric_ expects p to be in (0, 1), but got p=0")),
    ("geometric_one", lambda L: L.zeros(3).geometric_(1), RE,
     exact("geometric_ expects p to be in (0, 1), but got p=1")),
    ("geometric_above_one", lambda L: L.zeros(3).geometric_(1.5), RE,
     exact("geometric_ expects p to be in (0, 1), but got p=1.5")),
    ("geometric_negative", lambda L: L.zeros(3).geometric_(-0.5), RE,
     exact("geometric_ expects p to be in (0, 1), but got p=-0.5")),
    ("geometric_missing_p", lambda L: L.zeros(3).geometric_(), TypeError, r"geometric_\(\) missing 1 required"),
    ("bernoulli_float_p_above_one", lambda L: L.zeros(3).bernoulli_(1.5), RE,
     exact("bernoulli_ expects p to be in [0, 1], but got p=1.5")),
    ("bernoulli_float_p_negative", lambda L: L.zeros(3).bernoulli_(-0.5), RE,
     exact("bernoulli_ expects p to be in [0, 1], but got p=-0.5")),
    ("bernoulli_tensor_p_above_one", lambda L: L.zeros(3).bernoulli_(L.tensor([1.5, 0.2, 0.2])), RE,
     BERNOULLI_P_MSG),
    ("bernoulli_tensor_p_negative", lambda L: L.zeros(3).bernoulli_(L.tensor([-0.5, 0.2, 0.2])), RE,
     BERNOULLI_P_MSG),
    ("bernoulli_int_tensor_p", lambda L: L.zeros(3).bernoulli_(L.tensor([0, 1, 1])), NIE,
     exact("\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'")),
    ("bernoulli_p_shape", lambda L: L.zeros(3).bernoulli_(L.full((4,), 0.5)), RE,
     exact("The expanded size of the tensor (3) must match the existing size (4) at non-singleton dimension 0.  "
           "Target sizes: [3].  Tensor sizes: [4]")),
    ("bernoulli_p_more_dims", lambda L: L.zeros(3).bernoulli_(L.full((2, 3), 0.5)), RE,
     r"^expand\(.*size=\[3\]\): the number of sizes provided \(1\) must be greater or equal to the number of "
     r"dimensions in the tensor \(2\)$"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in INPLACE_ERRORS], ids=[e[0] for e in INPLACE_ERRORS])
def test_inplace_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# op -> (call, predicate on the written values, whether the values are continuous (all distinct))
VIEW_OPS = {
    "uniform_": (lambda L, t: t.uniform_(2.0, 3.0), lambda v: (v >= 2.0) & (v < 3.0), True),
    "normal_": (lambda L, t: t.normal_(10.0, 1.0), lambda v: (v > 0.0) & (v < 20.0), True),
    "bernoulli_float": (lambda L, t: t.bernoulli_(0.5), lambda v: (v == 0.0) | (v == 1.0), False),
    "bernoulli_tensor": (lambda L, t: t.bernoulli_(L.full(tuple(t.shape), 0.5)), lambda v: (v == 0.0) | (v == 1.0),
                         False),
    "exponential_": (lambda L, t: t.exponential_(2.0), lambda v: v >= 0.0, True),
    "random_": (lambda L, t: t.random_(), lambda v: (v >= 0) & (v <= 2 ** 24) & (v == np.round(v)), True),
    "random_from_to": (lambda L, t: t.random_(10, 20), lambda v: (v >= 10) & (v < 20) & (v == np.round(v)), False),
    "cauchy_": (lambda L, t: t.cauchy_(50.0, 1e-6), lambda v: (v > 49.0) & (v < 51.0), False),
    "log_normal_": (lambda L, t: t.log_normal_(0.0, 0.5), lambda v: v > 0.0, True),
    "geometric_": (lambda L, t: t.geometric_(0.5), lambda v: (v >= 1) & (v == np.round(v)), False),
}
# view kind -> numpy index expression applied to a (6, 8) base
VIEW_KINDS = {
    "sliced": lambda a: a[1::2, ::3],
    "transposed": lambda a: a.T,
    "transposed_sliced": lambda a: a.T[::2, 1:5],
    "column": lambda a: a[:, 5],
}


@pytest.mark.parametrize("kind", list(VIEW_KINDS))
@pytest.mark.parametrize("op", list(VIEW_OPS))
def test_inplace_on_views_writes_through(lib, op, kind):
    lib.manual_seed(71)
    call, pred, distinct = VIEW_OPS[op]
    base = lib.full((6, 8), -7.0)
    view = VIEW_KINDS[kind](base)
    r = call(lib, view)
    assert r is view
    idx = VIEW_KINDS[kind](np.arange(48).reshape(6, 8))
    b = f64(base).reshape(-1)
    written = b[idx]
    np.testing.assert_array_equal(f64(view), written)  # the view reads what the base holds
    assert np.all(pred(written)), f"{op} wrote out-of-support values {written}"
    others = np.ones(48, dtype=bool)
    others[idx.reshape(-1)] = False
    assert np.all(b[others] == -7.0), "an element outside the view was written"
    if distinct:  # one coincidence on the float32 grid is possible; a value broadcast to all elements is not
        assert len(np.unique(written)) >= written.size - 1, "the same value was written to several elements"


@pytest.mark.parametrize("op", list(VIEW_OPS))
def test_inplace_on_expanded_tensor_raises(lib, op):
    call = VIEW_OPS[op][0]
    raises(RE, exact(OVERLAP_MSG), lambda: call(lib, lib.zeros(3, 1).expand(3, 4)))


@pytest.mark.parametrize("op", list(VIEW_OPS))
def test_inplace_on_zero_dim_and_empty(lib, op):
    lib.manual_seed(72)
    call, pred, _ = VIEW_OPS[op]
    s = lib.tensor(-7.0)
    assert call(lib, s) is s
    assert tuple(s.shape) == () and pred(f64(s))
    e = lib.zeros(0, 3)
    assert call(lib, e) is e and tuple(e.shape) == (0, 3)


@pytest.mark.parametrize("op", list(VIEW_OPS))
def test_inplace_on_leaf_requiring_grad(lib, op):
    call = VIEW_OPS[op][0]
    x = lib.zeros(3, requires_grad=True)
    raises(RE, exact(LEAF_MSG), lambda: call(lib, x))
    raises(RE, exact(VIEW_LEAF_MSG), lambda: call(lib, x[:2]))
    np.testing.assert_array_equal(f64(x), np.zeros(3))
    with lib.no_grad():
        assert call(lib, x) is x
    assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize("op", list(VIEW_OPS))
def test_inplace_on_non_leaf_gives_zero_gradient(lib, op):
    call = VIEW_OPS[op][0]
    x = lib.ones(3, requires_grad=True)
    y = x * 2
    call(lib, y)
    assert y.requires_grad
    (y * 3).sum().backward()
    np.testing.assert_array_equal(f64(x.grad), np.zeros(3))


# ==========================================================================================================
# in-place samplers: distributions
# ==========================================================================================================
@pytest.mark.parametrize("name", ["float32", "float64"])
@pytest.mark.parametrize("lo,hi", [(0.0, 1.0), (-3.0, 5.0), (2.0, 2.5), (-1e-3, 0.0)])
def test_uniform_distribution(lib, name, lo, hi):
    lib.manual_seed(81)
    t = lib.empty(100_000, dtype=dt(lib, name))
    t.uniform_(lo, hi)
    x = f64(t)
    assert x.min() >= lo and x.max() < hi
    assert_ks(x, uniform_cdf(lo, hi), f"uniform_({lo}, {hi})")


def test_uniform_defaults_and_keywords(lib):
    lib.manual_seed(82)
    x = f64(lib.empty(50_000).uniform_())
    assert x.min() >= 0.0 and x.max() < 1.0
    assert_ks(x, uniform_cdf(0.0, 1.0), "uniform_()")
    y = f64(lib.empty(50_000).uniform_(**{"from": -2, "to": 6}))  # `from` is a Python keyword
    assert y.min() >= -2.0 and y.max() < 6.0
    assert_ks(y, uniform_cdf(-2.0, 6.0), "uniform_(from=-2, to=6)")
    z = f64(lib.empty(10).uniform_(1, 2))  # integer bounds
    assert z.min() >= 1 and z.max() < 2
    np.testing.assert_array_equal(f64(lib.empty(5).uniform_(2.5, 2.5)), np.full(5, 2.5))  # from == to


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_uniform_reduced_precision_stays_below_to(lib, name):
    """Rounding to a coarse dtype must not produce `to` (torch keeps [from, to) in float16 / bfloat16)."""
    lib.manual_seed(83)
    for lo, hi in [(0.0, 1.0), (2.0, 5.0), (-1.0, 1.0)]:
        x = f64(lib.empty(200_000, dtype=dt(lib, name)).uniform_(lo, hi))
        assert x.min() >= lo and x.max() < hi, f"uniform_({lo}, {hi}) in {name}: max {x.max()}"
        # torch's reduced-precision uniform_ is biased low by about one grid step of (to - from)
        assert_mean(x, (lo + hi) / 2, (hi - lo) ** 2 / 12, f"uniform_ {name}",
                    slack=2 * (hi - lo) * 2.0 ** -DIGITS[name])


@pytest.mark.parametrize("name", ["float32", "float64"])
@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (5.0, 0.25), (-20.0, 7.0)])
def test_normal_inplace_distribution(lib, name, mean, std):
    lib.manual_seed(84)
    x = f64(lib.empty(100_000, dtype=dt(lib, name)).normal_(mean, std))
    assert_ks(x, normal_cdf(mean, std), f"normal_({mean}, {std})")


def test_normal_inplace_defaults_keywords_and_zero_std(lib):
    lib.manual_seed(85)
    x = f64(lib.empty(50_000).normal_())
    assert_ks(x, normal_cdf(), "normal_()")
    y = f64(lib.empty(50_000).normal_(mean=2, std=3))
    assert_ks(y, normal_cdf(2.0, 3.0), "normal_(mean=2, std=3)")
    np.testing.assert_array_equal(f64(lib.empty(4).normal_(3.0, 0.0)), np.full(4, 3.0))


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_normal_inplace_reduced_precision(lib, name):
    lib.manual_seed(86)
    x = f64(lib.empty(50_000, dtype=dt(lib, name)).normal_(1.0, 2.0))
    assert np.all(np.isfinite(x))
    assert_mean(x, 1.0, 4.0, f"normal_ {name}")
    assert_var(x, 4.0, 0.0, f"normal_ {name}", slack=0.1)


@pytest.mark.parametrize("name", ["float32", "float64"])
@pytest.mark.parametrize("lambd", [1.0, 0.2, 7.5])
def test_exponential_distribution(lib, name, lambd):
    lib.manual_seed(87)
    x = f64(lib.empty(100_000, dtype=dt(lib, name)).exponential_(lambd))
    assert x.min() >= 0.0 and np.all(np.isfinite(x))
    assert_ks(x, exponential_cdf(lambd), f"exponential_({lambd})")
    assert_mean(x, 1 / lambd, 1 / lambd ** 2, f"exponential_({lambd})")


def test_exponential_default_and_keyword(lib):
    lib.manual_seed(88)
    assert_ks(f64(lib.empty(50_000).exponential_()), exponential_cdf(1.0), "exponential_()")
    assert_ks(f64(lib.empty(50_000).exponential_(lambd=3.0)), exponential_cdf(3.0), "exponential_(lambd=3)")
    x = f64(lib.empty(20_000, dtype=lib.float16).exponential_(2.0))
    assert x.min() >= 0.0 and np.all(np.isfinite(x))
    assert_mean(x, 0.5, 0.25, "exponential_ float16", slack=0.01)


@pytest.mark.parametrize("name", ["float32", "float64"])
@pytest.mark.parametrize("median,sigma", [(0.0, 1.0), (3.0, 0.5)])
def test_cauchy_distribution(lib, name, median, sigma):
    lib.manual_seed(89)
    x = f64(lib.empty(100_000, dtype=dt(lib, name)).cauchy_(median, sigma))
    assert_ks(x, cauchy_cdf(median, sigma), f"cauchy_({median}, {sigma})")
    # the median and the quartiles median -/+ sigma
    assert abs(np.median(x) - median) < 0.02 * sigma * 5


def test_cauchy_defaults_and_keywords(lib):
    lib.manual_seed(90)
    assert_ks(f64(lib.empty(50_000).cauchy_()), cauchy_cdf(0.0, 1.0), "cauchy_()")
    assert_ks(f64(lib.empty(50_000).cauchy_(median=-2, sigma=3)), cauchy_cdf(-2.0, 3.0), "cauchy_(median, sigma)")


@pytest.mark.parametrize("name", ["float32", "float64"])
@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (1.0, 0.25), (-2.0, 2.0)])
def test_log_normal_distribution(lib, name, mean, std):
    lib.manual_seed(91)
    x = f64(lib.empty(100_000, dtype=dt(lib, name)).log_normal_(mean, std))
    assert x.min() > 0.0
    assert_ks(np.log(x), normal_cdf(mean, std), f"log_normal_({mean}, {std})")


def test_log_normal_defaults_and_keywords(lib):
    lib.manual_seed(92)
    assert_ks(np.log(f64(lib.empty(50_000).log_normal_())), normal_cdf(1.0, 2.0), "log_normal_() is (1, 2)")
    assert_ks(np.log(f64(lib.empty(50_000).log_normal_(mean=0.5, std=0.1))), normal_cdf(0.5, 0.1),
              "log_normal_(mean, std)")


@pytest.mark.parametrize("name", ["float32", "float64", "int64", "int32", "int16"])
@pytest.mark.parametrize("p", [0.5, 0.2, 0.9])
def test_geometric_distribution(lib, name, p):
    """geometric_(p): the number of Bernoulli(p) trials up to the first success, on {1, 2, ...}."""
    lib.manual_seed(93)
    n = 50_000
    x = f64(lib.zeros(n, dtype=dt(lib, name)).geometric_(p)).astype(np.int64)
    assert x.min() >= 1
    kmax = 1  # categories 1..kmax and a tail bucket, every expected count >= 5
    while n * p * (1 - p) ** kmax >= 5 and n * (1 - p) ** (kmax + 1) >= 5:
        kmax += 1
    pmf = np.array([(1 - p) ** (k - 1) * p for k in range(1, kmax + 1)])
    counts = np.bincount(np.minimum(x, kmax + 1), minlength=kmax + 2)[1:]
    assert_chi2(counts, np.append(pmf, 1 - pmf.sum()), f"geometric_({p}) {name}")
    assert_mean(x, 1 / p, (1 - p) / p ** 2, f"geometric_({p})")


def test_geometric_keyword_and_small_dtypes(lib):
    lib.manual_seed(94)
    x = f64(lib.zeros(20_000).geometric_(p=0.3))
    assert x.min() >= 1 and is_integral(x)
    assert_mean(x, 1 / 0.3, 0.7 / 0.09, "geometric_(p=0.3)")
    for name in ["int8", "uint8", "float16", "bfloat16"]:
        y = f64(lib.zeros(20_000, dtype=dt(lib, name)).geometric_(0.5))
        assert y.min() >= 1 and is_integral(y)
        assert_mean(y, 2.0, 2.0, f"geometric_ {name}")


@pytest.mark.parametrize("name", ALL)
def test_bernoulli_inplace_float_p(lib, name):
    lib.manual_seed(95)
    t = lib.full((40_000,), 7 if name != "bool" else 1, dtype=dt(lib, name))
    t.bernoulli_(0.3)
    x = f64(t)
    assert set(np.unique(x).tolist()) == {0.0, 1.0}
    assert_mean(x, 0.3, 0.21, f"bernoulli_(0.3) {name}")
    y = f64(lib.zeros(40_000, dtype=dt(lib, name)).bernoulli_())
    assert_mean(y, 0.5, 0.25, f"bernoulli_() {name}")
    assert np.all(f64(lib.zeros(100, dtype=dt(lib, name)).bernoulli_(1.0)) == 1)
    assert np.all(f64(lib.ones(100, dtype=dt(lib, name)).bernoulli_(0.0)) == 0)
    z = f64(lib.zeros(40_000, dtype=dt(lib, name)).bernoulli_(p=0.75))
    assert_mean(z, 0.75, 0.75 * 0.25, f"bernoulli_(p=0.75) {name}")


def test_bernoulli_inplace_tensor_p(lib):
    lib.manual_seed(96)
    probs = np.array([0.0, 0.2, 0.6, 1.0])
    reps = 20_000
    t = lib.zeros(reps, 4)
    assert t.bernoulli_(lib.tensor(probs, dtype=lib.float32)) is t  # p broadcast over rows
    x = f64(t)
    assert np.all(x[:, 0] == 0) and np.all(x[:, 3] == 1)
    for j in (1, 2):
        assert_mean(x[:, j], probs[j], probs[j] * (1 - probs[j]), f"bernoulli_(tensor p) p={probs[j]}")
    # non-contiguous p and self
    a = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    p = lib.tensor(np.ascontiguousarray(a.T)).t()
    base = lib.full((3, 2), -1.0)
    view = base.t()
    view.bernoulli_(p)
    np.testing.assert_array_equal(f64(base), a.T)


# ==========================================================================================================
# random_
# ==========================================================================================================
@pytest.mark.parametrize("name", ALL)
def test_random_default_range(lib, name):
    """random_() draws integers uniformly from [0, 2^digits] for float dtypes (the integers a float holds
    exactly) and [0, max] for integer dtypes (bool: {False, True})."""
    lib.manual_seed(101)
    hi = random_max(name)
    n = 200_000
    t = lib.zeros(n, dtype=dt(lib, name))
    assert t.random_() is t
    x = npy(t)
    if name == "bool":
        x = x.astype(np.int64)
    assert is_integral(x.astype(np.float64))
    if hi <= 4096:
        x = x.astype(np.int64)
        assert x.min() == 0 and x.max() == hi, f"range [{x.min()}, {x.max()}] != [0, {hi}]"
        assert_chi2(np.bincount(x, minlength=hi + 1), np.full(hi + 1, 1.0 / (hi + 1)), f"random_() {name}")
    else:
        xf = x.astype(np.float64)
        assert xf.min() >= 0 and xf.max() <= hi
        # the ends of the range are reached (within 20 / n of them)
        assert xf.max() >= hi * (1 - 20 / n) and xf.min() <= hi * 20 / n
        assert_mean(xf, hi / 2, hi ** 2 / 12, f"random_() {name}")
        if name in INTS:
            assert int(x.max()) <= hi


@pytest.mark.parametrize("name", ALL)
def test_random_to(lib, name):
    lib.manual_seed(102)
    to = 2 if name == "bool" else 37
    t = lib.zeros(50_000, dtype=dt(lib, name))
    assert t.random_(to) is t
    x = f64(t).astype(np.int64)
    assert x.min() == 0 and x.max() == to - 1
    assert_chi2(np.bincount(x, minlength=to), np.full(to, 1 / to), f"random_({to}) {name}")
    y = f64(lib.zeros(1000, dtype=dt(lib, name)).random_(to=to))
    assert y.min() >= 0 and y.max() < to


@pytest.mark.parametrize("name", ALL)
def test_random_from_to(lib, name):
    lib.manual_seed(103)
    if name == "bool":
        lo, hi = 0, 2
    elif name == "uint8":
        lo, hi = 100, 130
    else:
        lo, hi = -15, 15
    t = lib.zeros(50_000, dtype=dt(lib, name))
    assert t.random_(lo, hi) is t
    x = f64(t).astype(np.int64)
    assert x.min() == lo and x.max() == hi - 1
    assert_chi2(np.bincount(x - lo, minlength=hi - lo), np.full(hi - lo, 1 / (hi - lo)), f"random_({lo}, {hi})")
    y = f64(lib.zeros(1000, dtype=dt(lib, name)).random_(**{"from": lo, "to": hi}))
    assert y.min() >= lo and y.max() < hi


@pytest.mark.parametrize("name", ALL)
def test_random_from_to_none(lib, name):
    """random_(from, None): [from, the dtype's random_() maximum]."""
    lib.manual_seed(104)
    hi = random_max(name)
    lo = 0 if name == "bool" else hi - 5
    x = npy(lib.zeros(5000, dtype=dt(lib, name)).random_(lo, None))
    vals = sorted(int(v) for v in np.unique(x))
    assert vals == list(range(lo, hi + 1)), f"values {vals} != [{lo}, {hi}]"


def test_random_full_int64_range(lib):
    lib.manual_seed(105)
    x = npy(lib.zeros(20_000, dtype=lib.int64).random_(-2 ** 63, None))
    assert x.min() < -2 ** 62 and x.max() > 2 ** 62
    assert_mean(x.astype(np.float64), 0.0, 4.0 ** 63 / 3, "random_(-2^63, None)")
    y = npy(lib.zeros(20_000, dtype=lib.int64).random_(-2 ** 63, 2 ** 63 - 1))
    assert y.min() < -2 ** 62 and y.max() > 2 ** 62


def test_random_signed_extremes(lib):
    lib.manual_seed(106)
    x = npy(lib.zeros(20_000, dtype=lib.int8).random_(-128, 128)).astype(np.int64)
    assert x.min() == -128 and x.max() == 127
    y = npy(lib.zeros(20_000, dtype=lib.uint8).random_(256)).astype(np.int64)
    assert y.min() == 0 and y.max() == 255


@pytest.mark.parametrize("name,to,bits", [("float16", 4000, 11), ("float32", 2 ** 25, 24), ("bfloat16", 1000, 8)])
def test_random_float_precision_warning(lib, name, to, bits):
    """Ranges a float dtype cannot hold exactly are drawn anyway, with torch's UserWarning."""
    pattern = re.escape(f"to - 1 is out of bounds [-(2^{bits}), 2^{bits}]. Due to precision limitations")
    with pytest.warns(UserWarning, match=pattern):
        x = f64(lib.zeros(100, dtype=dt(lib, name)).random_(0, to))
    assert x.min() >= 0 and x.max() <= to


RANDOM_ERRORS = [
    ("from_eq_to", lambda L: L.zeros(3).random_(5, 5), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=5 >= to=5")),
    ("from_gt_to", lambda L: L.zeros(3).random_(5, 3), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=5 >= to=3")),
    ("to_zero", lambda L: L.zeros(3, dtype=L.int64).random_(0), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=0 >= to=0")),
    ("to_negative", lambda L: L.zeros(3).random_(-2), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=0 >= to=-2")),
    ("bool_to", lambda L: L.zeros(3, dtype=L.bool).random_(10), RE, exact("to - 1 is out of bounds for bool")),
    ("bool_from", lambda L: L.zeros(3, dtype=L.bool).random_(-3, 1), RE, exact("from is out of bounds for bool")),
    ("uint8_from", lambda L: L.zeros(3, dtype=L.uint8).random_(-3, 10), RE,
     exact("from is out of bounds for unsigned char")),
    ("uint8_to", lambda L: L.zeros(3, dtype=L.uint8).random_(257), RE,
     exact("to - 1 is out of bounds for unsigned char")),
    ("int8_to", lambda L: L.zeros(3, dtype=L.int8).random_(0, 129), RE,
     exact("to - 1 is out of bounds for signed char")),
    ("int8_from", lambda L: L.zeros(3, dtype=L.int8).random_(-129, 0), RE,
     exact("from is out of bounds for signed char")),
    ("int16_to", lambda L: L.zeros(3, dtype=L.int16).random_(0, 40000), RE,
     exact("to - 1 is out of bounds for short int")),
    ("int32_to", lambda L: L.zeros(3, dtype=L.int32).random_(0, 2 ** 31 + 1), RE,
     exact("to - 1 is out of bounds for int")),
    ("half_to", lambda L: L.zeros(3, dtype=L.float16).random_(0, 70000), RE,
     exact("to - 1 is out of bounds for c10::Half")),
    ("half_from", lambda L: L.zeros(3, dtype=L.float16).random_(-70000, 0), RE,
     exact("from is out of bounds for c10::Half")),
    ("float_arguments", lambda L: L.zeros(3).random_(0.5, 3), TypeError,
     r"random_\(\) received an invalid combination"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in RANDOM_ERRORS], ids=[e[0] for e in RANDOM_ERRORS])
def test_random_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# rand_like / randn_like / randint_like
# ==========================================================================================================
@pytest.mark.parametrize("name", FLOATS)
def test_rand_like_randn_like(lib, name):
    lib.manual_seed(111)
    x = lib.zeros(300, 200, dtype=dt(lib, name))
    u = lib.rand_like(x)
    check_tensor(u, (300, 200), name)
    uv = f64(u).reshape(-1)
    assert uv.min() >= 0 and uv.max() < 1
    assert_mean(uv, 0.5, 1 / 12, f"rand_like {name}", slack=2 * 2.0 ** -DIGITS[name])
    z = lib.randn_like(x)
    check_tensor(z, (300, 200), name)
    zv = f64(z).reshape(-1)
    assert_mean(zv, 0.0, 1.0, f"randn_like {name}")
    assert_var(zv, 1.0, 0.0, f"randn_like {name}", slack=0.02)
    np.testing.assert_array_equal(f64(x), np.zeros((300, 200)))  # the input is untouched


def test_like_dtype_override(lib):
    i = lib.zeros(2, 3, dtype=lib.int64)
    check_tensor(lib.rand_like(i, dtype=lib.float64), (2, 3), "float64")
    check_tensor(lib.randn_like(i, dtype=lib.float32), (2, 3), "float32")
    check_tensor(lib.randint_like(lib.zeros(2, 3), 5, dtype=lib.int64), (2, 3), "int64")
    check_tensor(lib.rand_like(lib.tensor(1.0)), (), "float32")
    check_tensor(lib.randn_like(lib.zeros(0, 4)), (0, 4), "float32")


@pytest.mark.parametrize("name", ALL)
def test_randint_like(lib, name):
    lib.manual_seed(112)
    x = lib.zeros(30_000, dtype=dt(lib, name))
    hi = 2 if name == "bool" else 9
    t = lib.randint_like(x, hi)
    check_tensor(t, (30_000,), name)
    v = f64(t).astype(np.int64)
    assert v.min() == 0 and v.max() == hi - 1
    assert_chi2(np.bincount(v, minlength=hi), np.full(hi, 1 / hi), f"randint_like {name}")
    lo = 0 if name in ("bool", "uint8") else -3
    w = f64(lib.randint_like(x, lo, hi)).astype(np.int64)
    assert w.min() == lo and w.max() == hi - 1
    assert f64(lib.randint_like(x, low=lo, high=hi)).min() >= lo
    assert f64(lib.randint_like(x, high=hi)).max() < hi


@pytest.mark.parametrize("fn", ["rand_like", "randn_like", "randint_like"])
def test_like_ops_preserve_strides_of_dense_inputs(lib, fn):
    """torch's default memory_format=preserve_format: a transposed (dense) input gives a transposed result."""
    make = {"rand_like": lambda t: lib.rand_like(t), "randn_like": lambda t: lib.randn_like(t),
            "randint_like": lambda t: lib.randint_like(t, 5)}[fn]
    x = lib.zeros(3, 2).t()
    r = make(x)
    assert tuple(r.shape) == (2, 3)
    assert tuple(r.stride()) == tuple(x.stride())
    s = make(lib.zeros(4, 6)[::2, ::3])  # not dense: a contiguous result
    assert tuple(s.shape) == (2, 2) and tuple(s.stride()) == (2, 1)


LIKE_ERRORS = [
    ("rand_like_int", lambda L: L.rand_like(L.zeros(2, dtype=L.int64)), NIE,
     exact("\"check_uniform_bounds\" not implemented for 'Long'")),
    ("randn_like_int", lambda L: L.randn_like(L.zeros(2, dtype=L.int32)), NIE,
     exact("\"normal_kernel_cpu\" not implemented for 'Int'")),
    ("rand_like_bool", lambda L: L.rand_like(L.zeros(2, dtype=L.bool)), NIE,
     exact("\"check_uniform_bounds\" not implemented for 'Bool'")),
    ("randint_like_low_eq_high", lambda L: L.randint_like(L.zeros(2), 5, 5), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=5 >= to=5")),
    ("randint_like_high_zero", lambda L: L.randint_like(L.zeros(2), 0), RE,
     exact("random_ expects 'from' to be less than 'to', but got from=0 >= to=0")),
    ("randint_like_uint8", lambda L: L.randint_like(L.zeros(2, dtype=L.uint8), 300), RE,
     exact("to - 1 is out of bounds for unsigned char")),
    ("randint_like_bool", lambda L: L.randint_like(L.zeros(2, dtype=L.bool), 3), RE,
     exact("to - 1 is out of bounds for bool")),
    ("rand_like_list", lambda L: L.rand_like([1.0]), TypeError,
     exact("rand_like(): argument 'input' (position 1) must be Tensor, not list")),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in LIKE_ERRORS], ids=[e[0] for e in LIKE_ERRORS])
def test_like_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


# ==========================================================================================================
# seeding, generators and state: every sampler
# ==========================================================================================================
# name -> fn(lib, **kw) drawing ~50 values, `kw` possibly holding generator=
SAMPLERS = {
    "rand": lambda L, **kw: L.rand(50, **kw),
    "rand_float64": lambda L, **kw: L.rand(5, 10, dtype=L.float64, **kw),
    "randn": lambda L, **kw: L.randn(50, **kw),
    "randint": lambda L, **kw: L.randint(0, 1000, (50,), **kw),
    "randint_high": lambda L, **kw: L.randint(1000, (50,), **kw),
    "randperm": lambda L, **kw: L.randperm(50, **kw),
    "normal_tensor_tensor": lambda L, **kw: L.normal(L.zeros(50), L.ones(50), **kw),
    "normal_tensor_float": lambda L, **kw: L.normal(L.zeros(50), 2.0, **kw),
    "normal_float_tensor": lambda L, **kw: L.normal(1.0, L.ones(50), **kw),
    "normal_size": lambda L, **kw: L.normal(0.0, 1.0, (50,), **kw),
    "multinomial_replacement": lambda L, **kw: L.multinomial(L.ones(10), 50, True, **kw),
    "multinomial_no_replacement": lambda L, **kw: L.multinomial(L.ones(4, 50), 20, **kw),
    "bernoulli": lambda L, **kw: L.bernoulli(L.full((50,), 0.5), **kw),
    "bernoulli_p": lambda L, **kw: L.bernoulli(L.zeros(50), 0.5, **kw),
    "poisson": lambda L, **kw: L.poisson(L.full((50,), 100.0), **kw),
    "uniform_": lambda L, **kw: L.empty(50).uniform_(-1, 1, **kw),
    "normal_": lambda L, **kw: L.empty(50).normal_(**kw),
    "bernoulli_": lambda L, **kw: L.empty(50).bernoulli_(0.5, **kw),
    "bernoulli_tensor_": lambda L, **kw: L.empty(50).bernoulli_(L.full((50,), 0.5), **kw),
    "exponential_": lambda L, **kw: L.empty(50).exponential_(**kw),
    "random_": lambda L, **kw: L.empty(50, dtype=L.int64).random_(**kw),
    "random_to": lambda L, **kw: L.empty(50).random_(1000, **kw),
    "random_from_to": lambda L, **kw: L.empty(50, dtype=L.int32).random_(-500, 500, **kw),
    "cauchy_": lambda L, **kw: L.empty(50).cauchy_(**kw),
    "log_normal_": lambda L, **kw: L.empty(50).log_normal_(**kw),
    "geometric_": lambda L, **kw: L.empty(50).geometric_(0.1, **kw),
    "rand_like": lambda L, **kw: L.rand_like(L.zeros(50), **kw),
    "randn_like": lambda L, **kw: L.randn_like(L.zeros(50), **kw),
    "randint_like": lambda L, **kw: L.randint_like(L.zeros(50), 1000, **kw),
}
SAMPLER_NAMES = list(SAMPLERS)


@pytest.mark.parametrize("sampler", SAMPLER_NAMES)
def test_manual_seed_reproducible(lib, sampler):
    fn = SAMPLERS[sampler]
    lib.manual_seed(42)
    a, b = npy(fn(lib)), npy(fn(lib))
    lib.manual_seed(42)
    c, d = npy(fn(lib)), npy(fn(lib))
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(b, d)
    assert not np.array_equal(a, b), "two draws in a row were equal: the state did not advance"
    lib.manual_seed(43)
    assert not np.array_equal(npy(fn(lib)), a), "different seeds gave the same values"


@pytest.mark.parametrize("sampler", SAMPLER_NAMES)
def test_generator_reproducible(lib, sampler):
    fn = SAMPLERS[sampler]
    g1 = lib.Generator().manual_seed(7)
    g2 = lib.Generator()
    g2.manual_seed(7)
    a1, a2 = npy(fn(lib, generator=g1)), npy(fn(lib, generator=g2))
    np.testing.assert_array_equal(a1, a2)
    b1 = npy(fn(lib, generator=g1))
    assert not np.array_equal(a1, b1)
    g3 = lib.Generator().manual_seed(8)
    assert not np.array_equal(npy(fn(lib, generator=g3)), a1)
    # the default generator, seeded alike, gives the same stream as a Generator
    lib.manual_seed(7)
    np.testing.assert_array_equal(npy(fn(lib)), a1)
    np.testing.assert_array_equal(npy(fn(lib, generator=None)), b1)


@pytest.mark.parametrize("sampler", SAMPLER_NAMES)
def test_generator_advances_only_itself(lib, sampler):
    fn = SAMPLERS[sampler]
    lib.manual_seed(5)
    ref = npy(fn(lib))
    lib.manual_seed(5)
    before = npy(lib.get_rng_state())
    g = lib.Generator().manual_seed(123)
    g_before = npy(g.get_state())
    fn(lib, generator=g)
    assert not np.array_equal(npy(g.get_state()), g_before), "the generator's state did not advance"
    np.testing.assert_array_equal(npy(lib.get_rng_state()), before)
    np.testing.assert_array_equal(npy(fn(lib)), ref)
    # and global draws leave the generator alone
    g_mid = npy(g.get_state())
    fn(lib)
    np.testing.assert_array_equal(npy(g.get_state()), g_mid)


@pytest.mark.parametrize("sampler", SAMPLER_NAMES)
def test_state_replay(lib, sampler):
    fn = SAMPLERS[sampler]
    g = lib.Generator().manual_seed(99)
    fn(lib, generator=g)
    state = g.get_state()
    a = npy(fn(lib, generator=g))
    b = npy(fn(lib, generator=g))
    assert g.set_state(state) is g
    np.testing.assert_array_equal(npy(fn(lib, generator=g)), a)
    np.testing.assert_array_equal(npy(fn(lib, generator=g)), b)
    # the global generator through get_rng_state / set_rng_state
    lib.manual_seed(3)
    fn(lib)
    s = lib.get_rng_state()
    c = npy(fn(lib))
    fn(lib)
    assert lib.set_rng_state(s) is None
    np.testing.assert_array_equal(npy(fn(lib)), c)


# ==========================================================================================================
# Generator / manual_seed / seed / initial_seed API
# ==========================================================================================================
def test_manual_seed_returns_default_generator(lib):
    g = lib.manual_seed(3)
    assert g is lib.default_generator
    assert isinstance(g, lib.Generator)
    assert lib.initial_seed() == 3
    assert lib.default_generator.initial_seed() == 3
    assert lib.random.initial_seed() == 3
    assert lib.random.manual_seed(4) is lib.default_generator
    assert lib.initial_seed() == 4


def test_generator_methods(lib):
    g = lib.Generator()
    assert g.manual_seed(11) is g
    assert g.initial_seed() == 11
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2 ** 64
    assert g.initial_seed() == s
    # seed() seeds the generator with the returned value
    a = npy(lib.rand(8, generator=g))
    np.testing.assert_array_equal(npy(lib.rand(8, generator=lib.Generator().manual_seed(s))), a)
    assert g.seed() != s


def test_generator_default_seed_matches_torch(lib, torch_ref):
    g = lib.Generator()
    assert g.initial_seed() == torch_ref.Generator().initial_seed()
    # a fresh Generator draws the stream of its initial seed
    a = npy(lib.rand(8, generator=g))
    np.testing.assert_array_equal(npy(lib.rand(8, generator=lib.Generator().manual_seed(g.initial_seed()))), a)


def test_global_seed(lib):
    s = lib.seed()
    assert isinstance(s, int) and 0 <= s < 2 ** 64
    assert lib.initial_seed() == s
    a = npy(lib.rand(8))
    np.testing.assert_array_equal(npy(lib.rand(8, generator=lib.Generator().manual_seed(s))), a)
    assert lib.seed() != s
    r = lib.random.seed()
    assert lib.initial_seed() == r


def test_generator_device(lib):
    assert lib.Generator().device == lib.device("cpu")
    assert lib.Generator("cpu").device == lib.device("cpu")
    assert lib.Generator(device=lib.device("cpu")).device == lib.device("cpu")
    assert lib.default_generator.device == lib.device("cpu")


def test_manual_seed_wraps_negative_seeds(lib):
    """Seeds are taken modulo 2^64: -1 is 2^64 - 1."""
    assert lib.Generator().manual_seed(-1).initial_seed() == 2 ** 64 - 1
    assert lib.Generator().manual_seed(-2 ** 63).initial_seed() == 2 ** 63
    assert lib.Generator().manual_seed(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1
    assert lib.manual_seed(-1).initial_seed() == 2 ** 64 - 1
    a = npy(lib.rand(5, generator=lib.Generator().manual_seed(-5)))
    np.testing.assert_array_equal(npy(lib.rand(5, generator=lib.Generator().manual_seed(2 ** 64 - 5))), a)


def test_global_manual_seed_converts_with_int(lib):
    """torch.manual_seed calls int() on its argument; Generator.manual_seed does not."""
    lib.manual_seed(1.7)
    assert lib.initial_seed() == 1
    lib.manual_seed("12")
    assert lib.initial_seed() == 12


SEED_ERRORS = [
    ("generator_float", lambda L: L.Generator().manual_seed(1.5), RE,
     exact("manual_seed expected a long, but got float")),
    ("generator_str", lambda L: L.Generator().manual_seed("1"), RE, exact("manual_seed expected a long, but got str")),
    ("generator_too_big", lambda L: L.Generator().manual_seed(2 ** 64), ValueError, r"^Overflow when unpacking long"),
    ("generator_too_small", lambda L: L.Generator().manual_seed(-2 ** 63 - 1), ValueError,
     r"^Overflow when unpacking long"),
    ("global_too_big", lambda L: L.manual_seed(2 ** 64), ValueError, r"^Overflow when unpacking long"),
    ("set_state_list", lambda L: L.Generator().set_state([1, 2]), TypeError,
     exact("expected a torch.ByteTensor, but got list")),
    ("set_state_float", lambda L: L.Generator().set_state(L.zeros(L.get_rng_state().numel())), TypeError,
     exact("RNG state must be a torch.ByteTensor")),
    ("set_rng_state_list", lambda L: L.set_rng_state([1, 2]), TypeError,
     exact("expected a torch.ByteTensor, but got list")),
    ("set_rng_state_float", lambda L: L.set_rng_state(L.zeros(L.get_rng_state().numel())), TypeError,
     exact("RNG state must be a torch.ByteTensor")),
    ("rand_generator_int", lambda L: L.rand(3, generator=5), TypeError, r"^rand\(\) received an invalid combination"),
]


@pytest.mark.parametrize("fn,exc,pattern", [e[1:] for e in SEED_ERRORS], ids=[e[0] for e in SEED_ERRORS])
def test_seed_and_state_errors(lib, fn, exc, pattern):
    raises(exc, pattern, lambda: fn(lib))


@pytest.mark.parametrize("target", ["generator", "global"])
def test_set_state_wrong_size(lib, target):
    size = lib.get_rng_state().numel()
    bad = lib.zeros(10, dtype=lib.uint8)
    fn = (lambda: lib.Generator().set_state(bad)) if target == "generator" else (lambda: lib.set_rng_state(bad))
    raises(RE, exact(f"Expected a CPUGeneratorImplState of size {size} but found the input RNG state size to be 10"),
           fn)


def test_get_state_is_a_byte_tensor_copy(lib):
    g = lib.Generator().manual_seed(17)
    s = g.get_state()
    check_tensor(s, (s.numel(),), "uint8")
    assert s.numel() > 0
    np.testing.assert_array_equal(npy(s), npy(g.get_state()))
    assert s.data_ptr() != g.get_state().data_ptr()
    s2 = s.clone()
    s.zero_()  # mutating the returned tensor does not touch the generator
    np.testing.assert_array_equal(npy(g.get_state()), npy(s2))
    lib.rand(3, generator=g)
    assert not np.array_equal(npy(g.get_state()), npy(s2))
    # same seed, same state; different seeds, different states
    np.testing.assert_array_equal(npy(lib.Generator().manual_seed(17).get_state()), npy(s2))
    assert not np.array_equal(npy(lib.Generator().manual_seed(18).get_state()), npy(s2))


def test_set_state_copies_between_generators(lib):
    g = lib.Generator().manual_seed(1)
    lib.randn(7, generator=g)
    h = lib.Generator().manual_seed(2)
    h.set_state(g.get_state())
    np.testing.assert_array_equal(npy(h.get_state()), npy(g.get_state()))
    np.testing.assert_array_equal(npy(lib.randn(20, generator=h)), npy(lib.randn(20, generator=g)))
    # into and out of the global generator
    lib.set_rng_state(g.get_state())
    np.testing.assert_array_equal(npy(lib.rand(6)), npy(lib.rand(6, generator=g)))
    np.testing.assert_array_equal(npy(lib.get_rng_state()), npy(g.get_state()))


def test_global_state_functions_agree(lib):
    lib.manual_seed(77)
    s = lib.get_rng_state()
    check_tensor(s, (s.numel(),), "uint8")
    np.testing.assert_array_equal(npy(s), npy(lib.default_generator.get_state()))
    np.testing.assert_array_equal(npy(s), npy(lib.random.get_rng_state()))
    a = npy(lib.rand(4))
    lib.random.set_rng_state(s)
    np.testing.assert_array_equal(npy(lib.rand(4)), a)
    lib.default_generator.set_state(s)
    np.testing.assert_array_equal(npy(lib.rand(4)), a)


def test_interleaved_ops_share_one_stream(lib):
    """Different samplers draw from the same generator: replaying a mixed sequence replays every op."""
    def run():
        return [npy(lib.rand(3)), npy(lib.randn(4)), npy(lib.randint(0, 100, (5,))), npy(lib.randperm(6)),
                npy(lib.empty(3).exponential_()), npy(lib.multinomial(lib.ones(5), 3))]
    lib.manual_seed(2024)
    first = run()
    lib.manual_seed(2024)
    second = run()
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    lib.manual_seed(2024)
    lib.rand(1)  # one extra draw shifts everything after it
    shifted = run()
    assert not np.array_equal(shifted[1], first[1])

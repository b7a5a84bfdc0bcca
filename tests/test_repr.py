"""Tensor printing: ``repr(t)`` / ``str(t)`` must match PyTorch 2.x character for character.

Two layers:
  * literal expected strings (taken from real PyTorch) so formatting is checked even without torch;
  * parametrised comparisons against ``repr(torch.tensor(...))`` through the ``torch_ref`` fixture,
    over many magnitudes, dtypes, shapes, special values, summarised and wrapped output and
    non-default print options.

Float test data is built from values exactly representable in float16 / bfloat16 where those dtypes
are used, so a repr mismatch can only come from the formatter, not from value rounding.
"""
from __future__ import annotations

import math
import random
from typing import Any, Callable, List, Tuple

import pytest

import rtorch
from conftest import FLOAT_DTYPES, INT_DTYPES
from rtorch import _tensor_str

nan, inf = float("nan"), float("inf")

Builder = Callable[[Any], Any]  # module (rtorch or torch) -> tensor


# ----------------------------------------------------------------------------------------------------------
# literal expectations (verified against PyTorch 2.x)
# ----------------------------------------------------------------------------------------------------------
LITERALS: List[Tuple[str, Builder, str]] = [
    ("float_1d", lambda m: m.tensor([1.0, 2.0, 3.0]), "tensor([1., 2., 3.])"),
    ("int_2d", lambda m: m.tensor([[1, 2], [3, 4]]), "tensor([[1, 2],\n        [3, 4]])"),
    ("f64_scalar", lambda m: m.tensor(2.5, dtype=m.float64), "tensor(2.5000, dtype=torch.float64)"),
    ("float_scalar_int_valued", lambda m: m.tensor(3.0), "tensor(3.)"),
    ("int_scalar", lambda m: m.tensor(7), "tensor(7)"),
    ("bool_scalar", lambda m: m.tensor(True), "tensor(True)"),
    ("empty_0x3", lambda m: m.zeros(0, 3), "tensor([], size=(0, 3))"),
    ("empty_1d", lambda m: m.tensor([]), "tensor([])"),
    ("empty_int32", lambda m: m.tensor([], dtype=m.int32), "tensor([], dtype=torch.int32)"),
    ("empty_int64", lambda m: m.tensor([], dtype=m.int64), "tensor([], dtype=torch.int64)"),
    ("empty_2x0_f64", lambda m: m.zeros(2, 0, dtype=m.float64),
     "tensor([], size=(2, 0), dtype=torch.float64)"),
    ("fixed_point", lambda m: m.tensor([1.5, -2.25, 3.0]), "tensor([ 1.5000, -2.2500,  3.0000])"),
    ("float16", lambda m: m.tensor([0.1, 0.2], dtype=m.float16),
     "tensor([0.1000, 0.2000], dtype=torch.float16)"),
    ("bfloat16", lambda m: m.tensor([0.1, 1.5], dtype=m.bfloat16),
     "tensor([0.1001, 1.5000], dtype=torch.bfloat16)"),
    ("int32", lambda m: m.tensor([1, 2, 3], dtype=m.int32), "tensor([1, 2, 3], dtype=torch.int32)"),
    ("uint8", lambda m: m.tensor([0, 255], dtype=m.uint8), "tensor([  0, 255], dtype=torch.uint8)"),
    ("int8", lambda m: m.tensor([-5, 100, 7], dtype=m.int8), "tensor([ -5, 100,   7], dtype=torch.int8)"),
    ("bool", lambda m: m.tensor([True, False, True]), "tensor([ True, False,  True])"),
    ("nonfinite_int_mode", lambda m: m.tensor([1.0, nan, inf, -inf]), "tensor([1., nan, inf, -inf])"),
    ("nonfinite_fixed", lambda m: m.tensor([1.5, nan, -inf]), "tensor([1.5000,    nan,   -inf])"),
    ("sci_small", lambda m: m.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    ("sci_ratio", lambda m: m.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
    ("sci_big", lambda m: m.tensor([123456789.0]), "tensor([1.2346e+08])"),
    ("signed_zero", lambda m: m.tensor([0.0, -0.0]), "tensor([0., -0.])"),
    ("int_mode_width", lambda m: m.tensor([100.0, 1.0, -3.0]), "tensor([100.,   1.,  -3.])"),
    ("summarised_int", lambda m: m.arange(2000),
     "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    ("summarised_float", lambda m: m.arange(2000, dtype=m.float32),
     "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
     "        1.9990e+03])"),
    ("wrapped_f64", lambda m: m.arange(30, dtype=m.float64),
     "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
     "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
     "        28., 29.], dtype=torch.float64)"),
    ("three_d", lambda m: m.arange(24).reshape(2, 3, 4),
     "tensor([[[ 0,  1,  2,  3],\n"
     "         [ 4,  5,  6,  7],\n"
     "         [ 8,  9, 10, 11]],\n"
     "\n"
     "        [[12, 13, 14, 15],\n"
     "         [16, 17, 18, 19],\n"
     "         [20, 21, 22, 23]]])"),
    ("summarised_2d", lambda m: m.arange(1600, dtype=m.float32).reshape(40, 40),
     "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 3.7000e+01, 3.8000e+01,\n"
     "         3.9000e+01],\n"
     "        [4.0000e+01, 4.1000e+01, 4.2000e+01,  ..., 7.7000e+01, 7.8000e+01,\n"
     "         7.9000e+01],\n"
     "        [8.0000e+01, 8.1000e+01, 8.2000e+01,  ..., 1.1700e+02, 1.1800e+02,\n"
     "         1.1900e+02],\n"
     "        ...,\n"
     "        [1.4800e+03, 1.4810e+03, 1.4820e+03,  ..., 1.5170e+03, 1.5180e+03,\n"
     "         1.5190e+03],\n"
     "        [1.5200e+03, 1.5210e+03, 1.5220e+03,  ..., 1.5570e+03, 1.5580e+03,\n"
     "         1.5590e+03],\n"
     "        [1.5600e+03, 1.5610e+03, 1.5620e+03,  ..., 1.5970e+03, 1.5980e+03,\n"
     "         1.5990e+03]])"),
    ("summarised_3d_rows", lambda m: m.arange(2 * 3 * 400).reshape(2, 3, 400),
     "tensor([[[   0,    1,    2,  ...,  397,  398,  399],\n"
     "         [ 400,  401,  402,  ...,  797,  798,  799],\n"
     "         [ 800,  801,  802,  ..., 1197, 1198, 1199]],\n"
     "\n"
     "        [[1200, 1201, 1202,  ..., 1597, 1598, 1599],\n"
     "         [1600, 1601, 1602,  ..., 1997, 1998, 1999],\n"
     "         [2000, 2001, 2002,  ..., 2397, 2398, 2399]]])"),
    ("four_d_int32", lambda m: m.zeros(2, 2, 2, 2, dtype=m.int32),
     "tensor([[[[0, 0],\n"
     "          [0, 0]],\n"
     "\n"
     "         [[0, 0],\n"
     "          [0, 0]]],\n"
     "\n"
     "\n"
     "        [[[0, 0],\n"
     "          [0, 0]],\n"
     "\n"
     "         [[0, 0],\n"
     "          [0, 0]]]], dtype=torch.int32)"),
    ("f64_2d", lambda m: m.tensor([[1.5, 2.0], [-3.25, 4.0]], dtype=m.float64),
     "tensor([[ 1.5000,  2.0000],\n        [-3.2500,  4.0000]], dtype=torch.float64)"),
    ("sci_2d", lambda m: m.tensor([[0.001, 2000.0]]), "tensor([[1.0000e-03, 2.0000e+03]])"),
]


@pytest.mark.parametrize("name,build,expected", LITERALS, ids=[c[0] for c in LITERALS])
def test_repr_literal(name: str, build: Builder, expected: str) -> None:
    t = build(rtorch)
    assert repr(t) == expected
    assert str(t) == expected


def test_repr_huge_tensor_is_summarised() -> None:
    t = rtorch.zeros(4000, 4000)
    assert repr(t) == (
        "tensor([[0., 0., 0.,  ..., 0., 0., 0.],\n"
        "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
        "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
        "        ...,\n"
        "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
        "        [0., 0., 0.,  ..., 0., 0., 0.],\n"
        "        [0., 0., 0.,  ..., 0., 0., 0.]])"
    )


def test_repr_cuda_device() -> None:
    cuda = getattr(rtorch, "cuda", None)
    if cuda is None or not cuda.is_available():
        pytest.skip("no CUDA device")
    t = rtorch.tensor([1.0, 2.0], device="cuda")
    assert repr(t) == "tensor([1., 2.], device='cuda:0')"


def test_tensor_contents_override() -> None:
    t = rtorch.tensor([1.0, 2.0], dtype=rtorch.float64)
    assert _tensor_str._str(t, tensor_contents="[...]") == "tensor([...], dtype=torch.float64)"


def test_printoptions_state() -> None:
    defaults = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
    assert _tensor_str.get_printoptions() == defaults
    try:
        _tensor_str.set_printoptions(precision=2)
        assert repr(rtorch.tensor([1.12345])) == "tensor([1.12])"
        _tensor_str.set_printoptions(threshold=5)
        assert _tensor_str.get_printoptions()["precision"] == 2
        assert repr(rtorch.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
        _tensor_str.set_printoptions(profile="default")
        assert repr(rtorch.tensor([1.12345])) == "tensor([1.1235])"
        assert repr(rtorch.arange(10)) == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"
        with _tensor_str.printoptions(sci_mode=True):
            assert repr(rtorch.tensor([1.5])) == "tensor([1.5000e+00])"
        assert repr(rtorch.tensor([1.5])) == "tensor([1.5000])"
        _tensor_str.set_printoptions(profile="full")
        assert repr(rtorch.arange(1001)).count("...") == 0
    finally:
        _tensor_str.set_printoptions(profile="default")
    assert _tensor_str.get_printoptions() == defaults


def test_set_printoptions_exported() -> None:
    """``torch.set_printoptions`` is public API, so rtorch must expose it at top level too."""
    assert rtorch.set_printoptions is _tensor_str.set_printoptions


# ----------------------------------------------------------------------------------------------------------
# comparisons against real PyTorch
# ----------------------------------------------------------------------------------------------------------
def _exact_floats(rng: random.Random, n: int, exp_lo: int, exp_hi: int) -> List[float]:
    """Floats m * 2**e with |m| < 256: exact in float16 (within its range), bfloat16, float32, float64."""
    return [rng.randint(-255, 255) * 2.0 ** rng.randint(exp_lo, exp_hi) for _ in range(n)]


def _reshape(flat: List[Any], shape: Tuple[int, ...]) -> Any:
    if len(shape) <= 1:
        return flat
    step = len(flat) // shape[0]
    return [_reshape(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _numel(shape: Tuple[int, ...]) -> int:
    return math.prod(shape)


def _cases() -> List[Tuple[str, Builder]]:
    rng = random.Random(1234)
    cases: List[Tuple[str, Builder]] = []

    def add(name: str, data: Any, dtype: str) -> None:
        cases.append((name, lambda m, d=data, dt=dtype: m.tensor(d, dtype=getattr(m, dt))))

    shapes = [(), (1,), (4,), (2, 3), (3, 1, 2), (2, 2, 2, 2), (17,), (5, 9)]
    # magnitudes as binary exponents (2**-30 ~ 1e-9 ... 2**40 ~ 1e12); float16 stays in its range
    for dt in FLOAT_DTYPES:
        exps = [(-24, -20), (-14, -10), (-8, -4), (-2, 0), (0, 3), (6, 9), (10, 12)]
        if dt != "float16":
            exps += [(-30, -26), (20, 26), (30, 40)]
        for shape in shapes:
            for lo, hi in exps:
                flat = _exact_floats(rng, max(_numel(shape), 1), lo, hi)
                data = flat[0] if shape == () else _reshape(flat, shape)
                add(f"{dt}-{shape}-2^{lo}", data, dt)
            ints = [float(rng.randint(-300, 300)) for _ in range(max(_numel(shape), 1))]
            add(f"{dt}-{shape}-intvalued", ints[0] if shape == () else _reshape(ints, shape), dt)
    # float32 / float64 with arbitrary (non-exact) values over many decades
    for dt in ("float32", "float64"):
        for k in range(-10, 13, 2):
            flat = [rng.uniform(-1, 1) * 10.0 ** k for _ in range(12)]
            add(f"{dt}-uniform-1e{k}", _reshape(flat, (3, 4)), dt)
        mixed = [rng.uniform(-1, 1) * 10.0 ** rng.randint(-6, 6) for _ in range(20)]
        add(f"{dt}-mixed-decades", mixed, dt)
    # special values
    specials = [nan, inf, -inf, 0.0, -0.0, 1.0, -2.0, 1.5, 2.0 ** -17, 2.0 ** 33, 96.0]
    for dt in FLOAT_DTYPES:
        for i in range(25):
            vals = [rng.choice(specials) for _ in range(rng.randint(1, 7))]
            if dt == "float16":
                vals = [v if not (math.isfinite(v) and abs(v) > 6e4) else 4096.0 for v in vals]
            add(f"{dt}-specials-{i}", vals, dt)
        for v in (nan, inf, -inf, -0.0, 0.0):
            add(f"{dt}-scalar-{v}", v, dt)
    # integers and bools
    for dt in INT_DTYPES:
        lo, hi = {"uint8": (0, 255), "int8": (-128, 127), "int16": (-32768, 32767)}.get(
            dt, (-(10 ** 9), 10 ** 9))
        for shape in shapes:
            flat = [rng.randint(lo, hi) for _ in range(max(_numel(shape), 1))]
            add(f"{dt}-{shape}", flat[0] if shape == () else _reshape(flat, shape), dt)
            small = [rng.randint(0, 9) for _ in range(max(_numel(shape), 1))]
            add(f"{dt}-{shape}-small", small[0] if shape == () else _reshape(small, shape), dt)
    for shape in shapes:
        flat = [rng.random() < 0.5 for _ in range(max(_numel(shape), 1))]
        add(f"bool-{shape}", flat[0] if shape == () else _reshape(flat, shape), "bool")
    add("bool-all-true", [True, True, True], "bool")
    # empty tensors
    for dt in FLOAT_DTYPES + INT_DTYPES + ["bool"]:
        for shape in [(0,), (0, 3), (3, 0, 2)]:
            cases.append((f"empty-{dt}-{shape}",
                          lambda m, s=shape, d=dt: m.zeros(*s, dtype=getattr(m, d))))
    # wrapping and summarisation
    for dt in FLOAT_DTYPES + ["int64", "int32", "int16"]:
        for n in (10, 20, 27, 50, 999, 1000, 1001, 2000):
            if dt in ("float16", "int16") and n > 2000:
                continue
            cases.append((f"arange-{dt}-{n}", lambda m, k=n, d=dt: m.arange(k, dtype=getattr(m, d))))
        for shape in [(4, 30), (3, 3, 25), (40, 50), (3, 4, 100), (11, 11, 11), (2, 1000), (1000, 2),
                      (7, 7, 7, 7)]:
            cases.append((f"arange-{dt}-{shape}",
                          lambda m, s=shape, d=dt: m.arange(_numel(s), dtype=getattr(m, d)).reshape(*s)))
    for shape in [(30,), (6, 20), (1200,), (50, 50)]:
        flat = _exact_floats(rng, _numel(shape), -6, 6)
        for dt in FLOAT_DTYPES:
            add(f"wide-{dt}-{shape}", _reshape(flat, shape), dt)
    return cases


CASES = _cases()


@pytest.mark.parametrize("name,build", CASES, ids=[c[0] for c in CASES])
def test_repr_matches_torch(torch_ref, name: str, build: Builder) -> None:
    assert repr(build(rtorch)) == repr(build(torch_ref))


OPTIONS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
    {"linewidth": 30},
    {"linewidth": 200},
    {"sci_mode": True},
    {"sci_mode": False},
    {"profile": "short"},
    {"profile": "full"},
]
OPTION_CASES = [c for c in CASES if c[0].startswith(("float32-(2, 3)", "float64-(17,)", "arange-", "int32-(5, 9)",
                                                       "bool-(17,)", "float16-specials", "empty-float32"))][::3]


@pytest.mark.parametrize("opts", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_repr_matches_torch_with_printoptions(torch_ref, opts: dict) -> None:
    try:
        _tensor_str.set_printoptions(**opts)
        torch_ref.set_printoptions(**opts)
        for name, build in OPTION_CASES:
            assert repr(build(rtorch)) == repr(build(torch_ref)), name
    finally:
        _tensor_str.set_printoptions(profile="default")
        torch_ref.set_printoptions(profile="default")

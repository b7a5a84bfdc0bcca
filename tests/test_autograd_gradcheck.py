"""``rtorch.autograd.gradcheck`` / ``gradgradcheck``, and every differentiable op checked with them.

One table (``CASES``) lists each recorded op as a function of float64 leaves with the input shapes
and value domains; each case is run through ``gradcheck`` (first derivatives) and ``gradgradcheck``
(second derivatives). Domains keep inputs away from the points where an op is not differentiable
(0 for abs/relu/sign, integers and halves for floor/round/..., ties for max/min, integer ratios for
remainder): those points are avoided, never tolerated. The table covers broadcasting,
non-contiguous leaves (transposed, sliced with a step), 0-dim inputs, keepdim variants and Python
scalar operands (also reflected). Further tests check that gradcheck itself fails where it must.
"""
from __future__ import annotations

import sys
import warnings
import zlib
from typing import Callable, NamedTuple, Sequence, Tuple

import numpy as np
import pytest

import rtorch
from conftest import nnf
from rtorch.autograd import gradcheck, gradgradcheck
from rtorch.autograd.gradcheck import GradcheckError

F64 = rtorch.float64


# ----------------------------------------------------------------------------------------------------------
# value domains: each maps (rng, shape) to float64 values
# ----------------------------------------------------------------------------------------------------------
def real(rng, shape):
    """Values in about [-1.9, 2.4], at least 0.15 away from every multiple of 0.5 (so from 0, the
    integers and the halves: relu/abs/sign/floor/ceil/round/trunc/frac/clamp(+-0.5) are smooth)."""
    return 0.5 * rng.integers(-4, 5, shape) + 0.25 + rng.uniform(-0.1, 0.1, shape)


def pos(rng, shape):
    """Values in [0.5, 2] (log, sqrt, rsqrt, pow bases, denominators)."""
    return rng.uniform(0.5, 2.0, shape)


def unit(rng, shape):
    """Values in [-0.9, 0.9] (asin, acos, erfinv, tan)."""
    return rng.uniform(-0.9, 0.9, shape)


def zero_in_rows(rng, shape):
    """Real values with an exact 0 in every row, and two in the last row (prod's zero cases)."""
    v = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    v[..., 0] = 0.0
    v[-1, 1] = 0.0
    return v


def distinct(rng, shape):
    """Pairwise at least ~0.25 apart (no ties for max/min/amax/amin)."""
    n = int(np.prod(shape, dtype=np.int64))
    vals = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.02, 0.02, n)
    return vals.reshape(shape)


def grid_a(rng, shape):
    """k/2 + 0.1 (+-0.05): with grid_b, every difference is >= 0.15 away from 0 (maximum/minimum)."""
    return 0.5 * rng.integers(-4, 5, shape) + 0.1 + rng.uniform(-0.05, 0.05, shape)


def grid_b(rng, shape):
    return 0.5 * rng.integers(-4, 5, shape) + 0.35 + rng.uniform(-0.05, 0.05, shape)


def mod_a(rng, shape):
    """k + 1/4 (+-0.02): divided by ~1, ~2 or ~4 (mod_b, or the scalars used) never near an integer."""
    return rng.integers(-3, 4, shape) + 0.25 + rng.uniform(-0.02, 0.02, shape)


def mod_b(rng, shape):
    """About 1, 2 or 4 (+-0.01)."""
    return rng.choice([1.0, 2.0, 4.0], shape) + rng.uniform(-0.01, 0.01, shape)


# ----------------------------------------------------------------------------------------------------------
# leaves
# ----------------------------------------------------------------------------------------------------------
class I(NamedTuple):
    """One input: shape, value domain and memory layout of the float64 leaf requiring grad.

    layout: "c" contiguous, "t" transposed (last two dims swapped in memory), "s" sliced (every
    other element of a larger buffer along the last dim).
    """
    shape: Tuple[int, ...]
    dom: Callable = real
    layout: str = "c"


def make_leaf(spec: I, rng) -> rtorch.Tensor:
    values = np.asarray(spec.dom(rng, spec.shape), dtype=np.float64).reshape(spec.shape)
    if spec.layout == "c":
        t = rtorch.from_numpy(np.array(values, order="C"))
    elif spec.layout == "t":
        assert len(spec.shape) >= 2
        t = rtorch.from_numpy(np.ascontiguousarray(values.swapaxes(-1, -2))).transpose(-1, -2)
    elif spec.layout == "s":
        assert len(spec.shape) >= 1 and spec.shape[-1] > 1
        buf = np.full(spec.shape[:-1] + (2 * spec.shape[-1],), np.nan)
        buf[..., ::2] = values
        t = rtorch.from_numpy(buf)[..., ::2]
    else:
        raise AssertionError(spec.layout)
    leaf = t.detach().requires_grad_()
    assert leaf.is_leaf and leaf.requires_grad
    assert leaf.is_contiguous() == (spec.layout == "c" or leaf.numel() <= 1)
    np.testing.assert_array_equal(leaf.detach().numpy(), values)
    return leaf


def make_inputs(case_id: str, specs: Sequence[I]) -> tuple:
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    return tuple(make_leaf(s, rng) for s in specs)


# ----------------------------------------------------------------------------------------------------------
# the table: id -> (function of the leaves, input specs[, gradcheck kwargs])
# ----------------------------------------------------------------------------------------------------------
M = (3, 4)
CASES: dict = {}


def case(name: str, fn: Callable, *specs: I, **kwargs) -> None:
    assert name not in CASES, name
    CASES[name] = (fn, specs, kwargs)


# --- binary arithmetic, tensor/tensor, same shape, broadcast, 0-dim, non-contiguous ---
case("add", lambda a, b: a + b, I(M), I(M))
case("add_broadcast_3x1_1x4", lambda a, b: a + b, I((3, 1)), I((1, 4)))
case("add_method_alpha", lambda a, b: a.add(b, alpha=2.5), I(M), I(M))
case("add_0dim_vec", lambda a, b: a + b, I(()), I((3,)))
case("add_nc_t_s", lambda a, b: a + b, I(M, layout="t"), I(M, layout="s"))
case("sub", lambda a, b: a - b, I(M), I(M))
case("sub_broadcast_3d", lambda a, b: a - b, I((2, 3, 4)), I((4,)))
case("sub_method_alpha", lambda a, b: rtorch.sub(a, b, alpha=0.5), I(M), I(M))
case("mul", lambda a, b: a * b, I(M), I(M))
case("mul_broadcast_3x1_1x4", lambda a, b: a * b, I((3, 1)), I((1, 4)))
case("mul_0dim_0dim", lambda a, b: a * b, I(()), I(()))
case("mul_self", lambda a: a * a, I(M))
case("mul_nc_t_t", lambda a, b: a * b, I(M, layout="t"), I(M, layout="t"))
case("div", lambda a, b: a / b, I(M), I(M, pos))
case("div_broadcast", lambda a, b: a / b, I((4,)), I((3, 1), pos))
case("div_by_0dim", lambda a, b: a / b, I(M), I((), pos))
case("div_nc_s", lambda a, b: a.div(b), I(M, layout="s"), I(M, pos, layout="t"))
case("div_negative_denominator", lambda a, b: a / (-b), I(M), I(M, pos))
case("pow_tensor_tensor", lambda a, b: a ** b, I(M, pos), I(M))
case("pow_broadcast", lambda a, b: a.pow(b), I((3, 1), pos), I((1, 4)))
case("pow_0dim_exponent", lambda a, b: a ** b, I(M, pos), I(()))
case("pow_same_tensor", lambda a: a ** a, I(M, pos))
case("atan2", lambda a, b: rtorch.atan2(a, b), I(M), I(M))
case("atan2_broadcast", lambda a, b: a.atan2(b), I((3, 1)), I((1, 4)))
case("atan2_nc", lambda a, b: rtorch.arctan2(a, b), I(M, layout="t"), I(M, layout="s"))
case("maximum", lambda a, b: rtorch.maximum(a, b), I(M, grid_a), I(M, grid_b))
case("maximum_broadcast", lambda a, b: a.maximum(b), I((3, 1), grid_a), I((1, 4), grid_b))
case("minimum", lambda a, b: rtorch.minimum(a, b), I(M, grid_a), I(M, grid_b))
case("minimum_broadcast_nc", lambda a, b: a.minimum(b), I(M, grid_b, layout="t"), I((4,), grid_a))
case("remainder", lambda a, b: a % b, I(M, mod_a), I(M, mod_b))
case("remainder_broadcast", lambda a, b: rtorch.remainder(a, b), I((3, 1), mod_a), I((1, 4), mod_b))

# --- Python scalar operands (and reflected forms) ---
case("add_scalar", lambda a: a + 2.5, I(M))
case("radd_scalar", lambda a: 2.5 + a, I(M))
case("add_int_scalar", lambda a: a + 3, I(M))
case("sub_scalar", lambda a: a - 1.5, I(M))
case("rsub_scalar", lambda a: 1.5 - a, I(M))
case("mul_scalar", lambda a: a * 3.0, I(M))
case("rmul_scalar", lambda a: -3.0 * a, I(M))
case("div_scalar", lambda a: a / 2.0, I(M))
case("rdiv_scalar", lambda a: 2.0 / a, I(M))
case("rdiv_scalar_0dim", lambda a: 2.0 / a, I((), pos))
case("pow_scalar_2", lambda a: a ** 2, I(M))
case("pow_scalar_3", lambda a: a.pow(3), I(M))
case("pow_scalar_2_5", lambda a: a ** 2.5, I(M, pos))
case("pow_scalar_neg_1_5", lambda a: a ** -1.5, I(M, pos))
case("pow_scalar_half", lambda a: rtorch.pow(a, 0.5), I(M, pos))
case("rpow_scalar", lambda a: 2.0 ** a, I(M))
case("rpow_scalar_nc", lambda a: 0.5 ** a, I(M, layout="t"))
case("remainder_scalar", lambda a: a % 2.0, I(M, mod_a))
case("remainder_scalar_method", lambda a: a.remainder(4.0), I(M, mod_a))
case("rremainder_scalar", lambda a: 2.5 % a, I(M, mod_b))
case("neg_operator", lambda a: -a, I(M))

# --- unary ops ---
UNARY = [
    ("neg", real), ("abs", real), ("sign", real), ("square", real), ("relu", real),
    ("floor", real), ("ceil", real), ("round", real), ("trunc", real), ("frac", real),
    ("exp", real), ("exp2", real), ("expm1", real), ("log", pos), ("log2", pos), ("log10", pos),
    ("log1p", pos), ("sqrt", pos), ("rsqrt", pos), ("reciprocal", real), ("sin", real),
    ("cos", real), ("tan", unit), ("asin", unit), ("acos", unit), ("atan", real), ("sinh", real),
    ("cosh", real), ("tanh", real), ("sigmoid", real), ("erf", real), ("erfinv", unit),
    ("silu", real),
]
for _op, _dom in UNARY:
    case(_op, (lambda op: lambda a: getattr(a, op)())(_op), I(M, _dom))
    case(f"{_op}_function_nc", (lambda op: lambda a: getattr(rtorch, op)(a))(_op), I(M, _dom, layout="t"))
    case(f"{_op}_0dim", (lambda op: lambda a: getattr(a, op)())(_op), I((), _dom))
case("abs_operator", lambda a: abs(a), I(M))
case("gelu", lambda a: nnf().gelu(a), I(M))
case("gelu_nc", lambda a: nnf().gelu(a, approximate="none"), I(M, layout="s"))
case("gelu_tanh", lambda a: nnf().gelu(a, approximate="tanh"), I(M))
case("gelu_tanh_0dim", lambda a: nnf().gelu(a, approximate="tanh"), I(()))
case("relu_functional", lambda a: nnf().relu(a), I(M))
case("silu_functional", lambda a: nnf().silu(a), I(M, layout="t"))
case("sigmoid_functional", lambda a: nnf().sigmoid(a), I(M))
case("tanh_functional", lambda a: nnf().tanh(a), I(M))

# --- reductions ---
X3 = (2, 3, 4)
case("sum", lambda a: a.sum(), I(M))
case("sum_dim", lambda a: a.sum(1), I(M))
case("sum_dim_keepdim", lambda a: a.sum(dim=1, keepdim=True), I(M))
case("sum_dims_tuple", lambda a: a.sum((0, 2)), I(X3))
case("sum_dims_tuple_keepdim_nc", lambda a: a.sum(dim=(0, 2), keepdim=True), I(X3, layout="t"))
case("sum_neg_dim_function", lambda a: rtorch.sum(a, -1), I(M, layout="s"))
case("sum_0dim", lambda a: a.sum(), I(()))
case("mean", lambda a: a.mean(), I(M))
case("mean_dim", lambda a: a.mean(0), I(M))
case("mean_dim_keepdim", lambda a: a.mean(dim=-1, keepdim=True), I(X3))
case("mean_dims_tuple_nc", lambda a: rtorch.mean(a, (1, 2)), I(X3, layout="t"))
case("mean_0dim", lambda a: a.mean(), I(()))
case("amax", lambda a: a.amax(), I(M, distinct))
case("amax_dim", lambda a: a.amax(1), I(M, distinct))
case("amax_dims_keepdim", lambda a: a.amax(dim=(0, 2), keepdim=True), I(X3, distinct))
case("amax_nc", lambda a: rtorch.amax(a, 0), I(M, distinct, layout="t"))
case("amin", lambda a: a.amin(), I(M, distinct))
case("amin_dim_keepdim", lambda a: a.amin(dim=0, keepdim=True), I(M, distinct))
case("amin_dims_nc", lambda a: a.amin((1, 2)), I(X3, distinct, layout="s"))
case("max_all", lambda a: a.max(), I(M, distinct))
case("min_all", lambda a: a.min(), I(M, distinct))
case("max_dim_values", lambda a: a.max(dim=1).values, I(M, distinct))
case("max_dim_keepdim", lambda a: a.max(0, keepdim=True)[0], I(M, distinct))
case("max_dim_tuple_output", lambda a: a.max(dim=-1), I(X3, distinct))  # (values, indices)
case("max_dim_nc", lambda a: rtorch.max(a, 1).values, I(M, distinct, layout="t"))
case("min_dim_values", lambda a: a.min(dim=1).values, I(M, distinct))
case("min_dim_keepdim_nc", lambda a: a.min(dim=-1, keepdim=True).values, I(X3, distinct, layout="s"))
case("var", lambda a: a.var(), I(M))
case("var_dim", lambda a: a.var(1), I(M))
case("var_dim_keepdim_correction0", lambda a: a.var(dim=0, keepdim=True, correction=0), I(M))
case("var_dims_unbiased_false_nc", lambda a: a.var(dim=(0, 2), unbiased=False), I(X3, layout="t"))
case("std", lambda a: a.std(), I(M))
case("std_dim_keepdim", lambda a: a.std(dim=1, keepdim=True), I(M))
case("std_function_nc", lambda a: rtorch.std(a, 0), I(M, layout="s"))
case("norm", lambda a: a.norm(), I(M))
case("norm_dim", lambda a: a.norm(dim=1), I(M))
case("norm_dim_keepdim", lambda a: a.norm(dim=0, keepdim=True), I(M, layout="t"))
case("norm_p1", lambda a: a.norm(p=1), I(M))
case("norm_p3_dim", lambda a: a.norm(p=3, dim=1), I(M))
case("norm_inf", lambda a: a.norm(p=float("inf")), I(M, distinct))
case("logsumexp", lambda a: a.logsumexp(1), I(M))
case("logsumexp_keepdim", lambda a: a.logsumexp(dim=0, keepdim=True), I(M))
case("logsumexp_dims_nc", lambda a: rtorch.logsumexp(a, (0, 1)), I(X3, layout="t"))

# --- views and indexing ---
case("view", lambda a: a.view(4, 3), I(M))
case("view_minus_one", lambda a: a.view(-1), I(X3))
case("view_as", lambda a, b: a.view_as(b), I(M), I((2, 6)))
case("reshape", lambda a: a.reshape(6, 2), I(M))
case("reshape_nc", lambda a: a.reshape(-1), I(M, layout="t"))
case("reshape_0dim", lambda a: a.reshape(1, 1), I(()))
case("flatten", lambda a: a.flatten(), I(X3))
case("flatten_range_nc", lambda a: a.flatten(0, 1), I(X3, layout="t"))
case("unflatten", lambda a: a.unflatten(1, (2, 2)), I(M))
case("squeeze", lambda a: a.squeeze(), I((3, 1, 4)))
case("squeeze_dim", lambda a: a.squeeze(1), I((3, 1, 4)))
case("unsqueeze", lambda a: a.unsqueeze(1), I(M))
case("unsqueeze_0dim", lambda a: a.unsqueeze(0), I(()))
case("transpose", lambda a: a.transpose(0, 2), I(X3))
case("transpose_nc", lambda a: a.transpose(0, 1), I(M, layout="t"))
case("swapaxes", lambda a: a.swapaxes(-1, -2), I(X3))
case("permute", lambda a: a.permute(2, 0, 1), I(X3))
case("permute_nc", lambda a: rtorch.permute(a, (1, 0, 2)), I(X3, layout="s"))
case("t", lambda a: a.t(), I(M))
case("t_1d", lambda a: a.t(), I((4,)))
case("T", lambda a: a.T, I(M))
case("mT", lambda a: a.mT, I(X3))
case("expand", lambda a: a.expand(3, 4), I((3, 1)))
case("expand_new_dims", lambda a: a.expand(2, 3, 4), I((4,)))
case("expand_0dim", lambda a: a.expand(2, 3), I(()))
case("expand_as", lambda a, b: a.expand_as(b) * b, I((1, 4)), I(M))
case("narrow", lambda a: a.narrow(1, 1, 2), I(M))
case("narrow_nc", lambda a: rtorch.narrow(a, 0, 1, 2), I(M, layout="t"))
case("select", lambda a: a.select(0, 1), I(M))
case("select_neg_nc", lambda a: a.select(-1, 2), I(X3, layout="s"))
case("getitem_int", lambda a: a[0], I(M))
case("getitem_neg_int", lambda a: a[-1, 2], I(M))
case("getitem_slices", lambda a: a[1:3, ::2], I(M))
case("getitem_slices_nc", lambda a: a[:, 1:], I(M, layout="t"))
case("getitem_ellipsis_none", lambda a: a[..., None, 1], I(X3))
case("getitem_step_3d", lambda a: a[::2, 1:, 1::2], I(X3))
case("getitem_twice_overlap", lambda a: a[0:2] * a[1:3], I(M))
case("getitem_index_list", lambda a: a[[2, 0, 2]], I(M))
case("getitem_advanced_separated_nc", lambda a: a[[0, 1], :, rtorch.tensor([3, 0])], I(X3, layout="t"))
case("getitem_mask", lambda a: a[a > 0], I(M))
case("unfold_overlapping", lambda a: a.unfold(1, 3, 1), I(M))
case("unfold_gaps_nc", lambda a: a.unfold(0, 1, 2), I(M, layout="t"))
case("unfold_neg_dim_3d", lambda a: a.unfold(-1, 2, 2), I(X3))
case("unfold_0dim", lambda a: a.unfold(0, 1, 1), I(()))
case("as_strided_overlapping_windows", lambda a: a.as_strided((3, 3), (2, 1), 1), I(M))
case("as_strided_nc_offset", lambda a: rtorch.as_strided(a, (2, 2), (1, 4), 5), I(M, layout="t"))
case("as_strided_of_expanded", lambda a: a.expand(4, 3).as_strided((2, 2), (1, 1)), I((3,)))
case("as_strided_0dim", lambda a: a.as_strided((), ()), I(()))


def _view_ops_in_place_on_view(a):
    """t_/unsqueeze_ on a view of a non-leaf, then writes through that view and a sibling."""
    b = a * 1
    v = b[0:2]
    v.t_()
    v[1].mul_(5)        # writes into b; v's history must pick the write up
    v.unsqueeze_(0)
    v.mul_(2)
    return b


def _write_into_view_after_base_t_(a):
    """A view taken before its base was transposed in place: written as an as_strided view."""
    b = a * 1
    v = b[0]
    b.t_()
    v.mul_(3)
    return b, v


case("view_inplace_ops_on_view", _view_ops_in_place_on_view, I(M))
case("view_inplace_base_changed", _write_into_view_after_base_t_, I(M))
case("as_strided_inplace_on_view", lambda a: (a * 1)[1:].as_strided_((2, 2), (1, 4)).mul_(2), I(M))
case("masked_fill_tensor_value", lambda a, v: a.masked_fill(a > 0, v), I(M), I(()))

# --- index ops ---
def L(*values, dtype=rtorch.int64):  # noqa: E302 - an index tensor (a constant, no gradient)
    return rtorch.tensor(list(values), dtype=dtype)


ROWS = [[0, 2], [1, 3], [3, 0]]  # distinct targets within each row of M
DUPS = [[0, 0, 3], [1, 2, 1], [3, 3, 3]]  # repeated targets within rows
MASK = [True, False, True, True]
case("index_select", lambda a: a.index_select(0, L(2, 0, 2)), I(M))
case("index_select_int32_nc", lambda a: rtorch.index_select(a, 1, L(3, 1, dtype=rtorch.int32)), I(M, layout="t"))
case("index_select_0dim", lambda a: a.index_select(0, L(0)), I(()))
case("take", lambda a: a.take(rtorch.tensor([[0, -1], [5, 5]])), I(M))
case("take_nc", lambda a: rtorch.take(a, L(7, 0, -12)), I(M, layout="s"))
case("take_along_dim", lambda a: a.take_along_dim(rtorch.tensor([[0, 2], [1, 1], [3, -1]]), 1), I(M))
case("take_along_dim_flat", lambda a: rtorch.take_along_dim(a, L(11, 0, 4)), I(M))
case("gather", lambda a: a.gather(1, rtorch.tensor(DUPS)), I(M))
case("gather_dim0_nc", lambda a: rtorch.gather(a, 0, rtorch.tensor([[2, 0, 1, 2]])), I(M, layout="t"))
case("scatter", lambda a, s: a.scatter(1, rtorch.tensor(ROWS), s), I(M), I((3, 2)))
case("scatter_src_larger_nc", lambda a, s: rtorch.scatter(a, 1, rtorch.tensor(ROWS), s), I(M, layout="s"), I((3, 3), layout="t"))
case("scatter_value", lambda a: a.scatter(0, rtorch.tensor([[2, 0, 1, 1]]), value=1.5), I(M))
case("scatter_inplace", lambda a, s: a.clone().scatter_(1, rtorch.tensor(ROWS), s), I(M), I((3, 2)))
case("scatter_add", lambda a, s: a.scatter_add(1, rtorch.tensor(DUPS), s), I(M), I((3, 3)))
case("scatter_add_inplace_nc", lambda a, s: (a * 1).scatter_add_(0, rtorch.tensor([[0, 2, 2, 0]]), s), I(M), I((2, 4), layout="t"))
case("scatter_reduce_sum", lambda a, s: a.scatter_reduce(1, rtorch.tensor(DUPS), s, "sum"), I(M), I((3, 3)))
case("scatter_reduce_sum_exclude_self", lambda a, s: a.scatter_reduce(1, rtorch.tensor(DUPS), s, "sum", include_self=False),
     I(M), I((3, 3)))
case("scatter_reduce_mean", lambda a, s: a.scatter_reduce(1, rtorch.tensor(DUPS), s, "mean"), I(M), I((3, 3)))
case("scatter_reduce_mean_exclude_self",
     lambda a, s: rtorch.scatter_reduce(a, 1, rtorch.tensor(DUPS), s, "mean", include_self=False), I(M), I((3, 4)))
case("scatter_reduce_amax", lambda a, s: a.scatter_reduce(1, rtorch.tensor(DUPS), s, "amax"), I(M, distinct), I((3, 3), distinct))
case("scatter_reduce_amin_exclude_self",
     lambda a, s: a.scatter_reduce(1, rtorch.tensor(DUPS), s, "amin", include_self=False), I(M, distinct), I((3, 3), distinct))
case("scatter_reduce_prod", lambda a, s: a.scatter_reduce(1, rtorch.tensor(DUPS), s, "prod"), I(M, pos), I((3, 3), pos))
case("scatter_reduce_prod_exclude_self_zeros",
     lambda a, s: a.scatter_reduce(1, rtorch.tensor(DUPS), s, "prod", include_self=False), I(M, zero_in_rows), I((3, 3), pos))
case("scatter_reduce_inplace", lambda a, s: a.clone().scatter_reduce_(0, rtorch.tensor([[0, 2, 2, 1]]), s, "mean"),
     I(M), I((1, 4)))
case("index_add", lambda a, s: a.index_add(0, L(2, 0, 2), s, alpha=1.5), I(M), I((3, 4)))
case("index_add_int32_nc", lambda a, s: rtorch.index_add(a, 1, L(3, 3, dtype=rtorch.int32), s), I(M, layout="t"),
     I((3, 2), layout="s"))
case("index_add_inplace", lambda a, s: a.clone().index_add_(1, L(1), s), I(M), I((3, 1)))
case("index_copy", lambda a, s: a.index_copy(1, L(3, 0), s), I(M), I((3, 2)))
case("index_copy_inplace_nc", lambda a, s: (a * 1).index_copy_(0, L(1), s), I(M, layout="t"), I((1, 4)))
case("index_fill", lambda a: a.index_fill(1, L(0, -1), 2.0), I(M))
case("index_fill_tensor_value", lambda a, v: a.index_fill(0, L(2, 2, 0), v), I(M), I(()))
case("index_fill_inplace", lambda a: a.clone().index_fill_(1, L(2), -1.0), I(M))
case("index_put", lambda a, v: a.index_put((L(0, 2), L(1, -1)), v), I(M), I((2,)))
case("index_put_accumulate_broadcast", lambda a, v: a.index_put((L(0, 0, 2),), v, accumulate=True), I(M), I((4,)))
case("index_put_inplace_nc", lambda a, v: (a * 1).index_put_((L(1), L(2)), v, True), I(M, layout="t"), I((1,)))
case("masked_select", lambda a: a.masked_select(rtorch.tensor(MASK)), I(M))
case("masked_select_nc_broadcast_self", lambda a: a.masked_select(rtorch.ones(2, 3, 4, dtype=rtorch.bool)), I(M, layout="s"))
case("masked_scatter", lambda a, s: a.masked_scatter(rtorch.tensor(MASK), s), I(M), I((12,)))
case("masked_scatter_larger_source", lambda a, s: a.masked_scatter(a > 0, s), I(M), I((4, 5)))
case("masked_scatter_inplace", lambda a, s: a.clone().masked_scatter_(rtorch.tensor(MASK), s), I(M), I((3, 3)))

# --- matrix products ---
case("matmul_2d", lambda a, b: a @ b, I(M), I((4, 5)))
case("matmul_nc", lambda a, b: rtorch.matmul(a, b), I(M, layout="t"), I((4, 2), layout="s"))
case("matmul_batched_broadcast", lambda a, b: a.matmul(b), I(X3), I((4, 2)))
case("matmul_batched_both", lambda a, b: a @ b, I((2, 1, 3, 4)), I((3, 4, 2)))
case("matmul_1d_2d", lambda a, b: a @ b, I((4,)), I((4, 3)))
case("matmul_2d_1d", lambda a, b: a @ b, I(M), I((4,)))
case("matmul_1d_1d", lambda a, b: a @ b, I((4,)), I((4,)))
case("matmul_3d_1d", lambda a, b: a @ b, I(X3), I((4,)))
case("mm", lambda a, b: a.mm(b), I(M), I((4, 2)))
case("mm_nc", lambda a, b: rtorch.mm(a, b), I(M, layout="t"), I((4, 2), layout="t"))
case("mm_self_t", lambda a: a.mm(a.t()), I(M))
case("bmm", lambda a, b: a.bmm(b), I(X3), I((2, 4, 2)))
case("bmm_nc", lambda a, b: rtorch.bmm(a, b), I(X3, layout="t"), I((2, 4, 2), layout="s"))
case("mv", lambda a, b: a.mv(b), I(M), I((4,)))
case("mv_nc", lambda a, b: rtorch.mv(a, b), I(M, layout="t"), I((4,), layout="s"))
case("dot", lambda a, b: a.dot(b), I((4,)), I((4,)))
case("dot_nc", lambda a, b: rtorch.dot(a, b), I((4,), layout="s"), I((4,)))
case("outer", lambda a, b: a.outer(b), I((3,)), I((4,)))
case("outer_function", lambda a, b: rtorch.outer(a, b), I((3,), layout="s"), I((2,)))

# --- joining, splitting and rearranging ---
case("cat", lambda a, b: rtorch.cat([a, b], 1), I(M), I((3, 2)))
case("cat_three_nc", lambda a, b: rtorch.cat([a, b, a], 0), I(M, layout="t"), I((1, 4)))
case("stack", lambda a, b: rtorch.stack([a, b], -1), I(M), I(M, layout="s"))
case("hstack_1d", lambda a, b: rtorch.hstack([a, b]), I((3,)), I((2,)))
case("vstack", lambda a, b: rtorch.vstack([a, b]), I((4,)), I(M))
case("dstack", lambda a, b: rtorch.dstack([a, b]), I(M), I(M))
case("column_stack", lambda a, b: rtorch.column_stack([a, b]), I((3,)), I((3, 2)))
case("split", lambda a: a.split(3, 1), I(M))
case("split_sizes_nc", lambda a: rtorch.split(a, [1, 3], 0), I((4, 3), layout="t"))
case("chunk", lambda a: a.chunk(2, 0), I(M))
case("tensor_split", lambda a: a.tensor_split([1, 3], dim=1), I(M))
case("unbind", lambda a: a.unbind(1), I(X3))
case("repeat", lambda a: a.repeat(2, 1, 2), I(M))
case("repeat_nc", lambda a: a.repeat(2, 2), I(M, layout="t"))
case("tile", lambda a: rtorch.tile(a, (2,)), I(M))
case("repeat_interleave", lambda a: a.repeat_interleave(2, dim=1), I(M))
case("repeat_interleave_flat", lambda a: rtorch.repeat_interleave(a, 3), I((2, 2)))
case("repeat_interleave_counts", lambda a: a.repeat_interleave(rtorch.tensor([1, 0, 2]), dim=0), I(M))
case("roll", lambda a: a.roll((1, -2), (0, 1)), I(M))
case("roll_flat_nc", lambda a: rtorch.roll(a, 5), I(M, layout="t"))
case("flip", lambda a: a.flip(0, 2), I(X3))
case("flip_nc", lambda a: rtorch.flip(a, [1]), I(M, layout="s"))
case("fliplr", lambda a: rtorch.fliplr(a), I(M))
case("rot90", lambda a: a.rot90(1, [0, 1]), I(M))
case("rot90_k3_nc", lambda a: rtorch.rot90(a, -1, [1, 2]), I(X3, layout="t"))
case("movedim", lambda a: a.movedim((0, 1), (2, 0)), I(X3))
case("tril", lambda a: a.tril(), I(M))
case("triu_batched_nc", lambda a: rtorch.triu(a, -1), I(X3, layout="t"))
case("tril_inplace", lambda a: (a * 1).tril_(1), I(M))
case("diagonal", lambda a: a.diagonal(1), I(M))
case("diagonal_dims_nc", lambda a: rtorch.diagonal(a, -1, 0, 2), I(X3, layout="s"))
case("diag_embed", lambda a: a.diag_embed(1), I((2, 3)))
case("diag_1d", lambda a: rtorch.diag(a, -1), I((3,)))
case("diag_2d", lambda a: a.diag(), I(M))
case("trace", lambda a: a.trace(), I(M))
case("pad", lambda a: nnf().pad(a, (1, 2, -1, 0), value=0.5), I(M))
case("pad_3d_nc", lambda a: nnf().pad(a, (0, 0, 2, 1, 1, 1)), I(X3, layout="t"))
case("meshgrid", lambda a, b: rtorch.meshgrid(a, b, indexing="xy"), I((3,)), I((2,)))
case("broadcast_tensors", lambda a, b: rtorch.broadcast_tensors(a, b), I((3, 1)), I((4,)))

# --- sorting, selection and scans ---
case("sort", lambda a: a.sort(1).values, I(M, dom=distinct))
case("sort_desc_nc", lambda a: rtorch.sort(a, 0, descending=True)[0], I(M, dom=distinct, layout="t"))
case("msort", lambda a: rtorch.msort(a), I(M, dom=distinct))
case("topk", lambda a: a.topk(2, 1).values, I(M, dom=distinct))
case("topk_smallest_unsorted", lambda a: a.topk(2, 0, largest=False, sorted=False)[0], I(X3, dom=distinct))
case("kthvalue", lambda a: a.kthvalue(2, 1).values, I(M, dom=distinct))
case("kthvalue_keepdim", lambda a: a.kthvalue(1, 0, keepdim=True)[0], I(M, dom=distinct, layout="s"))
case("median_dim", lambda a: a.median(1).values, I(M, dom=distinct))
case("median_all", lambda a: a.median(), I(M, dom=distinct))
case("nanmedian_dim", lambda a: a.nanmedian(0, keepdim=True).values, I(M, dom=distinct))
case("mode", lambda a: a.mode(1).values, I(M, dom=distinct))
case("sort_0dim", lambda a: a.sort().values, I(()))
case("cumsum", lambda a: a.cumsum(1), I(M))
case("cumsum_nc", lambda a: rtorch.cumsum(a, 0), I(X3, layout="t"))
case("cumprod", lambda a: a.cumprod(1), I(M, dom=pos))
case("cumprod_zeros", lambda a: a.cumprod(1), I(M, dom=zero_in_rows))
case("cumprod_0dim", lambda a: a.cumprod(0), I(()))
case("cummax", lambda a: a.cummax(1).values, I(M, dom=distinct))
case("cummin_nc", lambda a: rtorch.cummin(a, 0)[0], I(M, dom=distinct, layout="t"))
case("logcumsumexp", lambda a: a.logcumsumexp(1), I(M))
case("logcumsumexp_dim0", lambda a: rtorch.logcumsumexp(a, 0), I(X3))
case("diff", lambda a: a.diff(), I(M))
case("diff_n2_prepend", lambda a, b: a.diff(2, dim=0, prepend=b), I(M), I((1, 4)))

# --- softmax family ---
case("softmax", lambda a: a.softmax(1), I(M))
case("softmax_dim0_nc", lambda a: rtorch.softmax(a, 0), I(M, layout="t"))
case("softmax_3d", lambda a: a.softmax(dim=-1), I(X3))
case("log_softmax", lambda a: a.log_softmax(1), I(M))
case("log_softmax_dim0_nc", lambda a: rtorch.log_softmax(a, dim=0), I(M, layout="s"))
case("softmax_functional", lambda a: nnf().softmax(a, dim=-1), I(X3))
case("log_softmax_functional", lambda a: nnf().log_softmax(a, dim=1), I(M))

# --- where / masked_fill / clamp ---
case("where", lambda a, b: rtorch.where(a > 0, a, b), I(M), I(M))
case("where_broadcast", lambda a, b: rtorch.where(a > 0.5, a, b), I((3, 1)), I((1, 4)))
case("where_scalar_other", lambda a: rtorch.where(a > 0, a, 0.0), I(M))
case("where_scalar_input", lambda a: rtorch.where(a > 0, 1.5, a), I(M))
case("where_method_nc", lambda a, b: a.where(a < 1.0, b), I(M, layout="t"), I(M, layout="s"))
case("masked_fill", lambda a: a.masked_fill(a > 0, 0.5), I(M))
case("masked_fill_broadcast_mask",
     lambda a: a.masked_fill(rtorch.tensor([True, False, True, False]), -1.0), I(M))
case("clamp", lambda a: a.clamp(-0.5, 0.5), I(M))
case("clamp_min", lambda a: a.clamp(min=0.0), I(M))
case("clamp_max_nc", lambda a: a.clamp(max=1.0), I(M, layout="t"))
case("nan_to_num", lambda a: (a.log() - 0.3).nan_to_num(0.0, 5.0, -5.0), I(M))
case("prod_all", lambda a: a.prod(), I(M))
case("prod_dim", lambda a: a.prod(1), I(M, layout="t"))
case("prod_dim_keepdim", lambda a: a.prod(0, keepdim=True), I(M))

case("clamp_min_method", lambda a: a.clamp_min(1.0), I(M))
case("clamp_max_method", lambda a: a.clamp_max(-0.5), I(M))
case("clip_function", lambda a: rtorch.clip(a, -1.0, 1.0), I(M))

# --- copies and casts ---
case("clone", lambda a: a.clone(), I(M))
case("contiguous_nc", lambda a: a.contiguous(), I(M, layout="t"))
case("contiguous_of_view", lambda a: a.t().contiguous() * 2, I(M))
case("to_float64", lambda a: a.to(F64) * 1.0, I(M))
case("double", lambda a: a.double() * 1.0, I(M))
# through float32 and back: the forward rounds to float32, so finite differences need a larger
# step and tolerance (the backward, a cast of the gradient, is exact)
case("to_float32_and_back", lambda a: a.to(rtorch.float32).to(F64), I(M),
     eps=1e-3, atol=1e-3, rtol=1e-3)
case("float_double", lambda a: a.float().double(), I(M), eps=1e-3, atol=1e-3, rtol=1e-3)

# --- linear algebra (factorizations through gauge-free functions of their outputs) ---
SQ = (3, 3)


def _well_conditioned(rng, shape):
    """Random matrices plus a multiple of the identity: far from singular."""
    return rng.standard_normal(shape) + 3.0 * np.eye(shape[-1])


def _spd(x):
    return x @ x.mT + 3.0 * rtorch.eye(x.shape[-1], dtype=F64)


def _svd_invariants(x):
    u, s, vh = rtorch.linalg.svd(x, full_matrices=False)
    return s, (u * s.unsqueeze(-2)) @ vh, u @ vh


def _eigh_invariants(x):
    w, v = rtorch.linalg.eigh(x + x.mT)
    return w, (v * w.unsqueeze(-2)) @ v.mT


case("linalg_det", lambda a: rtorch.linalg.det(a), I(SQ, dom=_well_conditioned))
case("linalg_det_batched_nc", lambda a: a.det(), I((2, 3, 3), dom=_well_conditioned, layout="t"))
case("linalg_slogdet", lambda a: rtorch.linalg.slogdet(a).logabsdet, I(SQ, dom=_well_conditioned))
case("logdet", lambda a: rtorch.logdet(_spd(a)), I(SQ))
case("linalg_inv", lambda a: rtorch.linalg.inv(a), I(SQ, dom=_well_conditioned))
case("linalg_solve", lambda a, b: rtorch.linalg.solve(a, b), I(SQ, dom=_well_conditioned), I((3, 2)))
case("linalg_solve_vector_broadcast", lambda a, b: rtorch.linalg.solve(a, b),
     I((2, 3, 3), dom=_well_conditioned), I((3,)))
case("linalg_cholesky", lambda a: rtorch.linalg.cholesky(_spd(a)), I(SQ))
case("linalg_cholesky_upper", lambda a: rtorch.linalg.cholesky(_spd(a), upper=True), I(SQ))
case("linalg_qr", lambda a: rtorch.linalg.qr(a), I((4, 3)))
case("linalg_qr_wide", lambda a: rtorch.linalg.qr(a), I((2, 4)))
case("linalg_svd", _svd_invariants, I((4, 3)))
case("linalg_svd_wide", _svd_invariants, I((2, 3)))
case("linalg_svdvals", lambda a: rtorch.linalg.svdvals(a), I((3, 4)))
case("linalg_eigh", _eigh_invariants, I(SQ))
case("linalg_eigvalsh", lambda a: rtorch.linalg.eigvalsh(a + a.mT), I(SQ))
case("linalg_vector_norm", lambda a: rtorch.linalg.vector_norm(a, 3, dim=1), I(M))
case("linalg_matrix_norm_nuc", lambda a: rtorch.linalg.matrix_norm(a, "nuc"), I(M))
case("linalg_pinv", lambda a: rtorch.linalg.pinv(a), I((4, 3)))
case("einsum_attention", lambda q, k: rtorch.einsum("bqd,bkd->bqk", q, k), I((2, 3, 4)), I((2, 5, 4)))

# --- composites ---
case("chain_mlp", lambda x, w, b: (x @ w + b).tanh().sum(1), I((3, 4)), I((4, 2)), I((2,)))
case("chain_softmax_loss", lambda x: -(x.log_softmax(1)[:, 1]).mean(), I(M))
case("chain_normalise", lambda x: (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True), I(M))
case("multi_output", lambda a, b: (a * b, (a - b).exp(), a.sum()), I(M), I((4,)))
case("non_tensor_outputs_ignored", lambda a: (a.sin(), 3, None), I(M))

CASE_IDS = sorted(CASES)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_gradcheck_op(case_id):
    fn, specs, kwargs = CASES[case_id]
    inputs = make_inputs(case_id, specs)
    assert gradcheck(fn, inputs, **kwargs)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_gradgradcheck_op(case_id):
    fn, specs, kwargs = CASES[case_id]
    inputs = make_inputs(case_id, specs)
    assert gradgradcheck(fn, inputs, **kwargs)


def test_table_covers_every_listed_op():
    listed = """
    add sub mul div pow atan2 maximum minimum remainder neg abs sign square relu floor ceil round
    trunc frac exp exp2 expm1 log log2 log10 log1p sqrt rsqrt reciprocal sin cos tan asin acos
    atan sinh cosh tanh sigmoid erf erfinv gelu gelu_tanh silu sum mean amax amin max min var std
    norm logsumexp view reshape flatten unflatten squeeze unsqueeze transpose permute t mT expand
    narrow select getitem_int getitem_slices matmul mm bmm mv dot outer softmax log_softmax where
    masked_fill clamp clone contiguous_nc to_float64 double
    """.split()
    missing = [op for op in listed if not any(c == op or c.startswith(op + "_") for c in CASES)]
    assert not missing
    # scalar (incl. reflected) forms of every arithmetic operator
    for op in ("add", "radd", "sub", "rsub", "mul", "rmul", "div", "rdiv", "rpow", "remainder",
               "rremainder"):
        assert f"{op}_scalar" in CASES


# ----------------------------------------------------------------------------------------------------------
# gradcheck's own behaviour: passes where it must, and fails (returns False / raises) where it must
# ----------------------------------------------------------------------------------------------------------
def leaf(shape, dom=real, seed=0, layout="c"):
    return make_leaf(I(tuple(shape), dom, layout), np.random.default_rng(seed))


def half_grad(x):
    """Value x**2, but autograd sees only one factor: its gradient is x instead of 2x."""
    return x.detach() * x


def right_grad_wrong_graph(x):
    """Value x**2 with the right first derivative (2x) whose graph drops x: autograd's second
    derivative is 0 instead of 2."""
    xd = x.detach()
    return (x - xd) * (2 * xd) + xd * xd


def test_wrong_gradient_raises_with_torch_message():
    x = leaf((3,))
    with pytest.raises(GradcheckError) as info:
        gradcheck(half_grad, (x,))
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "\nanalytical:" in msg
    # the numerical Jacobian is diag(2x), the analytical one diag(x)
    xs = x.detach().numpy()
    num = msg.split("numerical:")[1].split("\nanalytical:")[0]
    assert "tensor(" in num and "dtype=torch.float64" in num
    assert f"{2 * xs[0]:.4f}" in num


def test_wrong_gradient_returns_false_without_raise():
    x = leaf((3,))
    assert gradcheck(half_grad, (x,), raise_exception=False) is False
    assert gradcheck(half_grad, x, raise_exception=False, fast_mode=True) is False


def test_wrong_gradient_fast_mode_raises():
    x = leaf((2, 3))
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(half_grad, (x,), fast_mode=True)


def test_mismatch_reports_input_and_output_index():
    x, y = leaf((3,), seed=1), leaf((3,), seed=2)
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 0 with respect to input 1,"):
        gradcheck(lambda a, b: a.sin() + half_grad(b), (x, y))
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 1 with respect to input 0,"):
        gradcheck(lambda a: (a.sin(), half_grad(a)), (x,))
    # the index counts only inputs that require grad
    c = rtorch.ones(3, dtype=F64)
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 0 with respect to input 1,"):
        gradcheck(lambda k, a, b: k * a + half_grad(b), (c, x, y))


def test_wrong_second_derivative_caught_by_gradgradcheck_only():
    x = leaf((2, 3))
    assert gradcheck(right_grad_wrong_graph, (x,))
    assert gradcheck(lambda a: a * a, (x,))
    assert gradgradcheck(lambda a: a * a, (x,))
    assert gradgradcheck(right_grad_wrong_graph, (x,), raise_exception=False) is False
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradgradcheck(right_grad_wrong_graph, (x,))
    assert gradgradcheck(right_grad_wrong_graph, (x,), fast_mode=True, raise_exception=False) is False


def test_tolerances_are_honoured():
    x = leaf((3,), pos)  # analytical x vs numerical 2x: |difference| = x <= 2
    assert gradcheck(half_grad, (x,), atol=2.5, raise_exception=False) is True
    assert gradcheck(half_grad, (x,), rtol=0.6, atol=0.0, raise_exception=False) is True
    assert gradcheck(half_grad, (x,), rtol=0.4, atol=0.0, raise_exception=False) is False


def test_no_differentiable_outputs():
    x = leaf((3,))
    # piecewise constant and not recorded: the numerical Jacobian is 0, which passes
    assert gradcheck(lambda a: (a > 0).double(), (x,))
    # an output cut off from the graph whose value does depend on the input must fail
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda a: a.detach() * 2, (x,))
    assert gradcheck(lambda a: a.detach() * 2, (x,), raise_exception=False) is False


def test_input_not_requiring_grad_and_non_tensor_args():
    x = leaf((3,), seed=1)
    y = rtorch.from_numpy(real(np.random.default_rng(3), (3,)))
    assert not y.requires_grad
    assert gradcheck(lambda a, b, k: a * b * k, (x, y, 2.5))
    assert gradgradcheck(lambda a, b, k: (a * b).sin() * k, (x, y, 2.5))


def test_single_tensor_input():
    x = leaf((2, 2))
    assert gradcheck(lambda a: a.exp(), x)
    assert gradgradcheck(lambda a: a.exp(), x)


def test_unused_input_passes():
    x, y = leaf((3,), seed=1), leaf((2,), seed=2)
    assert gradcheck(lambda a, b: a.exp(), (x, y))
    assert gradgradcheck(lambda a, b: a.exp(), (x, y))


def test_inputs_restored_and_grad_untouched():
    x = leaf((3, 4), layout="t")
    before = np.array(x.detach().numpy(), copy=True)
    assert gradcheck(lambda a: (a * a).sum(1), (x,))
    assert gradgradcheck(lambda a: (a * a).sum(1), (x,))
    assert gradcheck(lambda a: (a * a).sum(1), (x,), fast_mode=True)
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None
    assert x.requires_grad and x.is_leaf


def test_fast_mode_passes_on_correct_gradients():
    x, w = leaf((3, 4), seed=1), leaf((4, 2), seed=2, layout="t")
    fn = lambda a, b: ((a @ b).sigmoid(), a.sum(0))  # noqa: E731
    assert gradcheck(fn, (x, w), fast_mode=True)
    assert gradgradcheck(fn, (x, w), fast_mode=True)


def test_gradgradcheck_explicit_and_non_contiguous_grad_outputs():
    x = leaf((3, 4), seed=4)
    go = leaf((3, 4), seed=5)
    assert gradgradcheck(lambda a: a.sin() * a, (x,), (go,))
    assert gradgradcheck(lambda a: a.sin() * a, (x,), go)
    # grad_outputs not requiring grad are treated as constants
    go_const = rtorch.from_numpy(unit(np.random.default_rng(6), (3, 4)))
    assert gradgradcheck(lambda a: a.sin() * a, (x,), (go_const,))
    assert gradgradcheck(lambda a: (a.exp() @ a.t()), (x,), gen_non_contig_grad_outputs=True)
    assert gradgradcheck(right_grad_wrong_graph, (x,), (go_const,), raise_exception=False) is False


def test_non_double_input_warns():
    x32 = rtorch.from_numpy(real(np.random.default_rng(0), (3,))).float().requires_grad_()
    msg = "Input #0 requires gradient and is not a double precision floating point"
    with pytest.warns(UserWarning, match=msg):
        gradcheck(lambda a: a * 2, (x32,), eps=1e-2, atol=1e-2, rtol=1e-2)
    x = leaf((3,))
    with pytest.warns(UserWarning, match="Input #1 requires gradient and is not a double precision"):
        gradcheck(lambda a, b: a * 2 + b.double(), (x, x32), eps=1e-2, atol=1e-2, rtol=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda a: a * 2, (x,))


def test_check_grad_dtypes():
    x32 = rtorch.from_numpy(real(np.random.default_rng(0), (3,))).float().requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda a: a.double() * 2, (x32,), eps=1e-2, atol=1e-2, rtol=1e-2,
                         check_grad_dtypes=True)


def test_no_input_requires_grad_raises():
    x = rtorch.ones(3, dtype=F64)
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (x,))
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (x,), raise_exception=False)


def test_stride_zero_input_raises():
    x = rtorch.ones(3, 1, dtype=F64).expand(3, 4).requires_grad_()
    assert x.stride()[1] == 0
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        gradcheck(lambda a: a * 2, (x,))


def test_unsupported_modes():
    x = leaf((3,))
    with pytest.raises(NotImplementedError):
        gradcheck(lambda a: a * 2, (x,), check_forward_ad=True)
    with pytest.raises(NotImplementedError):
        gradcheck(lambda a: a * 2, (x,), check_batched_grad=True)
    with pytest.raises(AssertionError, match="at least one of check_forward_ad or check_backward_ad"):
        gradcheck(lambda a: a * 2, (x,), check_backward_ad=False)


def test_error_class_and_exports():
    assert issubclass(GradcheckError, RuntimeError)
    assert rtorch.autograd.gradcheck is gradcheck
    assert rtorch.autograd.gradgradcheck is gradgradcheck
    assert "gradcheck" in rtorch.autograd.__all__ and "gradgradcheck" in rtorch.autograd.__all__
    # as in torch, ``rtorch.autograd.gradcheck`` names the function; the module stays importable
    assert sys.modules["rtorch.autograd.gradcheck"].GradcheckError is GradcheckError
    assert rtorch.autograd.gradcheck.GradcheckError is GradcheckError


def test_nondet_tol_accepted():
    x = leaf((3,))
    assert gradcheck(lambda a: a.exp(), (x,), nondet_tol=1e-10)
    assert gradgradcheck(lambda a: a.exp(), (x,), nondet_tol=1e-10)


# ----------------------------------------------------------------------------------------------------------
# PyTorch as the oracle for a handful of gradients (skipped without torch)
# ----------------------------------------------------------------------------------------------------------
def _functional(m):
    return m.nn.functional


# name -> (function of (module, *leaves) using only API common to rtorch and torch, input specs)
TORCH_CASES = {
    "div_broadcast": (lambda m, a, b: a / b, (I((4,)), I((3, 1), pos))),
    "pow_tensor_tensor": (lambda m, a, b: a ** b, (I(M, pos), I(M))),
    "atan2_broadcast": (lambda m, a, b: m.atan2(a, b), (I((3, 1)), I((1, 4)))),
    "remainder_broadcast": (lambda m, a, b: m.remainder(a, b), (I((3, 1), mod_a), I((1, 4), mod_b))),
    "rpow_rdiv_remainder": (lambda m, a: 2.0 ** a + 2.0 / a + a % 0.75, (I(M, mod_b),)),
    "erfinv": (lambda m, a: a.erfinv(), (I(M, unit),)),
    "gelu_tanh": (lambda m, a: _functional(m).gelu(a, approximate="tanh"), (I(M),)),
    "gelu": (lambda m, a: _functional(m).gelu(a), (I(M),)),
    "norm_p3_dim": (lambda m, a: a.norm(p=3, dim=1), (I(M),)),
    "logsumexp_keepdim": (lambda m, a: a.logsumexp(dim=0, keepdim=True), (I(M),)),
    "var_correction0": (lambda m, a: a.var(dim=0, keepdim=True, correction=0), (I(M),)),
    "std_dims": (lambda m, a: a.std(dim=(0, 2)), (I(X3),)),
    "max_dim_t": (lambda m, a: a.t().max(1).values, (I(M, distinct),)),
    "amin_dims": (lambda m, a: a.amin(dim=(1, 2), keepdim=True), (I(X3, distinct),)),
    "matmul_batched_both": (lambda m, a, b: a @ b, (I((2, 1, 3, 4)), I((3, 4, 2)))),
    "log_softmax_t": (lambda m, a: a.t().log_softmax(0), (I(M),)),
    "softmax": (lambda m, a: m.softmax(a, 1), (I(M),)),
    "clamp_where": (lambda m, a, b: m.where(a > 0, a.clamp(-0.5, 0.5), b), (I(M), I((4,)))),
    "getitem_step_3d": (lambda m, a: a[::2, 1:, 1::2].exp(), (I(X3),)),
    "chain_normalise": (lambda m, x: (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True), (I(M),)),
}


@pytest.mark.parametrize("case_id", sorted(TORCH_CASES))
def test_gradients_match_torch(torch_ref, case_id):
    torch = torch_ref
    fn, specs = TORCH_CASES[case_id]
    inputs = make_inputs(case_id, specs)
    # the rtorch side is itself gradchecked, so a torch mismatch points at semantics, not numerics
    assert gradcheck(lambda *xs: fn(rtorch, *xs), inputs)
    out = fn(rtorch, *inputs)
    go = np.random.default_rng(1).uniform(-1.0, 1.0, tuple(out.shape))
    grads = rtorch.autograd.grad(out, inputs, rtorch.from_numpy(go))

    t_inputs = tuple(torch.tensor(np.array(x.detach().numpy(), copy=True), dtype=torch.float64,
                                  requires_grad=True) for x in inputs)
    t_out = fn(torch, *t_inputs)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    t_grads = torch.autograd.grad(t_out, t_inputs, torch.from_numpy(go))
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-10, atol=1e-12)


# Node names that only appear inside other backward passes or for special writes; each is
# exercised elsewhere (double backward of slicing, constant fills).
_NOT_IN_TABLE = {"SliceBackwardBackward0", "CopyBackwards",
                 # samplers: random outputs with a zero gradient, checked in test_random.py
                 "NormalBackward3", "BernoulliBackward0", "PoissonBackward0"}


def _node_names_in_rust_formulas() -> set:
    import pathlib
    import re

    src = pathlib.Path(__file__).resolve().parents[1] / "src"
    names = set()
    for f in [*(src / "autograd").rglob("*.rs"), *(src / "ops").rglob("*.rs")]:
        names |= set(re.findall(r'"([A-Z][A-Za-z0-9]*Backward[0-9]*|CopySlices)"', f.read_text()))
    return names


def _graph_names(t) -> set:
    seen, stack, names = set(), [t.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(node.name())
        stack.extend(n for n, _ in node.next_functions)
    return names


def test_every_recorded_backward_is_in_the_table():
    """A new backward formula cannot land without a gradcheck case: every node name the Rust
    formulas can record must appear in the graphs the table builds."""
    covered = set()
    for fn, specs, _ in CASES.values():
        out = fn(*make_inputs("names", specs))
        for o in out if isinstance(out, tuple) else (out,):
            if isinstance(o, rtorch.Tensor):
                covered |= _graph_names(o)
    missing = _node_names_in_rust_formulas() - covered - _NOT_IN_TABLE
    assert not missing, f"backward formulas without a gradcheck case in CASES: {sorted(missing)}"


@pytest.mark.parametrize("fn", [lambda a: a.prod(1), lambda a: a[:2].prod()], ids=["dim", "all"])
def test_prod_gradient_at_exact_zeros(fn):
    """First derivatives of prod with one and with two zeros in a slice (the formula's
    special cases), checked numerically."""
    x = make_inputs("prod_zeros", [I(M, dom=zero_in_rows)])
    assert gradcheck(fn, x)


@pytest.mark.parametrize("fn", [lambda a: a.prod(1), lambda a: a[:2].prod(), lambda a: a.t().prod(0, keepdim=True)],
                         ids=["dim", "all", "transposed_keepdim"])
def test_prod_double_backward_at_exact_zeros(fn):
    """Second derivatives of prod where slices hold one and two exact zeros."""
    x = make_inputs("prod_zeros", [I(M, dom=zero_in_rows)])
    assert gradgradcheck(fn, x)

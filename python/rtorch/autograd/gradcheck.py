"""``rtorch.autograd.gradcheck``: checks analytical gradients against finite differences.

``gradcheck`` compares the Jacobian that the autograd engine computes (one vector-Jacobian
product per output element, through :func:`rtorch.autograd.grad`) with a central
finite-difference estimate; ``gradgradcheck`` does the same for the gradients themselves
(backward of backward). Both follow ``torch.autograd.gradcheck``'s semantics for real
(floating point) inputs.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

import rtorch
from rtorch import _C

Tensor = _C.Tensor
_TensorOrTensors = Union[Tensor, Sequence[Tensor]]

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` and :func:`gradgradcheck` when a check fails."""


# ----------------------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------------------
def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def _differentiable(outputs: tuple) -> List[int]:
    """Positions of the outputs that are tensors requiring grad."""
    return [k for k, o in enumerate(outputs) if _is_tensor(o) and o.requires_grad]


def _to_numpy(t: Tensor) -> np.ndarray:
    """A float64 numpy copy of ``t``'s values (any device, any floating dtype)."""
    t = t.detach()
    if t.is_cuda:
        t = t.cpu()
    if t.dtype != rtorch.float64:
        t = t.double()
    return np.array(t.numpy(), dtype=np.float64, copy=True)


def _tensor_like(values: np.ndarray, like: Tensor) -> Tensor:
    """An rtorch tensor holding ``values`` with ``like``'s shape, dtype and device."""
    arr = np.array(np.asarray(values, dtype=np.float64).reshape(tuple(like.shape)), order="C")  # keeps 0-dim
    return rtorch.from_numpy(arr).to(device=like.device, dtype=like.dtype)


def _jacobian_repr(jac: np.ndarray, like: Tensor) -> Tensor:
    return rtorch.from_numpy(np.ascontiguousarray(jac) + 0.0).to(dtype=like.dtype)  # no -0.0


def _allclose(a: np.ndarray, n: np.ndarray, rtol: float, atol: float) -> bool:
    """``|a - n| <= atol + rtol * |n|`` elementwise, NaN never close (as ``torch.allclose``)."""
    return bool(np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=False))


def _check_inputs(inputs: tuple) -> List[int]:
    """Positions of the inputs that require grad; warns about non-double ones, rejects stride 0."""
    diff = []
    for idx, inp in enumerate(inputs):
        if not (_is_tensor(inp) and inp.requires_grad):
            continue
        if inp.dtype != rtorch.float64:
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double precision "
                "floating point or complex. ",
                stacklevel=4,
            )
        if not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs "
                "that are non-overlapping to be able to compute the numerical gradients correctly. "
                "You should call .contiguous on the input before passing it to gradcheck."
            )
        diff.append(idx)
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of the them have requires_grad=True."
        )
    return diff


def _evaluate(func: Callable, inputs: tuple, positions: Sequence[int],
              shapes: Sequence[tuple]) -> List[np.ndarray]:
    """Runs ``func`` and returns float64 copies of the outputs at ``positions``.

    Copies are taken at once: an output may be a view of an input that is perturbed next.
    """
    outs = _as_tuple(func(*inputs))
    values = []
    for k, shape in zip(positions, shapes):
        o = outs[k] if k < len(outs) else None
        if not _is_tensor(o) or tuple(o.shape) != shape:
            raise GradcheckError(
                "Expected `func` to return outputs with the same dtype and shape when inputs are "
                "perturbed by eps"
            )
        values.append(_to_numpy(o))
    return values


# ----------------------------------------------------------------------------------------------------------
# Jacobians
# ----------------------------------------------------------------------------------------------------------
def _numerical_jacobians(func: Callable, inputs: tuple, in_pos: Sequence[int],
                         out_pos: Sequence[int], out_shapes: Sequence[tuple],
                         eps: float) -> List[List[np.ndarray]]:
    """``jac[i][j][e, f]``: d output_i[f] / d input_j[e] by central differences.

    Every element of every input that requires grad is moved by ``+eps`` and ``-eps`` in place
    (through a detached view, under ``no_grad``) and restored afterwards.
    """
    out_sizes = [int(np.prod(s, dtype=np.int64)) for s in out_shapes]
    jac = [[np.zeros((inputs[p].numel(), n)) for p in in_pos] for n in out_sizes]
    for j, p in enumerate(in_pos):
        x = inputs[p]
        base = x.detach()
        for e, idx in enumerate(np.ndindex(*tuple(x.shape))):
            elem = base[idx] if idx else base
            orig = elem.item()
            try:
                with rtorch.no_grad():
                    elem.fill_(orig - eps)
                minus = _evaluate(func, inputs, out_pos, out_shapes)
                with rtorch.no_grad():
                    elem.fill_(orig + eps)
                plus = _evaluate(func, inputs, out_pos, out_shapes)
            finally:
                with rtorch.no_grad():
                    elem.fill_(orig)
            for i in range(len(out_pos)):
                jac[i][j][e, :] = ((plus[i] - minus[i]) / (2.0 * eps)).reshape(-1)
    return jac


def _vjp(output: Tensor, diff_inputs: Sequence[Tensor], grad_output: np.ndarray,
         check_grad_dtypes: bool) -> List[Optional[np.ndarray]]:
    """``grad_output`` (values, output's shape) times the Jacobian of ``output``, per input."""
    go = _tensor_like(grad_output, output)
    grads = rtorch.autograd.grad((output,), tuple(diff_inputs), (go,), retain_graph=True,
                                 allow_unused=True)
    result: List[Optional[np.ndarray]] = []
    for g, x in zip(grads, diff_inputs):
        if g is None:
            result.append(None)
            continue
        if g.numel() != x.numel() or tuple(g.shape) != tuple(x.shape):
            raise GradcheckError("Analytical gradient has incorrect size")
        if check_grad_dtypes and g.dtype != x.dtype:
            raise GradcheckError("Gradient has dtype mismatch")
        result.append(_to_numpy(g).reshape(-1))
    return result


def _analytical_jacobians(outputs: Sequence[Tensor], diff_inputs: Sequence[Tensor],
                          check_grad_dtypes: bool) -> List[List[np.ndarray]]:
    """``jac[i][j][e, f]`` from one backward pass per element ``f`` of each output ``i``."""
    jac = []
    for o in outputs:
        n_out = o.numel()
        rows = [np.zeros((x.numel(), n_out)) for x in diff_inputs]
        for f in range(n_out):
            unit = np.zeros(n_out)
            unit[f] = 1.0
            for j, g in enumerate(_vjp(o, diff_inputs, unit, check_grad_dtypes)):
                if g is not None:
                    rows[j][:, f] = g
        jac.append(rows)
    return jac


def _fresh_outputs(func: Callable, inputs: tuple, out_pos: Sequence[int],
                   shapes: Sequence[tuple]) -> List[Tensor]:
    """The differentiable outputs of a new call of ``func``: the finite differences wrote into
    the inputs in place, which would invalidate tensors saved by an earlier graph."""
    outs = _as_tuple(func(*inputs))
    result = []
    for k, shape in zip(out_pos, shapes):
        o = outs[k] if k < len(outs) else None
        if not _is_tensor(o) or not o.requires_grad or tuple(o.shape) != shape:
            raise GradcheckError("Expected `func` to return the same differentiable outputs on every call")
        result.append(o)
    return result


def _mismatch_msg(i: int, j: int, numerical: Any, analytical: Any) -> str:
    return (f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{numerical}\nanalytical:{analytical}\n")


def _not_reentrant_msg(nondet_tol: float) -> str:
    return ("Backward is not reentrant, i.e., running backward with same input and grad_output "
            "multiple times gives different values, although analytical gradient matches "
            f"numerical gradient.The tolerance for nondeterminism was {nondet_tol}.")


# ----------------------------------------------------------------------------------------------------------
# the checks
# ----------------------------------------------------------------------------------------------------------
def _check_no_differentiable_outputs(func: Callable, inputs: tuple, in_pos: Sequence[int],
                                     outputs: tuple, eps: float) -> None:
    """With no output requiring grad, the numerical Jacobian must vanish."""
    pos = [k for k, o in enumerate(outputs) if _is_tensor(o) and o.is_floating_point()]
    shapes = [tuple(outputs[k].shape) for k in pos]
    for per_out in _numerical_jacobians(func, inputs, in_pos, pos, shapes, eps):
        for jac in per_out:
            if not np.all(jac == 0):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _check_slow(func: Callable, inputs: tuple, in_pos: Sequence[int], out_pos: Sequence[int],
                outputs: tuple, eps: float, atol: float, rtol: float, nondet_tol: float,
                check_grad_dtypes: bool) -> None:
    diff_inputs = [inputs[p] for p in in_pos]
    shapes = [tuple(outputs[k].shape) for k in out_pos]
    numerical = _numerical_jacobians(func, inputs, in_pos, out_pos, shapes, eps)
    diff_outputs = _fresh_outputs(func, inputs, out_pos, shapes)
    analytical = _analytical_jacobians(diff_outputs, diff_inputs, check_grad_dtypes)
    for i in range(len(out_pos)):
        for j, x in enumerate(diff_inputs):
            a, n = analytical[i][j], numerical[i][j]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch_msg(i, j, _jacobian_repr(n, x), _jacobian_repr(a, x)))
    again = _analytical_jacobians(diff_outputs, diff_inputs, check_grad_dtypes)
    for i in range(len(out_pos)):
        for j in range(len(diff_inputs)):
            if not _allclose(again[i][j], analytical[i][j], 0.0, nondet_tol):
                raise GradcheckError(_not_reentrant_msg(nondet_tol))


def _check_fast(func: Callable, inputs: tuple, in_pos: Sequence[int], out_pos: Sequence[int],
                outputs: tuple, eps: float, atol: float, rtol: float, nondet_tol: float,
                check_grad_dtypes: bool) -> None:
    """Compares ``v^T J u`` for one random ``u`` per input and ``v`` per output."""
    rng = np.random.default_rng(0)
    diff_inputs = [inputs[p] for p in in_pos]
    shapes = [tuple(outputs[k].shape) for k in out_pos]
    us = []
    for x in diff_inputs:
        u = rng.uniform(0.0, 1.0, x.numel())
        norm = np.linalg.norm(u)
        us.append(u / norm if norm > 0 else u)
    vs = [rng.uniform(0.0, 1.0, outputs[k].numel()) for k in out_pos]

    # numerical: directional derivative along u_j, projected on v_i
    numerical = np.zeros((len(out_pos), len(in_pos)))
    for j, (x, u) in enumerate(zip(diff_inputs, us)):
        base = x.detach()
        orig = _to_numpy(x).reshape(-1)
        try:
            with rtorch.no_grad():
                base.copy_(_tensor_like(orig - eps * u, x))
            minus = _evaluate(func, inputs, out_pos, shapes)
            with rtorch.no_grad():
                base.copy_(_tensor_like(orig + eps * u, x))
            plus = _evaluate(func, inputs, out_pos, shapes)
        finally:
            with rtorch.no_grad():
                base.copy_(_tensor_like(orig, x))
        for i, v in enumerate(vs):
            numerical[i, j] = float(v @ ((plus[i] - minus[i]).reshape(-1) / (2.0 * eps)))

    diff_outputs = _fresh_outputs(func, inputs, out_pos, shapes)

    def analytical() -> np.ndarray:
        res = np.zeros((len(out_pos), len(in_pos)))
        for i, (o, v) in enumerate(zip(diff_outputs, vs)):
            if o.numel() == 0:
                continue
            for j, g in enumerate(_vjp(o, diff_inputs, v, check_grad_dtypes)):
                if g is not None:
                    res[i, j] = float(g @ us[j])
        return res

    first = analytical()
    for i, v in enumerate(vs):
        for j, u in enumerate(us):
            a, n = first[i, j], numerical[i, j]
            # |v^T (A - N) u| <= sum_ef |v_f| |u_e| |A - N|_ef: scale atol accordingly
            adj_atol = atol * float(np.abs(u).sum()) * float(np.abs(v).sum())
            if not _allclose(np.array(a), np.array(n), rtol, adj_atol):
                raise GradcheckError(_fast_mismatch_msg(func, inputs, in_pos, out_pos, outputs,
                                                        i, j, a, n, eps, atol, rtol))
    second = analytical()
    if not _allclose(second, first, 0.0, nondet_tol):
        raise GradcheckError(_not_reentrant_msg(nondet_tol))


def _fast_mismatch_msg(func: Callable, inputs: tuple, in_pos: Sequence[int],
                       out_pos: Sequence[int], outputs: tuple, i: int, j: int, a: float, n: float,
                       eps: float, atol: float, rtol: float) -> str:
    msg = _mismatch_msg(i, j, n, a)
    msg += ("\nThe above quantities are v^T J u for random vectors u (per input) and v (per "
            "output): fast mode compares these projections instead of whole Jacobians. The "
            "Jacobians recomputed element by element (slow mode) follow:\n\n")
    x, shape = inputs[in_pos[j]], tuple(outputs[out_pos[i]].shape)
    num = _numerical_jacobians(func, inputs, [in_pos[j]], [out_pos[i]], [shape], eps)[0][0]
    o = _fresh_outputs(func, inputs, [out_pos[i]], [shape])[0]
    ana = _analytical_jacobians([o], [x], False)[0][0]
    msg += f"Numerical:\n {_jacobian_repr(num, x)}\nAnalytical:\n{_jacobian_repr(ana, x)}\n\n"
    if _allclose(ana, num, rtol, atol):
        msg += ("Fast gradcheck failed but the element-wise comparison passes: this test might "
                "pass with fast_mode=False. Tolerances may need adjusting.\n")
    else:
        bad = np.argwhere(~np.isclose(ana, num, rtol=rtol, atol=atol))
        e, f = (int(v) for v in bad[0])
        msg += (f"The max per-element difference (slow mode) is: {np.nanmax(np.abs(ana - num))}.\n"
                f"First mismatch: input element {e}, output element {f}.\n")
    return msg


def _check_backward_mul_by_grad_output(outputs: Sequence[Tensor],
                                       diff_inputs: Sequence[Tensor]) -> None:
    """Zero grad_outputs must give zero (or no) input grads, of the inputs' dtype and size."""
    grads = rtorch.autograd.grad(
        tuple(outputs), tuple(diff_inputs),
        tuple(_tensor_like(np.zeros(o.numel()), o) for o in outputs),
        retain_graph=True, allow_unused=True)
    for g, x in zip(grads, diff_inputs):
        if g is None:
            continue
        if not np.all(_to_numpy(g) == 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype != x.dtype or g.device != x.device:
            raise GradcheckError("grad is incorrect type")
        if tuple(g.shape) != tuple(x.shape):
            raise GradcheckError("grad is incorrect size")


def _check_undefined_grad(outputs: Sequence[Tensor], diff_inputs: Sequence[Tensor]) -> None:
    """Backward from each output alone (the others' grads undefined) with a zero grad_output
    must give input grads that are undefined or zero.

    rtorch's engine never hands an undefined gradient to a backward formula (a missing one is
    materialised as zeros), so this is the observable part of torch's undefined-grad check.
    """
    for o in outputs:
        grads = rtorch.autograd.grad((o,), tuple(diff_inputs), (_tensor_like(np.zeros(o.numel()), o),),
                                     retain_graph=True, allow_unused=True)
        for g in grads:
            if g is not None and not np.all(_to_numpy(g) == 0):
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads are "
                    "undefined or zero.")


def _gradcheck_impl(func: Callable, inputs: tuple, eps: float, atol: float, rtol: float,
                    nondet_tol: float, check_undefined_grad: bool, check_grad_dtypes: bool,
                    fast_mode: bool) -> bool:
    in_pos = _check_inputs(inputs)
    outputs = _as_tuple(func(*inputs))
    out_pos = _differentiable(outputs)
    if not out_pos:
        _check_no_differentiable_outputs(func, inputs, in_pos, outputs, eps)
        return True
    check = _check_fast if fast_mode else _check_slow
    check(func, inputs, in_pos, out_pos, outputs, eps, atol, rtol, nondet_tol, check_grad_dtypes)
    diff_inputs = [inputs[p] for p in in_pos]
    diff_outputs = _fresh_outputs(func, inputs, out_pos, [tuple(outputs[k].shape) for k in out_pos])
    _check_backward_mul_by_grad_output(diff_outputs, diff_inputs)
    if check_undefined_grad:
        _check_undefined_grad(diff_outputs, diff_inputs)
    return True


# ----------------------------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------------------------
def gradcheck(
    func: Callable[..., Union[Tensor, Sequence[Tensor]]],
    inputs: _TensorOrTensors,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: Optional[bool] = None,
) -> bool:
    r"""Checks gradients computed by small finite differences against analytical gradients
    with respect to the tensors in ``inputs`` that are floating point and ``requires_grad=True``.

    The numerical Jacobian uses central differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` per
    input element; the analytical one runs backward once per output element. They are compared
    with ``allclose(analytical, numerical, rtol, atol)``.

    .. note:: The defaults are meant for double precision inputs; a warning is given for
       others, where the check will likely fail.

    Args:
        func: a function taking tensor (and other) arguments, returning a tensor or a tuple
            of tensors.
        inputs (tuple of Tensor or Tensor): inputs to ``func``.
        eps: perturbation for the finite differences.
        atol: absolute tolerance.
        rtol: relative tolerance.
        raise_exception: raise :class:`GradcheckError` with details on failure, instead of
            returning ``False``.
        nondet_tol: tolerance for non-determinism: running backward twice on the same input and
            grad_output must agree within it.
        check_undefined_grad: also check that zero (undefined) output grads give zero input grads.
        check_grad_dtypes: also check that the gradients have their inputs' dtype.
        check_batched_grad, check_batched_forward_grad, check_forward_ad: not supported by
            rtorch (no vmap, no forward-mode AD); ``True`` raises ``NotImplementedError``.
        check_backward_ad: check the backward-mode gradients (must be ``True``).
        fast_mode: compare ``v^T J u`` for random ``u``, ``v`` instead of whole Jacobians.
        masked: only meaningful for sparse inputs, which rtorch lacks; ignored.

    Returns:
        ``True`` if all checks pass (``False`` on failure when ``raise_exception=False``).
    """
    if not check_forward_ad and not check_backward_ad:
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError("Setting check_batched_grad=True requires check_backward_ad to be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires check_forward_ad to be True")
    if check_forward_ad or check_batched_forward_grad:
        raise NotImplementedError("gradcheck: forward-mode AD is not supported by rtorch yet")
    if check_batched_grad:
        raise NotImplementedError("gradcheck: check_batched_grad=True needs vmap, which rtorch lacks")
    args = (func, _as_tuple(inputs), eps, atol, rtol, nondet_tol, check_undefined_grad,
            check_grad_dtypes, fast_mode)
    if raise_exception:
        return _gradcheck_impl(*args)
    try:
        return _gradcheck_impl(*args)
    except GradcheckError:
        return False


def _random_grad_output(shape: tuple, like: Tensor, rng: np.random.Generator,
                        non_contiguous: bool) -> Tensor:
    """Uniform values in [-1, 1) of ``like``'s dtype and device, requiring grad."""
    dtype = like.dtype if like.is_floating_point() else rtorch.float64
    values = rng.uniform(-1.0, 1.0, shape)
    if non_contiguous and values.size > 1:
        # lay the values out every other element of a larger buffer
        buf = np.zeros(shape + (2,))
        buf[..., 0] = values
        t = rtorch.from_numpy(buf).to(device=like.device, dtype=dtype).select(-1, 0)
    else:
        t = rtorch.from_numpy(np.array(values, order="C")).to(device=like.device, dtype=dtype)
    return t.detach().requires_grad_()


def gradgradcheck(
    func: Callable[..., Union[Tensor, Sequence[Tensor]]],
    inputs: _TensorOrTensors,
    grad_outputs: Optional[_TensorOrTensors] = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    r"""Checks gradients of gradients computed by small finite differences against analytical
    gradients, with respect to the tensors in ``inputs`` and ``grad_outputs`` that are floating
    point and ``requires_grad=True``.

    It runs :func:`gradcheck` on the function ``(inputs, grad_outputs) -> grad(func(inputs),
    inputs, grad_outputs, create_graph=True)``, so backpropagating through the gradients
    computed for ``grad_outputs`` is checked.

    Args:
        func: a function taking tensor (and other) arguments, returning a tensor or a tuple
            of tensors.
        inputs (tuple of Tensor or Tensor): inputs to ``func``.
        grad_outputs (tuple of Tensor or Tensor, optional): the gradients with respect to
            ``func``'s outputs; random ones (requiring grad) when omitted.
        eps, atol, rtol, raise_exception, nondet_tol, check_undefined_grad, check_grad_dtypes,
        fast_mode, masked: as for :func:`gradcheck`.
        gen_non_contig_grad_outputs: make the random ``grad_outputs`` non-contiguous.
        check_batched_grad, check_fwd_over_rev: not supported (``True`` raises).
        check_rev_over_rev: check backward-over-backward (must be ``True``).

    Returns:
        ``True`` if all checks pass (``False`` on failure when ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _as_tuple(func(*inputs))
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _random_grad_output(tuple(outs[k].shape), outs[k], rng, gen_non_contig_grad_outputs)
            for k in _differentiable(outs))
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_grads = len(grad_outputs)
    in_requires = [_is_tensor(x) and x.requires_grad for x in inputs]
    go_requires = [x.requires_grad for x in grad_outputs]

    def grads_of(*args: Any) -> Tuple[Tensor, ...]:
        ins = tuple(x.requires_grad_() if r else x for x, r in zip(args[:len(args) - n_grads], in_requires))
        gos = tuple(x.requires_grad_() if r else x for x, r in zip(args[len(args) - n_grads:], go_requires))
        outs = _as_tuple(func(*ins))
        diff_outs = tuple(outs[k] for k in _differentiable(outs))
        diff_ins = tuple(x for x, r in zip(ins, in_requires) if r)
        grads = rtorch.autograd.grad(diff_outs, diff_ins, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        grads_of, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception, nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad, check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev, fast_mode=fast_mode, masked=masked)


# ``rtorch.autograd.gradcheck`` names the function (as in torch); let
# ``rtorch.autograd.gradcheck.GradcheckError`` resolve through it as well.
gradcheck.GradcheckError = GradcheckError  # type: ignore[attr-defined]

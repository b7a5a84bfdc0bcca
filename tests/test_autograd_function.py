"""Custom ``autograd.Function`` and tensor hooks, pinned to PyTorch's semantics.

Every test takes the ``lib`` fixture and runs the very same code on rtorch and (when it is
installed) on PyTorch, checking both against numpy / hand-derived values. The custom Functions
are built per library by small factories (``lib.autograd.Function`` differs between the two).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import rtorch
from conftest import close, const, leaf, npa, raises


# ----------------------------------------------------------------------------------------------------------
# helpers (the shared ones, with the `lib` fixture, are in conftest.py)
# ----------------------------------------------------------------------------------------------------------


def grad_fn_name(t) -> str:
    """The grad_fn's name, e.g. ``ExpBackward`` (both ``name()`` and its type's name agree in torch)."""
    return t.grad_fn.name()


X3 = np.array([0.5, -1.0, 2.0])
Y3 = np.array([1.5, 3.0, -0.25])


# ----------------------------------------------------------------------------------------------------------
# Function factories (one set per library)
# ----------------------------------------------------------------------------------------------------------
def make_exp(lib, log=None):
    """exp(x), saving its output; appends ("fwd"/"bwd", ...) to `log` if given."""
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            if log is not None:
                log.append(("fwd", lib.is_grad_enabled()))
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            if log is not None:
                log.append(("bwd", ctx.needs_input_grad))
            return grad * y
    return Exp


def make_cube(lib):
    """x**3 with a differentiable backward (3 x^2 g), so double backward works."""
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x
    return Cube


def make_mul_add(lib):
    """(x, y) -> x * y + sin(x), two tensor inputs, differentiable backward."""
    class MulAdd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y + x.sin()

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            gx = gy = None
            if ctx.needs_input_grad[0]:
                gx = grad * (y + x.cos())
            if ctx.needs_input_grad[1]:
                gy = grad * x
            return gx, gy
    return MulAdd


# ----------------------------------------------------------------------------------------------------------
# basics
# ----------------------------------------------------------------------------------------------------------
def test_function_forward_backward_values(lib):
    log = []
    Exp = make_exp(lib, log)
    x = leaf(lib, X3)
    y = Exp.apply(x)
    close(y, np.exp(X3), dtype="float64")
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn is not None
    # forward runs with grad mode off
    assert log == [("fwd", False)]
    (y * const(lib, Y3)).sum().backward()
    close(x.grad, Y3 * np.exp(X3), dtype="float64")
    assert log[1] == ("bwd", (True,))


def test_function_grad_fn_name(lib):
    Exp = make_exp(lib)
    y = Exp.apply(leaf(lib, X3))
    assert grad_fn_name(y) == "ExpBackward"
    assert type(y.grad_fn).__name__ == "ExpBackward" or lib is rtorch  # rtorch: one Node class
    MulAdd = make_mul_add(lib)
    z = MulAdd.apply(leaf(lib, X3), leaf(lib, Y3))
    assert grad_fn_name(z) == "MulAddBackward"
    # the result feeds ordinary ops
    w = z * 2
    assert w.grad_fn.next_functions[0][0].name() == "MulAddBackward"


def test_function_no_input_requires_grad_gives_plain_tensor(lib):
    Exp = make_exp(lib)
    y = Exp.apply(const(lib, X3))
    close(y, np.exp(X3))
    assert not y.requires_grad
    assert y.grad_fn is None
    assert y.is_leaf


def test_function_under_no_grad_records_nothing(lib):
    log = []
    Exp = make_exp(lib, log)
    x = leaf(lib, X3)
    with lib.no_grad():
        y = Exp.apply(x)
    close(y, np.exp(X3))
    assert not y.requires_grad and y.grad_fn is None
    assert log == [("fwd", False)]


def test_function_two_inputs_and_needs_input_grad(lib):
    MulAdd = make_mul_add(lib)
    seen = []

    class Spy(MulAdd):
        @staticmethod
        def backward(ctx, grad):
            seen.append(tuple(ctx.needs_input_grad))
            return MulAdd.backward(ctx, grad)

    x, y = leaf(lib, X3), leaf(lib, Y3)
    Spy.apply(x, y).sum().backward()
    close(x.grad, Y3 + np.cos(X3))
    close(y.grad, X3)
    # only y requires grad: x gets nothing, and needs_input_grad says so
    xc, y2 = const(lib, X3), leaf(lib, Y3)
    Spy.apply(xc, y2).sum().backward()
    assert seen == [(True, True), (False, True)]
    assert xc.grad is None
    close(y2.grad, X3)


def test_function_needs_input_grad_in_forward(lib):
    seen = []

    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, k, b):
            seen.append(tuple(ctx.needs_input_grad))
            return a * k + b

        @staticmethod
        def backward(ctx, g):
            return g, None, g

    F.apply(leaf(lib, X3), 2.0, const(lib, Y3))
    F.apply(const(lib, X3), 2.0, leaf(lib, Y3))
    assert seen == [(True, False, False), (False, False, True)]


def test_function_non_tensor_arguments(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor, name, power):
            assert isinstance(factor, float) and name == "tag" and power == 2
            ctx.factor = factor
            ctx.save_for_backward(x)
            return x * x * factor

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x * ctx.factor, None, None, None

    x = leaf(lib, X3)
    y = Scale.apply(x, 1.5, "tag", 2)
    close(y, 1.5 * X3 ** 2)
    y.sum().backward()
    close(x.grad, 3.0 * X3)


def test_function_wrong_number_of_gradients_raises(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g  # one gradient for two inputs

    out = Bad.apply(leaf(lib, X3), leaf(lib, Y3))
    raises(RuntimeError, r"BadBackward returned an incorrect number of gradients \(expected 2, got 1\)",
           lambda: out.sum().backward())


def test_function_extra_trailing_none_gradients_are_allowed(lib):
    class ExtraNone(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    x = leaf(lib, X3)
    ExtraNone.apply(x).sum().backward()
    close(x.grad, np.full(3, 2.0))


def test_function_too_many_gradients_raises(lib):
    class Extra(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    raises(RuntimeError, r"ExtraBackward returned an incorrect number of gradients \(expected 1, got 2\)",
           lambda: Extra.apply(leaf(lib, X3)).sum().backward())


def test_function_gradient_for_non_tensor_input_raises(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    raises(RuntimeError, r"ScaleBackward returned a gradient different than None at position 2, but the "
                         r"corresponding forward input was not a Variable",
           lambda: Scale.apply(leaf(lib, X3), 2.0).sum().backward())


def test_function_non_tensor_gradient_raises(lib):
    class Five(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 5

    raises(RuntimeError, r"expected Variable or None \(got int\)",
           lambda: Five.apply(leaf(lib, X3)).sum().backward())


def test_function_gradient_shape_checked_against_input(lib):
    class BadShape(lib.autograd.Function):
        @staticmethod
        def forward(ctx, k, x, c):
            return x * k + c

        @staticmethod
        def backward(ctx, g):
            return None, g.sum(), g.sum()

    # the index counts tensor inputs; the constant `c` (no grad needed) is not checked
    raises(RuntimeError, r"Function BadShapeBackward returned an invalid gradient at index 0 - got \[\] but "
                         r"expected shape compatible with \[3\]",
           lambda: BadShape.apply(2.0, leaf(lib, X3), const(lib, Y3)).sum().backward())
    raises(RuntimeError, r"Function BadShapeBackward returned an invalid gradient at index 1 - got \[\] but "
                         r"expected shape compatible with \[3\]",
           lambda: BadShape.apply(2.0, const(lib, Y3), leaf(lib, X3)).sum().backward())


def test_function_broadcast_gradient_is_summed_to_input_shape(lib):
    class Wide(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return lib.ones(4, 3, dtype=g.dtype) * 0.5   # (4, 3) for a (3,) input

    x = leaf(lib, X3)
    Wide.apply(x).sum().backward()
    close(x.grad, np.full(3, 2.0), dtype="float64")


def test_function_gradient_dtype_is_cast_to_input_dtype(lib):
    class F32(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return (g * 2).float()

    x = leaf(lib, X3)
    F32.apply(x).sum().backward()
    close(x.grad, np.full(3, 2.0), dtype="float64")


def test_function_gradient_for_input_not_requiring_grad_is_dropped(lib):
    class Both(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g * 7, g * 9

    x, c = leaf(lib, X3), const(lib, Y3)
    Both.apply(x, c).sum().backward()
    close(x.grad, np.full(3, 7.0))
    assert c.grad is None
    # the same tensor passed twice: its two gradients add up
    x.grad = None
    Both.apply(x, x).sum().backward()
    close(x.grad, np.full(3, 16.0))


def test_function_non_tensor_outputs_pass_through(lib):
    seen = []

    class Mixed(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2, 3, "s"

        @staticmethod
        def backward(ctx, g, g_int, g_str):
            seen.append((g_int, g_str))
            return g * 2

    x = leaf(lib, X3)
    y, n, s = Mixed.apply(x)
    assert (n, s) == (3, "s")
    assert grad_fn_name(y) == "MixedBackward"
    y.sum().backward()
    assert seen == [(None, None)]
    close(x.grad, np.full(3, 2.0))


def test_function_returning_none_gradient_leaves_grad_none(lib):
    class OnlyFirst(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * 2 + y

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    x, y = leaf(lib, X3), leaf(lib, Y3)
    OnlyFirst.apply(x, y).sum().backward()
    close(x.grad, np.full(3, 2.0))
    assert y.grad is None
    # with another path to y, only that path contributes
    x.grad = None
    (OnlyFirst.apply(x, y) + y * 5).sum().backward()
    close(y.grad, np.full(3, 5.0))


def test_function_composes_with_ordinary_ops_and_accumulates(lib):
    Exp = make_exp(lib)
    x = leaf(lib, X3)
    h = x * 3                           # non-leaf input
    z = (Exp.apply(h) + x * x).sum()    # x reaches the loss through two paths
    z.backward()
    close(x.grad, 3 * np.exp(3 * X3) + 2 * X3)
    # applied twice in a chain: exp(exp(x))
    x2 = leaf(lib, [0.1, 0.2])
    Exp.apply(Exp.apply(x2)).sum().backward()
    v = np.array([0.1, 0.2])
    close(x2.grad, np.exp(np.exp(v)) * np.exp(v))


def test_function_ctx_arbitrary_attributes(lib):
    class Pow(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, n):
            ctx.n = n
            ctx.x = x.detach()  # a plain attribute, not saved
            return x ** n

        @staticmethod
        def backward(ctx, g):
            return g * ctx.n * ctx.x ** (ctx.n - 1), None

    x = leaf(lib, X3)
    Pow.apply(x, 3).sum().backward()
    close(x.grad, 3 * X3 ** 2)


def test_function_setup_context_style(lib):
    calls = []

    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(x, y):
            calls.append(("forward", lib.is_grad_enabled()))
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y = inputs
            calls.append(("setup", tuple(ctx.needs_input_grad)))
            close(output, X3 * Y3)
            ctx.save_for_backward(x, y)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    x, y = leaf(lib, X3), const(lib, Y3)
    out = Mul.apply(x, y)
    close(out, X3 * Y3)
    assert grad_fn_name(out) == "MulBackward"
    (out * 2).sum().backward()
    close(x.grad, 2 * Y3)
    assert y.grad is None
    assert calls == [("forward", False), ("setup", (True, False))]


def test_function_setup_context_double_backward(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = leaf(lib, X3)
    (g,) = lib.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    close(g, 2 * X3)
    (gg,) = lib.autograd.grad((g * g).sum(), x)   # d/dx sum(4 x^2) = 8x
    close(gg, 8 * X3)


def test_function_instantiation_or_legacy_call_is_refused(lib):
    Exp = make_exp(lib)
    # new-style Functions are used through .apply; calling the forward on an instance is not supported
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch warns on instantiation first
        with pytest.raises(RuntimeError, match=r"(?i)legacy autograd function"):
            Exp()(leaf(lib, X3))


# ----------------------------------------------------------------------------------------------------------
# saved tensors
# ----------------------------------------------------------------------------------------------------------
def test_saved_tensor_modified_in_place_raises(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    a = leaf(lib, X3)
    h = a * 1
    out = Square.apply(h)
    h.add_(1.0)  # bumps h's version after it was saved
    raises(RuntimeError, r"one of the variables needed for gradient computation has been modified by an inplace "
                         r"operation", lambda: out.sum().backward())


def test_saved_output_modified_in_place_raises(lib):
    Exp = make_exp(lib)
    y = Exp.apply(leaf(lib, X3))
    y.mul_(2)
    raises(RuntimeError, r"one of the variables needed for gradient computation has been modified by an inplace "
                         r"operation", lambda: y.sum().backward())


def test_saved_tensor_unmodified_and_none_entries(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(None, x, None)
            return x * 4

        @staticmethod
        def backward(ctx, g):
            a, x, b = ctx.saved_tensors
            assert a is None and b is None
            close(x, X3)
            return g * 4

    x = leaf(lib, X3)
    F.apply(x).sum().backward()
    close(x.grad, np.full(3, 4.0))


def test_save_for_backward_rejects_non_tensors(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    raises(TypeError, r"save_for_backward can only save variables, but argument 1 is of type int",
           lambda: F.apply(leaf(lib, X3)))


def test_saved_tensors_freed_after_backward(lib, request):
    Exp = make_exp(lib)
    x = leaf(lib, X3)
    y = Exp.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()          # retained: a second pass works and accumulates
    close(x.grad, 2 * np.exp(X3))
    raises(RuntimeError, r"Trying to backward through the graph a second time", lambda: y.backward())


# ----------------------------------------------------------------------------------------------------------
# multiple outputs, materialize_grads, non-differentiable outputs
# ----------------------------------------------------------------------------------------------------------
def make_sum_prod(lib, log):
    class SumProd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x + y, x * y

        @staticmethod
        def backward(ctx, g_sum, g_prod):
            log.append((g_sum is None, g_prod is None))
            x, y = ctx.saved_tensors
            gx = gy = None
            if g_sum is not None:
                gx, gy = g_sum, g_sum
            if g_prod is not None:
                gx = g_prod * y if gx is None else gx + g_prod * y
                gy = g_prod * x if gy is None else gy + g_prod * x
            return gx, gy
    return SumProd


def test_function_multiple_outputs(lib):
    log = []
    SumProd = make_sum_prod(lib, log)
    x, y = leaf(lib, X3), leaf(lib, Y3)
    s, p = SumProd.apply(x, y)
    close(s, X3 + Y3)
    close(p, X3 * Y3)
    assert grad_fn_name(s) == grad_fn_name(p) == "SumProdBackward"
    (2 * s + 3 * p).sum().backward()
    close(x.grad, 2 + 3 * Y3)
    close(y.grad, 2 + 3 * X3)
    assert log == [(False, False)]  # one backward call for both outputs


def test_function_unused_output_gets_zeros_when_materialized(lib):
    seen = []

    class Two(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append((ga, gb))
            return ga * 2 + gb * 3

    x = leaf(lib, X3)
    a, b = Two.apply(x)
    b.sum().backward()
    close(x.grad, np.full(3, 3.0))
    ga, gb = seen[0]
    close(ga, np.zeros(3))   # materialized as zeros of the output's shape
    close(gb, np.ones(3))


def test_function_set_materialize_grads_false(lib):
    log = []
    SumProd = make_sum_prod(lib, log)

    class Lazy(SumProd):
        @staticmethod
        def forward(ctx, x, y):
            ctx.set_materialize_grads(False)
            return SumProd.forward(ctx, x, y)

    x, y = leaf(lib, X3), leaf(lib, Y3)
    s, p = Lazy.apply(x, y)
    p.sum().backward()
    assert log == [(True, False)]
    close(x.grad, Y3)
    close(y.grad, X3)
    # and the materialized default gives zeros instead of None
    x.grad = y.grad = None
    s, p = SumProd.apply(x, y)
    s.sum().backward()
    assert log[-1] == (False, False)
    close(x.grad, np.ones(3))


def test_function_mark_non_differentiable(lib):
    seen = []

    class SortLike(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            mask = (x > 0).to(x.dtype)   # a float output, declared non-differentiable
            ctx.mark_non_differentiable(mask)
            return y, mask

        @staticmethod
        def backward(ctx, gy, gmask):
            seen.append(gmask)
            return gy * 2

    x = leaf(lib, X3)
    y, mask = SortLike.apply(x)
    assert y.requires_grad and grad_fn_name(y) == "SortLikeBackward"
    assert not mask.requires_grad and mask.grad_fn is None
    close(mask, (X3 > 0).astype(np.float64))
    y.sum().backward()
    close(x.grad, np.full(3, 2.0))
    close(seen[0], np.zeros(3))   # non-differentiable outputs get (materialized) zero grads


def test_function_integer_output_is_not_differentiable(lib):
    class MaxWithIndex(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.save_for_backward(x, idx)
            return x.max(), idx

        @staticmethod
        def backward(ctx, g, gidx):
            x, idx = ctx.saved_tensors
            return (lib.arange(x.shape[0]) == idx).to(x.dtype) * g

    x = leaf(lib, X3)
    m, i = MaxWithIndex.apply(x)
    assert m.requires_grad and not i.requires_grad
    assert int(i) == 2 and float(m) == 2.0
    m.backward()
    close(x.grad, [0.0, 0.0, 1.0])


# ----------------------------------------------------------------------------------------------------------
# in-place / aliasing (mark_dirty)
# ----------------------------------------------------------------------------------------------------------
def make_add_one_inplace(lib):
    class AddOne(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1.0)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 10  # deliberately not the true derivative, to see this backward was used
    return AddOne


def test_function_mark_dirty(lib):
    AddOne = make_add_one_inplace(lib)
    a = leaf(lib, X3)
    b = a * 1
    v0 = b._version
    out = AddOne.apply(b)
    assert out is b                      # the modified input is returned
    assert b._version > v0
    close(b, X3 + 1)
    assert grad_fn_name(b) == "AddOneBackward"   # b took the new history
    (b * 2).sum().backward()
    close(a.grad, np.full(3, 20.0))


def test_function_mark_dirty_on_leaf_requiring_grad_raises(lib):
    AddOne = make_add_one_inplace(lib)
    a = leaf(lib, X3)
    raises(RuntimeError, r"a leaf Variable that requires grad .*in-place operation",
           lambda: AddOne.apply(a))


def test_function_mark_dirty_on_leaf_is_fine_without_grad(lib):
    AddOne = make_add_one_inplace(lib)
    a = leaf(lib, X3)
    with lib.no_grad():
        out = AddOne.apply(a)
    close(a, X3 + 1)
    assert out.grad_fn is None
    c = const(lib, X3)
    out = AddOne.apply(c)
    assert out is c and not c.requires_grad
    close(c, X3 + 1)


def test_function_mark_dirty_invalidates_tensors_saved_elsewhere(lib):
    AddOne = make_add_one_inplace(lib)
    a = leaf(lib, X3)
    h = a * 1
    z = h * h            # saves h
    AddOne.apply(h)      # modifies h in place
    raises(RuntimeError, r"one of the variables needed for gradient computation has been modified by an inplace "
                         r"operation", lambda: z.sum().backward())


def test_function_returning_input_unmodified(lib):
    class Ident(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 7

    x = leaf(lib, X3)
    y = Ident.apply(x)
    assert y is not x                   # a new tensor (sharing memory) carrying the custom history
    assert grad_fn_name(y) == "IdentBackward"
    close(y, X3)
    y.sum().backward()
    close(x.grad, np.full(3, 7.0))


# ----------------------------------------------------------------------------------------------------------
# errors, double backward, once_differentiable
# ----------------------------------------------------------------------------------------------------------
class _Boom(Exception):
    pass


def test_exception_in_backward_propagates_with_its_type(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            raise _Boom("custom backward failed")

    x = leaf(lib, X3)
    with pytest.raises(_Boom, match="custom backward failed"):
        Bad.apply(x).sum().backward()
    with pytest.raises(_Boom, match="custom backward failed"):
        lib.autograd.grad(Bad.apply(x).sum(), x)
    # ValueError too, not wrapped into a RuntimeError
    class Bad2(Bad):
        @staticmethod
        def backward(ctx, g):
            raise ValueError("nope")
    with pytest.raises(ValueError, match="nope"):
        Bad2.apply(x).sum().backward()


def test_exception_in_forward_propagates(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise KeyError("fwd")

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(KeyError):
        Bad.apply(leaf(lib, X3))


def test_function_double_backward(lib):
    Cube = make_cube(lib)
    x = leaf(lib, X3)
    y = Cube.apply(x)
    close(y, X3 ** 3)
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    close(g, 3 * X3 ** 2)
    assert g.requires_grad
    (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
    close(gg, 6 * X3)
    (ggg,) = lib.autograd.grad(gg.sum(), x)
    close(ggg, np.full(3, 6.0))
    # .backward with create_graph too
    x2 = leaf(lib, X3)
    Cube.apply(x2).sum().backward(create_graph=True)
    g2 = x2.grad
    close(g2, 3 * X3 ** 2)
    x2.grad = None
    g2.sum().backward()
    close(x2.grad, 6 * X3)


def test_once_differentiable(lib):
    from_lib = lib.autograd.function.once_differentiable
    calls = []

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        @from_lib
        def backward(ctx, g):
            calls.append(lib.is_grad_enabled())
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    assert Cube.backward.__name__ == "backward"   # functools.wraps
    x = leaf(lib, X3)
    Cube.apply(x).sum().backward()
    close(x.grad, 3 * X3 ** 2)
    assert calls == [False]    # the backward body runs without recording
    # first order through autograd.grad with create_graph is still right ...
    (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    close(g, 3 * X3 ** 2)
    # ... but differentiating it again is refused
    with pytest.raises(RuntimeError):
        lib.autograd.grad(g.sum(), x)


def test_gradcheck_custom_functions(lib):
    r = np.random.default_rng(0)
    x = lib.tensor(r.uniform(-1, 1, (3, 2)), dtype=lib.float64, requires_grad=True)
    y = lib.tensor(r.uniform(-1, 1, (3, 2)), dtype=lib.float64, requires_grad=True)
    assert lib.autograd.gradcheck(make_exp(lib).apply, (x,))
    assert lib.autograd.gradcheck(make_cube(lib).apply, (x,))
    assert lib.autograd.gradcheck(make_mul_add(lib).apply, (x, y))
    # multiple outputs
    SumProd = make_sum_prod(lib, [])
    assert lib.autograd.gradcheck(SumProd.apply, (x, y))


def test_gradgradcheck_custom_functions(lib):
    r = np.random.default_rng(1)
    x = lib.tensor(r.uniform(-1, 1, (2, 3)), dtype=lib.float64, requires_grad=True)
    y = lib.tensor(r.uniform(-1, 1, (2, 3)), dtype=lib.float64, requires_grad=True)
    assert lib.autograd.gradgradcheck(make_cube(lib).apply, (x,))
    assert lib.autograd.gradgradcheck(make_exp(lib).apply, (x,))   # backward uses the saved output
    assert lib.autograd.gradgradcheck(make_mul_add(lib).apply, (x, y))


def test_gradcheck_detects_wrong_custom_backward(lib):
    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 x g

    x = lib.tensor([0.3, -0.7, 1.1], dtype=lib.float64, requires_grad=True)
    assert lib.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match=r"Jacobian mismatch"):
        lib.autograd.gradcheck(Wrong.apply, (x,))


# ----------------------------------------------------------------------------------------------------------
# Tensor.register_hook
# ----------------------------------------------------------------------------------------------------------
def test_hook_on_leaf_replaces_gradient(lib):
    x = leaf(lib, X3)
    seen = []

    def hook(g):
        seen.append(npa(g))
        return g * 2

    x.register_hook(hook)
    (x * const(lib, Y3)).sum().backward()
    np.testing.assert_allclose(seen[0], Y3)
    close(x.grad, 2 * Y3)


def test_hook_returning_none_keeps_gradient(lib):
    x = leaf(lib, X3)
    seen = []
    x.register_hook(lambda g: seen.append(npa(g)))
    (x * x).sum().backward()
    close(x.grad, 2 * X3)
    np.testing.assert_allclose(seen[0], 2 * X3)


def test_hook_on_non_leaf(lib):
    x = leaf(lib, X3)
    y = x * x
    seen = []

    def hook(g):
        seen.append(npa(g))
        return g * 10

    y.register_hook(hook)
    (y * 3).sum().backward()
    np.testing.assert_allclose(seen[0], np.full(3, 3.0))
    close(x.grad, 10 * 3 * 2 * X3)


def test_hook_on_non_leaf_used_twice_sees_summed_gradient_once(lib):
    x = leaf(lib, X3)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(npa(g)))
    (y * 3 + y * y).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 3 + 2 * (2 * X3))
    close(x.grad, 2 * (3 + 4 * X3))


def test_several_hooks_run_in_registration_order(lib):
    x = leaf(lib, X3)
    order = []

    def h1(g):
        order.append(("h1", npa(g)))
        return g + 1

    def h2(g):
        order.append(("h2", npa(g)))
        return g * 2

    def h3(g):
        order.append(("h3", npa(g)))

    x.register_hook(h1)
    x.register_hook(h2)
    x.register_hook(h3)
    (x * 5).sum().backward()
    assert [name for name, _ in order] == ["h1", "h2", "h3"]
    np.testing.assert_allclose(order[0][1], np.full(3, 5.0))
    np.testing.assert_allclose(order[1][1], np.full(3, 6.0))   # sees h1's result
    np.testing.assert_allclose(order[2][1], np.full(3, 12.0))
    close(x.grad, np.full(3, 12.0))


def test_hook_handle_remove(lib):
    x = leaf(lib, X3)
    calls = []
    h1 = x.register_hook(lambda g: calls.append("a") or g * 100)
    x.register_hook(lambda g: calls.append("b"))
    h1.remove()
    (x * 2).sum().backward()
    assert calls == ["b"]
    close(x.grad, np.full(3, 2.0))
    h1.remove()  # removing twice is harmless
    # removing from a non-leaf
    y = x * 1
    h = y.register_hook(lambda g: g * 0)
    h.remove()
    x.grad = None
    y.sum().backward()
    close(x.grad, np.ones(3))


def test_hook_handle_as_context_manager(lib):
    x = leaf(lib, X3)
    with x.register_hook(lambda g: g * 3):
        (x * 1).sum().backward()
    close(x.grad, np.full(3, 3.0))
    x.grad = None
    (x * 1).sum().backward()
    close(x.grad, np.ones(3))


def test_hook_on_tensor_not_requiring_grad_raises(lib):
    c = const(lib, X3)
    raises(RuntimeError, r"cannot register a hook on a tensor that doesn't require gradient",
           lambda: c.register_hook(lambda g: g))
    raises(RuntimeError, r"cannot register a hook on a tensor that doesn't require gradient",
           lambda: c.register_post_accumulate_grad_hook(lambda t: None))


def test_hooks_seen_by_autograd_grad(lib):
    x = leaf(lib, X3)
    y = x * x
    x.register_hook(lambda g: g * 2)
    y.register_hook(lambda g: g + 1)
    (g,) = lib.autograd.grad((y * 3).sum(), x)
    # dL/dy = 3 -> hook -> 4; dL/dx = 4 * 2x -> leaf hook -> 16 x
    close(g, 16 * X3)
    assert x.grad is None   # autograd.grad does not accumulate


def test_hook_on_intermediate_seen_by_autograd_grad_wrt_intermediate(lib):
    x = leaf(lib, X3)
    y = x * 2
    y.register_hook(lambda g: g * 5)
    (gy,) = lib.autograd.grad((y * y).sum(), y)
    close(gy, 5 * 2 * (2 * X3))


def test_exception_in_hook_propagates(lib):
    x = leaf(lib, X3)

    def bad(g):
        raise _Boom("hook failed")

    x.register_hook(bad)
    with pytest.raises(_Boom, match="hook failed"):
        (x * 2).sum().backward()
    y = leaf(lib, X3)
    z = y * 2
    z.register_hook(lambda g: (_ for _ in ()).throw(ValueError("non-leaf hook failed")))
    with pytest.raises(ValueError, match="non-leaf hook failed"):
        lib.autograd.grad(z.sum(), y)


def test_hook_changing_shape_raises(lib):
    x = leaf(lib, X3)
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"(?i)size"):
        (x * 2).sum().backward()


def test_hook_returning_non_tensor_raises_type_error(lib):
    x = leaf(lib, X3)
    x.register_hook(lambda g: 3)
    with pytest.raises(TypeError):
        (x * 2).sum().backward()


def test_hook_changing_dtype_raises(lib):
    x = leaf(lib, X3)
    x.register_hook(lambda g: g.float())
    raises(RuntimeError, r"hook '<lambda>' has changed the type of value", lambda: (x * 2).sum().backward())


def test_hook_runs_on_every_backward(lib):
    x = leaf(lib, X3)
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(1))
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert calls == [1, 1]
    close(x.grad, np.full(3, 4.0))


def test_hook_on_custom_function_output(lib):
    Exp = make_exp(lib)
    x = leaf(lib, X3)
    y = Exp.apply(x)
    y.register_hook(lambda g: g * 3)
    y.sum().backward()
    close(x.grad, 3 * np.exp(X3))


def test_hook_and_retain_grad_on_non_leaf(lib):
    x = leaf(lib, X3)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 4)
    y.sum().backward()
    close(y.grad, np.full(3, 4.0))   # retained grad reflects the hook (torch >= 2.0)
    close(x.grad, np.full(3, 8.0))


# ----------------------------------------------------------------------------------------------------------
# Tensor.register_post_accumulate_grad_hook
# ----------------------------------------------------------------------------------------------------------
def test_post_accumulate_grad_hook(lib):
    x = leaf(lib, X3)
    seen = []

    def hook(t):
        assert t is x or lib is rtorch or t.data_ptr() == x.data_ptr()
        seen.append(npa(t.grad))

    ret = x.register_post_accumulate_grad_hook(hook)
    assert ret is not None
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert len(seen) == 2
    np.testing.assert_allclose(seen[0], np.full(3, 2.0))
    np.testing.assert_allclose(seen[1], np.full(3, 5.0))   # after accumulation
    close(x.grad, np.full(3, 5.0))


def test_post_accumulate_grad_hook_receives_the_tensor_and_can_modify_grad(lib):
    x = leaf(lib, X3)

    def hook(t):
        assert t.is_leaf and tuple(t.shape) == (3,)
        np.testing.assert_allclose(npa(t), X3)
        t.grad.mul_(0.5)   # e.g. an optimizer-in-backward step could act here

    x.register_post_accumulate_grad_hook(hook)
    (x * 4).sum().backward()
    close(x.grad, np.full(3, 2.0))


def test_post_accumulate_grad_hook_runs_after_tensor_hooks(lib):
    x = leaf(lib, X3)
    order = []
    x.register_post_accumulate_grad_hook(lambda t: order.append(("post", npa(t.grad))))
    x.register_hook(lambda g: order.append(("pre", npa(g))) or g * 2)
    (x * 1).sum().backward()
    assert [n for n, _ in order] == ["pre", "post"]
    np.testing.assert_allclose(order[1][1], np.full(3, 2.0))


def test_post_accumulate_grad_hooks_run_once_per_backward_in_order(lib):
    x = leaf(lib, X3)
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(("a", npa(t.grad))))
    x.register_post_accumulate_grad_hook(lambda t: calls.append(("b", npa(t.grad))))
    (x * 2 + x * 3).sum().backward()       # two paths into x, one accumulation
    assert [n for n, _ in calls] == ["a", "b"]
    np.testing.assert_allclose(calls[0][1], np.full(3, 5.0))


def test_post_accumulate_grad_hook_remove(lib):
    x = leaf(lib, X3)
    calls = []
    h = x.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    (x * 1).sum().backward()
    h.remove()
    (x * 1).sum().backward()
    assert calls == [1]
    close(x.grad, np.full(3, 2.0))


def test_post_accumulate_grad_hook_on_non_leaf_raises(lib):
    x = leaf(lib, X3)
    y = x * 2
    raises(RuntimeError, r"post accumulate grad hooks cannot be registered on non-leaf tensors",
           lambda: y.register_post_accumulate_grad_hook(lambda t: None))


def test_post_accumulate_grad_hook_not_called_by_autograd_grad(lib):
    x = leaf(lib, X3)
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    (g,) = lib.autograd.grad((x * 2).sum(), x)
    close(g, np.full(3, 2.0))
    assert calls == []
    assert x.grad is None


def test_exception_in_post_accumulate_grad_hook_propagates(lib):
    x = leaf(lib, X3)

    def bad(t):
        raise _Boom("post hook failed")

    x.register_post_accumulate_grad_hook(bad)
    with pytest.raises(_Boom, match="post hook failed"):
        (x * 2).sum().backward()

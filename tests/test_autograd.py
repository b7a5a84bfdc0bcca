"""Autograd behaviour, pinned to PyTorch's semantics.

Most tests take the ``lib`` fixture and run the very same code on rtorch and (when it is
installed) on PyTorch, checking both against numpy / hand-derived values; the tests at the end
that take ``torch_ref`` compare rtorch with torch directly (grad_fn names, error messages, a
small MLP).
"""
from __future__ import annotations

import re
import threading
import warnings

import numpy as np
import pytest

import rtorch
from conftest import close, const, dname, leaf, npa, raises


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------

def numgrad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite-difference gradient of the scalar numpy function f at x (float64)."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


def rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------------------------------------
# requires_grad propagation, leaves
# ----------------------------------------------------------------------------------------------------------
def test_leaf_factory_flags(lib):
    x = leaf(lib, [1.0, 2.0])
    assert x.requires_grad is True
    assert x.is_leaf is True
    assert x.grad_fn is None
    assert x.grad is None
    c = const(lib, [1.0, 2.0])
    assert c.requires_grad is False
    assert c.is_leaf is True
    assert c.grad_fn is None


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty", "rand", "randn", "full", "arange",
                                     "linspace", "eye", "zeros_like", "ones_like", "empty_like",
                                     "full_like", "tensor"])
def test_factories_accept_requires_grad(lib, factory):
    base = lib.ones(2, 3)
    make = {
        "zeros": lambda: lib.zeros(2, 3, requires_grad=True),
        "ones": lambda: lib.ones(2, 3, requires_grad=True),
        "empty": lambda: lib.empty(2, 3, requires_grad=True),
        "rand": lambda: lib.rand(2, 3, requires_grad=True),
        "randn": lambda: lib.randn(2, 3, requires_grad=True),
        "full": lambda: lib.full((2, 3), 1.5, requires_grad=True),
        "arange": lambda: lib.arange(0.0, 3.0, requires_grad=True),
        "linspace": lambda: lib.linspace(0, 1, 5, requires_grad=True),
        "eye": lambda: lib.eye(3, requires_grad=True),
        "zeros_like": lambda: lib.zeros_like(base, requires_grad=True),
        "ones_like": lambda: lib.ones_like(base, requires_grad=True),
        "empty_like": lambda: lib.empty_like(base, requires_grad=True),
        "full_like": lambda: lib.full_like(base, 2.0, requires_grad=True),
        "tensor": lambda: lib.tensor([[1.0, 2.0]], requires_grad=True),
    }[factory]
    t = make()
    assert t.requires_grad is True
    assert t.is_leaf is True
    assert t.grad_fn is None
    # and it is usable as a leaf
    (t * 2).sum().backward()
    close(t.grad, np.full(tuple(t.shape), 2.0), dtype=dname(t))


def test_requires_grad_propagates_through_ops(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    c = const(lib, [4.0, 5.0, 6.0])
    y = x * c
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    z = y + c
    assert z.requires_grad and not z.is_leaf
    w = c * c
    assert not w.requires_grad and w.is_leaf and w.grad_fn is None
    # python scalars and results of comparisons
    assert (2.0 * x).requires_grad
    assert not (x > 1).requires_grad
    assert not x.argmax().requires_grad
    # integer conversion is not differentiable: the result neither requires grad nor has history
    i = x.to(lib.int64)
    assert not i.requires_grad and i.grad_fn is None


def test_requires_grad_setter_and_inplace_setter(lib):
    x = const(lib, [1.0, 2.0])
    assert x.requires_grad_() is x
    assert x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    close(x.grad, [2.0, 4.0])


def test_requires_grad_on_integer_tensor_raises(lib):
    raises(RuntimeError, r"(?i)only Tensors of floating point",
           lambda: lib.tensor([1, 2, 3], requires_grad=True))
    raises(RuntimeError, r"(?i)only Tensors of floating point",
           lambda: lib.zeros(3, dtype=lib.int64, requires_grad=True))
    raises(RuntimeError, r"(?i)only Tensors of floating point",
           lambda: lib.tensor([True, False], requires_grad=True))
    raises(RuntimeError, r"(?i)only Tensors of floating point",
           lambda: lib.tensor([1, 2]).requires_grad_())

    def set_attr():
        lib.tensor([1, 2], dtype=lib.int32).requires_grad = True
    raises(RuntimeError, r"(?i)only Tensors of floating point", set_attr)
    # turning it off on an integer tensor is fine
    t = lib.tensor([1, 2])
    t.requires_grad_(False)
    assert not t.requires_grad


def test_requires_grad_false_on_non_leaf_raises(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2

    def set_false():
        y.requires_grad = False
    raises(RuntimeError, r"you can only change requires_grad flags of leaf variables", set_false)
    raises(RuntimeError, r"you can only change requires_grad flags of leaf variables",
           lambda: y.requires_grad_(False))
    assert y.requires_grad  # unchanged
    assert y.requires_grad_(True) is y  # a no-op on a non-leaf that requires grad


def test_requires_grad_true_attribute_on_non_leaf_raises(lib):
    # torch refuses any assignment to requires_grad on a non-leaf, even True
    x = leaf(lib, [1.0, 2.0])
    y = x * 2

    def set_true():
        y.requires_grad = True
    raises(RuntimeError, r"you can only change requires_grad flags of leaf variables", set_true)


def test_grad_of_non_leaf_is_none_and_warns(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match=r"\.grad attribute of a Tensor that is not a leaf Tensor"):
        g = y.grad
    assert g is None
    close(x.grad, [2.0, 2.0])


# ----------------------------------------------------------------------------------------------------------
# accumulation
# ----------------------------------------------------------------------------------------------------------
def test_grad_accumulates_across_two_backward_calls(lib):
    x = leaf(lib, [1.0, -2.0, 3.0])
    y = (x * x * x).sum()
    y.backward(retain_graph=True)
    close(x.grad, 3 * np.array([1.0, 4.0, 9.0]))
    y.backward()
    close(x.grad, 6 * np.array([1.0, 4.0, 9.0]))
    # a fresh graph accumulates too
    (x * 5).sum().backward()
    close(x.grad, 6 * np.array([1.0, 4.0, 9.0]) + 5)
    # reset by assigning None, or zeroing in place
    x.grad = None
    (x * 5).sum().backward()
    close(x.grad, [5.0, 5.0, 5.0])
    x.grad.zero_()
    (x * 7).sum().backward()
    close(x.grad, [7.0, 7.0, 7.0])


def test_grad_accumulates_in_place_into_existing_grad(lib):
    # torch adds the new gradient into the existing .grad tensor in place: the same object
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    g = x.grad
    y.backward()
    close(g, [4.0, 8.0, 12.0])
    assert x.grad is g


def test_grad_is_plain_leaf_without_history(lib):
    x = leaf(lib, [1.0, 2.0])
    (x * x).sum().backward()
    assert not x.grad.requires_grad
    assert x.grad.grad_fn is None
    assert x.grad.is_leaf


def test_fan_out_accumulates(lib):
    v = np.array([0.5, -1.0, 2.0])
    x = leaf(lib, v)
    y = x * x + x * 3.0 + x.exp()      # x used four times
    y.sum().backward()
    close(x.grad, 2 * v + 3 + np.exp(v))
    x2 = leaf(lib, v)
    a = x2 * 2
    (a * a + a).sum().backward()       # non-leaf used three times
    close(x2.grad, 8 * v + 2)


def test_fan_out_same_tensor_both_operands(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    (x * x).sum().backward()
    close(x.grad, [2.0, 4.0, 6.0])
    y = leaf(lib, [1.0, 2.0, 3.0])
    (y / y).sum().backward()
    close(y.grad, [0.0, 0.0, 0.0], atol=1e-12)
    z = leaf(lib, [1.0, 2.0, 3.0])
    (z - z + z).sum().backward()
    close(z.grad, [1.0, 1.0, 1.0])


# ----------------------------------------------------------------------------------------------------------
# broadcasting
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape_a,shape_b", [((2, 3), (3,)), ((2, 3), (1, 3)), ((2, 3), (2, 1)),
                                             ((2, 3), ()), ((4, 1, 3), (2, 1)), ((3,), (2, 4, 1)),
                                             ((1, 1), (2, 3))])
def test_broadcast_gradients_are_summed_to_input_shape(lib, shape_a, shape_b):
    r = rng(len(shape_a) * 10 + len(shape_b))
    va, vb = r.normal(size=shape_a), r.normal(size=shape_b) + 3.0
    a, b = leaf(lib, va), leaf(lib, vb)
    out = a * b + a / b - b
    shape = np.broadcast_shapes(shape_a, shape_b)
    assert tuple(out.shape) == shape
    w = r.normal(size=shape)
    out.backward(const(lib, w))
    A, B = np.broadcast_to(va, shape), np.broadcast_to(vb, shape)
    ga_full = w * (B + 1 / B)
    gb_full = w * (A - A / B ** 2 - 1)

    def reduce_to(g, s):
        while g.ndim > len(s):
            g = g.sum(0)
        for i, n in enumerate(s):
            if n == 1:
                g = g.sum(i, keepdims=True)
        return g
    close(a.grad, reduce_to(ga_full, shape_a), rtol=1e-10)
    close(b.grad, reduce_to(gb_full, shape_b), rtol=1e-10)


def test_expand_and_scalar_broadcast_gradients(lib):
    v = leaf(lib, [1.0, 2.0, 3.0])
    v.expand(4, 3).sum().backward()
    close(v.grad, [4.0, 4.0, 4.0])
    s = leaf(lib, 2.0)
    m = const(lib, np.arange(6.0).reshape(2, 3))
    (m * s).sum().backward()
    close(s.grad, 15.0)


# ----------------------------------------------------------------------------------------------------------
# backward(): errors and arguments
# ----------------------------------------------------------------------------------------------------------
def test_backward_on_non_scalar_without_gradient_raises(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    raises(RuntimeError, r"grad can be implicitly created only for scalar outputs", lambda: y.backward())
    raises(RuntimeError, r"grad can be implicitly created only for scalar outputs",
           lambda: lib.autograd.grad(y, x))
    raises(RuntimeError, r"grad can be implicitly created only for scalar outputs",
           lambda: (x * 2).sum(0, keepdim=True).expand(2).backward())
    # a one-element tensor of any shape counts as a scalar
    (x.sum() * const(lib, [[1.0]])).backward()
    close(x.grad, [1.0, 1.0])


def test_backward_with_explicit_gradient_is_a_vjp(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * x
    y.backward(const(lib, [1.0, 0.5, -2.0]))
    close(x.grad, [2.0, 2.0, -12.0])
    x.grad = None
    y2 = x * x
    y2.backward(gradient=const(lib, [1.0, 1.0, 1.0]))
    close(x.grad, [2.0, 4.0, 6.0])


def test_backward_gradient_shape_mismatch_raises(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    raises(RuntimeError, r"Mismatch in shape: grad_output\[0\] has a shape of",
           lambda: (x * 2).backward(const(lib, [1.0, 1.0])))


def test_backward_on_tensor_without_grad_raises(lib):
    c = const(lib, [1.0, 2.0])
    raises(RuntimeError, r"element 0 of tensors does not require grad and does not have a grad_fn",
           lambda: c.sum().backward())
    x = leaf(lib, [1.0])
    with lib.no_grad():
        y = (x * 2).sum()
    raises(RuntimeError, r"element 0 of tensors does not require grad and does not have a grad_fn",
           lambda: y.backward())


def test_backward_twice_without_retain_graph_raises(lib):
    x = leaf(lib, [1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    raises(RuntimeError, r"backward through the graph a second time", lambda: y.backward())
    z = (x.sin() * x).sum()
    lib.autograd.grad(z, x)
    raises(RuntimeError, r"backward through the graph a second time", lambda: lib.autograd.grad(z, x))


def test_retain_graph_allows_second_backward(lib):
    x = leaf(lib, [0.5, 1.5])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    v = np.array([0.5, 1.5])
    close(x.grad, 3 * (np.exp(v) * (1 + v)), rtol=1e-12)


def test_autograd_backward_multiple_roots(lib):
    x = leaf(lib, [1.0, 2.0])
    a = (x * x).sum()
    b = x * 3
    lib.autograd.backward([a, b], [None, const(lib, [1.0, 2.0])])
    close(x.grad, [2.0 + 3.0, 4.0 + 6.0])
    y = leaf(lib, [1.0, 2.0])
    lib.autograd.backward((y * y).sum())
    close(y.grad, [2.0, 4.0])


def test_backward_inputs_argument(lib):
    x = leaf(lib, [1.0, 2.0])
    w = leaf(lib, [3.0, 4.0])
    y = (x * w).sum()
    y.backward(inputs=[x], retain_graph=True)
    close(x.grad, [3.0, 4.0])
    assert w.grad is None
    y.backward(inputs=w, retain_graph=True)
    close(w.grad, [1.0, 2.0])
    close(x.grad, [3.0, 4.0])          # untouched this time
    lib.autograd.backward(y, inputs=[x, w])
    close(x.grad, [6.0, 8.0])
    close(w.grad, [2.0, 4.0])


def test_backward_inputs_non_leaf_accumulates_into_it(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * 2
    z = (y * y).sum()
    z.backward(inputs=[y])
    close(y.grad, [4.0, 8.0, 12.0])
    assert x.grad is None


def test_backward_inputs_empty_raises(lib):
    x = leaf(lib, [1.0, 2.0])
    pat = r"inputs.? argument to .?backward\(\).? cannot be empty"
    raises(RuntimeError, pat, lambda: (x * 2).sum().backward(inputs=[]))
    raises(RuntimeError, pat, lambda: lib.autograd.backward((x * 2).sum(), inputs=[]))


# ----------------------------------------------------------------------------------------------------------
# in-place operations
# ----------------------------------------------------------------------------------------------------------
LEAF_INPLACE = {
    "add_": lambda t: t.add_(1.0),
    "mul_": lambda t: t.mul_(2.0),
    "sub_tensor_": lambda t: t.sub_(t.detach()),
    "exp_": lambda t: t.exp_(),
    "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(3.0),
    "clamp_": lambda t: t.clamp_(0.0, 1.0),
    "iadd": lambda t: t.__iadd__(1.0),
}


@pytest.mark.parametrize("op", list(LEAF_INPLACE))
def test_inplace_on_leaf_requiring_grad_raises(lib, op):
    x = leaf(lib, [1.0, 2.0, 3.0])
    raises(RuntimeError, r"a leaf Variable that requires grad is being used in an in-place operation\.",
           lambda: LEAF_INPLACE[op](x))
    np.testing.assert_array_equal(npa(x), [1.0, 2.0, 3.0])  # unchanged
    assert x.is_leaf and x.grad_fn is None


def test_inplace_on_view_of_leaf_requiring_grad_raises(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    raises(RuntimeError, r"a view of a leaf Variable that requires grad is being used in an in-place "
                         r"operation\.", lambda: x[0:2].mul_(2.0))

    def setitem():
        x[0] = 5.0
    raises(RuntimeError, r"a view of a leaf Variable that requires grad is being used in an in-place "
                         r"operation\.", setitem)
    np.testing.assert_array_equal(npa(x), [1.0, 2.0, 3.0])


def test_inplace_on_leaf_allowed_under_no_grad(lib):
    # the optimizer-step pattern
    w = leaf(lib, [1.0, 2.0, 3.0])
    (w * w).sum().backward()
    with lib.no_grad():
        w -= 0.5 * w.grad
        w.mul_(2.0)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    close(w, [0.0, 0.0, 0.0])
    w.grad = None
    (w + 1).sum().backward()
    close(w.grad, [1.0, 1.0, 1.0])


def test_inplace_on_non_leaf_gives_correct_grads(lib):
    v = np.array([1.0, -2.0, 0.5])
    x = leaf(lib, v)
    y = x * 2
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    assert not y.is_leaf and y.requires_grad
    y.mul_(y.detach().clone())
    assert y.grad_fn.name() == "MulBackward0"
    close(y, (2 * v + 1) ** 2)
    y.sum().backward()
    close(x.grad, 2 * (2 * v + 1))


def test_inplace_mul_by_own_detached_self_is_detected(lib):
    # y.detach() shares y's version counter, so mul_ changes the tensor it saved as `other`
    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    y.add_(1)
    y.mul_(y.detach())
    close(y, [9.0, 25.0])
    raises(RuntimeError, r"modified by an inplace operation", lambda: y.sum().backward())


def test_inplace_unary_on_non_leaf(lib):
    v = np.array([0.1, -0.7, 1.2])
    x = leaf(lib, v)
    y = x * 3.0
    y.add_(1.0)
    y.exp_()                     # exp_ saves its (new) output; nothing modifies it afterwards
    assert y.grad_fn.name() == "ExpBackward0"
    y.sum().backward()
    close(x.grad, 3 * np.exp(3 * v + 1), rtol=1e-12)
    x2 = leaf(lib, v)
    z = x2 * 3.0
    z.sin_()
    z.sigmoid_()
    z.sum().backward()
    s = 1 / (1 + np.exp(-np.sin(3 * v)))
    close(x2.grad, s * (1 - s) * np.cos(3 * v) * 3, rtol=1e-12)


def test_inplace_with_requires_grad_other_moves_history(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    a = lib.zeros(3, dtype=lib.float64)
    assert not a.requires_grad
    a.add_(x * x)
    assert a.requires_grad and not a.is_leaf
    assert a.grad_fn.name() == "AddBackward0"
    a.sum().backward()
    close(x.grad, [2.0, 4.0, 6.0])


def test_inplace_on_view_of_non_leaf_gives_correct_grads(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * 1.0
    y[0].mul_(10.0)
    close(y, [10.0, 2.0, 3.0])
    assert y.grad_fn is not None
    (y * y).sum().backward()
    close(x.grad, [200.0, 4.0, 6.0])


def _check_rows_doubled_column_times_five(lib, a, b):
    """b = 2a with rows 0-1 then doubled and b[0:2, 1] times 5: the gradient of sum(b * c)."""
    c = np.arange(12.0).reshape(3, 4)
    (b * const(lib, c)).sum().backward()
    factor = np.array([[2.0, 10.0, 2.0, 2.0], [2.0, 10.0, 2.0, 2.0], [1.0, 1.0, 1.0, 1.0]])
    close(a.grad, 2.0 * c * factor)


def test_write_through_a_view_reaches_its_sibling_and_parent_views(lib):
    # w.mul_ writes into b through w; v (w's parent view) must pick the write up in its
    # history before v.mul_ builds on it, or the factor 5 is lost
    a = leaf(lib, np.ones((3, 4)))
    b = a * 2.0
    v = b[0:2]
    w = v[:, 1]
    w.mul_(5.0)
    v.mul_(2.0)
    _check_rows_doubled_column_times_five(lib, a, b)


def test_view_ops_in_place_on_a_view_of_a_non_leaf(lib):
    a = leaf(lib, np.ones((3, 4)))
    b = a * 2.0
    v = b[0:2]
    v.t_()                             # still a view of b: rows 0-1, transposed
    assert tuple(v.shape) == (4, 2) and v.grad_fn is not None
    v[1].mul_(5.0)                     # b[0:2, 1]
    v.unsqueeze_(0)
    v.mul_(2.0)                        # b[0:2]
    assert tuple(v.shape) == (1, 4, 2)
    np.testing.assert_array_equal(npa(b), [[4, 20, 4, 4], [4, 20, 4, 4], [2, 2, 2, 2]])
    _check_rows_doubled_column_times_five(lib, a, b)


def test_write_into_a_view_taken_before_its_base_changed_layout(lib):
    # v = b[0] was taken before b.t_(): v is row 0 of the old layout, column 0 of b now
    a = leaf(lib, np.ones((3, 4)))
    b = a * 2.0
    v = b[0]
    b.t_()
    v.mul_(3.0)
    np.testing.assert_array_equal(npa(b)[:, 0], [6, 6, 6, 6])
    b.sum().backward(retain_graph=True)
    close(a.grad, [[6.0] * 4, [2.0] * 4, [2.0] * 4])
    a.grad = None
    v.sum().backward()
    close(a.grad, [[6.0] * 4, [0.0] * 4, [0.0] * 4])


def test_view_requires_grad_once_its_base_does(lib):
    b = const(lib, np.zeros((3, 4)))
    u, v = b[1], b[0]
    w = leaf(lib, np.ones(4))
    v.copy_(w)                         # b now has a history through v...
    assert b.requires_grad and u.requires_grad and u.grad_fn is not None   # ...which u shares
    (u.sum() + b.sum()).backward()
    close(w.grad, np.ones(4))
    c = const(lib, np.zeros(3))
    x = c[0:2]
    c.requires_grad_()
    assert x.requires_grad and x.grad_fn is None   # torch: no history without a write since


def test_overwritten_region_gets_a_zero_gradient_even_where_it_is_infinite(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])
    b = a * 1.0
    b[0:1].zero_()                     # sqrt'(0) = inf lands on the overwritten element
    b.sqrt().sum().backward()
    close(a.grad, [0.0, 0.5 / np.sqrt(2.0), 0.5 / np.sqrt(3.0)])
    c = a * 1.0
    c.fill_(0.0)                       # a constant written over everything: zeros, not inf * 0
    a.grad = None
    c.sqrt().sum().backward()
    close(a.grad, [0.0, 0.0, 0.0])


def test_as_strided_of_a_view_reaches_memory_outside_it(lib):
    a = leaf(lib, np.arange(1.0, 7.0))
    b = a * 1.0
    w = b[2:].as_strided((2,), (1,), 1)   # b[1], b[2]: b[1] is outside b[2:]
    w.mul_(2.0)
    (b * b).sum().backward()
    close(a.grad, [2.0, 16.0, 24.0, 8.0, 10.0, 12.0])


def test_view_op_in_place_under_no_grad_keeps_the_view(lib):
    a = leaf(lib, np.arange(1.0, 13.0))
    b = (a * 1.0).view(3, 4)
    with lib.no_grad():
        b.t_()
    (b * const(lib, np.arange(12.0).reshape(4, 3))).sum().backward()
    close(a.grad, np.arange(12.0).reshape(4, 3).T.ravel())
    a.grad = None
    c = a * 1.0
    v = c.view(3, 4)[0:2]
    with lib.no_grad():
        v.t_()
    v.mul_(2.0)                        # still reaches c
    (c * c).sum().backward()
    close(a.grad, 2.0 * np.arange(1.0, 13.0) * np.where(np.arange(12) < 8, 4.0, 1.0))


def test_write_into_view_with_a_strided_incoming_gradient(lib):
    a = leaf(lib, np.arange(1.0, 25.0).reshape(4, 6))
    b = a * 1.0
    b.view(-1).mul_(2.0)
    (b.sum(1) * const(lib, np.arange(4.0))).sum().backward()   # sum's gradient is expanded
    close(a.grad, 2.0 * np.repeat(np.arange(4.0)[:, None], 6, axis=1))


def test_retain_grad_follows_the_tensor_through_in_place_changes(lib):
    a = leaf(lib, [1.0, 2.0, 3.0])
    x = a * 1.0
    x.retain_grad()
    y = x * 5.0
    x.mul_(2.0)                        # x.grad is the gradient of the new value
    (x.sum() + y.sum()).backward()
    close(x.grad, [1.0, 1.0, 1.0])
    close(a.grad, [7.0, 7.0, 7.0])
    b = a * 2.0
    v = b[0:3]
    v.retain_grad()
    b[1:].mul_(10.0)                   # v's history is rebuilt; its retain_grad goes along
    (v * const(lib, [1.0, 2.0, 3.0])).sum().backward()
    close(v.grad, [1.0, 2.0, 3.0])


def test_view_of_a_base_that_requires_grad_later(lib):
    c = const(lib, np.zeros(3))
    x = c[0:2]
    c.requires_grad_()
    assert x.requires_grad and x.grad_fn is None
    (x * 2.0).sum().backward()         # torch: the gradient goes nowhere
    assert c.grad is None and x.grad is None
    raises(RuntimeError, "a view of a leaf Variable that requires grad is being used in an in-place operation",
           lambda: x.mul_(2.0))


def test_t_of_a_vector_is_a_new_view(lib):
    x = const(lib, [1.0, 2.0, 3.0])
    y = x.t()
    assert y is not x
    y.unsqueeze_(0)
    assert tuple(x.shape) == (3,) and tuple(y.shape) == (1, 3)


def test_write_into_as_strided_views_of_overlapping_memory(lib):
    w = leaf(lib, [5.0, 6.0])
    weights = const(lib, np.arange(12.0).reshape(3, 4))
    e = lib.zeros(4, dtype=lib.float64).expand(3, 4)    # a view: the write goes to its base
    e.as_strided((2,), (1,)).copy_(w)
    (e * weights).sum().backward()
    close(w.grad, [12.0, 15.0])
    root = lib.empty_strided((3, 4), (0, 1), dtype=lib.float64).zero_()   # not a view

    def write_and_backward():
        root.as_strided((2,), (1,)).copy_(w)
        (root * weights).sum().backward()

    raises(RuntimeError, "clone", write_and_backward)
    if lib is rtorch:  # torch writes, then fails in backward; rtorch refuses the write
        np.testing.assert_array_equal(npa(root), np.zeros((3, 4)))


_FINALIZER_READS_THE_VIEW = """
import rtorch as L
a = L.arange(1., 7., dtype=L.float64).requires_grad_()
b = a * 2
v = b[0:3]
class Reader:
    def __del__(self):
        v.requires_grad, v.grad_fn      # runs while v's history is being replaced
r = Reader()
v.register_hook(lambda g, r=r: g)
del r
b.mul_(2)
print(v.grad_fn.name())
"""


def test_replacing_a_history_runs_finalizers_without_holding_locks(tmp_path):
    # a deadlock would hang: run it in a child process with a timeout
    import subprocess
    import sys
    script = tmp_path / "finalizer.py"
    script.write_text(_FINALIZER_READS_THE_VIEW)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SliceBackward0"


def test_setitem_on_non_leaf_gives_correct_grads(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * 2.0
    y[1] = 0.0
    close(y, [2.0, 0.0, 6.0])
    y.sum().backward()
    close(x.grad, [2.0, 0.0, 2.0])


def test_modifying_saved_tensor_is_detected(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    a = x * 1.0
    b = a * a                          # saves a
    a.add_(1)
    raises(RuntimeError, r"modified by an inplace operation", lambda: b.sum().backward())
    y = x.exp()                        # saves its output
    y.add_(1)
    raises(RuntimeError, r"modified by an inplace operation", lambda: y.sum().backward())
    c = x * 2.0
    d = c.sin()                        # saves its input
    c.mul_(2)
    raises(RuntimeError, r"modified by an inplace operation", lambda: d.sum().backward())
    e = x * 2.0
    f = e.mul_(e)                      # the in-place op saves its own input
    raises(RuntimeError, r"modified by an inplace operation", lambda: f.sum().backward())


def test_modifying_unsaved_tensor_is_fine(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    a = x * 2.0
    b = a + 1.0                        # add saves nothing
    a.mul_(3.0)
    b.sum().backward()
    close(x.grad, [2.0, 2.0, 2.0])


def test_inplace_through_detach_bumps_shared_version(lib):
    # detach() shares storage *and* the version counter with its source
    x = leaf(lib, [1.0, 2.0, 3.0])
    a = x * 1.0
    b = a.sin()
    a.detach().mul_(2.0)
    close(a, [2.0, 4.0, 6.0])
    raises(RuntimeError, r"modified by an inplace operation", lambda: b.sum().backward())


def test_inplace_through_data_is_not_tracked(lib):
    # .data shares storage but not the version counter: autograd silently uses the new values
    v = np.array([1.0, 2.0, 3.0])
    x = leaf(lib, v)
    a = x * 1.0
    b = a.sin()
    a.data.mul_(2.0)
    b.sum().backward()
    close(x.grad, np.cos(2 * v), rtol=1e-12)


def test_data_has_its_own_version_counter_shared_with_its_views(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    d = x.data
    v0 = x._version
    d[1:].mul_(2.0)
    assert x._version == v0 and d._version == 1
    x.detach().add_(1.0)  # detach shares the tensor's counter
    assert x._version == v0 + 1 and d._version == 1
    close(x, [2.0, 5.0, 7.0])


@pytest.mark.parametrize("op", ["add", "mul", "exp", "matmul", "sub"])
def test_out_with_requires_grad_inputs_raises(lib, op):
    x = leaf(lib, [1.0, 2.0, 3.0])
    out = lib.zeros((), dtype=lib.float64) if op == "matmul" else lib.zeros(3, dtype=lib.float64)
    call = {
        "add": lambda: lib.add(x, x, out=out),
        "mul": lambda: lib.mul(x, 2.0, out=out),
        "exp": lambda: lib.exp(x, out=out),
        "matmul": lambda: lib.matmul(x, x, out=out),
        "sub": lambda: lib.sub(const(lib, [1.0, 1.0, 1.0]), x, out=out),
    }[op]
    raises(RuntimeError, r"functions with out=\.\.\. arguments don't support automatic differentiation, "
                         r"but one of the arguments requires grad", call)


def test_out_tensor_requiring_grad_raises(lib):
    out = lib.zeros(3, dtype=lib.float64, requires_grad=True)
    raises(RuntimeError, r"don't support automatic differentiation",
           lambda: lib.add(const(lib, [1.0, 2.0, 3.0]), 1.0, out=out))


def test_out_allowed_under_no_grad(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    out = lib.zeros(3, dtype=lib.float64)
    with lib.no_grad():
        lib.add(x, x, out=out)
    close(out, [2.0, 4.0, 6.0])
    assert not out.requires_grad


# ----------------------------------------------------------------------------------------------------------
# autograd.grad
# ----------------------------------------------------------------------------------------------------------
def test_grad_returns_tuple_and_leaves_dot_grad_alone(lib):
    x = leaf(lib, [1.0, 2.0])
    w = leaf(lib, [3.0, -1.0])
    y = (x * x * w).sum()
    gx, gw = lib.autograd.grad(y, [x, w])
    close(gx, [6.0, -4.0])
    close(gw, [1.0, 4.0])
    assert x.grad is None and w.grad is None
    res = lib.autograd.grad((x * 3).sum(), x)
    assert isinstance(res, tuple) and len(res) == 1
    close(res[0], [3.0, 3.0])
    assert not res[0].requires_grad


def test_grad_with_grad_outputs_and_non_leaf_input(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * 2
    z = y * y
    (gy,) = lib.autograd.grad(z, y, grad_outputs=const(lib, [1.0, 0.0, 0.5]))
    close(gy, [4.0, 0.0, 6.0])
    assert x.grad is None


def test_grad_allow_unused(lib):
    x = leaf(lib, [1.0, 2.0])
    z = leaf(lib, [5.0])
    raises(RuntimeError, r"appears to not have been used in the graph\. Set allow_unused=True",
           lambda: lib.autograd.grad((x * 2).sum(), [x, z]))
    raises(RuntimeError, r"appears to not have been used in the graph",
           lambda: lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=False))
    gx, gz = lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    close(gx, [2.0, 2.0])
    assert gz is None


def test_grad_materialize_grads(lib):
    x = leaf(lib, [1.0, 2.0])
    z = leaf(lib, [[5.0, 6.0, 7.0]], dtype="float32")
    gx, gz = lib.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    close(gx, [2.0, 2.0])
    close(gz, np.zeros((1, 3)), dtype="float32")
    gx, gz = lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=True, materialize_grads=True)
    close(gz, np.zeros((1, 3)))
    raises(ValueError, r"Expected allow_unused to be True or not passed when materialize_grads=True",
           lambda: lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=False, materialize_grads=True))


def test_grad_input_not_requiring_grad_raises(lib):
    x = leaf(lib, [1.0, 2.0])
    c = const(lib, [1.0, 2.0])
    raises(RuntimeError, r"One of the differentiated Tensors.*does not require grad",
           lambda: lib.autograd.grad((x * c).sum(), [c]))


# ----------------------------------------------------------------------------------------------------------
# higher order: create_graph
# ----------------------------------------------------------------------------------------------------------
HIGHER = {
    "cube": (lambda t: t ** 3, [lambda v: 3 * v ** 2, lambda v: 6 * v, lambda v: 6 + 0 * v]),
    "sin": (lambda t: t.sin(), [np.cos, lambda v: -np.sin(v), lambda v: -np.cos(v)]),
    "exp": (lambda t: t.exp(), [np.exp, np.exp, np.exp]),
    "tanh": (lambda t: t.tanh(), [lambda v: 1 - np.tanh(v) ** 2,
                                  lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2),
                                  lambda v: (1 - np.tanh(v) ** 2) * (6 * np.tanh(v) ** 2 - 2)]),
    "x_times_log": (lambda t: t * t.log(), [lambda v: np.log(v) + 1, lambda v: 1 / v,
                                            lambda v: -1 / v ** 2]),
}


@pytest.mark.parametrize("fn", list(HIGHER))
def test_second_and_third_derivatives(lib, fn):
    f, derivs = HIGHER[fn]
    v = np.array([0.3, 1.1, 2.0])
    x = leaf(lib, v)
    y = f(x)
    (g1,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    assert g1.requires_grad and g1.grad_fn is not None
    close(g1, derivs[0](v), rtol=1e-12)
    (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
    close(g2, derivs[1](v), rtol=1e-12)
    (g3,) = lib.autograd.grad(g2.sum(), x)
    close(g3, derivs[2](v), rtol=1e-12, atol=1e-12)
    assert not g3.requires_grad


def test_backward_with_create_graph_gives_differentiable_grad(lib):
    v = np.array([0.5, -1.5])
    x = leaf(lib, v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about the reference cycle
        (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    close(g, 3 * v ** 2)
    (g2,) = lib.autograd.grad(g.sum(), x)
    close(g2, 6 * v)
    x.grad = None


def test_without_create_graph_grad_is_not_differentiable(lib):
    x = leaf(lib, [1.0, 2.0])
    (g,) = lib.autograd.grad((x ** 3).sum(), x)
    assert not g.requires_grad and g.grad_fn is None
    raises(RuntimeError, r"element 0 of tensors does not require grad",
           lambda: lib.autograd.grad(g.sum(), x))


def test_hessian_vector_product(lib):
    r = rng(7)
    n = 4
    A = r.normal(size=(n, n))
    xv, vv = r.normal(size=n), r.normal(size=n)
    x = leaf(lib, xv)
    Am = const(lib, A)
    f = x @ Am @ x + x.exp().sum() + (x * x * x).sum()
    (g,) = lib.autograd.grad(f, x, create_graph=True)
    close(g, (A + A.T) @ xv + np.exp(xv) + 3 * xv ** 2, rtol=1e-12)
    H = A + A.T + np.diag(np.exp(xv) + 6 * xv)
    (hv,) = lib.autograd.grad(g, x, grad_outputs=const(lib, vv), retain_graph=True)
    close(hv, H @ vv, rtol=1e-12)
    (hv2,) = lib.autograd.grad((g * const(lib, vv)).sum(), x)
    close(hv2, H @ vv, rtol=1e-12)


def test_gradient_penalty(lib):
    """WGAN-GP style: penalty on the norm of d(out)/d(input), backpropagated into the weights."""
    r = rng(3)
    X, Wv, uv = r.normal(size=(5, 3)), r.normal(size=(3, 4)) * 0.5, r.normal(size=4)

    def np_penalty(W, Xa=X):
        # out_i = sum_k u_k tanh((X W)_ik); d out_i / d X_ij = sum_k u_k (1 - t_ik^2) W_jk
        t = np.tanh(Xa @ W)
        g = ((1 - t ** 2) * uv) @ W.T
        n = np.sqrt((g ** 2).sum(1))
        return ((n - 1) ** 2).mean()

    x = leaf(lib, X)
    W = leaf(lib, Wv)
    u = const(lib, uv)
    out = (x @ W).tanh() @ u
    (gx,) = lib.autograd.grad(out.sum(), x, create_graph=True)
    t = np.tanh(X @ Wv)
    close(gx, ((1 - t ** 2) * uv) @ Wv.T, rtol=1e-12)
    norm = (gx * gx).sum(1).sqrt()
    penalty = ((norm - 1) ** 2).mean()
    close(penalty, np_penalty(Wv), rtol=1e-12)
    penalty.backward()
    close(W.grad, numgrad(np_penalty, Wv), rtol=1e-6, atol=1e-9)
    close(x.grad, numgrad(lambda Xa: np_penalty(Wv, Xa), X), rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------------------------------------------------
# retain_grad, .grad setter
# ----------------------------------------------------------------------------------------------------------
def test_retain_grad_on_non_leaf(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * 2
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    z = (y * y).sum()
    z.backward(retain_graph=True)
    close(y.grad, [4.0, 8.0, 12.0])
    close(x.grad, [8.0, 16.0, 24.0])
    z.backward()                          # retained grads accumulate as well
    close(y.grad, [8.0, 16.0, 24.0])
    # a leaf never "retains" grad (it keeps it anyway)
    x.retain_grad()
    assert not x.retains_grad


def test_grad_setter(lib):
    x = lib.zeros(2, 3, dtype=lib.float32, requires_grad=True)
    x.grad = lib.ones(2, 3, dtype=lib.float32)
    close(x.grad, np.ones((2, 3)), dtype="float32")
    (x * 2).sum().backward()
    close(x.grad, np.full((2, 3), 3.0), dtype="float32")
    x.grad = None
    assert x.grad is None


def test_grad_setter_mismatch_errors(lib):
    x = lib.zeros(2, 3, dtype=lib.float32, requires_grad=True)

    def assign(g):
        def fn():
            x.grad = g
        return fn
    raises(RuntimeError, r"attempting to assign a gradient of size", assign(lib.zeros(3, 2)))
    raises(RuntimeError, r"attempting to assign a gradient of size", assign(lib.zeros(6)))
    raises(RuntimeError, r"attempting to assign a gradient with dtype",
           assign(lib.zeros(2, 3, dtype=lib.float64)))
    raises(RuntimeError, r"attempting to assign a gradient with dtype",
           assign(lib.zeros(2, 3, dtype=lib.int64)))
    with pytest.raises(TypeError):
        assign([[0.0] * 3] * 2)()
    assert x.grad is None


# ----------------------------------------------------------------------------------------------------------
# grad modes
# ----------------------------------------------------------------------------------------------------------
def test_no_grad_context(lib):
    x = leaf(lib, [1.0, 2.0])
    assert lib.is_grad_enabled()
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        y = x * 2
        assert not y.requires_grad and y.grad_fn is None
        # creating a leaf that requires grad still works
        z = lib.ones(2, requires_grad=True)
        assert z.requires_grad
    assert lib.is_grad_enabled()
    assert (x * 2).requires_grad


def test_no_grad_restored_after_exception(lib):
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError("boom")
    assert lib.is_grad_enabled()


def test_enable_grad_nesting(lib):
    x = leaf(lib, [1.0, 2.0])
    with lib.no_grad():
        with lib.enable_grad():
            assert lib.is_grad_enabled()
            y = x * 2
            with lib.no_grad():
                assert not lib.is_grad_enabled()
                assert not (x * 2).requires_grad
            assert lib.is_grad_enabled()
        assert not lib.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert y.requires_grad and y.grad_fn.name() == "MulBackward0"
    assert lib.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context(lib):
    x = leaf(lib, [1.0])
    try:
        lib.set_grad_enabled(False)
        assert not lib.is_grad_enabled()
        assert not (x * 2).requires_grad
        lib.set_grad_enabled(True)
        assert lib.is_grad_enabled()
    finally:
        lib.set_grad_enabled(True)
    with lib.set_grad_enabled(False):
        assert not lib.is_grad_enabled()
        with lib.set_grad_enabled(True):
            assert lib.is_grad_enabled()
            assert (x * 2).requires_grad
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()
    with lib.no_grad():
        lib.set_grad_enabled(True)          # the function form takes effect at once
        assert lib.is_grad_enabled()
    assert lib.is_grad_enabled()


def test_grad_mode_decorators(lib):
    x = leaf(lib, [1.0, 2.0])

    @lib.no_grad()
    def double(t):
        """doc"""
        return t * 2, lib.is_grad_enabled()

    y, enabled = double(x)
    assert not enabled and not y.requires_grad
    assert lib.is_grad_enabled()
    assert double.__name__ == "double" and double.__doc__ == "doc"

    @lib.enable_grad()
    def triple(t):
        return t * 3

    with lib.no_grad():
        z = triple(x)
        assert not lib.is_grad_enabled()
    assert z.requires_grad

    @lib.inference_mode()
    def infer(t):
        return t * 4, lib.is_inference_mode_enabled(), lib.is_grad_enabled()

    w, inf, en = infer(x)
    assert inf and not en and not w.requires_grad
    assert not lib.is_inference_mode_enabled()


def test_set_grad_enabled_decorator_does_not_leak(lib):
    @lib.set_grad_enabled(False)
    def f():
        return lib.is_grad_enabled()

    assert lib.is_grad_enabled(), "decorating must not change the current grad mode"
    assert f() is False
    assert lib.is_grad_enabled()


def test_bare_decorators_without_parentheses(lib):
    @lib.no_grad
    def f():
        return lib.is_grad_enabled()

    @lib.enable_grad
    def g():
        return lib.is_grad_enabled()

    @lib.inference_mode
    def h():
        return lib.is_inference_mode_enabled()

    assert f() is False
    with lib.no_grad():
        assert g() is True
    assert h() is True
    assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()


def test_no_grad_decorator_on_generator(lib):
    x = leaf(lib, [1.0, 2.0])

    @lib.no_grad()
    def gen(n):
        got = None
        for _ in range(n):
            got = yield (lib.is_grad_enabled(), (x * 2).requires_grad, got)
        return "done"

    g = gen(3)
    assert next(g) == (False, False, None)
    assert lib.is_grad_enabled(), "the caller's grad mode is restored between yields"
    assert (x * 2).requires_grad
    assert g.send(7) == (False, False, 7)
    assert lib.is_grad_enabled()
    assert [r[0] for r in g] == [False]
    # the return value travels through StopIteration
    g2 = gen(0)
    with pytest.raises(StopIteration) as info:
        next(g2)
    assert info.value.value == "done"

    @lib.enable_grad()
    def gen2():
        yield lib.is_grad_enabled()
        yield lib.is_grad_enabled()

    with lib.no_grad():
        assert list(gen2()) == [True, True]
        assert not lib.is_grad_enabled()


def test_inference_mode(lib):
    x = leaf(lib, [1.0, 2.0])
    assert not lib.is_inference_mode_enabled()
    with lib.inference_mode():
        assert lib.is_inference_mode_enabled()
        assert not lib.is_grad_enabled()
        y = x * 2
        assert not y.requires_grad and y.grad_fn is None
        with lib.inference_mode(False):
            assert not lib.is_inference_mode_enabled()
    assert not lib.is_inference_mode_enabled()
    assert lib.is_grad_enabled()
    close(y, [2.0, 4.0])
    with lib.no_grad():
        with lib.inference_mode(False):
            assert lib.is_grad_enabled()       # mode=False switches grad mode on, like C++ InferenceMode
            assert not lib.is_inference_mode_enabled()
        assert not lib.is_grad_enabled()


def test_inference_tensors_cannot_be_saved_for_backward(lib):
    x = leaf(lib, [1.0, 2.0])
    with lib.inference_mode():
        t = lib.ones(2, dtype=lib.float64)
    raises(RuntimeError, r"Inference tensors cannot be saved for backward", lambda: x * t)
    close(x + t, [2.0, 3.0])             # add saves nothing: allowed
    assert t.is_inference()
    assert not x.is_inference()


def test_inference_tensor_rules(lib):
    with lib.inference_mode():
        t = lib.ones(3)
        base = lib.zeros(3)
    v = t[1:]
    assert t.is_inference() and v.is_inference() and lib.is_inference(t)
    n = lib.ones(3)
    with lib.inference_mode():
        view = n[1:]
        n.mul_(2)  # a normal tensor may be changed inside inference mode
    assert not view.is_inference() and not n.is_inference()
    close(n, [2.0, 2.0, 2.0])
    for write in (lambda: t.add_(1), lambda: v.zero_(), lambda: t.copy_(n), lambda: lib.exp(n, out=t),
                  lambda: lib.add(n, n, out=t), lambda: t.fill_(2.0), lambda: base.copy_(n)):
        raises(RuntimeError, r"Inplace update to inference tensor outside InferenceMode", write)
    raises(RuntimeError, r"Setting requires_grad=True on inference tensor outside InferenceMode", lambda: t.requires_grad_())
    with lib.inference_mode():
        before = npa(t)
        t.add_(1)  # allowed inside
    close(t, before + 1)
    c = t.clone()
    assert not c.is_inference()
    c.add_(1)


def test_grad_mode_is_thread_local(lib):
    x = leaf(lib, [1.0, 2.0])
    seen = {}

    def worker():
        seen["enabled"] = lib.is_grad_enabled()
        seen["requires_grad"] = (x * 2).requires_grad
        with lib.no_grad():
            seen["inner"] = lib.is_grad_enabled()

    with lib.no_grad():
        th = threading.Thread(target=worker)
        th.start()
        th.join(30)
        assert not lib.is_grad_enabled()
    assert seen == {"enabled": True, "requires_grad": True, "inner": False}

    # and a thread disabling grad does not affect this one
    disabled, checked = threading.Event(), threading.Event()
    errors = []

    def disabler():
        try:
            with lib.no_grad():
                disabled.set()
                checked.wait(30)
        except Exception as e:  # pragma: no cover
            errors.append(e)

    th = threading.Thread(target=disabler)
    th.start()
    try:
        assert disabled.wait(30)
        assert lib.is_grad_enabled()
        assert (x * 2).requires_grad
    finally:
        checked.set()
        th.join(30)
    assert not errors


# ----------------------------------------------------------------------------------------------------------
# grad_fn names and graph structure
# ----------------------------------------------------------------------------------------------------------
def _graph_inputs(lib):
    x = leaf(lib, np.arange(1.0, 7.0).reshape(2, 3))
    y = leaf(lib, np.arange(2.0, 8.0).reshape(2, 3))
    m = leaf(lib, np.arange(12.0).reshape(3, 4) / 10)
    v = leaf(lib, [1.0, 2.0, 3.0])
    return x, y, m, v


GRAD_FN_NAMES = {
    "add": ("AddBackward0", lambda L, x, y, m, v: x + y),
    "add_scalar": ("AddBackward0", lambda L, x, y, m, v: x + 1),
    "sub": ("SubBackward0", lambda L, x, y, m, v: x - y),
    "rsub": ("RsubBackward1", lambda L, x, y, m, v: 1 - x),
    "mul": ("MulBackward0", lambda L, x, y, m, v: x * y),
    "div": ("DivBackward0", lambda L, x, y, m, v: x / y),
    "neg": ("NegBackward0", lambda L, x, y, m, v: -x),
    "pow_scalar": ("PowBackward0", lambda L, x, y, m, v: x ** 2),
    "pow_tensor": ("PowBackward1", lambda L, x, y, m, v: x ** y),
    "exp": ("ExpBackward0", lambda L, x, y, m, v: x.exp()),
    "log": ("LogBackward0", lambda L, x, y, m, v: x.log()),
    "sin": ("SinBackward0", lambda L, x, y, m, v: x.sin()),
    "tanh": ("TanhBackward0", lambda L, x, y, m, v: x.tanh()),
    "sigmoid": ("SigmoidBackward0", lambda L, x, y, m, v: x.sigmoid()),
    "relu": ("ReluBackward0", lambda L, x, y, m, v: x.relu()),
    "sqrt": ("SqrtBackward0", lambda L, x, y, m, v: x.sqrt()),
    "abs": ("AbsBackward0", lambda L, x, y, m, v: x.abs()),
    "sum": ("SumBackward0", lambda L, x, y, m, v: x.sum()),
    "sum_dim": ("SumBackward1", lambda L, x, y, m, v: x.sum(0)),
    "sum_keepdim": ("SumBackward1", lambda L, x, y, m, v: x.sum(1, keepdim=True)),
    "mean": ("MeanBackward0", lambda L, x, y, m, v: x.mean()),
    "mean_dim": ("MeanBackward1", lambda L, x, y, m, v: x.mean(0)),
    "amax": ("AmaxBackward0", lambda L, x, y, m, v: x.amax(1)),
    "max_dim": ("MaxBackward0", lambda L, x, y, m, v: x.max(1)[0]),
    "max_all": ("MaxBackward1", lambda L, x, y, m, v: x.max()),
    "min_all": ("MinBackward1", lambda L, x, y, m, v: x.min()),
    "view": ("ViewBackward0", lambda L, x, y, m, v: x.view(6)),
    "reshape": ("ViewBackward0", lambda L, x, y, m, v: x.reshape(3, 2)),
    "flatten": ("ViewBackward0", lambda L, x, y, m, v: x.flatten()),
    "transpose": ("TransposeBackward0", lambda L, x, y, m, v: x.transpose(0, 1)),
    "t": ("TBackward0", lambda L, x, y, m, v: x.t()),
    "permute": ("PermuteBackward0", lambda L, x, y, m, v: x.permute(1, 0)),
    "unsqueeze": ("UnsqueezeBackward0", lambda L, x, y, m, v: x.unsqueeze(0)),
    "squeeze_dim": ("SqueezeBackward1", lambda L, x, y, m, v: v.unsqueeze(0).squeeze(0)),
    "expand": ("ExpandBackward0", lambda L, x, y, m, v: v.expand(2, 3)),
    "index_int": ("SelectBackward0", lambda L, x, y, m, v: x[0]),
    "index_slice": ("SliceBackward0", lambda L, x, y, m, v: x[:, 1:]),
    "narrow": ("SliceBackward0", lambda L, x, y, m, v: x.narrow(1, 0, 2)),
    "mm": ("MmBackward0", lambda L, x, y, m, v: x.mm(m)),
    "matmul_2d": ("MmBackward0", lambda L, x, y, m, v: x @ m),
    "mv": ("MvBackward0", lambda L, x, y, m, v: m.t().mv(v)),
    "dot": ("DotBackward0", lambda L, x, y, m, v: v.dot(v)),
    "bmm": ("BmmBackward0", lambda L, x, y, m, v: x.unsqueeze(0).bmm(m.unsqueeze(0))),
    "softmax": ("SoftmaxBackward0", lambda L, x, y, m, v: x.softmax(1)),
    "log_softmax": ("LogSoftmaxBackward0", lambda L, x, y, m, v: x.log_softmax(1)),
    "where": ("WhereBackward0", lambda L, x, y, m, v: L.where(x > 2, x, y)),
    "masked_fill": ("MaskedFillBackward0", lambda L, x, y, m, v: x.masked_fill(x > 2, 0.0)),
    "clamp": ("ClampBackward1", lambda L, x, y, m, v: x.clamp(0.0, 3.0)),
    "maximum": ("MaximumBackward0", lambda L, x, y, m, v: x.maximum(y)),
    "clone": ("CloneBackward0", lambda L, x, y, m, v: x.clone()),
    "to_dtype": ("ToCopyBackward0", lambda L, x, y, m, v: x.to(L.float32)),
    "float": ("ToCopyBackward0", lambda L, x, y, m, v: x.float()),
}


@pytest.mark.parametrize("case", list(GRAD_FN_NAMES))
def test_grad_fn_names(lib, case):
    expected, fn = GRAD_FN_NAMES[case]
    out = fn(lib, *_graph_inputs(lib))
    assert out.grad_fn is not None
    assert out.grad_fn.name() == expected
    assert re.fullmatch(rf"<{expected} object at 0x[0-9a-fA-F]+>", repr(out.grad_fn)), repr(out.grad_fn)


@pytest.mark.parametrize("case", list(GRAD_FN_NAMES))
def test_grad_fn_names_match_torch(torch_ref, case):
    _, fn = GRAD_FN_NAMES[case]
    ours = fn(rtorch, *_graph_inputs(rtorch)).grad_fn.name()
    theirs = fn(torch_ref, *_graph_inputs(torch_ref)).grad_fn.name()
    assert ours == theirs


def test_next_functions_and_accumulate_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    w = leaf(lib, [3.0, 4.0])
    c = const(lib, [1.0, 1.0])
    y = x * w
    nf = y.grad_fn.next_functions
    assert isinstance(nf, tuple) and len(nf) == 2
    (n0, i0), (n1, i1) = nf
    assert i0 == 0 and i1 == 0
    for n in (n0, n1):
        assert re.fullmatch(r"<AccumulateGrad object at 0x[0-9a-fA-F]+>", repr(n)), repr(n)
        assert n.next_functions == ()
    close(n0.variable, [1.0, 2.0])
    close(n1.variable, [3.0, 4.0])
    # a constant operand has no node
    z = x + c
    (a0, _), (a1, j1) = z.grad_fn.next_functions
    assert repr(a0).startswith("<AccumulateGrad ") and a1 is None and j1 == 0
    # chained: Sum -> Mul -> (AccumulateGrad, AccumulateGrad)
    s = y.sum()
    ((m, k),) = s.grad_fn.next_functions
    assert m.name() == "MulBackward0" and k == 0
    # the same leaf reached twice shares one AccumulateGrad node
    q = x * x
    (q0, _), (q1, _) = q.grad_fn.next_functions
    assert q0.variable.data_ptr() == q1.variable.data_ptr() == x.data_ptr()


def test_grad_fn_python_types(lib):
    # torch: each node is an instance of a class named after the node
    x = leaf(lib, [1.0, 2.0])
    y = x * x
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert type(y.sum().grad_fn).__name__ == "SumBackward0"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"


def test_one_python_object_per_tensor(lib):
    # torch keeps one Python object per tensor: ops that return their input give the object back
    x = lib.ones(3)
    assert x.contiguous() is x and x.float() is x and x.add_(1) is x
    assert x.view(3) is not x
    x.requires_grad_()
    g = lib.zeros(3)
    x.grad = g
    assert x.grad is g and x.grad is x.grad
    w = lib.Tensor([1.0, 2.0])  # made by the constructor: becomes the tensor's object once it requires grad
    w.requires_grad = True
    assert (w * 2).grad_fn.next_functions[0][0].variable is w


def test_grad_object_reached_from_a_weakref_callback_while_it_is_freed(lib):
    import weakref
    x = leaf(lib, [1.0, 2.0])
    (x * 2).sum().backward()
    seen = []
    g = x.grad
    ref = weakref.ref(g, lambda _: seen.append(x.grad))  # runs while g is being freed
    del g  # rtorch frees the object here (torch keeps it alive while x holds the gradient)
    close(x.grad, [2.0, 2.0])
    for revived in seen:
        assert revived is x.grad
        close(revived, [2.0, 2.0])
    assert ref() is None or ref() is x.grad


def test_accumulate_grad_variable_is_the_leaf_object(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2.0
    assert y.grad_fn.next_functions[0][0].variable is x


# ----------------------------------------------------------------------------------------------------------
# detach / data
# ----------------------------------------------------------------------------------------------------------
def test_detach_shares_memory_and_has_no_history(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = x * 2
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    assert d.data_ptr() == y.data_ptr()
    d[0] = 100.0
    close(y, [100.0, 4.0, 6.0])
    dx = x.detach()
    assert dx.data_ptr() == x.data_ptr() and not dx.requires_grad
    # y itself still has its history
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    close(x.grad, [2.0, 2.0, 2.0])


def test_detach_inplace(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    assert y.detach_() is y
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    close(y, [2.0, 4.0])
    z = (y * 3).sum()
    assert not z.requires_grad


def test_detach_inplace_on_view_raises(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    raises(RuntimeError, r"Can't detach views in-place\. Use detach\(\) instead",
           lambda: (x * 2)[0:2].detach_())
    raises(RuntimeError, r"Can't detach views in-place\. Use detach\(\) instead",
           lambda: x[0:2].detach_())


def test_data_shares_memory_without_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    assert d.data_ptr() == x.data_ptr()
    d.mul_(3.0)                            # allowed: .data is outside autograd
    close(x, [3.0, 6.0])
    assert x.is_leaf and x.requires_grad


# ----------------------------------------------------------------------------------------------------------
# dtypes, 0-dim, empty
# ----------------------------------------------------------------------------------------------------------
def test_grad_dtype_matches_leaf_dtype_in_mixed_ops(lib):
    a = leaf(lib, [1.0, 2.0], dtype="float32")
    b = leaf(lib, [3.0, 4.0], dtype="float64")
    y = a * b
    assert dname(y) == "float64"
    (y.sum() + (a.double() * 2).sum() + (b.float() * a).sum()).backward()
    close(a.grad, [3.0 + 2 + 3.0, 4.0 + 2 + 4.0], dtype="float32")
    close(b.grad, [1.0 + 1.0, 2.0 + 2.0], dtype="float64")
    c = leaf(lib, [1.0, 2.0], dtype="float32")
    i = lib.tensor([2, 3])
    (c * i).sum().backward()
    close(c.grad, [2.0, 3.0], dtype="float32")
    d = leaf(lib, [1.0, 2.0], dtype="float32")
    (d.to(lib.float64) ** 2).sum().backward()
    close(d.grad, [2.0, 4.0], dtype="float32")


def test_zero_dim_tensors(lib):
    x = leaf(lib, 3.0)
    assert tuple(x.shape) == ()
    y = x * x + x.exp()
    assert tuple(y.shape) == ()
    y.backward()
    close(x.grad, 6.0 + np.exp(3.0))
    w = leaf(lib, [1.0, 2.0])
    (w * x).sum().backward()
    close(x.grad, 6.0 + np.exp(3.0) + 3.0)
    close(w.grad, [3.0, 3.0])
    (g,) = lib.autograd.grad(x.sum(), x)
    close(g, 1.0)


def test_empty_tensors(lib):
    x = lib.zeros(0, 3, dtype=lib.float64, requires_grad=True)
    s = x.sum()
    close(s, 0.0)
    s.backward()
    close(x.grad, np.zeros((0, 3)))
    x.grad = None
    (x * 2).sum(1).backward(lib.zeros(0, dtype=lib.float64))
    close(x.grad, np.zeros((0, 3)))
    x.grad = None
    x.mean().backward()
    close(x.grad, np.zeros((0, 3)))
    m = leaf(lib, np.ones((3, 2)))
    x2 = lib.zeros(0, 3, dtype=lib.float64, requires_grad=True)
    (x2 @ m).sum().backward()
    close(m.grad, np.zeros((3, 2)))
    close(x2.grad, np.zeros((0, 3)))


# ----------------------------------------------------------------------------------------------------------
# gradients of individual recorded ops against numpy
# ----------------------------------------------------------------------------------------------------------
def test_unary_gradients(lib):
    v = np.array([0.3, 0.9, 1.7, 2.4])
    cases = {
        "exp": (lambda t: t.exp(), np.exp),
        "log": (lambda t: t.log(), lambda a: 1 / a),
        "sqrt": (lambda t: t.sqrt(), lambda a: 0.5 / np.sqrt(a)),
        "sin": (lambda t: t.sin(), np.cos),
        "cos": (lambda t: t.cos(), lambda a: -np.sin(a)),
        "tanh": (lambda t: t.tanh(), lambda a: 1 - np.tanh(a) ** 2),
        "sigmoid": (lambda t: t.sigmoid(), lambda a: np.exp(-a) / (1 + np.exp(-a)) ** 2),
        "reciprocal": (lambda t: t.reciprocal(), lambda a: -1 / a ** 2),
        "rsqrt": (lambda t: t.rsqrt(), lambda a: -0.5 * a ** -1.5),
        "neg": (lambda t: -t, lambda a: -np.ones_like(a)),
        "pow": (lambda t: t ** 2.5, lambda a: 2.5 * a ** 1.5),
        "rpow": (lambda t: 2.0 ** t, lambda a: np.log(2) * 2 ** a),
        "rdiv": (lambda t: 3.0 / t, lambda a: -3 / a ** 2),
        "rsub": (lambda t: 3.0 - t, lambda a: -np.ones_like(a)),
        "square": (lambda t: t.square(), lambda a: 2 * a),
    }
    for name, (f, df) in cases.items():
        x = leaf(lib, v)
        f(x).sum().backward()
        try:
            close(x.grad, df(v), rtol=1e-12)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


def test_binary_gradients(lib):
    r = rng(11)
    va, vb = r.uniform(0.5, 2.0, size=(2, 3)), r.uniform(0.5, 2.0, size=(2, 3))
    cases = {
        "add_alpha": (lambda a, b: a.add(b, alpha=2.0), lambda a, b: (1 + 0 * a, 2 + 0 * b)),
        "sub_alpha": (lambda a, b: a.sub(b, alpha=3.0), lambda a, b: (1 + 0 * a, -3 + 0 * b)),
        "div": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b ** 2)),
        "pow": (lambda a, b: a ** b, lambda a, b: (b * a ** (b - 1), a ** b * np.log(a))),
        "maximum": (lambda a, b: a.maximum(b), lambda a, b: ((a > b) * 1.0, (b > a) * 1.0)),
        "atan2": (lambda a, b: a.atan2(b), lambda a, b: (b / (a * a + b * b), -a / (a * a + b * b))),
    }
    for name, (f, df) in cases.items():
        a, b = leaf(lib, va), leaf(lib, vb)
        f(a, b).sum().backward()
        ga, gb = df(va, vb)
        try:
            close(a.grad, ga, rtol=1e-12)
            close(b.grad, gb, rtol=1e-12)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


def test_reduction_gradients(lib):
    r = rng(5)
    v = r.normal(size=(3, 4))
    w = r.normal(size=(3, 4))
    x = leaf(lib, v)
    (x.sum(1, keepdim=True) * const(lib, w[:, :1])).sum().backward()
    close(x.grad, np.broadcast_to(w[:, :1], (3, 4)))
    x.grad = None
    (x.mean(0) * const(lib, w[0])).sum().backward()
    close(x.grad, np.broadcast_to(w[0] / 3, (3, 4)))
    x.grad = None
    x.mean().backward()
    close(x.grad, np.full((3, 4), 1 / 12))
    x.grad = None
    x.sum((0, 1)).backward()
    close(x.grad, np.ones((3, 4)))
    x.grad = None
    (x.amax(1) * const(lib, w[:, 0])).sum().backward()
    expected = (v == v.max(1, keepdims=True)) * w[:, :1]
    close(x.grad, expected)
    x.grad = None
    vals, idx = x.max(0)
    vals.sum().backward()
    expected = np.zeros((3, 4))
    expected[v.argmax(0), np.arange(4)] = 1
    close(x.grad, expected)
    np.testing.assert_array_equal(idx.numpy(), v.argmax(0))


def test_max_ties(lib):
    x = leaf(lib, [1.0, 3.0, 3.0, 2.0])
    x.amax().backward()
    close(x.grad, [0.0, 0.5, 0.5, 0.0])          # amax splits the gradient among ties
    y = leaf(lib, [1.0, 3.0, 3.0, 2.0])
    y.max().backward()
    close(y.grad, [0.0, 0.5, 0.5, 0.0])          # so does the full max()
    z = leaf(lib, [1.0, 3.0, 3.0, 2.0])
    vals, idx = z.max(0)
    vals.backward()
    g = npa(z.grad)
    assert g.sum() == 1.0 and g[int(idx)] == 1.0  # max(dim) routes it to the returned index


def test_view_and_indexing_gradients(lib):
    v = np.arange(12.0).reshape(3, 4)
    w = rng(2).normal(size=(3, 4))
    W = const(lib, w)
    cases = {
        "slice": (lambda t: t[1:, ::2], lambda: (slice(1, None), slice(None, None, 2))),
        "int": (lambda t: t[1], lambda: (1,)),
        "int_col": (lambda t: t[:, -1], lambda: (slice(None), -1)),
        "narrow": (lambda t: t.narrow(1, 1, 2), lambda: (slice(None), slice(1, 3))),
        "select": (lambda t: t.select(0, 2), lambda: (2,)),
    }
    for name, (f, idx) in cases.items():
        x = leaf(lib, v)
        out = f(x)
        out.backward(f(W))
        expected = np.zeros((3, 4))
        expected[idx()] = w[idx()]
        try:
            close(x.grad, expected)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None
    shape_ops = {
        "t": lambda t: t.t(),
        "transpose": lambda t: t.transpose(0, 1),
        "permute": lambda t: t.unsqueeze(0).permute(2, 0, 1),
        "view": lambda t: t.view(2, 6),
        "reshape_t": lambda t: t.t().reshape(12),
        "flatten": lambda t: t.flatten(),
        "unsqueeze_squeeze": lambda t: t.unsqueeze(1).squeeze(1),
        "expand": lambda t: t.unsqueeze(0).expand(2, 3, 4),
    }
    for name, f in shape_ops.items():
        x = leaf(lib, v)
        out = f(x)
        # grad_output k * arange: the gradient is the inverse permutation of the output's values
        go = np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape))
        out.backward(const(lib, go))
        xs = np.arange(12.0).reshape(3, 4)
        ref = {"t": xs.T, "transpose": xs.T, "permute": xs[None].transpose(2, 0, 1),
               "view": xs.reshape(2, 6), "reshape_t": xs.T.reshape(12), "flatten": xs.ravel(),
               "unsqueeze_squeeze": xs, "expand": np.broadcast_to(xs, (2, 3, 4))}[name]
        # scatter go back by the positions recorded in ref
        expected = np.zeros(12)
        np.add.at(expected, ref.reshape(-1).astype(int), go.reshape(-1))
        try:
            close(x.grad, expected.reshape(3, 4))
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


def test_matmul_family_gradients(lib):
    r = rng(9)
    A, B = r.normal(size=(3, 4)), r.normal(size=(4, 5))
    G = r.normal(size=(3, 5))
    a, b = leaf(lib, A), leaf(lib, B)
    (a @ b).backward(const(lib, G))
    close(a.grad, G @ B.T, rtol=1e-12)
    close(b.grad, A.T @ G, rtol=1e-12)
    # batched @ shared matrix: the matrix grad sums over the batch
    X = r.normal(size=(2, 3, 4))
    G3 = r.normal(size=(2, 3, 5))
    x, b2 = leaf(lib, X), leaf(lib, B)
    (x @ b2).backward(const(lib, G3))
    close(x.grad, G3 @ B.T, rtol=1e-12)
    close(b2.grad, np.einsum("bij,bik->jk", X, G3), rtol=1e-12)
    # bmm, mv, dot
    Y = r.normal(size=(2, 4, 5))
    x3, y3 = leaf(lib, X), leaf(lib, Y)
    x3.bmm(y3).backward(const(lib, G3))
    close(x3.grad, G3 @ Y.transpose(0, 2, 1), rtol=1e-12)
    close(y3.grad, X.transpose(0, 2, 1) @ G3, rtol=1e-12)
    u = r.normal(size=4)
    a2, u2 = leaf(lib, A), leaf(lib, u)
    g3 = r.normal(size=3)
    a2.mv(u2).backward(const(lib, g3))
    close(a2.grad, np.outer(g3, u), rtol=1e-12)
    close(u2.grad, A.T @ g3, rtol=1e-12)
    p, q = leaf(lib, u), leaf(lib, u[::-1].copy())
    p.dot(q).backward()
    close(p.grad, u[::-1])
    close(q.grad, u)


def test_softmax_gradients(lib):
    r = rng(4)
    v, w = r.normal(size=(2, 5)), r.normal(size=(2, 5))
    s = np.exp(v - v.max(1, keepdims=True))
    s /= s.sum(1, keepdims=True)
    x = leaf(lib, v)
    x.softmax(1).backward(const(lib, w))
    close(x.grad, s * (w - (w * s).sum(1, keepdims=True)), rtol=1e-10, atol=1e-12)
    x2 = leaf(lib, v)
    x2.log_softmax(1).backward(const(lib, w))
    close(x2.grad, w - s * w.sum(1, keepdims=True), rtol=1e-10, atol=1e-12)
    x3 = leaf(lib, v)
    x3.softmax(0).backward(const(lib, w))
    s0 = np.exp(v) / np.exp(v).sum(0, keepdims=True)
    close(x3.grad, s0 * (w - (w * s0).sum(0, keepdims=True)), rtol=1e-10, atol=1e-12)


def test_where_masked_fill_clamp_gradients(lib):
    v = np.array([-1.5, -0.2, 0.4, 0.9, 1.7])
    x, y = leaf(lib, v), leaf(lib, v * 10)
    lib.where(x > 0, x * 2, y).sum().backward()
    close(x.grad, (v > 0) * 2.0)
    close(y.grad, (v <= 0) * 1.0)
    x2 = leaf(lib, v)
    x2.masked_fill(x2 > 0.5, 7.0).sum().backward()
    close(x2.grad, (v <= 0.5) * 1.0)
    x3 = leaf(lib, v)
    x3.clamp(-1.0, 1.0).sum().backward()           # no element sits on a bound
    close(x3.grad, [0.0, 1.0, 1.0, 1.0, 0.0])
    x4 = leaf(lib, v)
    x4.clamp(min=0.0).sum().backward()
    close(x4.grad, [0.0, 0.0, 1.0, 1.0, 1.0])
    x5 = leaf(lib, [-1.0, 0.0, 2.0])
    x5.relu().sum().backward()
    close(x5.grad, [0.0, 0.0, 1.0])                # relu'(0) == 0
    x6 = leaf(lib, [-1.0, 0.0, 2.0])
    x6.abs().sum().backward()
    close(x6.grad, [-1.0, 0.0, 1.0])               # abs'(0) == 0


def test_clone_and_to_dtype_gradients(lib):
    x = leaf(lib, [1.0, 2.0], dtype="float32")
    y = x.clone()
    assert y.grad_fn.name() == "CloneBackward0"
    (y * 3).sum().backward()
    close(x.grad, [3.0, 3.0], dtype="float32")
    z = leaf(lib, [1.0, 2.0], dtype="float32")
    (z.to(lib.float64) * const(lib, [0.25, 0.5])).sum().backward()
    close(z.grad, [0.25, 0.5], dtype="float32")


# ----------------------------------------------------------------------------------------------------------
# a small MLP
# ----------------------------------------------------------------------------------------------------------
def _mlp_data(dtype):
    r = rng(42)
    X = r.normal(size=(6, 4))
    W1 = r.normal(size=(4, 8)) * 0.5
    b1 = r.normal(size=8) * 0.1
    W2 = r.normal(size=(8, 3)) * 0.5
    b2 = r.normal(size=3) * 0.1
    labels = np.array([0, 2, 1, 1, 0, 2])
    npdt = {"float32": np.float32, "float64": np.float64}[dtype]
    return [a.astype(npdt).astype(np.float64) for a in (X, W1, b1, W2, b2)], labels


def _mlp_forward(lib, dtype, X, W1, b1, W2, b2, labels):
    x = const(lib, X, dtype)
    params = [leaf(lib, p, dtype) for p in (W1, b1, W2, b2)]
    w1, c1, w2, c2 = params
    onehot = const(lib, np.eye(3)[labels], dtype)
    h = (x @ w1 + c1).relu()
    logp = (h @ w2 + c2).log_softmax(1)
    loss = -(logp * onehot).sum(1).mean()
    return loss, params


def _mlp_numpy(X, W1, b1, W2, b2, labels):
    pre = X @ W1 + b1
    h = np.maximum(pre, 0)
    logits = h @ W2 + b2
    z = logits - logits.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    n = X.shape[0]
    onehot = np.eye(3)[labels]
    loss = -(logp * onehot).sum(1).mean()
    dlogits = (np.exp(logp) - onehot) / n
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dpre = (dlogits @ W2.T) * (pre > 0)
    dW1 = X.T @ dpre
    db1 = dpre.sum(0)
    return loss, [dW1, db1, dW2, db2]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_mlp_gradients_match_numpy(lib, dtype):
    arrays, labels = _mlp_data(dtype)
    loss, params = _mlp_forward(lib, dtype, *arrays, labels)
    ref_loss, ref_grads = _mlp_numpy(*arrays, labels)
    assert np.abs((arrays[0] @ arrays[1] + arrays[2])).min() > 1e-3  # no pre-activation at the kink
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=2e-4, atol=1e-6)
    assert loss.grad_fn.name() == "NegBackward0"
    close(loss, ref_loss, **tol)
    loss.backward()
    for p, g, name in zip(params, ref_grads, ["W1", "b1", "W2", "b2"]):
        try:
            close(p.grad, g, dtype=dtype, **tol)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


def test_mlp_gradients_match_torch(torch_ref):
    arrays, labels = _mlp_data("float32")
    loss_r, params_r = _mlp_forward(rtorch, "float32", *arrays, labels)
    loss_t, params_t = _mlp_forward(torch_ref, "float32", *arrays, labels)
    np.testing.assert_allclose(float(loss_r.detach()), float(loss_t.detach()), rtol=1e-5)
    loss_r.backward()
    loss_t.backward()
    for pr, pt in zip(params_r, params_t):
        np.testing.assert_allclose(npa(pr.grad), npa(pt.grad), rtol=1e-4, atol=1e-6)
        assert dname(pr.grad) == dname(pt.grad)


# ----------------------------------------------------------------------------------------------------------
# direct comparisons with torch: messages, boundary conventions, graph walks
# ----------------------------------------------------------------------------------------------------------
def _errors(lib):
    """Named callables that raise in torch; each builds its own inputs."""
    def x():
        return lib.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def twice():
        t = x()
        y = (t * t).sum()
        y.backward()
        y.backward()

    def saved():
        t = x()
        a = t.exp()
        a.add_(1)
        a.sum().backward()

    def set_nonleaf():
        (x() * 2).requires_grad = False

    def grad_shape():
        t = lib.zeros(2, 3, requires_grad=True)
        t.grad = lib.zeros(3, 2)

    def grad_list():
        t = lib.zeros(2, requires_grad=True)
        t.grad = [1.0, 2.0]

    return {
        "nonscalar": lambda: (x() * 2).backward(),
        "no_grad_fn": lambda: lib.ones(3).sum().backward(),
        "twice": twice,
        "int_requires_grad": lambda: lib.tensor([1, 2], requires_grad=True),
        "set_nonleaf": set_nonleaf,
        "leaf_inplace": lambda: x().add_(1),
        "leaf_view_inplace": lambda: x()[0:2].mul_(2),
        "saved_modified": saved,
        "out_add": lambda: lib.add(x(), 1.0, out=lib.zeros(3)),
        "not_requiring": lambda: lib.autograd.grad((x() * 2).sum(), [lib.ones(1)]),
        "materialize_allow_unused_false": lambda: lib.autograd.grad(
            (x() * 2).sum(), [x()], allow_unused=False, materialize_grads=True),
        "grad_shape_mismatch": lambda: (x() * 2).backward(lib.ones(2)),
        "grad_setter_shape": grad_shape,
        "grad_setter_type": grad_list,
        "empty_inputs": lambda: (x() * 2).sum().backward(inputs=[]),
        "detach_view": lambda: (x() * 2)[0:2].detach_(),
    }


def _key(msg: str) -> str:
    """The stable head of a message: up to the first ':' / '. ' / '(' (hints and reprs differ).

    An added " (input N)" locator is not counted as a difference."""
    msg = re.sub(r" \(input \d+\)", "", msg)
    return re.split(r":|\. |\(", msg, maxsplit=1)[0].strip()


@pytest.mark.parametrize("case", list(_errors(rtorch)))
def test_error_type_and_message_match_torch(torch_ref, case):
    def outcome(lib):
        try:
            _errors(lib)[case]()
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, _key(str(e))
        return None, None
    theirs = outcome(torch_ref)
    assert theirs[0] is not None, "torch raises here"
    assert outcome(rtorch) == theirs


@pytest.mark.parametrize("case", ["clamp_scalar", "clamp_min", "clamp_max", "clamp_tensor", "maximum",
                                  "minimum", "relu", "abs", "max_ties", "amax_ties"])
def test_boundary_gradients_match_torch(torch_ref, case):
    """Subgradient conventions at kinks and ties (x sits exactly on the bounds 0 and 1)."""
    def grad(lib):
        x = lib.tensor([-1.0, 0.0, 0.5, 1.0, 1.0, 2.0], requires_grad=True)
        z, o = lib.zeros(6), lib.ones(6)
        f = {
            "clamp_scalar": lambda: x.clamp(0.0, 1.0),
            "clamp_min": lambda: x.clamp(min=0.0),
            "clamp_max": lambda: x.clamp(max=1.0),
            "clamp_tensor": lambda: x.clamp(z, o),
            "maximum": lambda: x.maximum(o),
            "minimum": lambda: x.minimum(z),
            "relu": lambda: x.relu(),
            "abs": lambda: x.abs(),
            "max_ties": lambda: x.minimum(o).max(),
            "amax_ties": lambda: x.minimum(o).amax(),
        }[case]
        f().sum().backward()
        return npa(x.grad)
    np.testing.assert_allclose(grad(rtorch), grad(torch_ref), rtol=1e-6, atol=0)


def test_graph_walk_matches_torch(torch_ref):
    """The names reached by walking next_functions from a small expression are the same."""
    def walk(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        w = lib.tensor([[0.5, -1.0], [2.0, 1.0]], requires_grad=True)
        c = lib.tensor([[2.0, 3.0], [4.0, 5.0]])
        y = ((x @ w).relu() * c + x.transpose(0, 1)).softmax(1).sum(0).mean()
        order, stack = [], [(y.grad_fn, 0)]
        while stack:                      # every path (no de-duplication: the graph is small)
            node, depth = stack.pop()
            name = re.match(r"<(\w+) object at", repr(node)).group(1)
            nexts = tuple(None if n is None else i for n, i in node.next_functions)
            order.append((depth, name, nexts))
            stack.extend((nxt, depth + 1) for nxt, _ in node.next_functions if nxt is not None)
        return sorted(order, key=repr)
    assert walk(rtorch) == walk(torch_ref)


def test_accumulate_grad_name_matches_torch(torch_ref):
    def name(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        return (x * x).grad_fn.next_functions[0][0].name()
    assert name(rtorch) == name(torch_ref)

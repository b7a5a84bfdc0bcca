"""rtorch.autograd.functional.jacobian / hessian against hand-derived numpy values and torch."""
from __future__ import annotations

import numpy as np
import pytest

import rtorch
from rtorch.autograd.functional import hessian, jacobian

X = np.array([1.0, 2.0, 0.5])


def t64(a) -> rtorch.Tensor:
    return rtorch.tensor(np.asarray(a, dtype=np.float64))


def test_jacobian_of_vector_function():
    got = jacobian(lambda t: t.exp() * t.sum(), t64(X))
    want = np.diag(np.exp(X) * X.sum()) + np.exp(X)[:, None]
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    assert not got.requires_grad


def test_jacobian_shapes_for_matrix_input_and_output():
    a = t64(np.arange(6.0).reshape(2, 3) / 5)
    got = jacobian(lambda m: m.t() @ m, a)
    assert tuple(got.shape) == (3, 3, 2, 3)
    # d(M^T M)_{ij} / dM_{kl} = delta_{jl} M_{ki} + delta_{il} M_{kj}
    m = a.numpy()
    want = np.zeros((3, 3, 2, 3))
    for i in range(3):
        for j in range(3):
            for k in range(2):
                want[i, j, k, j] += m[k, i]
                want[i, j, k, i] += m[k, j]
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


def test_jacobian_tuples_and_unused_inputs():
    a, b = t64(X), t64(X * 2)
    ja, jb = jacobian(lambda p, q: p * q, (a, b))
    np.testing.assert_allclose(ja.numpy(), np.diag(X * 2))
    np.testing.assert_allclose(jb.numpy(), np.diag(X))
    (jo,) = [jacobian(lambda p, q: p.sin(), (a, b))]
    np.testing.assert_allclose(jo[1].numpy(), np.zeros((3, 3)))
    with pytest.raises(RuntimeError, match="independent of input 1"):
        jacobian(lambda p, q: p.sin(), (a, b), strict=True)


def test_jacobian_leaves_inputs_untouched():
    x = t64(X)
    jacobian(lambda t: t * 3, x)
    assert not x.requires_grad and x.grad is None


def test_hessian_of_scalar_function():
    got = hessian(lambda t: (t ** 3).sum() + t[0] * t[1], t64(X))
    want = np.diag(6 * X)
    want[0, 1] += 1
    want[1, 0] += 1
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    with pytest.raises(RuntimeError, match="single element"):
        hessian(lambda t: t * 2, t64(X))


def test_matches_torch(torch_ref):
    from torch.autograd.functional import hessian as th_hessian, jacobian as th_jacobian

    def f(lib, t):
        return (t.sin() * t.sum()).log_softmax(0)

    ours = jacobian(lambda t: f(rtorch, t), t64(X)).numpy()
    theirs = th_jacobian(lambda t: f(torch_ref, t), torch_ref.tensor(X)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    ours_h = hessian(lambda t: (t.exp() * t).sum(), t64(X)).numpy()
    theirs_h = th_hessian(lambda t: (t.exp() * t).sum(), torch_ref.tensor(X)).numpy()
    np.testing.assert_allclose(ours_h, theirs_h, rtol=1e-10, atol=1e-12)

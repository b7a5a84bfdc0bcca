"""Top-level linear algebra functions (``rtorch.det``, ``rtorch.svd``, ``rtorch.addmm``, ...) and
their Tensor method forms, written over ``rtorch.linalg`` and ``_C``."""
from __future__ import annotations

import warnings
from typing import Optional

from rtorch import _C, linalg
from rtorch import return_types as _rt
from rtorch._C import Tensor, cdist, einsum  # noqa: F401
from rtorch._out import call_with_out

_out = linalg._out


def _addmm_like(kind: str):
    def fn(input: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1, out: Optional[Tensor] = None) -> Tensor:
        return _out(kind, _C._addmm_family(kind, input, a, b, beta, alpha), out)

    def method(self: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1) -> Tensor:
        return _C._addmm_family(kind, self, a, b, beta, alpha)

    def method_(self: Tensor, a: Tensor, b: Tensor, *, beta=1, alpha=1) -> Tensor:
        result = _C._addmm_family(kind, self, a, b, beta, alpha)
        if tuple(result.shape) != tuple(self.shape):
            raise RuntimeError(
                f"Bad in-place call: input tensor size {list(self.shape)} and output tensor size "
                f"{list(result.shape)} should match"
            )
        return self.copy_(result)

    doc = {
        "addmm": "``beta * input + alpha * (mat1 @ mat2)``; mat1 (n, m), mat2 (m, p), input broadcasts to (n, p).",
        "addmv": "``beta * input + alpha * (mat @ vec)``; mat (n, m), vec (m,), input broadcasts to (n,).",
        "addbmm": "``beta * input + alpha * sum_b batch1[b] @ batch2[b]``; batch1 (b, n, m), batch2 (b, m, p).",
        "baddbmm": "``beta * input + alpha * (batch1 @ batch2)`` per batch; input broadcasts to (b, n, p).",
    }[kind] + " With ``beta=0`` input is ignored (NaN in it does not propagate)."
    for f, name in ((fn, kind), (method, kind), (method_, kind + "_")):
        f.__name__ = f.__qualname__ = name
        f.__doc__ = doc
    return fn, method, method_


addmm, _addmm_m, _addmm_m_ = _addmm_like("addmm")
addmv, _addmv_m, _addmv_m_ = _addmm_like("addmv")
addbmm, _addbmm_m, _addbmm_m_ = _addmm_like("addbmm")
baddbmm, _baddbmm_m, _baddbmm_m_ = _addmm_like("baddbmm")


def det(input: Tensor) -> Tensor:
    """Determinant of each square matrix of ``input`` (*, n, n) -> (*)."""
    return linalg.det(input)


def logdet(input: Tensor) -> Tensor:
    """log(det(input)); NaN where the determinant is negative, -inf where it is 0."""
    return _C._linalg_logdet(input)


def slogdet(input: Tensor):
    """(sign, log|det|) of ``input`` (*, n, n)."""
    return _rt.slogdet(*_C._linalg_slogdet(input))


def inverse(input: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Alias of :func:`rtorch.linalg.inv`."""
    return linalg.inv(input, out=out)


def cholesky(input: Tensor, upper: bool = False, *, out: Optional[Tensor] = None) -> Tensor:
    """Removed from PyTorch (deprecated since 1.9): raises, pointing to :func:`rtorch.linalg.cholesky`."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.cholesky` is deprecated in "
        "favor of `torch.linalg.cholesky`.\nL = torch.cholesky(A) should be replaced with:\n"
        "L = torch.linalg.cholesky(A)\nU = torch.cholesky(A, upper=True) should be replaced with:\n"
        "U = torch.linalg.cholesky(A).mH"
    )


def qr(input: Tensor, some: bool = True, *, out=None):
    """Removed from PyTorch (deprecated since 1.9): raises, pointing to :func:`rtorch.linalg.qr`."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.qr` is deprecated in favor "
        "of `torch.linalg.qr` and the boolean parameter `some` has been replaced with a string parameter "
        "`mode`.\n\nQ, R = torch.qr(A) should be replaced with:\nQ, R = torch.linalg.qr(A, mode='reduced')\n\n"
        "and\n\nQ, R = torch.qr(A, some=False) should be replaced with:\n"
        "Q, R = torch.linalg.qr(A, mode='complete')\n\n"
        f"Since `some` was set to {some}, use mode='{'reduced' if some else 'complete'}'."
    )


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """(U, S, V) with ``input = U @ diag(S) @ V.mT`` (torch.svd returns V, not Vh). With
    ``compute_uv=False`` U and V are zero-filled (m, m) and (n, n) matrices."""
    if isinstance(input, Tensor) and input.dim() < 2:
        raise RuntimeError(
            f"linalg.svd: input should have at least 2 dimensions, but has {input.dim()} dimensions instead"
        )
    if compute_uv:
        u, s, vh = linalg.svd(input, full_matrices=not some)
        v = vh.mT
    else:
        s = linalg.svdvals(input)
        m, n = input.shape[-2], input.shape[-1]
        batch = tuple(input.shape[:-2])
        u = _C.zeros(*batch, m, m, dtype=input.dtype)
        v = _C.zeros(*batch, n, n, dtype=input.dtype)
    return linalg._out_tuple("svd", _rt.svd, (u, s, v), out)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Pseudo-inverse, dropping singular values below ``rcond`` times the largest."""
    return linalg.pinv(input, rtol=rcond)


def matrix_power(input: Tensor, n: int, *, out: Optional[Tensor] = None) -> Tensor:
    """Alias of :func:`rtorch.linalg.matrix_power`."""
    if out is not None:
        return call_with_out("matrix_power", linalg.matrix_power, input, (n,), {}, out)
    return linalg.matrix_power(input, n)


def kron(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Kronecker product: ``input`` (a0, a1, ...) and ``other`` (b0, b1, ...) give (a0*b0, a1*b1, ...)."""
    if out is not None:
        return call_with_out("kron", _C.kron, input, (other,), {}, out)
    return _C.kron(input, other)


def tensordot(a: Tensor, b: Tensor, dims=2, out: Optional[Tensor] = None) -> Tensor:
    """Contracts the last ``dims`` dims of ``a`` with the first of ``b`` (or the listed pairs of dims)."""
    if out is not None:
        return call_with_out("tensordot", _C.tensordot, a, (b, dims), {}, out)
    return _C.tensordot(a, b, dims)


def cross(input: Tensor, other: Tensor, dim: Optional[int] = None, *, out: Optional[Tensor] = None) -> Tensor:
    """Cross product along ``dim``; without ``dim``, along the first dim of size 3 (deprecated, as in torch)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\n"
            "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
            "The default value of dim will change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
    return _out("cross", _C._linalg_cross(input, other, dim), out)


_METHODS = {
    "addmm": _addmm_m, "addmm_": _addmm_m_, "addmv": _addmv_m, "addmv_": _addmv_m_,
    "addbmm": _addbmm_m, "addbmm_": _addbmm_m_, "baddbmm": _baddbmm_m, "baddbmm_": _baddbmm_m_,
    "det": det, "logdet": logdet, "slogdet": slogdet, "inverse": lambda self: linalg.inv(self),
    "cholesky": lambda self, upper=False: cholesky(self, upper),
    "qr": lambda self, some=True: qr(self, some),
    "svd": lambda self, some=True, compute_uv=True: svd(self, some, compute_uv),
    "pinverse": pinverse, "matrix_power": matrix_power,
    "cross": lambda self, other, dim=None: cross(self, other, dim),
    "kron": lambda self, other: kron(self, other),
}
for _name, _fn in _METHODS.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)
del _name, _fn

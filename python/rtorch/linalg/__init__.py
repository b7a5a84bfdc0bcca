"""``rtorch.linalg``: factorizations, solvers and norms, shaped like ``torch.linalg``.

Matrices are the last two dims; leading dims are a batch. Factorizations run in float64 on
the CPU kernels and return the input's dtype (float32 or float64).
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from rtorch import _C
from rtorch._C import Tensor
from rtorch import return_types as _rt

LinAlgError = _C._LinAlgError
LinAlgError.__module__ = "rtorch.linalg"
LinAlgError.__qualname__ = LinAlgError.__name__ = "LinAlgError"

_Number = Union[int, float]


def _out(name: str, result: Tensor, out: Optional[Tensor]) -> Tensor:
    if out is None:
        return result
    _C._write_out(name, out, result)
    return out


def _out_tuple(name: str, cls, results: Tuple[Tensor, ...], out) -> tuple:
    if out is None:
        return cls(*results)
    if not isinstance(out, (tuple, list)) or len(out) != len(results):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(results)} Tensors")
    for o, r in zip(out, results):
        _C._write_out(name, o, r)
    return cls(*out)


def det(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Determinant of each square matrix of ``A`` (*, n, n) -> (*)."""
    return _out("linalg.det", _C._linalg_det(A), out)


def slogdet(A: Tensor, *, out=None):
    """(sign, log|det|) of ``A`` (*, n, n), each of shape (*)."""
    return _out_tuple("linalg.slogdet", _rt.linalg_slogdet, _C._linalg_slogdet(A), out)


def inv(A: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Inverse of each square matrix of ``A``; raises LinAlgError when one is singular."""
    return _out("linalg.inv", _C._linalg_inv(A), out)


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Optional[Tensor] = None) -> Tensor:
    """X with ``A @ X = B`` (``X @ A = B`` when ``left=False``). A: (*, n, n); B: (*, n, k) or (*, n)."""
    return _out("linalg.solve", _C._linalg_solve(A, B, left), out)


def cholesky(A: Tensor, *, upper: bool = False, out: Optional[Tensor] = None) -> Tensor:
    """L (lower) with ``A = L @ L.mT`` (U = L.mT when ``upper``); A symmetric positive-definite."""
    return _out("linalg.cholesky", _C._linalg_cholesky(A, upper), out)


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """(Q, R) with ``A = Q @ R``; ``mode`` is 'reduced', 'complete' or 'r' (Q empty)."""
    return _out_tuple("linalg.qr", _rt.linalg_qr, _C._linalg_qr(A, mode), out)


def svd(A: Tensor, full_matrices: bool = True, *, driver: Optional[str] = None, out=None):
    """(U, S, Vh) with ``A = U @ diag(S) @ Vh``, S descending. A: (*, m, n)."""
    return _out_tuple("linalg.svd", _rt.linalg_svd, _C._linalg_svd(A, full_matrices), out)


def svdvals(A: Tensor, *, driver: Optional[str] = None, out: Optional[Tensor] = None) -> Tensor:
    """Singular values of ``A`` (*, m, n) -> (*, min(m, n)), descending."""
    return _out("linalg.svdvals", _C._linalg_svdvals(A), out)


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """(eigenvalues ascending, eigenvectors as columns) of the symmetric ``A`` given by its UPLO triangle."""
    return _out_tuple("linalg.eigh", _rt.linalg_eigh, _C._linalg_eigh(A, UPLO), out)


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Optional[Tensor] = None) -> Tensor:
    """Eigenvalues (ascending) of the symmetric ``A`` given by its UPLO triangle."""
    return _out("linalg.eigvalsh", _C._linalg_eigvalsh(A, UPLO), out)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out: Optional[Tensor] = None) -> Tensor:
    """Moore-Penrose pseudo-inverse of ``A`` (*, m, n) -> (*, n, m), dropping singular values below
    ``max(atol, rtol * largest)``."""
    return _out("linalg.pinv", _C._linalg_pinv(A, atol, rtol, hermitian), out)


def matrix_power(A: Tensor, n: int, *, out: Optional[Tensor] = None) -> Tensor:
    """``A`` (*, n, n) to the integer power ``n`` (negative: of the inverse)."""
    return _out("linalg.matrix_power", _C._linalg_matrix_power(A, n), out)


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Optional[Tensor] = None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (inputs broadcast)."""
    return _out("linalg.cross", _C._linalg_cross(input, other, dim), out)


def vector_norm(x: Tensor, ord: _Number = 2, dim=None, keepdim: bool = False, *, dtype=None,
                out: Optional[Tensor] = None) -> Tensor:
    """Vector ``ord``-norm of ``x`` over ``dim`` (all dims when None)."""
    return _out("linalg.vector_norm", _C._linalg_vector_norm(x, ord, dim, keepdim, dtype), out)


def matrix_norm(A: Tensor, ord: Union[_Number, str] = "fro", dim: Tuple[int, int] = (-2, -1),
                keepdim: bool = False, *, dtype=None, out: Optional[Tensor] = None) -> Tensor:
    """Matrix norm ('fro', 'nuc', 1, -1, 2, -2, inf, -inf) over the two dims ``dim``."""
    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    return _out("linalg.matrix_norm", _C._linalg_matrix_norm(A, ord, tuple(dim), keepdim, dtype), out)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None,
         out: Optional[Tensor] = None) -> Tensor:
    """A vector norm (``dim`` an int, or 1-d input) or a matrix norm (``dim`` a pair, or 2-d input);
    with ``ord`` and ``dim`` both None, the 2-norm of the flattened input."""
    return _out("linalg.norm", _C._linalg_norm(A, ord, dim, keepdim, dtype), out)


def multi_dot(tensors: Sequence[Tensor], *, out: Optional[Tensor] = None) -> Tensor:
    """The product of a chain of matrices (first may be 1-d, last may be 1-d), left to right."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return _out("linalg.multi_dot", result, out)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Optional[Tensor] = None) -> Tensor:
    """Dot product of vectors along ``dim`` (inputs broadcast)."""
    return _out("linalg.vecdot", (x * y).sum(dim), out)


def matmul(input: Tensor, other: Tensor, *, out: Optional[Tensor] = None) -> Tensor:
    """Alias of :func:`rtorch.matmul`."""
    return _out("linalg.matmul", input @ other, out)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Alias of :func:`rtorch.diagonal` with matrix defaults."""
    return A.diagonal(offset, dim1, dim2)

"""Random factories shaped like another tensor (``rand_like``, ``randn_like``, ``randint_like``),
and the function forms of the samplers that are not Tensor methods."""
from __future__ import annotations

from typing import Optional

from rtorch import _C
from rtorch._C import Tensor, poisson  # noqa: F401


def _like(input: Tensor, dtype, device):
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' must be Tensor, not {type(input).__name__}")
    return tuple(input.shape), (input.dtype if dtype is None else dtype), (input.device if device is None else device)


def rand_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, **_: object) -> Tensor:
    """Uniform samples in [0, 1) with the shape (and by default dtype and device) of ``input``."""
    shape, dtype, device = _like(input, dtype, device)
    return _C.rand(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, **_: object) -> Tensor:
    """Standard normal samples with the shape (and by default dtype and device) of ``input``."""
    shape, dtype, device = _like(input, dtype, device)
    return _C.randn(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: Optional[int] = None, *, dtype=None, device=None,
                 requires_grad: bool = False, **_: object) -> Tensor:
    """Integers in [low, high) with the shape (and by default dtype and device) of ``input``;
    ``randint_like(input, high)`` draws from [0, high)."""
    if high is None:
        low, high = 0, low
    shape, dtype, device = _like(input, dtype, device)
    return _C.randint(low, high, shape, dtype=dtype, device=device, requires_grad=requires_grad)


def bernoulli(input: Tensor, p: Optional[float] = None, *, generator=None, out: Optional[Tensor] = None) -> Tensor:
    """0/1 samples: 1 with probability ``input`` (elementwise), or ``p`` for every element."""
    result = input.bernoulli(p, generator=generator)
    if out is None:
        return result
    _C._write_out("bernoulli", out, result)
    return out


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out: Optional[Tensor] = None) -> Tensor:
    """``num_samples`` category indices per row of the non-negative weights ``input`` (1-d or 2-d)."""
    result = input.multinomial(num_samples, replacement, generator=generator)
    if out is None:
        return result
    _C._write_out("multinomial", out, result)
    return out

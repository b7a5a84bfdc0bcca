"""Random factories shaped like another tensor (``rand_like``, ``randn_like``, ``randint_like``),
and the function forms of the samplers that are not Tensor methods."""
from __future__ import annotations

from typing import Optional

from rtorch import _C
from rtorch._C import Tensor, poisson  # noqa: F401


def _like(name: str, input: Tensor, dtype, device):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return (input.dtype if dtype is None else dtype), (input.device if device is None else device)


def _preserving_strides(input: Tensor, make) -> Tensor:
    """``make(shape)`` laid out like ``input`` when ``input`` is dense (torch's preserve_format),
    contiguous otherwise."""
    shape, strides = tuple(input.shape), tuple(input.stride())
    order = sorted(range(len(shape)), key=lambda d: -strides[d])
    expected, step = [0] * len(shape), 1
    for d in reversed(order):
        expected[d] = step
        step *= shape[d]
    dense = all(shape[d] == 1 or strides[d] == expected[d] for d in range(len(shape)))
    if input.is_contiguous() or not dense:
        return make(shape)
    inverse = [order.index(d) for d in range(len(shape))]
    return make(tuple(shape[d] for d in order)).permute(*inverse)


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    return t.requires_grad_() if requires_grad else t


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    """Uniform samples in [0, 1) shaped (and by default typed and laid out) like ``input``."""
    dtype, device = _like("rand_like", input, dtype, device)
    t = _preserving_strides(input, lambda s: _C.rand(*s, generator=generator, dtype=dtype, device=device))
    return _finish(t, requires_grad)


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    """Standard normal samples shaped (and by default typed and laid out) like ``input``."""
    dtype, device = _like("randn_like", input, dtype, device)
    t = _preserving_strides(input, lambda s: _C.randn(*s, generator=generator, dtype=dtype, device=device))
    return _finish(t, requires_grad)


def randint_like(input: Tensor, low: int = 0, high: Optional[int] = None, *, generator=None, dtype=None,
                 layout=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    """Integers in [low, high) shaped (and by default typed and laid out) like ``input``;
    ``randint_like(input, high)`` draws from [0, high)."""
    if high is None:
        low, high = 0, low
    dtype, device = _like("randint_like", input, dtype, device)
    t = _preserving_strides(input, lambda s: _C.randint(low, high, s, generator=generator, dtype=dtype,
                                                        device=device))
    return _finish(t, requires_grad)


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

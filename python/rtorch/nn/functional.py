"""``rtorch.nn.functional``: stateless activation and normalisation functions."""
from __future__ import annotations

from typing import Optional, Sequence

from rtorch import _C
from rtorch._C import Tensor


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Optional[float] = None) -> Tensor:
    """Pads the last ``len(pad) // 2`` dims of ``input``; ``pad`` lists (before, after) pairs
    starting from the last dim. Negative amounts crop. Only ``mode='constant'`` for now."""
    if mode != "constant":
        raise NotImplementedError(f"pad(): mode {mode!r} is not implemented yet; only 'constant' is")
    return _C.constant_pad_nd(input, pad, value)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x), elementwise. Shape: any."""
    return input.relu_() if inplace else input.relu()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit: x * Phi(x); ``approximate='tanh'`` uses the tanh form."""
    if approximate == "none":
        return input._gelu()
    if approximate == "tanh":
        return input._gelu_tanh()
    raise RuntimeError(f"approximate argument must be either none or tanh.")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x), elementwise."""
    return input.silu_() if inplace else input.silu()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), elementwise."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return input.tanh()


def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``. Shape: same as input."""
    if dim is None:
        dim = 0 if input.dim() in (0, 1, 3) else 1
    return input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably. Shape: same as input."""
    if dim is None:
        dim = 0 if input.dim() in (0, 1, 3) else 1
    return input.log_softmax(dim, dtype=dtype)

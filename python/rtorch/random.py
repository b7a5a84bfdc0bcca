"""``rtorch.random``: the state of the default random number generator."""
from __future__ import annotations

from typing import Any

from rtorch._C import Tensor, uint8

__all__ = ["get_rng_state", "set_rng_state", "manual_seed", "seed", "initial_seed"]


def _default_generator():
    import rtorch  # rtorch.default_generator is set after this module is imported

    return rtorch.default_generator


def get_rng_state() -> Tensor:
    """The state of the default random number generator, as a ``torch.ByteTensor`` (uint8 tensor)."""
    return _default_generator().get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Sets the state of the default random number generator from a uint8 tensor made by :func:`get_rng_state`."""
    gen = _default_generator()
    _check_state(new_state, gen.get_state().numel())
    gen.set_state(new_state)


def _check_state(new_state: Any, size: int) -> None:
    """torch's checks on a generator state: a CPU uint8 tensor of the generator's state size."""
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    if new_state.dtype != uint8 or new_state.device.type != "cpu":
        raise TypeError("RNG state must be a torch.ByteTensor")
    if new_state.numel() != size:
        raise RuntimeError(
            f"Expected a CPUGeneratorImplState of size {size} but found the input RNG state size to be "
            f"{new_state.numel()}"
        )


def manual_seed(seed: int):
    """Seeds the default generator and returns it (same as :func:`rtorch.manual_seed`)."""
    import rtorch

    return rtorch.manual_seed(seed)


def seed() -> int:
    """Seeds the default generator non-deterministically and returns the seed."""
    return _default_generator().seed()


def initial_seed() -> int:
    """The initial seed of the default generator."""
    return _default_generator().initial_seed()

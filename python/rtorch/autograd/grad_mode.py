"""Grad-mode switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

Each works as a context manager and as a decorator; the mode is per thread, as in torch.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

from rtorch import _C

F = TypeVar("F", bound=Callable[..., Any])


class _DecoratorContextManager:
    """Base for modes usable as ``with mode():`` and as ``@mode()``."""

    def __call__(self, func: F) -> F:
        if inspect.isclass(func):
            raise RuntimeError(f"{type(self).__name__} cannot decorate a class")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        value = next(gen)
                    while True:
                        sent = yield value
                        with self.clone():
                            value = gen.send(sent)
                except StopIteration as stop:
                    return stop.value
            return generator  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)
        return wrapper  # type: ignore[return-value]

    def clone(self) -> "_DecoratorContextManager":
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Disables gradient recording inside the block: results have ``requires_grad=False``."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # bare ``@no_grad``

    def __init__(self, orig_func: Any = None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = _C._set_grad_enabled(False)

    def __exit__(self, *exc: Any) -> None:
        _C._set_grad_enabled(self.prev)


class enable_grad(_DecoratorContextManager):
    """Enables gradient recording inside the block (undoing an outer ``no_grad``)."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # bare ``@enable_grad``

    def __init__(self, orig_func: Any = None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = _C._set_grad_enabled(True)

    def __exit__(self, *exc: Any) -> None:
        _C._set_grad_enabled(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode to ``mode``: at once when called, and restores it on exiting a ``with``."""

    def __init__(self, mode: bool) -> None:
        self.prev = _C._set_grad_enabled(bool(mode))
        self.mode = bool(mode)

    def __call__(self, func: F) -> F:
        # As a decorator it must not change the mode of the code that decorates.
        _C._set_grad_enabled(self.prev)
        return super().__call__(func)

    def __enter__(self) -> None:
        _C._set_grad_enabled(self.mode)

    def __exit__(self, *exc: Any) -> None:
        _C._set_grad_enabled(self.prev)

    def clone(self) -> "set_grad_enabled":
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``, for code that will never need gradients (``mode=False`` disables it)."""

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # bare ``@inference_mode``

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self.prev_grad = True
        self.prev_inference = False

    def __enter__(self) -> None:
        self.prev_inference = _C._set_inference_mode(self.mode)
        self.prev_grad = _C._set_grad_enabled(not self.mode)

    def __exit__(self, *exc: Any) -> None:
        _C._set_grad_enabled(self.prev_grad)
        _C._set_inference_mode(self.prev_inference)

    def clone(self) -> "inference_mode":
        return self.__class__(self.mode)


def is_grad_enabled() -> bool:
    """True when ops record the graph (the current thread's grad mode)."""
    return _C.is_grad_enabled()


def is_inference(input: "rtorch.Tensor") -> bool:
    """True when ``input`` was made under ``inference_mode`` (an inference tensor)."""
    return input.is_inference()


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode``."""
    return _C.is_inference_mode_enabled()

"""``rtorch.nn``: so far only the functional interface (modules come with a later issue)."""
from rtorch.nn import functional  # noqa: F401

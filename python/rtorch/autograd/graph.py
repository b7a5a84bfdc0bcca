"""``rtorch.autograd.graph``: the class of graph nodes (``tensor.grad_fn``)."""
from rtorch._C import Node  # noqa: F401

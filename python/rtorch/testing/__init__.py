"""``rtorch.testing``: ``assert_close`` and ``make_tensor``, as in ``torch.testing``."""
from rtorch.testing._comparison import assert_close  # noqa: F401
from rtorch.testing._creation import make_tensor  # noqa: F401

__all__ = ["assert_close", "make_tensor"]

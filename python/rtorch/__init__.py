"""rtorch: PyTorch's API on a Rust core. Use it as ``import rtorch as torch``."""
from __future__ import annotations

import builtins
from typing import Optional

from rtorch import _C
from rtorch._C import (  # noqa: F401
    Generator,
    Tensor,
    arange,
    as_tensor,
    broadcast_tensors,
    bucketize,
    cat,
    column_stack,
    dstack,
    hstack,
    meshgrid,
    repeat_interleave,
    searchsorted,
    stack,
    tril_indices,
    triu_indices,
    vstack,
    device,
    dtype,
    empty,
    empty_like,
    empty_strided,
    eye,
    from_numpy,
    full,
    full_like,
    get_default_dtype,
    get_num_threads,
    initial_seed,
    linspace,
    logspace,
    manual_seed as _manual_seed,
    normal,
    ones,
    ones_like,
    promote_types,
    rand,
    randint,
    randn,
    randperm,
    result_type,
    set_default_dtype,
    set_num_threads,
    tensor,
    zeros,
    zeros_like,
)
from rtorch._C import (  # noqa: F401  index ops (src/python/index_ops.rs)
    argwhere,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_select,
    masked_scatter,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    take,
    take_along_dim,
)
from rtorch._size import Size  # noqa: F401
from rtorch import _out as _out_rules
from rtorch._tensor_str import printoptions, set_printoptions  # noqa: F401
from rtorch import return_types, cuda, nn, autograd  # noqa: F401,E402
from rtorch.autograd.grad_mode import (  # noqa: F401,E402
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

from rtorch._dtype_info import finfo, iinfo  # noqa: F401,E402
from rtorch._compare import allclose, can_cast, equal, isclose  # noqa: F401,E402
from rtorch import random, testing  # noqa: F401,E402
from rtorch.random import get_rng_state, set_rng_state  # noqa: F401,E402
from rtorch import linalg  # noqa: F401,E402
from rtorch._linalg_api import (  # noqa: F401,E402
    addbmm, addmm, addmv, baddbmm, cdist, cholesky, cross, det, einsum, inverse, kron, logdet,
    matrix_power, pinverse, qr, slogdet, svd, tensordot,
)
from rtorch._random_api import (  # noqa: F401,E402
    bernoulli, multinomial, poisson, rand_like, randint_like, randn_like,
)

__version__ = "0.1.0"

float32 = float = _C.float32
float64 = double = _C.float64
float16 = half = _C.float16
bfloat16 = _C.bfloat16
int64 = long = _C.int64
int32 = int = _C.int32
int16 = short = _C.int16
int8 = _C.int8
uint8 = _C.uint8
bool = _C.bool

default_generator = _C._default_generator()


def manual_seed(seed: "builtins.int") -> Generator:
    """Seeds the default generator (with ``int(seed)``, modulo 2^64); returns it, as torch does."""
    _manual_seed(builtins.int(seed))
    return default_generator


def seed() -> int:
    """Seeds the default generator non-deterministically and returns the seed."""
    return default_generator.seed()


def _dtype_from_name(name: str) -> dtype:
    return getattr(_C, name)


def is_tensor(obj: object) -> "builtins.bool":
    """True when ``obj`` is an rtorch tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> "builtins.int":
    """Number of elements of ``input``."""
    return input.numel()


def _method_forward(name: str):
    by_rule = _out_rules.supports_out(name)

    def method(input: Tensor, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    def fn(input: Tensor, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
        out = kwargs.pop("out", None) if by_rule else None
        if out is not None:
            return _out_rules.call_with_out(name, method, input, args, kwargs, out)
        return method(input, *args, **kwargs)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"Function form of :meth:`Tensor.{name}`."
    return fn


# Function forms (``rtorch.exp(t)``) of the tensor methods: each forwards to the method,
# which does all the work in Rust.
_FORWARDED = """
add sub subtract mul multiply div divide true_divide floor_divide remainder pow atan2 arctan2
maximum minimum eq ne lt le gt ge greater greater_equal less less_equal not_equal
logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor bitwise_not
bitwise_left_shift bitwise_right_shift
neg negative abs absolute sign square relu floor ceil round trunc fix frac exp exp2 expm1
log log2 log10 log1p sqrt rsqrt reciprocal sin cos tan asin arcsin acos arccos atan arctan
sinh cosh tanh sigmoid erf erfinv silu clamp clip clamp_min clamp_max masked_fill lerp
nan_to_num isnan isinf isposinf isneginf isfinite
sum mean prod max min amax amin argmax argmin var std norm logsumexp all any count_nonzero
softmax log_softmax matmul mm bmm mv dot outer
reshape view flatten unflatten squeeze unsqueeze transpose swapaxes permute t narrow select
unfold clone
split chunk tensor_split unbind tile roll flip fliplr flipud rot90 movedim moveaxis swapdims
broadcast_to tril triu diag diagonal diag_embed trace
sort argsort msort topk kthvalue median nanmedian mode cumsum cumprod cummax cummin logcumsumexp
diff unique unique_consecutive bincount histc
abs_ acos_ arccos_ arcsin_ arctan_ asin_ atan_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ erf_
exp2_ exp_ expm1_ fix_ floor_ frac_ log10_ log1p_ log2_ log_ nan_to_num_ neg_ negative_ reciprocal_ relu_
round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ index_put_ addmv_ fill_ zero_
detach detach_ is_floating_point is_complex split_with_sizes as_strided as_strided_ resize_as_
""".split()
for _name in _FORWARDED:
    globals()[_name] = _method_forward(_name)
del _name


concat = concatenate = cat
for _name in ("zeros", "ones", "empty", "full", "arange", "eye", "linspace", "logspace", "randperm", "randint", "normal"):
    globals()[_name] = _out_rules.factory(_name, getattr(_C, _name))
del _name


def _clamp_min_(self: Tensor, min) -> Tensor:
    """In-place :meth:`clamp_min`."""
    return self.clamp_(min=min)


def _clamp_max_(self: Tensor, max) -> Tensor:
    """In-place :meth:`clamp_max`."""
    return self.clamp_(max=max)


def _divide_(self: Tensor, other, *, rounding_mode: Optional[str] = None) -> Tensor:
    """Alias of :meth:`div_`."""
    return self.div_(other, rounding_mode=rounding_mode)


def _subtract_(self: Tensor, other, *, alpha=1) -> Tensor:
    """Alias of :meth:`sub_`."""
    return self.sub_(other, alpha=alpha)


for _fn in (_clamp_min_, _clamp_max_, _divide_, _subtract_):
    _fn.__name__ = _fn.__qualname__ = _fn.__name__[1:]
    setattr(Tensor, _fn.__name__, _fn)
del _fn


def where(condition: Tensor, input=None, other=None, *, out: Optional[Tensor] = None) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcast together).

    ``input`` and ``other`` may be tensors or Python numbers (weak scalars for promotion). With ``condition``
    alone it is ``nonzero(condition, as_tuple=True)``: a tuple of index tensors, one per dimension.
    """
    if input is None and other is None:
        if not isinstance(condition, Tensor):
            raise TypeError(
                f"where(): argument 'condition' (position 1) must be Tensor, not {type(condition).__name__}"
            )
        return nonzero(condition, as_tuple=True)
    if out is not None:
        return _out_rules.call_with_out("where", _C._where, condition, (input, other), {}, out)
    return _C._where(condition, input, other)

"""Tensor printing for rtorch.

Produces exactly the strings PyTorch 2.x produces for ``repr(tensor)`` /
``str(tensor)``: ``tensor([1., 2., 3.])``, ``tensor(2.5000, dtype=torch.float64)``,
summarised ``...`` output for large tensors, wrapped rows, and the ``device=``,
``dtype=``, ``size=``, ``grad_fn=`` / ``requires_grad=`` suffixes.

The formatter only relies on a small, torch-compatible tensor surface:
``dim()``, ``numel()``, ``shape``, ``dtype``, ``device``, integer / slice
indexing and ``tolist()``.  Large tensors are cut down to their edge items by
slicing *before* ``tolist()`` is called, so printing a huge tensor only ever
moves a few dozen elements into Python.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import sys
from typing import Any, Dict, Iterator, List, Optional

__all__ = [
    "PRINT_OPTS",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
]


@dataclasses.dataclass
class _PrinterOptions:
    """Global print options (same fields and defaults as ``torch._tensor_str.PRINT_OPTS``)."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None


PRINT_OPTS = _PrinterOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: Optional[int] = None,
    threshold: Optional[float] = None,
    edgeitems: Optional[int] = None,
    linewidth: Optional[int] = None,
    profile: Optional[str] = None,
    sci_mode: Optional[bool] = None,
) -> None:
    """Set the options used when printing tensors (same semantics as ``torch.set_printoptions``).

    ``profile`` ('default', 'short' or 'full') resets precision, threshold, edgeitems and
    linewidth first; the explicit arguments then override it.  ``sci_mode`` is always
    assigned, so leaving it out restores automatic scientific-notation selection.
    """
    if profile is not None and profile in _PROFILES:
        (
            PRINT_OPTS.precision,
            PRINT_OPTS.threshold,
            PRINT_OPTS.edgeitems,
            PRINT_OPTS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> Dict[str, Any]:
    """Return the current print options as a dict usable as ``set_printoptions(**opts)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Context manager that temporarily applies ``set_printoptions(**kwargs)``."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# --------------------------------------------------------------------------- dtype helpers


def _dtype_name(dtype: Any) -> str:
    """``torch.float32``-style name of a dtype."""
    name = str(dtype)
    if not name.startswith("torch."):
        name = "torch." + name.rsplit(".", 1)[-1]
    return name


def _default_dtype_name() -> str:
    """Name of the current default floating dtype (``torch.float32`` unless changed)."""
    mod = sys.modules.get("rtorch")
    getter = getattr(mod, "get_default_dtype", None) if mod is not None else None
    if getter is not None:
        try:
            return _dtype_name(getter())
        except Exception:
            pass
    return "torch.float32"


def _value_kind(dtype: Any) -> str:
    """'bool', 'complex', 'float' or 'int' for a dtype."""
    name = _dtype_name(dtype)
    if name == "torch.bool":
        return "bool"
    if getattr(dtype, "is_complex", False) or name.startswith("torch.complex"):
        return "complex"
    if getattr(dtype, "is_floating_point", False) or name.startswith(
        ("torch.float", "torch.bfloat", "torch.half", "torch.double")
    ):
        return "float"
    return "int"


# --------------------------------------------------------------------------- data gathering


class _Elided:
    """A dimension cut down to its first and last ``edgeitems`` entries."""

    __slots__ = ("head", "tail")

    def __init__(self, head: List[Any], tail: List[Any]) -> None:
        self.head = head
        self.tail = tail


def _gather(t: Any, shape: tuple, edge: int) -> Any:
    """Nested Python lists of ``t``'s summarised contents (``_Elided`` where a dim is cut).

    Only called when summarising; slices before converting so big tensors stay on the Rust side.
    """
    if edge > 0 and all(s <= 2 * edge for s in shape):
        return t.tolist()
    n = shape[0]
    if len(shape) == 1:
        if edge == 0:
            return _Elided([], [])
        return _Elided(t[:edge].tolist(), t[n - edge:].tolist())
    sub = shape[1:]
    if n > 2 * edge:
        head = [_gather(t[i], sub, edge) for i in range(edge)]
        tail = [_gather(t[i], sub, edge) for i in range(n - edge, n)]
        return _Elided(head, tail)
    return [_gather(t[i], sub, edge) for i in range(n)]


def _flatten(node: Any, depth: int, out: List[Any]) -> None:
    """Append every scalar of a gathered nested structure to ``out``."""
    if depth == 0:
        out.append(node)
        return
    items = node.head + node.tail if isinstance(node, _Elided) else node
    if depth == 1:
        out.extend(items)
    else:
        for item in items:
            _flatten(item, depth - 1, out)


# --------------------------------------------------------------------------- element formatting


class _Formatter:
    """Chooses one layout (int / fixed / scientific, common width) for a set of values."""

    def __init__(self, values: List[Any], floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            for v in values:
                self.max_width = max(self.max_width, len(self._plain(v)))
            return

        finite = [v for v in values if v != 0 and math.isfinite(v)]
        if not finite:
            return
        abs_vals = [abs(float(v)) for v in finite]
        lo, hi = min(abs_vals), max(abs_vals)
        self.int_mode = all(float(v).is_integer() for v in finite)
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        prec = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{prec}e}") for v in finite)
        elif self.int_mode:
            # the trailing '.' marks the values as floating point
            widths = (len(f"{v:.0f}") + 1 for v in finite)
        else:
            widths = (len(f"{v:.{prec}f}") for v in finite)
        self.max_width = max(self.max_width, max(widths))

    @staticmethod
    def _plain(v: Any) -> str:
        if isinstance(v, bool):
            return "True" if v else "False"
        return f"{v}"

    def width(self) -> int:
        return self.max_width

    def format(self, v: Any) -> str:
        if self.floating:
            prec = PRINT_OPTS.precision
            if self.sci_mode:
                s = f"{v:{self.max_width}.{prec}e}"
            elif self.int_mode:
                s = f"{v:.0f}"
                if not (math.isinf(v) or math.isnan(v)):
                    s += "."
            else:
                s = f"{v:.{prec}f}"
        else:
            s = self._plain(v)
        return s.rjust(self.max_width)


class _ElementPrinter:
    """Formats single elements (real or complex) with shared formatters."""

    def __init__(self, values: List[Any], kind: str) -> None:
        self.complex = kind == "complex"
        if self.complex:
            self.real = _Formatter([complex(v).real for v in values], True)
            self.imag: Optional[_Formatter] = _Formatter([complex(v).imag for v in values], True)
            # real width, ", ", imag width and the 'j'
            self.element_length = self.real.width() + 2 + self.imag.width() + 1
        else:
            if kind == "bool":
                values = [bool(v) for v in values]
            self.real = _Formatter(values, kind == "float")
            self.imag = None
            self.element_length = self.real.width() + 2
        self.kind = kind

    def __call__(self, v: Any) -> str:
        if self.complex:
            v = complex(v)
            real_str = self.real.format(v.real)
            imag_str = (self.imag.format(v.imag) + "j").lstrip()
            if imag_str[0] in "+-":
                return real_str + imag_str
            return real_str + "+" + imag_str
        if self.kind == "bool":
            v = bool(v)
        return self.real.format(v)


# --------------------------------------------------------------------------- layout


def _vector_str(node: Any, indent: int, fmt: _ElementPrinter) -> str:
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / fmt.element_length))
    if isinstance(node, _Elided):
        if not node.head and not node.tail:
            data = ["..."]
        else:
            data = [fmt(v) for v in node.head] + [" ..."] + [fmt(v) for v in node.tail]
    else:
        data = [fmt(v) for v in node]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(node: Any, dim: int, indent: int, fmt: _ElementPrinter) -> str:
    if dim == 1:
        return _vector_str(node, indent, fmt)
    if isinstance(node, _Elided):
        slices = (
            [_nested_str(x, dim - 1, indent + 1, fmt) for x in node.head]
            + ["..."]
            + [_nested_str(x, dim - 1, indent + 1, fmt) for x in node.tail]
        )
    else:
        slices = [_nested_str(x, dim - 1, indent + 1, fmt) for x in node]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _scalar_of(t: Any) -> Any:
    v = t.tolist()
    while isinstance(v, (list, tuple)) and len(v) == 1:
        v = v[0]
    return v


def _tensor_str(t: Any, indent: int) -> str:
    """The bracketed contents of a (non-empty) tensor, lines indented for ``indent`` columns."""
    numel = t.numel()
    if numel == 0:
        return "[]"
    kind = _value_kind(t.dtype)
    dim = t.dim()
    if dim == 0:
        value = _scalar_of(t)
        return _ElementPrinter([value], kind)(value)

    shape = tuple(int(s) for s in t.shape)
    if numel > PRINT_OPTS.threshold:
        data = _gather(t, shape, int(PRINT_OPTS.edgeitems))
    else:
        data = t.tolist()
    values: List[Any] = []
    _flatten(data, dim, values)
    return _nested_str(data, dim, indent, _ElementPrinter(values, kind))


def _add_suffixes(tensor_str: str, suffixes: List[str], indent: int, force_newline: bool) -> str:
    parts = [tensor_str]
    # (mirrors torch: the running length is measured 2 chars generously)
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if force_newline or last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
            force_newline = False
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _prefix(t: Any) -> str:
    """'tensor(' for plain tensors and Parameters, '<ClassName>(' for other Tensor subclasses."""
    mod = sys.modules.get("rtorch")
    tensor_cls = getattr(mod, "Tensor", None) if mod is not None else None
    if not isinstance(tensor_cls, type) or not isinstance(t, tensor_cls):
        return "tensor("
    cls = type(t)
    if cls is tensor_cls:
        return "tensor("
    nn = getattr(mod, "nn", None)
    param_cls = getattr(nn, "Parameter", None) if nn is not None else None
    if param_cls is not None and cls is param_cls:
        return "tensor("
    return f"{cls.__name__}("


def _grad_fn_name(t: Any) -> Optional[str]:
    try:
        grad_fn = getattr(t, "grad_fn", None)
    except RuntimeError:
        return "Invalid"
    if grad_fn is None:
        return None
    name_fn = getattr(grad_fn, "name", None)
    if callable(name_fn):
        try:
            name = name_fn()
            if isinstance(name, str) and name:
                return name.rsplit("::", 1)[-1]
        except Exception:
            pass
    return type(grad_fn).__name__


def _str(self: Any, *, tensor_contents: Optional[str] = None) -> str:
    """``repr``/``str`` of a tensor, exactly as PyTorch prints it.

    ``tensor_contents`` replaces the bracketed data part (suffixes are still added).
    """
    prefix = _prefix(self)
    indent = len(prefix)
    suffixes: List[str] = []

    device = getattr(self, "device", None)
    if device is not None and getattr(device, "type", "cpu") != "cpu":
        suffixes.append("device='" + str(device) + "'")

    data = self
    detach = getattr(self, "detach", None)
    if callable(detach) and getattr(self, "requires_grad", False):
        try:
            data = detach()
        except Exception:
            data = self

    dtype_name = _dtype_name(self.dtype)
    default_dtype = _default_dtype_name()
    if self.numel() == 0:
        # the shape can't be read off the brackets unless it is (0,)
        if self.dim() != 1:
            suffixes.append("size=" + str(tuple(int(s) for s in self.shape)))
        # no elements to infer the dtype from, so anything but the default is shown
        if dtype_name != default_dtype:
            suffixes.append("dtype=" + dtype_name)
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(int(s) for s in self.shape)))
        default_complex = (
            "torch.complex128" if default_dtype == "torch.float64" else "torch.complex64"
        )
        if dtype_name not in (default_dtype, default_complex, "torch.int64", "torch.bool"):
            suffixes.append("dtype=" + dtype_name)
        tensor_str = _tensor_str(data, indent) if tensor_contents is None else ""
    if tensor_contents is not None:
        tensor_str = tensor_contents

    grad_fn_name = _grad_fn_name(self)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif getattr(self, "requires_grad", False):
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + tensor_str, suffixes, indent, False)

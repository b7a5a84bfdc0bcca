#!/usr/bin/env python3
"""rtorch benchmark harness: rtorch vs PyTorch vs numpy, CPU, float32.

    python benches/run.py                  # everything
    python benches/run.py --quick          # fewer repeats
    python benches/run.py --filter matmul  # subset (substring of name or group; comma = OR)
    python benches/run.py --json out.json  # also dump the results

Every workload runs with each library in turn, in this one process. A library that
cannot be imported, lacks an op ('-') or lacks a whole feature such as nn/optim ('n/a')
is skipped for that cell only; the reason is listed under the table.

Speedup columns read   speedup = other_time / rtorch_time   (> 1: rtorch is faster).
"""
from __future__ import annotations

import argparse
import ctypes
import functools
import gc
import importlib
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

import numpy as np

LIBS: tuple[str, ...] = ("rtorch", "torch", "numpy")
REF = "rtorch"  # the library the speedup columns are relative to
REPO = Path(__file__).resolve().parent.parent
SLOW_BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS")

Thunk = Callable[[], object]


# --------------------------------------------------------------------------- outcomes

class Missing(Exception):
    """The library lacks an op this workload needs: the cell shows '-'."""


class NotApplicable(Exception):
    """The workload does not apply (numpy has no autograd) or a whole feature such as
    nn/optim/utils.data is absent: the cell shows 'n/a'."""


# Errors that mean "this API variant does not exist here", as opposed to a bug in it.
MISSING_ERRORS: tuple[type[BaseException], ...] = (AttributeError, TypeError, NotImplementedError, ImportError)


@dataclass
class Impl:
    fn: Thunk
    label: str | None = None  # the API variant used, when the workload lists alternatives


@dataclass
class Measurement:
    status: Literal["ok", "missing", "n/a", "error"]
    median_s: float | None = None
    min_s: float | None = None
    samples: int = 0  # timed samples taken
    inner: int = 1  # calls per sample (tiny ops are batched so one sample is ~ms)
    throughput: float | None = None  # in the workload's unit
    variant: str | None = None
    note: str | None = None


# --------------------------------------------------------------------------- libraries

@dataclass
class Backend:
    """One library under test. `kind` picks the API family: rtorch and torch share one."""

    name: str
    kind: Literal["torch", "numpy"]
    mod: Any = None
    error: str | None = None  # why it could not be imported

    @property
    def available(self) -> bool:
        return self.mod is not None

    @property
    def version(self) -> str:
        if self.mod is None:
            return "-"
        return str(getattr(self.mod, "__version__", "?"))

    def tensor(self, arr: np.ndarray) -> Any:
        """Wrap a numpy array as this library's array (shared memory where supported)."""
        if self.kind == "numpy":
            return arr
        m = self.mod
        for ctor in ("from_numpy", "as_tensor", "tensor"):
            fn = getattr(m, ctor, None)
            if fn is None:
                continue
            try:
                return fn(arr)
            except MISSING_ERRORS:
                continue
        if arr.size <= 1 << 20 and hasattr(m, "tensor"):  # slow path: via Python lists
            return m.tensor(arr.tolist())
        raise Missing(f"cannot build a {arr.shape} tensor: no from_numpy/as_tensor/tensor(ndarray)")

    def empty_like(self, x: Any) -> Any:
        if self.kind == "numpy":
            return np.empty_like(x)
        for ctor in ("empty_like", "zeros_like"):
            fn = getattr(self.mod, ctor, None)
            if fn is not None:
                return fn(x)
        raise Missing("no empty_like/zeros_like for an out= buffer")

    def threads(self) -> str:
        if self.mod is None:
            return "-"
        if self.kind == "numpy":
            return numpy_threads()
        fn = getattr(self.mod, "get_num_threads", None)
        if fn is None:
            return f"unknown (no {self.name}.get_num_threads)"
        try:
            return str(fn())
        except Exception as e:  # noqa: BLE001
            return f"unknown ({type(e).__name__}: {e})"


def import_backend(name: str) -> Backend:
    kind: Literal["torch", "numpy"] = "numpy" if name == "numpy" else "torch"
    try:
        mod = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if name != "rtorch" or e.name != "rtorch":
            return Backend(name, kind, error=f"{type(e).__name__}: {e}")
        # Not installed: fall back to an in-tree build under python/ (maturin's python-source).
        sys.path.insert(0, str(REPO / "python"))
        try:
            mod = importlib.import_module(name)
        except Exception as e2:  # noqa: BLE001
            return Backend(name, kind, error=f"not installed; in-tree python/: {type(e2).__name__}: {e2}")
    except BaseException as e:  # noqa: BLE001 - a broken extension may raise anything, even a pyo3 panic
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return Backend(name, kind, error=f"{type(e).__name__}: {e}")
    if getattr(mod, "__file__", None) is None:  # empty directory imported as a namespace package
        return Backend(name, kind, error=f"{name} is an empty namespace package (not built?): {list(mod.__path__)}")
    return Backend(name, kind, mod)


def _openblas_call(name: str) -> Callable[..., Any] | None:
    """A function of the OpenBLAS that numpy loaded (symbols may carry scipy_ / 64_ affixes)."""
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return None
    paths = sorted({ln.split()[-1] for ln in maps if "openblas" in ln.lower() and ".so" in ln})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_", "64_"), ("scipy_", ""), ("", "64_"), ("", "")):
            fn = getattr(lib, f"{prefix}{name}{suffix}", None)
            if fn is not None:
                return fn
    return None


def numpy_threads() -> str:
    """numpy's BLAS thread count: threadpoolctl if present, else ask OpenBLAS via ctypes."""
    try:
        from threadpoolctl import threadpool_info  # type: ignore[import-not-found]

        pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            return ", ".join(f"{p['internal_api']}:{p['num_threads']} ({p.get('architecture', '?')})" for p in pools)
    except ImportError:
        pass
    except Exception as e:  # noqa: BLE001
        return f"unknown (threadpoolctl: {e})"
    get = _openblas_call("openblas_get_num_threads")
    if get is None:
        return "unknown (pip install threadpoolctl)"
    core = _openblas_call("openblas_get_corename")
    arch = ""
    if core is not None:
        core.restype = ctypes.c_char_p
        arch = f" ({core().decode()})"
    return f"openblas:{get()}{arch}"


_KEEP: list[Any] = []  # threadpoolctl limiters must stay referenced to stay in force


def set_threads(backends: dict[str, Backend], n: int) -> None:
    """--threads: set every library's intra-op thread count (never touches environment variables)."""
    for be in backends.values():
        if be.mod is None:
            continue
        if be.kind == "torch":
            if hasattr(be.mod, "set_num_threads"):
                be.mod.set_num_threads(n)
            else:
                print(f"note    : {be.name} has no set_num_threads; --threads not applied to it")
            continue
        try:
            from threadpoolctl import threadpool_limits  # type: ignore[import-not-found]

            _KEEP.append(threadpool_limits(limits=n, user_api="blas"))
        except ImportError:
            fn = _openblas_call("openblas_set_num_threads")
            if fn is None:
                print("note    : cannot set numpy's BLAS threads (pip install threadpoolctl)")
            else:
                fn(n)


# --------------------------------------------------------------------------- helpers for workloads

@functools.lru_cache(maxsize=None)
def data(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Deterministic float32 input, shared by all libraries of one workload (cache cleared after it)."""
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


@functools.lru_cache(maxsize=None)
def labels(n: int, classes: int = 10, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, classes, n, dtype=np.int64)


def lookup(mod: Any, path: str) -> Any:
    """`mod.a.b.c`, importing submodules (e.g. `utils.data`) on the way; AttributeError if absent."""
    obj = mod
    parts = path.split(".")
    for i, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(".".join([mod.__name__, *parts[: i + 1]]))
            except ImportError:
                raise AttributeError(f"{mod.__name__}.{path}") from None
    return obj


def need(be: Backend, *paths: str) -> Any:
    """The torch-like module if it has every dotted attribute in `paths`, else NotApplicable."""
    if be.kind == "numpy":
        raise NotApplicable("not applicable to numpy")
    absent: dict[str, None] = {}  # ordered set; report `nn` rather than each of nn.Linear, nn.ReLU...
    for path in paths:
        top = path.split(".")[0]
        for candidate in (top, path):
            try:
                lookup(be.mod, candidate)
            except AttributeError:
                absent[f"{be.name}.{candidate}"] = None
                break
    if absent:
        raise NotApplicable(f"no {', '.join(absent)}")
    return be.mod


def first_working(candidates: Sequence[tuple[str, Thunk]]) -> Impl:
    """Run each candidate once; keep the first that works.

    All failing with MISSING_ERRORS -> Missing (cell '-'); any other failure is a bug -> re-raised.
    """
    failures: list[str] = []
    bug: BaseException | None = None
    for label, fn in candidates:
        label = label or "op"
        try:
            fn()
        except (KeyboardInterrupt, SystemExit):
            raise
        except MISSING_ERRORS as e:
            failures.append(f"{label}: {type(e).__name__}: {e}")
        except BaseException as e:  # noqa: BLE001 - includes pyo3's PanicException
            failures.append(f"{label}: {type(e).__name__}: {e}")
            bug = bug or e
        else:
            if not failures:
                return Impl(fn)
            return Impl(fn, f"{label}, since {'; '.join(f[:100] for f in failures)}")  # a fallback: note it
    if bug is not None:
        raise bug
    raise Missing("; ".join(failures))


Op = Callable[..., object]  # (module, *arrays) -> result
Setup = Callable[[Backend], "Thunk | Impl"]


def tensor_op(
    shapes: Sequence[tuple[int, ...]],
    *,
    common: Op | None = None,
    torch: Sequence[tuple[str, Op]] = (),
    numpy: Sequence[tuple[str, Op]] = (),
    out: bool = False,
    grad: bool = False,
) -> Setup:
    """Setup for an op on random float32 inputs of `shapes`.

    `common` is one expression valid for every library (`lambda m, a, b: a @ b`); otherwise
    `torch` (rtorch and torch) and `numpy` list labelled alternatives tried in order.
    out=True appends a preallocated output buffer to the arguments; grad=True marks the
    first input requires_grad (numpy: n/a).
    """

    def setup(be: Backend) -> Impl:
        cands = [("", common)] if common is not None else list(torch if be.kind == "torch" else numpy)
        if not cands:
            raise NotApplicable(f"no {be.kind} implementation")
        args = [be.tensor(data(tuple(s), seed=i)) for i, s in enumerate(shapes)]
        if grad:
            if be.kind == "numpy":
                raise NotApplicable("numpy has no autograd")
            try:
                args[0].requires_grad_(True)
            except MISSING_ERRORS as e:
                raise Missing(f"no autograd: requires_grad_: {type(e).__name__}: {e}") from None
        if out:
            args.append(be.empty_like(args[0]))
        m = be.mod
        return first_working([(label, functools.partial(op, m, *args)) for label, op in cands])

    return setup


# --------------------------------------------------------------------------- the registry

@dataclass(frozen=True)
class Metric:
    unit: str
    scale: float  # throughput = work / time / scale


GFLOPS = Metric("GFLOP/s", 1e9)
GBPS = Metric("GB/s", 1e9)
MOPS = Metric("Mop/s", 1e6)
SAMPLES = Metric("samples/s", 1.0)


@dataclass(frozen=True)
class Workload:
    name: str
    group: str
    metric: Metric
    work: float  # FLOPs, bytes moved, ops or samples per call
    setup: Setup  # Backend -> the thunk to time (raises Missing / NotApplicable)


WORKLOADS: list[Workload] = []


def register(name: str, group: str, metric: Metric, work: float, setup: Setup) -> None:
    WORKLOADS.append(Workload(name, group, metric, work, setup))


F32 = 4
N16M = 16 * 2**20


def _gelu_np(m: Any, a: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # type: ignore[import-not-found]

    return 0.5 * a * (1.0 + erf(a * np.float32(1 / math.sqrt(2))))


def _softmax_np(m: Any, x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


for _n in (256, 512, 1024, 2048):
    register(f"matmul {_n}", "matmul", GFLOPS, 2 * _n**3,
             tensor_op([(_n, _n), (_n, _n)], common=lambda m, a, b: a @ b))

# Elementwise, fresh output each call. Bytes = inputs read + output written.
register("add 16M", "elementwise", GBPS, 3 * F32 * N16M, tensor_op([(N16M,)] * 2, common=lambda m, a, b: a + b))
register("mul 16M", "elementwise", GBPS, 3 * F32 * N16M, tensor_op([(N16M,)] * 2, common=lambda m, a, b: a * b))
register("relu 16M", "elementwise", GBPS, 2 * F32 * N16M, tensor_op(
    [(N16M,)],
    torch=[("relu", lambda m, a: m.relu(a)), ("F.relu", lambda m, a: m.nn.functional.relu(a)),
           ("Tensor.relu", lambda m, a: a.relu())],
    numpy=[("maximum", lambda m, a: np.maximum(a, 0))]))
register("gelu 16M", "elementwise", GBPS, 2 * F32 * N16M, tensor_op(
    [(N16M,)],
    torch=[("F.gelu", lambda m, a: m.nn.functional.gelu(a)), ("gelu", lambda m, a: m.gelu(a)),
           ("Tensor.gelu", lambda m, a: a.gelu())],
    numpy=[("scipy.special.erf", _gelu_np)]))

# Elementwise into a preallocated output.
register("add out= 16M", "elementwise_out", GBPS, 3 * F32 * N16M, tensor_op(
    [(N16M,)] * 2, out=True,
    torch=[("add(out=)", lambda m, a, b, c: m.add(a, b, out=c))],
    numpy=[("add(out=)", lambda m, a, b, c: np.add(a, b, out=c))]))
register("mul out= 16M", "elementwise_out", GBPS, 3 * F32 * N16M, tensor_op(
    [(N16M,)] * 2, out=True,
    torch=[("mul(out=)", lambda m, a, b, c: m.mul(a, b, out=c))],
    numpy=[("multiply(out=)", lambda m, a, b, c: np.multiply(a, b, out=c))]))
register("relu out= 16M", "elementwise_out", GBPS, 2 * F32 * N16M, tensor_op(
    [(N16M,)], out=True,
    torch=[("relu(out=)", lambda m, a, c: m.relu(a, out=c)),  # torch.relu has no out=: falls through
           ("clamp_min(out=)", lambda m, a, c: m.clamp_min(a, 0, out=c)),
           ("clamp(min=0, out=)", lambda m, a, c: m.clamp(a, min=0, out=c))],
    numpy=[("maximum(out=)", lambda m, a, c: np.maximum(a, 0, out=c))]))

# Reductions. Bytes: sum reads n floats; softmax nominally reads + writes n floats.
register("sum 16M", "reduction", GBPS, F32 * N16M, tensor_op([(N16M,)], common=lambda m, a: a.sum()))
register("softmax 1024x1024", "reduction", GBPS, 2 * F32 * 1024 * 1024, tensor_op(
    [(1024, 1024)],
    torch=[("F.softmax", lambda m, x: m.nn.functional.softmax(x, dim=-1)),
           ("softmax", lambda m, x: m.softmax(x, dim=-1)), ("Tensor.softmax", lambda m, x: x.softmax(-1))],
    numpy=[("exp/sum", _softmax_np)]))

# Indexing: reading and writing through an int64 index. Bytes = data read + index read + written.
@functools.lru_cache(maxsize=None)
def index_data(shape: tuple[int, ...], high: int, seed: int = 2) -> np.ndarray:
    """Deterministic int64 indices in [0, high), shared by all libraries of one workload."""
    return np.random.default_rng(seed).integers(0, high, shape, dtype=np.int64)


def index_op(x_shape: tuple[int, ...], idx_shape: tuple[int, ...], high: int, *, torch: Op, numpy: Op,
             src_shape: tuple[int, ...] | None = None) -> Setup:
    """Setup for `op(m, x, index[, src])`: random float32 `x` (and `src`), int64 `index` in [0, high)."""

    def setup(be: Backend) -> Impl:
        args = [be.tensor(data(x_shape)), be.tensor(index_data(idx_shape, high))]
        if src_shape is not None:
            args.append(be.tensor(data(src_shape, seed=1)))
        op = torch if be.kind == "torch" else numpy
        return first_working([("", functools.partial(op, be.mod, *args))])

    return setup


_ROWS, _COLS, _PICK = 4096, 1024, 256
register("index_select rows 4096x1024", "indexing", GBPS, 2 * F32 * _ROWS * _COLS + 8 * _ROWS, index_op(
    (_ROWS, _COLS), (_ROWS,), _ROWS,
    torch=lambda m, x, i: m.index_select(x, 0, i), numpy=lambda m, x, i: np.take(x, i, axis=0)))
register("gather dim1 4096x1024 by 4096x256", "indexing", GBPS, (2 * F32 + 8) * _ROWS * _PICK, index_op(
    (_ROWS, _COLS), (_ROWS, _PICK), _COLS,
    torch=lambda m, x, i: m.gather(x, 1, i), numpy=lambda m, x, i: np.take_along_axis(x, i, axis=1)))
register("scatter_add_ dim1 4096x256 into 4096x1024", "indexing", GBPS, (3 * F32 + 8) * _ROWS * _PICK, index_op(
    (_ROWS, _COLS), (_ROWS, _PICK), _COLS, src_shape=(_ROWS, _PICK),
    torch=lambda m, x, i, s: x.scatter_add_(1, i, s),
    numpy=lambda m, x, i, s: np.add.at(x, (np.arange(_ROWS)[:, None], i), s)))

# Sorting and scans along the last dim. Bytes: read n floats, write n values (+ n int64 indices).
register("sort rows 4096x1024", "sorting", GBPS, (2 * F32 + 8) * _ROWS * _COLS, tensor_op(
    [(_ROWS, _COLS)], torch=[("sort", lambda m, x: m.sort(x, -1))], numpy=[("sort", lambda m, x: np.sort(x, -1))]))
register("topk 16 of 4096x1024", "sorting", GBPS, F32 * _ROWS * _COLS, tensor_op(
    [(_ROWS, _COLS)], torch=[("topk", lambda m, x: m.topk(x, 16, -1))],
    numpy=[("partition", lambda m, x: np.partition(x, -16, -1))]))
register("cumsum rows 4096x1024", "sorting", GBPS, 2 * F32 * _ROWS * _COLS, tensor_op(
    [(_ROWS, _COLS)], torch=[("cumsum", lambda m, x: m.cumsum(x, -1))], numpy=[("cumsum", lambda m, x: np.cumsum(x, -1))]))
register("cumsum dim0 4096x1024", "sorting", GBPS, 2 * F32 * _ROWS * _COLS, tensor_op(
    [(_ROWS, _COLS)], torch=[("cumsum", lambda m, x: m.cumsum(x, 0))], numpy=[("cumsum", lambda m, x: np.cumsum(x, 0))]))

# Linear algebra. einsum contracts through batched GEMM (FLOPs of the contraction); the
# factorizations are timed on well-conditioned float32 matrices (FLOPs: the usual n^3 counts).
def linalg_op(shape: tuple[int, ...], prepare: Callable[[np.ndarray], np.ndarray], *,
              torch: Sequence[tuple[str, Op]], numpy: Sequence[tuple[str, Op]]) -> Setup:
    def setup(be: Backend) -> Impl:
        x = be.tensor(np.ascontiguousarray(prepare(data(shape)), dtype=np.float32))
        cands = list(torch if be.kind == "torch" else numpy)
        return first_working([(label, functools.partial(op, be.mod, x)) for label, op in cands])

    return setup


def _shifted(a: np.ndarray) -> np.ndarray:
    return a + a.shape[-1] ** 0.5 * np.eye(a.shape[-1], dtype=a.dtype)


def _spd(a: np.ndarray) -> np.ndarray:
    return a @ a.swapaxes(-1, -2) / a.shape[-1] + np.eye(a.shape[-1], dtype=a.dtype)


_B, _H, _Q, _D = 8, 8, 256, 64
register("einsum bhqd,bhkd->bhqk 8x8x256x64", "linalg", GFLOPS, 2 * _B * _H * _Q * _Q * _D, tensor_op(
    [(_B, _H, _Q, _D)] * 2, common=lambda m, q, k: m.einsum("bhqd,bhkd->bhqk", q, k)))
register("einsum ij,jk->ik 1024", "linalg", GFLOPS, 2 * 1024**3, tensor_op(
    [(1024, 1024)] * 2, common=lambda m, a, b: m.einsum("ij,jk->ik", a, b)))
register("einsum bij,bjk->bik 64x128", "linalg", GFLOPS, 2 * 64 * 128**3, tensor_op(
    [(64, 128, 128)] * 2, common=lambda m, a, b: m.einsum("bij,bjk->bik", a, b)))
register("bmm 1024 of 32x32", "linalg", GFLOPS, 2 * 1024 * 32**3, tensor_op(
    [(1024, 32, 32)] * 2, torch=[("bmm", lambda m, a, b: m.bmm(a, b))], numpy=[("matmul", lambda m, a, b: a @ b)]))
for _n in (64, 256):
    register(f"inv {_n}", "linalg", GFLOPS, 2 * _n**3, linalg_op(
        (_n, _n), _shifted, torch=[("linalg.inv", lambda m, a: m.linalg.inv(a))],
        numpy=[("linalg.inv", lambda m, a: np.linalg.inv(a))]))
register("solve 256 x 256 rhs", "linalg", GFLOPS, 2 * 256**3 * 5 / 3, linalg_op(
    (256, 256), _shifted, torch=[("linalg.solve", lambda m, a: m.linalg.solve(a, a))],
    numpy=[("linalg.solve", lambda m, a: np.linalg.solve(a, a))]))
register("det batch 256 of 16x16", "linalg", GFLOPS, 256 * 2 * 16**3 / 3, linalg_op(
    (256, 16, 16), _shifted, torch=[("linalg.det", lambda m, a: m.linalg.det(a))],
    numpy=[("linalg.det", lambda m, a: np.linalg.det(a))]))
register("cholesky 512", "linalg", GFLOPS, 512**3 / 3, linalg_op(
    (512, 512), _spd, torch=[("linalg.cholesky", lambda m, a: m.linalg.cholesky(a))],
    numpy=[("linalg.cholesky", lambda m, a: np.linalg.cholesky(a))]))
register("qr 256x128", "linalg", GFLOPS, 2 * 256 * 128**2, linalg_op(
    (256, 128), lambda a: a, torch=[("linalg.qr", lambda m, a: m.linalg.qr(a))],
    numpy=[("linalg.qr", lambda m, a: np.linalg.qr(a))]))
register("svd 128", "linalg", GFLOPS, 22 * 128**3, linalg_op(
    (128, 128), lambda a: a, torch=[("linalg.svd", lambda m, a: m.linalg.svd(a, full_matrices=False))],
    numpy=[("linalg.svd", lambda m, a: np.linalg.svd(a, full_matrices=False))]))
register("eigh 128", "linalg", GFLOPS, 9 * 128**3, linalg_op(
    (128, 128), _spd, torch=[("linalg.eigh", lambda m, a: m.linalg.eigh(a))],
    numpy=[("linalg.eigh", lambda m, a: np.linalg.eigh(a))]))

# Per-op overhead on tiny tensors (the time column is the cost of one op).
register("tiny add 8", "dispatch", MOPS, 1, tensor_op([(8,)] * 2, common=lambda m, a, b: a + b))
register("tiny add 8 (grad)", "dispatch", MOPS, 1, tensor_op([(8,)] * 2, grad=True, common=lambda m, a, b: a + b))


def _grad_leaf(be: Backend, shape: tuple[int, ...], seed: int) -> Any:
    if be.kind == "numpy":
        raise NotApplicable("numpy has no autograd")
    t = be.tensor(data(shape, seed=seed))
    try:
        return t.requires_grad_(True)
    except MISSING_ERRORS as e:
        raise Missing(f"no autograd: requires_grad_: {type(e).__name__}: {e}") from None


def _chain(be: Backend) -> Thunk:
    """100 tiny ops recorded, then one backward through all of them."""
    x = _grad_leaf(be, (8,), 0)

    def step() -> object:
        y = x
        for _ in range(50):
            y = y * 1.0001 + 0.001
        y.sum().backward()
        x.grad = None
        return y

    return step


def _autograd_mlp(be: Backend) -> Thunk:
    """Forward and backward of a 784-256-10 MLP on 64 samples, written with tensor ops."""
    w1, w2 = _grad_leaf(be, (784, 256), 1), _grad_leaf(be, (256, 10), 2)
    x = be.tensor(data((64, 784), seed=0))

    def step() -> object:
        loss = -((x @ w1).relu() @ w2).log_softmax(-1)[:, 0].mean()
        loss.backward()
        w1.grad = None
        w2.grad = None
        return loss

    return step


def _resident_mb() -> float | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, AttributeError):
        return None


def autograd_memory_growth(be: Backend, steps: int = 10_000) -> float | None:
    """Resident-memory growth (MB) over `steps` forward+backward+SGD steps of a small MLP:
    flat (about 0) when graphs and saved tensors are freed every step."""
    w1, w2 = _grad_leaf(be, (64, 32), 1), _grad_leaf(be, (32, 10), 2)
    x = be.tensor(data((16, 64), seed=0))
    m = be.mod

    def step() -> None:
        loss = -((x @ w1).relu() @ w2).log_softmax(-1)[:, 0].mean()
        loss.backward()
        with m.no_grad():
            for p in (w1, w2):
                p -= 0.01 * p.grad
                p.grad = None

    for _ in range(1000):
        step()
    before = _resident_mb()
    for _ in range(steps):
        step()
    after = _resident_mb()
    return None if before is None or after is None else after - before


# Per-op time: the chain's time column divided by its 100 forward ops (plus their backward).
register("chain 100 tiny ops fwd+bwd", "autograd", MOPS, 100, _chain)
register("mlp fwd+bwd b64 (tensor ops)", "autograd", SAMPLES, 64, _autograd_mlp)


# Training and data loading: torch-like libraries with nn / optim / utils.data only.
def _train_step(be: Backend, build: Callable[[Any], Any], x_shape: tuple[int, ...], *layers: str) -> Thunk:
    m = need(be, "nn.Sequential", "nn.ReLU", "nn.Linear", *layers, "nn.CrossEntropyLoss", "optim.SGD")
    if hasattr(m, "manual_seed"):
        m.manual_seed(0)
    model = build(m.nn)
    opt = m.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = m.nn.CrossEntropyLoss()
    x, y = be.tensor(data(x_shape, seed=0)), be.tensor(labels(x_shape[0]))

    def step() -> object:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _mlp(nn: Any) -> Any:
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def _cnn(nn: Any) -> Any:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 16x14x14
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32x7x7
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
    )


def _loader_epoch(be: Backend) -> Thunk:
    m = need(be, "utils.data.TensorDataset", "utils.data.DataLoader")
    if hasattr(m, "manual_seed"):
        m.manual_seed(0)
    tud = lookup(m, "utils.data")
    ds = tud.TensorDataset(be.tensor(data((60000, 784), seed=0)), be.tensor(labels(60000)))
    loader = tud.DataLoader(ds, batch_size=64, shuffle=True)

    def epoch() -> int:
        n = 0
        for xb, _yb in loader:
            n += len(xb)
        return n

    return epoch


register("mlp step b64", "training", SAMPLES, 64, lambda be: _train_step(be, _mlp, (64, 784)))
register("cnn step b64", "training", SAMPLES, 64,
         lambda be: _train_step(be, _cnn, (64, 1, 28, 28), "nn.Conv2d", "nn.MaxPool2d", "nn.Flatten"))
register("dataloader epoch", "data", SAMPLES, 60000, _loader_epoch)


# --------------------------------------------------------------------------- timing

@dataclass(frozen=True)
class TimingConfig:
    budget_s: float  # stop sampling after this much time (once min_samples are in)
    max_samples: int  # ... or after this many samples
    min_samples: int = 3
    hard_cap_s: float = 5.0  # a very slow op stops here even below min_samples (>= 1 sample)

    @property
    def min_sample_s(self) -> float:  # batch fast calls so one sample lasts at least this long
        return max(1e-3, self.budget_s / self.max_samples)


def time_thunk(fn: Thunk, cfg: TimingConfig) -> tuple[list[float], int]:
    """Per-call times (s) of `fn`, already warmed up once, and the calls per sample."""
    gc.collect()
    t0 = time.perf_counter()
    fn()  # second warm-up call, also sizes the inner loop
    first = time.perf_counter() - t0
    samples: list[float] = []
    if first >= cfg.min_sample_s:
        inner = 1
        samples.append(first)  # already warm: the probe call was the warm-up
    else:
        inner = min(1_000_000, math.ceil(cfg.min_sample_s / max(first, 1e-9)))
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        while True:
            elapsed = time.perf_counter() - start
            n = len(samples)
            if n >= cfg.max_samples or (n >= cfg.min_samples and elapsed >= cfg.budget_s):
                break
            if n >= 1 and elapsed >= cfg.hard_cap_s:
                break
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            samples.append((time.perf_counter() - t0) / inner)
    finally:
        if was_enabled:
            gc.enable()
    return samples, inner


def measure(w: Workload, be: Backend, cfg: TimingConfig) -> Measurement:
    if not be.available:
        return Measurement("n/a", note="not importable")
    impl: Impl | None = None
    try:
        made = w.setup(be)
        impl = made if isinstance(made, Impl) else first_working([("", made)])
        del made
        samples, inner = time_thunk(impl.fn, cfg)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Missing as e:
        return Measurement("missing", note=str(e))
    except NotApplicable as e:
        return Measurement("n/a", note=str(e))
    except BaseException as e:  # noqa: BLE001 - pyo3 panics derive from BaseException
        return Measurement("error", note=f"{type(e).__name__}: {e}")
    finally:
        variant = impl.label if impl is not None else None
        impl = None  # drop the closure (and its big buffers) before the next library runs
        gc.collect()
    med = statistics.median(samples)
    return Measurement("ok", med, min(samples), len(samples), inner, w.work / med / w.metric.scale, variant)


# --------------------------------------------------------------------------- output

def fmt_time(s: float | None) -> str:
    if s is None:
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s * 1e9:.0f} ns"


def fmt_num(x: float | None) -> str:
    if x is None:
        return ""
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


CELL = {"missing": "-", "n/a": "n/a", "error": "err"}


@dataclass
class Row:
    workload: Workload
    results: dict[str, Measurement] = field(default_factory=dict)

    def speedup(self, other: str) -> float | None:
        ref, oth = self.results.get(REF), self.results.get(other)
        if ref and oth and ref.status == oth.status == "ok" and ref.median_s and oth.median_s:
            return oth.median_s / ref.median_s
        return None


class Table:
    def __init__(self, libs: Sequence[str]) -> None:
        self.libs = list(libs)
        self.others = [lib for lib in libs if lib != REF] if REF in libs else []
        cols: list[tuple[str, int]] = [("workload", 20)]
        cols += [(f"t {lib}", 9) for lib in self.libs]
        cols += [(lib, 8) for lib in self.libs] + [("unit", 9)]
        cols += [(f"vs {o}", 8) for o in self.others]
        self.cols = cols

    def _line(self, cells: Sequence[str]) -> str:
        (_, w0), *rest = self.cols
        out = [cells[0].ljust(w0)] + [c.rjust(w) for c, (_, w) in zip(cells[1:], rest)]
        return " ".join(out)

    def header(self) -> str:
        n = len(self.libs)
        spans = [("median time per call", 1, n), ("throughput", n + 1, 2 * n + 1)]
        if self.others:
            spans.append((f"speedup of {REF}", 2 * n + 2, 2 * n + 1 + len(self.others)))
        starts = [sum(w + 1 for _, w in self.cols[:i]) for i in range(len(self.cols) + 1)]
        top = ""
        for label, first, last in spans:
            width = starts[last + 1] - 1 - starts[first]
            top = top.ljust(starts[first]) + label.center(width, "_" if len(label) < width - 2 else " ")
        cols = self._line([c for c, _ in self.cols])
        return f"{top.rstrip()}\n{cols}\n{'-' * len(cols)}"

    def row(self, r: Row) -> str:
        res = [r.results[lib] for lib in self.libs]
        cells = [r.workload.name]
        cells += [fmt_time(m.median_s) if m.status == "ok" else CELL[m.status] for m in res]
        cells += [fmt_num(m.throughput) if m.status == "ok" else CELL[m.status] for m in res]
        cells.append(r.workload.metric.unit)
        for o in self.others:
            s = r.speedup(o)
            cells.append("-" if s is None else f"{s:.2f}x")
        return self._line(cells)


def notes(rows: Sequence[Row], backends: dict[str, Backend]) -> list[str]:
    """Why cells are '-', 'n/a' or 'err', and which API variant stood in; identical notes merged."""
    merged: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        for lib, m in r.results.items():
            if not backends[lib].available or (m.status == "n/a" and backends[lib].kind == "numpy"):
                continue  # reported at the top / obvious
            if m.status == "ok" and m.variant:
                text = f"used fallback {m.variant}"
            elif m.status in ("missing", "n/a", "error") and m.note:
                text = f"{CELL[m.status]}: {m.note}"
            else:
                continue
            merged.setdefault((lib, text), []).append(r.workload.name)
    return [f"  {lib} [{', '.join(names)}] {text}" for (lib, text), names in merged.items()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(backends: dict[str, Backend]) -> dict[str, Any]:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    return {
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": cpus,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libs": {
            name: {"version": be.version, "threads": be.threads(), "error": be.error,
                   "path": getattr(be.mod, "__file__", None)}
            for name, be in backends.items()
        },
        "env": {k: os.environ[k] for k in SLOW_BLAS_VARS + THREAD_VARS if k in os.environ},
        "load_avg_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def print_environment(env: dict[str, Any]) -> None:
    print(f"CPU     : {env['cpu']}  ({env['usable_cpus']} usable of {env['logical_cpus']} logical CPUs)")
    print(f"Python  : {env['python']}  on {env['platform']}")
    for name, info in env["libs"].items():
        if info["error"]:
            print(f"{name:<8}: NOT AVAILABLE - {info['error']}")
        else:
            print(f"{name:<8}: {info['version']:<14} threads={info['threads']:<24} {info['path']}")
    set_vars = {k: v for k, v in env["env"].items() if k in THREAD_VARS}
    if set_vars:
        print("thread env: " + " ".join(f"{k}={v}" for k, v in set_vars.items()))
    load1 = env["load_avg_1min"]
    if load1 is not None and load1 > 0.5:
        print(f"WARNING : 1-min load average is {load1:.2f}; other processes compete for the CPU, so "
              "timings (especially multithreaded ones) will be noisy")
    slow = {k: v for k, v in env["env"].items() if k in SLOW_BLAS_VARS}
    if slow:
        print(f"WARNING : {' '.join(f'{k}={v}' for k, v in slow.items())} is set; this can slow numpy's "
              "OpenBLAS. For representative numbers run:\n"
              "          env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benches/run.py")


# --------------------------------------------------------------------------- main

def select(filters: str | None) -> list[Workload]:
    if not filters:
        return list(WORKLOADS)
    subs = [f.strip().lower() for f in filters.split(",") if f.strip()]
    return [w for w in WORKLOADS if any(s in w.name.lower() or s in w.group.lower() for s in subs)]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--filter", metavar="SUBSTR", help="run workloads whose name or group contains SUBSTR "
                   "(case-insensitive; comma-separated alternatives)")
    p.add_argument("--quick", action="store_true", help="short budget and few repeats (smoke test)")
    p.add_argument("--json", metavar="PATH", help="write environment and results as JSON")
    p.add_argument("--libs", default=",".join(LIBS), help=f"comma-separated subset of {','.join(LIBS)}")
    p.add_argument("--budget", type=float, help="seconds of sampling per workload and library "
                   "(default 0.5, --quick 0.1)")
    p.add_argument("--reps", type=int, help="max samples per workload and library (default 100, --quick 10)")
    p.add_argument("--threads", type=int, metavar="N", help="set every library's thread count to N "
                   "(torch/rtorch set_num_threads, numpy's BLAS); default: leave each library's own")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    return p.parse_args(argv)


def progress(msg: str) -> None:
    """Transient status line on an interactive terminal; nothing when output is redirected."""
    if sys.stderr.isatty():
        print(f"\r\033[K{msg}", end="", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    workloads = select(args.filter)
    if args.list:
        for w in workloads:
            print(f"{w.group:<16} {w.name:<22} {w.metric.unit}")
        return 0
    if not workloads:
        print(f"no workload matches --filter {args.filter!r}; see --list", file=sys.stderr)
        return 2
    libs = [lib.strip() for lib in args.libs.split(",") if lib.strip()]
    if unknown := [lib for lib in libs if lib not in LIBS]:
        print(f"unknown --libs {unknown}; choose from {LIBS}", file=sys.stderr)
        return 2
    cfg = TimingConfig(
        budget_s=args.budget if args.budget is not None else (0.1 if args.quick else 0.5),
        max_samples=args.reps if args.reps is not None else (10 if args.quick else 100),
        min_samples=2 if args.quick else 3,
        hard_cap_s=2.0 if args.quick else 5.0,
    )

    backends = {lib: import_backend(lib) for lib in libs}
    if args.threads is not None:
        set_threads(backends, args.threads)
    env = environment(backends)
    print_environment(env)
    print(f"timing  : median of up to {cfg.max_samples} samples or ~{cfg.budget_s:g} s per cell, "
          f"after warm-up; float32, CPU")
    if REF in libs and len(libs) > 1:
        print(f"speedup : 'vs X' = X_time / {REF}_time   (> 1 means {REF} is faster)")
    print("cells   : '-' library lacks the op, 'n/a' not applicable / feature absent, 'err' failed (see notes)")
    print()

    table = Table(libs)
    print(table.header(), flush=True)
    rows: list[Row] = []
    interrupted = False
    try:
        group = None
        for w in workloads:
            if group is not None and w.group != group:
                print()
            group = w.group
            row = Row(w)
            for lib in libs:
                progress(f"  {w.name}: {lib} ...")
                row.results[lib] = measure(w, backends[lib], cfg)
            progress("")
            data.cache_clear()
            labels.cache_clear()
            rows.append(row)
            print(table.row(row), flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted; reporting what finished", file=sys.stderr)

    summary = geomeans(rows, table.others)
    if summary:
        print()
        for other, (g, n) in summary.items():
            print(f"geomean speedup of {REF} vs {other}: {g:.2f}x over {n} workloads")
    if extra := notes(rows, backends):
        print("\nnotes:")
        print("\n".join(extra))
    if any(w.group == "autograd" for w in workloads):
        growth = []
        for lib, be in backends.items():
            try:
                mb = autograd_memory_growth(be)
            except (NotApplicable, Missing, *MISSING_ERRORS):
                continue
            if mb is not None:
                growth.append(f"{lib} {mb:+.1f} MB")
        if growth:
            print("\nautograd memory: resident growth over 10,000 MLP training steps: " + ", ".join(growth))

    if args.json:
        payload = {
            "environment": env,
            "config": {**asdict(cfg), "threads": args.threads, "filter": args.filter},
            "speedup_definition": f"other_time / {REF}_time (> 1: {REF} faster)",
            "interrupted": interrupted,
            "results": [
                {
                    "workload": r.workload.name,
                    "group": r.workload.group,
                    "unit": r.workload.metric.unit,
                    "work_per_call": r.workload.work,
                    "libs": {lib: asdict(m) for lib, m in r.results.items()},
                    "speedup": {o: r.speedup(o) for o in table.others},
                }
                for r in rows
            ],
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 130 if interrupted else 0


def geomeans(rows: Sequence[Row], others: Sequence[str]) -> dict[str, tuple[float, int]]:
    out: dict[str, tuple[float, int]] = {}
    for o in others:
        s = [x for r in rows if (x := r.speedup(o)) is not None]
        if s:
            out[o] = (math.exp(sum(map(math.log, s)) / len(s)), len(s))
    return out


if __name__ == "__main__":
    sys.exit(main())

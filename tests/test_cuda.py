"""CUDA: kernels compile through NVRTC everywhere (no GPU needed); device behaviour is
checked against the CPU results on a machine with a GPU, and skipped without one."""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import rtorch
from conftest import ALL_DTYPES, NP_DTYPES, assert_close, to_numpy

HAS_GPU = rtorch.cuda.is_available()
needs_gpu = pytest.mark.skipif(not HAS_GPU, reason="no CUDA device")


def _has_nvrtc_wheel() -> bool:
    spec = importlib.util.find_spec("nvidia")
    roots = spec.submodule_search_locations if spec is not None else []
    return any(os.path.isfile(os.path.join(r, "cu13", "lib", "libnvrtc.so.13")) for r in roots or [])


HAS_NVRTC = _has_nvrtc_wheel()


def sample(dtype: str, shape, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in ("int8", "uint8"):
        return rng.integers(0, 50, shape).astype(NP_DTYPES[dtype])
    if dtype.startswith("int"):
        return rng.integers(-1000, 1000, shape).astype(NP_DTYPES[dtype])
    return rng.standard_normal(shape).astype(NP_DTYPES[dtype])


def make(dtype: str, shape, seed: int = 0) -> rtorch.Tensor:
    return rtorch.tensor(sample(dtype, shape, seed), dtype=getattr(rtorch, dtype))


# ---- everywhere ----------------------------------------------------------------------------

@pytest.mark.skipif(not HAS_NVRTC, reason="NVIDIA's nvrtc wheel is not installed (pip install 'rtorch[test]')")
@pytest.mark.parametrize("arch", ["sm_75", "sm_90"])
def test_every_kernel_compiles_through_nvrtc(arch):
    compiled = dict(rtorch._C._cuda_compile_kernels(arch))
    assert set(compiled) == {"copy.cu", "binary.cu"}
    assert all(size > 1000 for size in compiled.values()), compiled


@pytest.mark.skipif(not HAS_NVRTC, reason="NVIDIA's nvrtc wheel is not installed")
def test_bad_architecture_is_an_error():
    with pytest.raises(RuntimeError, match="gpu-architecture"):
        rtorch._C._cuda_compile_kernels("sm_1")
    with pytest.raises(ValueError, match="architecture"):
        rtorch._C._cuda_compile_kernels("sm_90\0")


def test_queries_never_raise():
    assert isinstance(rtorch.cuda.is_available(), bool)
    count = rtorch.cuda.device_count()
    assert isinstance(count, int) and count >= 0
    assert rtorch.cuda.is_available() == (count > 0)


@pytest.mark.skipif(HAS_GPU, reason="a GPU is present")
@pytest.mark.parametrize("make_cuda", [
    lambda: rtorch.zeros(3, device="cuda"),
    lambda: rtorch.ones(2).cuda(),
    lambda: rtorch.ones(2).to("cuda"),
    lambda: rtorch.tensor([1.0], device="cuda:0"),
    lambda: rtorch.cuda.synchronize(),
])
def test_without_gpu_cuda_use_is_a_runtime_error(make_cuda):
    with pytest.raises(RuntimeError):
        make_cuda()


# ---- with a GPU ----------------------------------------------------------------------------

@needs_gpu
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_round_trip_every_dtype(dtype):
    x = make(dtype, (5, 7))
    y = x.cuda()
    assert y.is_cuda and y.device.type == "cuda" and y.device.index == 0
    assert y.dtype == x.dtype and y.shape == x.shape
    back = y.cpu()
    assert back.device.type == "cpu"
    assert_close(back, to_numpy(x))


@needs_gpu
@pytest.mark.parametrize("view", [
    lambda t: t.t(),
    lambda t: t[::2, 1:],
    lambda t: t[1],
    lambda t: t[:, :1].expand(6, 4),
    lambda t: t.unsqueeze(0).expand(2, 6, 5).transpose(0, 2),
])
def test_non_contiguous_round_trips(view):
    x = make("float32", (6, 5))
    expected = to_numpy(view(x))
    on_gpu = view(x).cuda()
    assert_close(on_gpu.cpu(), expected)
    # and the same view taken on the device, then moved back
    assert_close(view(x.cuda()).cpu(), expected)
    assert_close(view(x.cuda()).contiguous().cpu(), expected)


@needs_gpu
def test_empty_and_zero_dim():
    e = rtorch.zeros(0, 3).cuda()
    assert tuple(e.shape) == (0, 3) and tuple(e.cpu().shape) == (0, 3)
    s = rtorch.tensor(2.5).cuda()
    assert s.item() == 2.5 and s.cpu().ndim == 0
    assert (s + s).item() == 5.0


@needs_gpu
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("op", ["add", "mul", "sub"])
def test_binary_matches_cpu(dtype, op):
    if dtype == "bool" and op == "sub":
        pytest.skip("torch refuses bool subtraction on every device")
    a, b = make(dtype, (4, 1, 6), 1), make(dtype, (3, 6), 2)
    if dtype in ("float16", "bfloat16", "float32"):
        # NaN, infinities and values that overflow the 16-bit types.
        a[0, 0, :4] = rtorch.tensor([float("nan"), float("inf"), -float("inf"), 60000.0])
        b[0, :4] = rtorch.tensor([1.0, 1.0, 2.0, 60000.0])
    expected = getattr(a, op)(b)
    got = getattr(a.cuda(), op)(b.cuda())
    assert got.is_cuda and got.dtype == expected.dtype
    # Both devices compute 16-bit floats in float32 and round once: results agree exactly.
    assert_close(got.cpu(), to_numpy(expected), rtol=0, atol=0)


@needs_gpu
def test_add_beyond_one_grid():
    # More elements than one launch of 65,535 blocks x 256 threads covers.
    n = 65_535 * 256 + 12_345
    a = rtorch.arange(n, dtype=rtorch.float32)
    got = (a.cuda() + a.cuda()).cpu()
    assert_close(got, 2 * np.arange(n, dtype=np.float32), rtol=0, atol=0)


@needs_gpu
def test_in_place_with_overlapping_operand():
    x = rtorch.arange(10.0).cuda()
    x[1:] += x[:-1]
    expected = np.arange(10.0, dtype=np.float32)
    expected[1:] += expected[:-1].copy()
    assert_close(x.cpu(), expected)


@needs_gpu
def test_empty_bool_holds_valid_bools():
    junk = rtorch.full((1 << 20,), 3.5).cuda()
    del junk
    e = rtorch.empty(1 << 20, dtype=rtorch.bool, device="cuda")
    assert set(np.unique(e.cpu().numpy().view(np.uint8)).tolist()) <= {0, 1}


@needs_gpu
def test_add_strided_operands_scalars_and_out():
    a = make("float64", (8, 6), 3)
    b = make("float64", (6, 8), 4)
    assert_close((a.cuda().t() + b.cuda()).cpu(), to_numpy(a.t() + b))
    assert_close((a.cuda()[::2] + b.cuda().t()[1::2]).cpu(), to_numpy(a[::2] + b.t()[1::2]))
    assert_close((a.cuda() + 2).cpu(), to_numpy(a + 2))
    assert_close((3 + a.cuda()).cpu(), to_numpy(a + 3))
    assert_close((a.cuda() + rtorch.tensor(1.5)).cpu(), to_numpy(a + 1.5))
    out = rtorch.empty(6, 8, dtype=rtorch.float64).cuda()
    r = rtorch.add(a.cuda().t(), b.cuda(), out=out)
    assert r is out
    assert_close(out.cpu(), to_numpy(a.t() + b))
    x = a.cuda()
    x += 1
    assert_close(x.cpu(), to_numpy(a + 1))


@needs_gpu
def test_type_promotion_and_casting_copies():
    i = make("int32", (5,), 5)
    f = make("float32", (5,), 6)
    got = i.cuda() + f.cuda()
    assert got.dtype == rtorch.float32
    assert_close(got.cpu(), to_numpy(i + f))
    assert_close(i.cuda().double().cpu(), to_numpy(i.double()))
    dst = rtorch.zeros(5, dtype=rtorch.float64).cuda()
    dst.copy_(f)
    assert_close(dst.cpu(), to_numpy(f.double()))
    host = rtorch.zeros(5, dtype=rtorch.float64)
    host.copy_(f.cuda())
    assert_close(host, to_numpy(f.double()))


@needs_gpu
def test_writes_into_device_views():
    x = rtorch.zeros(4, 6).cuda()
    x[1:3, ::2].copy_(rtorch.ones(2, 3))
    expected = np.zeros((4, 6), np.float32)
    expected[1:3, ::2] = 1
    assert_close(x.cpu(), expected)
    x.t()[0].copy_(rtorch.arange(4.0).cuda())
    expected.T[0] = np.arange(4.0)
    assert_close(x.cpu(), expected)


@needs_gpu
def test_repr_tolist_and_numpy():
    x = rtorch.tensor([[1.0, 2.0]]).cuda()
    assert repr(x) == "tensor([[1., 2.]], device='cuda:0')"
    assert x.tolist() == [[1.0, 2.0]]
    with pytest.raises(TypeError, match="cuda"):
        x.numpy()


@needs_gpu
def test_errors_on_device():
    a = rtorch.ones(3).cuda()
    with pytest.raises(RuntimeError, match="same device"):
        a + rtorch.ones(3)
    with pytest.raises(NotImplementedError):
        a / a
    with pytest.raises(NotImplementedError):
        a.exp()
    with pytest.raises(RuntimeError):
        rtorch.ones(1).to(f"cuda:{rtorch.cuda.device_count()}")
    with pytest.raises(RuntimeError, match="out tensor to have device"):
        rtorch.add(a, a, out=rtorch.empty(3))
    with pytest.raises(RuntimeError, match="single memory location"):
        rtorch.zeros(1).cuda().expand(3).copy_(a)


@needs_gpu
def test_synchronize_and_name():
    rtorch.cuda.synchronize()
    assert isinstance(rtorch.cuda.get_device_name(0), str) and rtorch.cuda.get_device_name(0)

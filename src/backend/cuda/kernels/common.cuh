// Shared by every kernel source: the strided geometry of an elementwise launch, and the
// 16-bit float conversions (NVRTC ships no cuda_fp16.h, so we convert with PTX and bits).

#define RT_MAX_DIMS 8

// Mirrors `Geometry` in geometry.rs field for field: dims are coalesced and ordered
// outermost first; stride[k] is operand k's stride in elements (operand 0 is the output).
struct Geometry {
    int ndim;
    int contiguous;
    long long size[RT_MAX_DIMS];
    long long stride[3][RT_MAX_DIMS];
};

// Element offsets of linear index `i` in each of the first `nops` operands.
template <int nops>
__device__ __forceinline__ void offsets(const Geometry& g, long long i, long long* off) {
    #pragma unroll
    for (int k = 0; k < nops; ++k) off[k] = 0;
    if (g.contiguous) {
        #pragma unroll
        for (int k = 0; k < nops; ++k) off[k] = i;
        return;
    }
    for (int d = g.ndim - 1; d >= 0; --d) {
        long long idx = i % g.size[d];
        i /= g.size[d];
        #pragma unroll
        for (int k = 0; k < nops; ++k) off[k] += idx * g.stride[k][d];
    }
}

#define RT_GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long)blockDim.x * gridDim.x)

struct f16 { unsigned short bits; };
struct bf16 { unsigned short bits; };

__device__ __forceinline__ float to_float(f16 h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h.bits));
    return f;
}
__device__ __forceinline__ float to_float(bf16 h) {
    return __uint_as_float(((unsigned int)h.bits) << 16);
}
__device__ __forceinline__ f16 to_f16(float f) {
    f16 h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.bits) : "f"(f));
    return h;
}
__device__ __forceinline__ bf16 to_bf16(float f) {
    bf16 h;
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        h.bits = (unsigned short)((u >> 16) | 0x40u);  // quiet NaN
    } else {
        u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even
        h.bits = (unsigned short)(u >> 16);
    }
    return h;
}

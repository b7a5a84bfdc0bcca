// Elementwise binary ops: out = op(a, b) over a strided, broadcast geometry. Float16 and
// bfloat16 compute in float32 and round once, as torch's CUDA kernels do.

template <typename T> struct Add { __device__ T operator()(T a, T b) const { return a + b; } };
template <typename T> struct Sub { __device__ T operator()(T a, T b) const { return a - b; } };
template <typename T> struct Mul { __device__ T operator()(T a, T b) const { return a * b; } };

// 32- and 64-bit integers wrap on overflow as in torch; in C++ signed overflow is undefined,
// so those go through their unsigned twins.
#define RT_WRAPPING(Op, sym, T, U) \
    template <> struct Op<T> { __device__ T operator()(T a, T b) const { return (T)((U)a sym (U)b); } };
RT_WRAPPING(Add, +, int, unsigned int)
RT_WRAPPING(Sub, -, int, unsigned int)
RT_WRAPPING(Mul, *, int, unsigned int)
RT_WRAPPING(Add, +, long long, unsigned long long)
RT_WRAPPING(Sub, -, long long, unsigned long long)
RT_WRAPPING(Mul, *, long long, unsigned long long)

template <typename T, typename Op>
__device__ __forceinline__ void binary_loop(T* out, const T* a, const T* b, const Geometry& g, long long n) {
    Op op;
    RT_GRID_STRIDE_LOOP(i, n) {
        long long off[3];
        offsets<3>(g, i, off);
        out[off[0]] = op(a[off[1]], b[off[2]]);
    }
}

template <typename H, typename Op>
__device__ __forceinline__ void binary_loop_16(H* out, const H* a, const H* b, const Geometry& g, long long n,
                                               H (*round)(float)) {
    Op op;
    RT_GRID_STRIDE_LOOP(i, n) {
        long long off[3];
        offsets<3>(g, i, off);
        out[off[0]] = round(op(to_float(a[off[1]]), to_float(b[off[2]])));
    }
}

#define RT_BINARY(op, suffix, T)                                                                   \
extern "C" __global__ void op##_##suffix(T* out, const T* a, const T* b, Geometry g, long long n) { \
    binary_loop<T, op<T> >(out, a, b, g, n);                                                       \
}
#define RT_BINARY_16(op, suffix, H, round)                                                         \
extern "C" __global__ void op##_##suffix(H* out, const H* a, const H* b, Geometry g, long long n) { \
    binary_loop_16<H, op<float> >(out, a, b, g, n, round);                                         \
}
#define RT_BINARY_ALL(op)                       \
    RT_BINARY(op, f32, float)                   \
    RT_BINARY(op, f64, double)                  \
    RT_BINARY(op, i64, long long)               \
    RT_BINARY(op, i32, int)                     \
    RT_BINARY(op, i16, short)                   \
    RT_BINARY(op, i8, signed char)              \
    RT_BINARY(op, u8, unsigned char)            \
    RT_BINARY(op, b8, bool)                     \
    RT_BINARY_16(op, f16, f16, to_f16)          \
    RT_BINARY_16(op, bf16, bf16, to_bf16)

RT_BINARY_ALL(Add)
RT_BINARY_ALL(Sub)
RT_BINARY_ALL(Mul)

// Strided copy on one device: out[geometry] = in[geometry], by element size, so one kernel
// serves every dtype of that size. Broadcast sources come with zero strides.

#define RT_COPY(name, T)                                                              \
extern "C" __global__ void name(T* out, const T* in, Geometry g, long long n) {      \
    RT_GRID_STRIDE_LOOP(i, n) {                                                      \
        long long off[2];                                                            \
        offsets<2>(g, i, off);                                                       \
        out[off[0]] = in[off[1]];                                                    \
    }                                                                                \
}

RT_COPY(copy_1, unsigned char)
RT_COPY(copy_2, unsigned short)
RT_COPY(copy_4, unsigned int)
RT_COPY(copy_8, unsigned long long)

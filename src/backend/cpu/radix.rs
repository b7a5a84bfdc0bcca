//! Order-preserving integer keys for every element type, and a stable LSD radix sort of
//! one row by them. Sorting 8-bit digits of a key is O(n) per byte and branch-free, where a
//! comparison sort pays a mispredicted branch per comparison: on rows of a few hundred
//! elements and more it is several times faster, with the same (stable) result.

/// An unsigned key that orders like torch's sort order: numbers ascending, -0.0 equal to
/// 0.0, every NaN equal and above +inf.
pub trait SortKey: Copy {
    /// How many low bytes of the key can differ (the passes a radix sort needs).
    const KEY_BYTES: usize;
    fn sort_key(self) -> u64;
}

/// The key of an IEEE float given its raw bits (`sign` is the sign bit of its width).
#[inline(always)]
fn float_key(bits: u64, sign: u64, is_nan: bool, is_zero: bool) -> u64 {
    let all = sign | (sign - 1);
    if is_nan {
        return all;
    }
    if is_zero {
        return sign;
    }
    // Negative numbers invert all bits (larger magnitude sorts lower), positive ones set the
    // sign bit; computed with a mask, not a branch, since signs are often random.
    let negative = ((bits & sign) != 0) as u64;
    bits ^ ((negative.wrapping_neg() & all) | sign)
}

macro_rules! unsigned_key {
    ($($t:ty),*) => {$(
        impl SortKey for $t {
            const KEY_BYTES: usize = std::mem::size_of::<$t>();
            #[inline(always)]
            fn sort_key(self) -> u64 { self as u64 }
        }
    )*};
}
unsigned_key!(u8);

macro_rules! signed_key {
    ($($t:ty => $u:ty),*) => {$(
        impl SortKey for $t {
            const KEY_BYTES: usize = std::mem::size_of::<$t>();
            // Flipping the sign bit maps two's complement onto unsigned order.
            #[inline(always)]
            fn sort_key(self) -> u64 { ((self as $u) ^ (1 << (<$u>::BITS - 1))) as u64 }
        }
    )*};
}
signed_key!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

impl SortKey for bool {
    const KEY_BYTES: usize = 1;
    #[inline(always)]
    fn sort_key(self) -> u64 {
        self as u64
    }
}

impl SortKey for f32 {
    const KEY_BYTES: usize = 4;
    #[inline(always)]
    fn sort_key(self) -> u64 {
        float_key(self.to_bits() as u64, 1 << 31, self.is_nan(), self == 0.0)
    }
}

impl SortKey for f64 {
    const KEY_BYTES: usize = 8;
    #[inline(always)]
    fn sort_key(self) -> u64 {
        float_key(self.to_bits(), 1 << 63, self.is_nan(), self == 0.0)
    }
}

impl SortKey for half::f16 {
    const KEY_BYTES: usize = 2;
    #[inline(always)]
    fn sort_key(self) -> u64 {
        float_key(self.to_bits() as u64, 1 << 15, self.is_nan(), self.to_bits() & 0x7fff == 0)
    }
}

impl SortKey for half::bf16 {
    const KEY_BYTES: usize = 2;
    #[inline(always)]
    fn sort_key(self) -> u64 {
        float_key(self.to_bits() as u64, 1 << 15, self.is_nan(), self.to_bits() & 0x7fff == 0)
    }
}

/// Reusable buffers of one row's sort.
#[derive(Default)]
pub struct RadixScratch {
    keys: Vec<u64>,
    positions: Vec<u32>,
    spare_keys: Vec<u64>,
    spare_positions: Vec<u32>,
}

impl RadixScratch {
    /// Stably sorts `row` (descending: largest first, NaN first) and returns the original
    /// positions in sorted order. Rows must be shorter than 2^32.
    pub fn sort<T: SortKey>(&mut self, row: &[T], descending: bool) -> &[u32] {
        let n = row.len();
        let flip = if descending { u64::MAX } else { 0 };
        self.keys.clear();
        self.keys.extend(row.iter().map(|x| x.sort_key() ^ flip));
        self.positions.clear();
        self.positions.extend(0..n as u32);
        self.spare_keys.resize(n, 0);
        self.spare_positions.resize(n, 0);

        let bytes = T::KEY_BYTES;
        let mut counts = [[0u32; 256]; 8];
        for &k in &self.keys {
            for (b, c) in counts.iter_mut().enumerate().take(bytes) {
                c[((k >> (8 * b)) & 0xff) as usize] += 1;
            }
        }
        for (b, c) in counts.iter().enumerate().take(bytes) {
            let Some(&first) = self.keys.first() else { break };
            if c[((first >> (8 * b)) & 0xff) as usize] as usize == n {
                continue; // every key has the same digit here: the pass would change nothing
            }
            let mut next = [0u32; 256];
            let mut sum = 0;
            for (o, &count) in next.iter_mut().zip(c) {
                *o = sum;
                sum += count;
            }
            for (&k, &p) in self.keys.iter().zip(&self.positions) {
                let d = ((k >> (8 * b)) & 0xff) as usize;
                let at = next[d] as usize;
                next[d] += 1;
                self.spare_keys[at] = k;
                self.spare_positions[at] = p;
            }
            std::mem::swap(&mut self.keys, &mut self.spare_keys);
            std::mem::swap(&mut self.positions, &mut self.spare_positions);
        }
        &self.positions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_keys_follow_torch_order() {
        let order = [f32::NEG_INFINITY, -1.5, -1e-40, 0.0, 1e-40, 2.0, f32::INFINITY, f32::NAN];
        for w in order.windows(2) {
            assert!(w[0].sort_key() < w[1].sort_key(), "{} vs {}", w[0], w[1]);
        }
        assert_eq!((-0.0f32).sort_key(), 0.0f32.sort_key());
        assert_eq!((-f32::NAN).sort_key(), f32::NAN.sort_key());
    }

    #[test]
    fn radix_sort_is_stable_both_ways() {
        let row = [3i32, -1, 3, i32::MIN, 0, -1, i32::MAX];
        let mut s = RadixScratch::default();
        assert_eq!(s.sort(&row, false), &[3, 1, 5, 4, 0, 2, 6]);
        assert_eq!(s.sort(&row, true), &[6, 0, 2, 4, 1, 5, 3]);
    }
}

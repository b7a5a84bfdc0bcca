//! Per-element arithmetic with torch's semantics for each dtype: integers wrap on overflow,
//! `//` and `%` follow Python's signs, floats follow IEEE.

use half::{bf16, f16};

use crate::dtype::Element;

pub trait Arith: Element {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// True division for floats; integer callers promote to float first.
    fn div(self, o: Self) -> Self;
    fn floor_div(self, o: Self) -> Self;
    fn rem(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn sign(self) -> Self;
    /// NaN-propagating max/min (torch.maximum/minimum).
    fn max_nan(self, o: Self) -> Self;
    fn min_nan(self, o: Self) -> Self;
    fn is_nan(self) -> bool;
    fn is_zero(self) -> bool;
}

/// Bitwise ops, for integers and bool.
pub trait Bits: Element {
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn not(self) -> Self;
    fn shl(self, o: Self) -> Self;
    fn shr(self, o: Self) -> Self;
}

macro_rules! int_arith {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)] fn sub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline(always)] fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline(always)] fn div(self, o: Self) -> Self { if o == 0 { 0 } else { self.wrapping_div(o) } }
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                if o == 0 { return 0; }
                let q = self.wrapping_div(o);
                #[allow(unused_comparisons)]
                if (self.wrapping_rem(o) != 0) && ((self < 0) != (o < 0)) { q.wrapping_sub(1) } else { q }
            }
            #[inline(always)]
            fn rem(self, o: Self) -> Self {
                if o == 0 { return 0; }
                let r = self.wrapping_rem(o);
                #[allow(unused_comparisons)]
                if r != 0 && ((r < 0) != (o < 0)) { r.wrapping_add(o) } else { r }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                #[allow(unused_comparisons)]
                if o < 0 {
                    // torch: integer ** negative integer is 1 for base 1, +-1 for base -1, else 0.
                    #[allow(unused_comparisons)]
                    return if self == 1 { 1 } else if self as i64 == -1 { if (o as i64) % 2 == 0 { 1 } else { self } } else { 0 };
                }
                self.wrapping_pow(o as u32)
            }
            #[inline(always)] fn neg(self) -> Self { (0 as $t).wrapping_sub(self) }
            #[inline(always)]
            fn abs(self) -> Self {
                #[allow(unused_comparisons)]
                if self < 0 { (0 as $t).wrapping_sub(self) } else { self }
            }
            #[inline(always)]
            fn sign(self) -> Self {
                #[allow(unused_comparisons)]
                if self > 0 { 1 } else if self < 0 { (0 as $t).wrapping_sub(1) } else { 0 }
            }
            #[inline(always)] fn max_nan(self, o: Self) -> Self { if self > o { self } else { o } }
            #[inline(always)] fn min_nan(self, o: Self) -> Self { if self < o { self } else { o } }
            #[inline(always)] fn is_nan(self) -> bool { false }
            #[inline(always)] fn is_zero(self) -> bool { self == 0 }
        }
        impl Bits for $t {
            #[inline(always)] fn and(self, o: Self) -> Self { self & o }
            #[inline(always)] fn or(self, o: Self) -> Self { self | o }
            #[inline(always)] fn xor(self, o: Self) -> Self { self ^ o }
            #[inline(always)] fn not(self) -> Self { !self }
            #[inline(always)]
            fn shl(self, o: Self) -> Self {
                let bits = (std::mem::size_of::<$t>() * 8) as i64;
                let s = o as i64;
                if s < 0 || s >= bits { 0 } else { self.wrapping_shl(s as u32) }
            }
            #[inline(always)]
            fn shr(self, o: Self) -> Self {
                let bits = (std::mem::size_of::<$t>() * 8) as i64;
                let s = o as i64;
                #[allow(unused_comparisons)]
                if s < 0 || s >= bits { if self < 0 { (0 as $t).wrapping_sub(1) } else { 0 } } else { self.wrapping_shr(s as u32) }
            }
        }
    )*};
}
int_arith!(u8, i8, i16, i32, i64);

impl Bits for bool {
    #[inline(always)] fn and(self, o: Self) -> Self { self & o }
    #[inline(always)] fn or(self, o: Self) -> Self { self | o }
    #[inline(always)] fn xor(self, o: Self) -> Self { self ^ o }
    #[inline(always)] fn not(self) -> Self { !self }
    #[inline(always)] fn shl(self, o: Self) -> Self { ((self as u8) << (o as u8)) != 0 }
    #[inline(always)] fn shr(self, o: Self) -> Self { ((self as u8) >> (o as u8)) != 0 }
}

impl Arith for bool {
    #[inline(always)] fn add(self, o: Self) -> Self { self | o }
    #[inline(always)] fn sub(self, o: Self) -> Self { self ^ o }
    #[inline(always)] fn mul(self, o: Self) -> Self { self & o }
    #[inline(always)] fn div(self, o: Self) -> Self { self & o }
    #[inline(always)] fn floor_div(self, o: Self) -> Self { self & o }
    #[inline(always)] fn rem(self, _o: Self) -> Self { false }
    #[inline(always)] fn pow(self, o: Self) -> Self { self | !o }
    #[inline(always)] fn neg(self) -> Self { self }
    #[inline(always)] fn abs(self) -> Self { self }
    #[inline(always)] fn sign(self) -> Self { self }
    #[inline(always)] fn max_nan(self, o: Self) -> Self { self | o }
    #[inline(always)] fn min_nan(self, o: Self) -> Self { self & o }
    #[inline(always)] fn is_nan(self) -> bool { false }
    #[inline(always)] fn is_zero(self) -> bool { !self }
}

macro_rules! float_arith {
    ($t:ty) => {
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { self + o }
            #[inline(always)] fn sub(self, o: Self) -> Self { self - o }
            #[inline(always)] fn mul(self, o: Self) -> Self { self * o }
            #[inline(always)] fn div(self, o: Self) -> Self { self / o }
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                // Python's float floor division: floor of the exact quotient via fmod.
                if o == 0.0 { return self / o; }
                let m = self % o;
                let mut div = (self - m) / o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) { div -= 1.0; }
                if div != 0.0 {
                    let f = div.floor();
                    if div - f > 0.5 { f + 1.0 } else { f }
                } else {
                    (0.0 as $t).copysign(self / o)
                }
            }
            #[inline(always)]
            fn rem(self, o: Self) -> Self {
                let m = self % o;
                if m != 0.0 && ((m < 0.0) != (o < 0.0)) { m + o } else { m }
            }
            #[inline(always)] fn pow(self, o: Self) -> Self { self.powf(o) }
            #[inline(always)] fn neg(self) -> Self { -self }
            #[inline(always)] fn abs(self) -> Self { self.abs() }
            #[inline(always)]
            fn sign(self) -> Self { if self > 0.0 { 1.0 } else if self < 0.0 { -1.0 } else { 0.0 } }
            #[inline(always)]
            fn max_nan(self, o: Self) -> Self { if self.is_nan() || o.is_nan() { <$t>::NAN } else if self > o { self } else { o } }
            #[inline(always)]
            fn min_nan(self, o: Self) -> Self { if self.is_nan() || o.is_nan() { <$t>::NAN } else if self < o { self } else { o } }
            #[inline(always)] fn is_nan(self) -> bool { self.is_nan() }
            #[inline(always)] fn is_zero(self) -> bool { self == 0.0 }
        }
    };
}
float_arith!(f32);
float_arith!(f64);

macro_rules! half_arith {
    ($t:ty) => {
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() + o.to_f32()) }
            #[inline(always)] fn sub(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() - o.to_f32()) }
            #[inline(always)] fn mul(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() * o.to_f32()) }
            #[inline(always)] fn div(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() / o.to_f32()) }
            #[inline(always)] fn floor_div(self, o: Self) -> Self { <$t>::from_f32(self.to_f32().floor_div(o.to_f32())) }
            #[inline(always)] fn rem(self, o: Self) -> Self { <$t>::from_f32(Arith::rem(self.to_f32(), o.to_f32())) }
            #[inline(always)] fn pow(self, o: Self) -> Self { <$t>::from_f32(self.to_f32().powf(o.to_f32())) }
            #[inline(always)] fn neg(self) -> Self { -self }
            #[inline(always)] fn abs(self) -> Self { <$t>::from_f32(self.to_f32().abs()) }
            #[inline(always)] fn sign(self) -> Self { <$t>::from_f32(Arith::sign(self.to_f32())) }
            #[inline(always)] fn max_nan(self, o: Self) -> Self { <$t>::from_f32(self.to_f32().max_nan(o.to_f32())) }
            #[inline(always)] fn min_nan(self, o: Self) -> Self { <$t>::from_f32(self.to_f32().min_nan(o.to_f32())) }
            #[inline(always)] fn is_nan(self) -> bool { self.is_nan() }
            #[inline(always)] fn is_zero(self) -> bool { self.to_f32() == 0.0 }
        }
    };
}
half_arith!(f16);
half_arith!(bf16);

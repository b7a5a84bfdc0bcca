//! Scalar math for the unary family, on f32 and f64. Half types compute through f32.
//!
//! `exp` on f32 is a branch-free polynomial so that loops over it vectorise (softmax, sigmoid
//! and silu spend their time there); everything else defers to std or libm.

pub trait FloatMath: Copy + Send + Sync + 'static {
    fn exp(self) -> Self;
    fn exp2(self) -> Self;
    fn expm1(self) -> Self;
    fn ln(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn log1p(self) -> Self;
    fn sqrt(self) -> Self;
    fn rsqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tanh(self) -> Self;
    fn sigmoid(self) -> Self;
    fn erf(self) -> Self;
    fn erfinv(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn round_even(self) -> Self;
    fn trunc(self) -> Self;
    fn frac(self) -> Self;
    fn recip(self) -> Self;
    fn relu(self) -> Self;
    fn gelu(self) -> Self;
    fn gelu_tanh(self) -> Self;
    fn silu(self) -> Self;
    fn atan2(self, o: Self) -> Self;
}

const ROUND_MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23

/// e^x for f32, branch-free (vectorisable), within about 2 ulp for normal results; results
/// in the subnormal range are rounded once.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Below -104 the result rounds to 0; above ln(f32::MAX) it overflows.
    let y = exp_f32_in_range(x.clamp(-104.0, 88.722_84));
    let y = if x > 88.722_84 { f32::INFINITY } else { y };
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// e^x for x <= 0 that is not NaN (-inf gives 0): what softmax needs, without the overflow
/// and NaN handling of [`exp_f32`].
#[inline(always)]
pub fn exp_f32_nonpositive(x: f32) -> f32 {
    exp_f32_in_range(x.max(-104.0))
}

/// e^x for x in [-104, ln(f32::MAX)].
#[inline(always)]
fn exp_f32_in_range(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // t = round(x * log2(e)) + 1.5 * 2^23: the integer n sits in t's low mantissa bits, so
    // both n as a float and n as an integer come out without a (saturating) cast.
    // mul_add becomes one FMA instruction in the AVX2/AVX-512 builds pulp dispatches to.
    let t = x.mul_add(LOG2E, ROUND_MAGIC);
    let n = t - ROUND_MAGIC; // in [-150, 128]
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, x));
    // Taylor polynomial for e^r on |r| <= ln2/2, by Horner's rule.
    let p = [0.008_333_452, 0.041_666_668, 0.166_666_67, 0.5, 1.0, 1.0]
        .iter()
        .fold(0.001_388_889f32, |acc, &c| acc.mul_add(r, c));
    // 2^n in two factors that are each a normal float: 2^n_b (n_b in [-24, 1]) first keeps
    // p normal, then 2^n_a (n_a in [-126, 127]) rounds once into the subnormal range; n = 128
    // (just below overflow) stays finite the same way.
    let n_int = (t.to_bits() as i32).wrapping_sub(ROUND_MAGIC.to_bits() as i32);
    let n_a = n_int.clamp(-126, 127);
    let pow2 = |k: i32| f32::from_bits(((k + 127) as u32) << 23);
    (p * pow2(n_int - n_a)) * pow2(n_a)
}

/// erf for f32 (Abramowitz & Stegun 7.1.26 refined; |error| < 2e-7), vectorisable.
#[inline(always)]
fn erf_f32(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let y = 1.0
        - t * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))))
            * exp_f32(-a * a);
    y.copysign(x)
}

/// Inverse error function: Giles' approximation refined by two Newton steps on erf.
fn erfinv_f64(y: f64) -> f64 {
    if y.is_nan() || !(-1.0..=1.0).contains(&y) {
        return f64::NAN;
    }
    if y == 1.0 {
        return f64::INFINITY;
    }
    if y == -1.0 {
        return f64::NEG_INFINITY;
    }
    let w = -((1.0 - y) * (1.0 + y)).ln();
    let mut x = if w < 5.0 {
        let w = w - 2.5;
        let mut p = 2.810_226_36e-08;
        for c in [3.432_739_39e-07, -3.523_387_7e-06, -4.391_506_54e-06, 0.000_218_580_87, -0.001_253_725_03, -0.004_177_681_64, 0.246_640_727, 1.501_409_41] {
            p = c + p * w;
        }
        p * y
    } else {
        let w = w.sqrt() - 3.0;
        let mut p = -0.000_200_214_257;
        for c in [0.000_100_950_558, 0.001_349_343_22, -0.003_673_428_44, 0.005_739_507_73, -0.007_622_461_3, 0.009_438_870_47, 1.001_674_06, 2.832_976_82] {
            p = c + p * w;
        }
        p * y
    };
    let two_over_sqrt_pi = 2.0 / std::f64::consts::PI.sqrt();
    for _ in 0..2 {
        let err = libm::erf(x) - y;
        x -= err / (two_over_sqrt_pi * (-x * x).exp());
    }
    x
}

macro_rules! float_math {
    ($t:ty, $exp:expr, $erf:expr) => {
        impl FloatMath for $t {
            #[inline(always)] fn exp(self) -> Self { $exp(self) }
            #[inline(always)] fn exp2(self) -> Self { <$t>::exp2(self) }
            #[inline(always)] fn expm1(self) -> Self { <$t>::exp_m1(self) }
            #[inline(always)] fn ln(self) -> Self { <$t>::ln(self) }
            #[inline(always)] fn log2(self) -> Self { <$t>::log2(self) }
            #[inline(always)] fn log10(self) -> Self { <$t>::log10(self) }
            #[inline(always)] fn log1p(self) -> Self { <$t>::ln_1p(self) }
            #[inline(always)] fn sqrt(self) -> Self { <$t>::sqrt(self) }
            #[inline(always)] fn rsqrt(self) -> Self { 1.0 / <$t>::sqrt(self) }
            #[inline(always)] fn sin(self) -> Self { <$t>::sin(self) }
            #[inline(always)] fn cos(self) -> Self { <$t>::cos(self) }
            #[inline(always)] fn tan(self) -> Self { <$t>::tan(self) }
            #[inline(always)] fn asin(self) -> Self { <$t>::asin(self) }
            #[inline(always)] fn acos(self) -> Self { <$t>::acos(self) }
            #[inline(always)] fn atan(self) -> Self { <$t>::atan(self) }
            #[inline(always)] fn sinh(self) -> Self { <$t>::sinh(self) }
            #[inline(always)] fn cosh(self) -> Self { <$t>::cosh(self) }
            #[inline(always)] fn tanh(self) -> Self { <$t>::tanh(self) }
            #[inline(always)] fn sigmoid(self) -> Self { 1.0 / (1.0 + $exp(-self)) }
            #[inline(always)] fn erf(self) -> Self { $erf(self) }
            #[inline(always)] fn erfinv(self) -> Self { erfinv_f64(self as f64) as $t }
            #[inline(always)] fn floor(self) -> Self { <$t>::floor(self) }
            #[inline(always)] fn ceil(self) -> Self { <$t>::ceil(self) }
            #[inline(always)] fn round_even(self) -> Self { <$t>::round_ties_even(self) }
            #[inline(always)] fn trunc(self) -> Self { <$t>::trunc(self) }
            #[inline(always)] fn frac(self) -> Self { self - <$t>::trunc(self) }
            #[inline(always)] fn recip(self) -> Self { 1.0 / self }
            #[inline(always)] fn relu(self) -> Self { if self > 0.0 { self } else if self.is_nan() { self } else { 0.0 } }
            #[inline(always)]
            fn gelu(self) -> Self { 0.5 * self * (1.0 + $erf(self * std::f64::consts::FRAC_1_SQRT_2 as $t)) }
            #[inline(always)]
            fn gelu_tanh(self) -> Self {
                let k = (2.0 / std::f64::consts::PI).sqrt() as $t;
                let inner = k * (self + 0.044715 * self * self * self);
                // tanh(u) = 1 - 2 / (e^{2u} + 1), with the vectorisable exp.
                0.5 * self * (1.0 + (1.0 - 2.0 / ($exp(2.0 * inner) + 1.0)))
            }
            #[inline(always)] fn silu(self) -> Self { self / (1.0 + $exp(-self)) }
            #[inline(always)] fn atan2(self, o: Self) -> Self { <$t>::atan2(self, o) }
        }
    };
}
float_math!(f32, exp_f32, erf_f32);
float_math!(f64, f64::exp, libm::erf);

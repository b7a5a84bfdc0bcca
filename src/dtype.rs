//! Data types, PyTorch's type promotion, and the `Element` trait that ties a Rust type to
//! its `DType`.

use half::{bf16, f16};

/// The element type of a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
}

/// Every dtype, in promotion order within each kind.
pub const ALL_DTYPES: [DType; 10] = [
    DType::Bool,
    DType::U8,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F16,
    DType::BF16,
    DType::F32,
    DType::F64,
];

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    pub fn is_floating_point(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// Significand bits of a float dtype (the implicit one included): every integer up to
    /// 2^digits is exact in it. None for the others.
    pub fn significand_digits(self) -> Option<u32> {
        match self {
            DType::F16 => Some(11),
            DType::BF16 => Some(8),
            DType::F32 => Some(24),
            DType::F64 => Some(53),
            _ => None,
        }
    }

    /// Integer dtypes, bool excluded.
    pub fn is_integral(self) -> bool {
        matches!(self, DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    pub fn is_signed(self) -> bool {
        !matches!(self, DType::Bool | DType::U8)
    }

    /// torch's name without prefix: `float32`, `int64`, ...
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// The C++ scalar-type name torch uses in error messages (`Float`, `Long`, ...).
    pub fn scalar_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::U8 => "Byte",
            DType::I8 => "Char",
            DType::I16 => "Short",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::F32 => "Float",
            DType::F64 => "Double",
        }
    }

    /// Parses torch's names and aliases (`float`, `double`, `long`, `half`, ...).
    pub fn from_name(name: &str) -> Option<DType> {
        let name = name.strip_prefix("torch.").unwrap_or(name);
        Some(match name {
            "bool" => DType::Bool,
            "uint8" => DType::U8,
            "int8" => DType::I8,
            "int16" | "short" => DType::I16,
            "int32" | "int" => DType::I32,
            "int64" | "long" => DType::I64,
            "float16" | "half" => DType::F16,
            "bfloat16" => DType::BF16,
            "float32" | "float" => DType::F32,
            "float64" | "double" => DType::F64,
            _ => return None,
        })
    }

    fn category(self) -> u8 {
        if self == DType::Bool {
            0
        } else if self.is_floating_point() {
            2
        } else {
            1
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "torch.{}", self.name())
    }
}

/// torch.promote_types: the smallest dtype both values fit in.
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    match (lo, hi) {
        (Bool, x) => x,
        (U8, I8) => I16,
        (F16, BF16) => F32,
        (_, x) => x,
    }
}

/// A Python-style number: the scalar operand of an op or an element read out of a tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, Scalar::Float(_))
    }

    /// The dtype this number takes as a weak operand: bool, int64, or the default float.
    pub fn weak_dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => crate::default_dtype(),
        }
    }
}

/// The promotion state of torch's `result_type`: dimensioned tensors win over 0-dim tensors,
/// which win over Python scalars, unless a weaker operand is of a higher category
/// (bool < integer < floating).
#[derive(Default, Clone, Copy, Debug)]
pub struct ResultType {
    dimensioned: Option<DType>,
    zero_dim: Option<DType>,
    scalar: Option<DType>,
}

fn merge(slot: &mut Option<DType>, d: DType) {
    *slot = Some(match *slot {
        None => d,
        Some(s) => promote_types(s, d),
    });
}

fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (h, None) => h,
        (Some(h), Some(l)) => {
            if h.category() >= l.category() && !(h == DType::Bool && l != DType::Bool) {
                Some(h)
            } else {
                Some(promote_types(h, l))
            }
        }
    }
}

impl ResultType {
    pub fn tensor(mut self, dtype: DType, ndim: usize) -> Self {
        if ndim == 0 {
            merge(&mut self.zero_dim, dtype);
        } else {
            merge(&mut self.dimensioned, dtype);
        }
        self
    }

    pub fn scalar(mut self, s: Scalar) -> Self {
        merge(&mut self.scalar, s.weak_dtype());
        self
    }

    pub fn result(self) -> DType {
        combine(self.dimensioned, combine(self.zero_dim, self.scalar)).unwrap_or(DType::F32)
    }
}

/// A Rust type that is the element of some `DType`.
pub trait Element: Copy + Send + Sync + PartialOrd + Default + std::fmt::Debug + 'static {
    const DTYPE: DType;
    const IS_FLOAT: bool;
    const IS_BOOL: bool;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
    fn zero() -> Self;
    fn one() -> Self;
    /// The value as a Python-style scalar.
    fn to_scalar(self) -> Scalar;
    /// Converts a scalar with C casting rules (float to int truncates, nonzero to true).
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Bool(b) => Self::from_i64(b as i64),
            Scalar::Int(i) => Self::from_i64(i),
            Scalar::Float(f) => Self::from_f64(f),
        }
    }
}

/// Converts one element between dtypes with torch's casting rules.
#[inline(always)]
pub fn cast<S: Element, D: Element>(s: S) -> D {
    if D::IS_BOOL || D::IS_FLOAT || S::IS_FLOAT {
        D::from_f64(s.to_f64())
    } else {
        D::from_i64(s.to_i64())
    }
}

macro_rules! int_element {
    ($t:ty, $d:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            const IS_FLOAT: bool = false;
            const IS_BOOL: bool = false;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                // Through i64 so that out-of-range values wrap like C's casts (and numpy's).
                v as i64 as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            fn zero() -> Self {
                0
            }
            fn one() -> Self {
                1
            }
            fn to_scalar(self) -> Scalar {
                Scalar::Int(self as i64)
            }
        }
    };
}
int_element!(u8, U8);
int_element!(i8, I8);
int_element!(i16, I16);
int_element!(i32, I32);
int_element!(i64, I64);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    const IS_FLOAT: bool = false;
    const IS_BOOL: bool = true;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn zero() -> Self {
        false
    }
    fn one() -> Self {
        true
    }
    fn to_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
}

macro_rules! float_element {
    ($t:ty, $d:ident, $to:expr, $from:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            const IS_FLOAT: bool = true;
            const IS_BOOL: bool = false;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                $to(self)
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                $from(v)
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                $to(self) as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                $from(v as f64)
            }
            fn zero() -> Self {
                $from(0.0)
            }
            fn one() -> Self {
                $from(1.0)
            }
            fn to_scalar(self) -> Scalar {
                Scalar::Float($to(self))
            }
        }
    };
}
float_element!(f32, F32, |x: f32| x as f64, |v: f64| v as f32);
float_element!(f64, F64, |x: f64| x, |v: f64| v);
float_element!(f16, F16, |x: f16| x.to_f64(), |v: f64| f16::from_f32(f64_to_f32_round_odd(v)));
float_element!(bf16, BF16, |x: bf16| x.to_f64(), |v: f64| bf16::from_f32(f64_to_f32_round_odd(v)));

/// f64 -> f32 rounding to odd: an inexact result keeps an odd last bit, so a second rounding
/// to a narrower format (f16, bf16) is the correctly rounded one. (half's own f64 conversions
/// drop the low 32 bits of the mantissa before rounding, and so round some ties wrongly.)
#[inline(always)]
fn f64_to_f32_round_odd(v: f64) -> f32 {
    let f = v as f32;
    if !f.is_finite() || f as f64 == v || f.to_bits() & 1 == 1 {
        return f;
    }
    // Rounded to an even neighbour: take the odd one on v's side of it.
    let bits = if (f as f64).abs() > v.abs() { f.to_bits() - 1 } else { f.to_bits() + 1 };
    f32::from_bits(bits)
}

/// Runs `$body` with `$T` bound to the Rust type of `$dtype`.
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::Bool => { type $T = bool; $body }
            $crate::DType::U8 => { type $T = u8; $body }
            $crate::DType::I8 => { type $T = i8; $body }
            $crate::DType::I16 => { type $T = i16; $body }
            $crate::DType::I32 => { type $T = i32; $body }
            $crate::DType::I64 => { type $T = i64; $body }
            $crate::DType::F16 => { type $T = half::f16; $body }
            $crate::DType::BF16 => { type $T = half::bf16; $body }
            $crate::DType::F32 => { type $T = f32; $body }
            $crate::DType::F64 => { type $T = f64; $body }
        }
    };
}

/// Like `with_dtype!` for bool and the integers; `$d => $other` handles the float dtypes.
#[macro_export]
macro_rules! with_int_dtype {
    ($dtype:expr, $T:ident => $body:expr, $d:ident => $other:expr) => {
        match $dtype {
            $crate::DType::Bool => { type $T = bool; $body }
            $crate::DType::U8 => { type $T = u8; $body }
            $crate::DType::I8 => { type $T = i8; $body }
            $crate::DType::I16 => { type $T = i16; $body }
            $crate::DType::I32 => { type $T = i32; $body }
            $crate::DType::I64 => { type $T = i64; $body }
            $d => $other,
        }
    };
}

/// Dispatches the float dtypes: `$T` is f32/f64, `$H` a half type (computed through f32);
/// `$d => $other` handles the rest.
#[macro_export]
macro_rules! with_float_dtype {
    ($dtype:expr, $T:ident => $body:expr, $H:ident => $hbody:expr, $d:ident => $other:expr) => {
        match $dtype {
            $crate::DType::F32 => { type $T = f32; $body }
            $crate::DType::F64 => { type $T = f64; $body }
            $crate::DType::F16 => { #[allow(dead_code)] type $H = half::f16; $hbody }
            $crate::DType::BF16 => { #[allow(dead_code)] type $H = half::bf16; $hbody }
            $d => $other,
        }
    };
}

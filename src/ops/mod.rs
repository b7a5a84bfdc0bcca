//! Ops: each one checks shapes and dtypes, picks the output, and dispatches to a backend
//! kernel. One file per family.

pub mod as_strided;
pub mod binary;
pub mod copy;
pub mod creation;
pub mod index;
pub mod indexing;
pub mod join;
pub mod linalg;
pub mod matmul;
pub mod pad;
pub mod random;
pub mod rearrange;
pub mod scan;
pub mod sort;
pub mod reduce;
pub mod sampling;
pub mod search;
pub mod softmax;
pub mod ternary;
pub mod triangle;
pub mod unary;
pub mod view;

use crate::dtype::Scalar;
use crate::tensor::Tensor;

/// An operand that is a tensor or a Python-style number (a weak scalar for promotion).
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Tensor(&'a Tensor),
    Scalar(Scalar),
}

impl<'a> From<&'a Tensor> for Arg<'a> {
    fn from(t: &'a Tensor) -> Self {
        Arg::Tensor(t)
    }
}

impl From<f64> for Arg<'_> {
    fn from(v: f64) -> Self {
        Arg::Scalar(Scalar::Float(v))
    }
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Scalar(Scalar::Int(v))
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Scalar(Scalar::Bool(v))
    }
}

impl From<Scalar> for Arg<'_> {
    fn from(v: Scalar) -> Self {
        Arg::Scalar(v)
    }
}

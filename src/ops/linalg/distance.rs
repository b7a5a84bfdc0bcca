//! torch.cdist: pairwise p-norm distances between two sets of row vectors.

use crate::error::Result;
use crate::ops::reduce::NormOrd;
use crate::tensor::Tensor;

use super::norms::number_ord;

/// Distances between the rows of x1 (batch..., P, M) and x2 (batch..., R, M): (batch..., P, R).
/// For p = 2 with more than 25 rows on either side, torch's default mode goes through one
/// matmul (|x|^2 + |y|^2 - 2 x y^T); so does this.
pub fn cdist(x1: &Tensor, x2: &Tensor, p: f64) -> Result<Tensor> {
    if x1.ndim() < 2 || x2.ndim() < 2 {
        bail!("cdist only supports at least 2D tensors, X1 got: {}D", x1.ndim().min(x2.ndim()));
    }
    if !x1.dtype().is_floating_point() || !x2.dtype().is_floating_point() {
        bail!("cdist only supports floating-point dtypes, X1 got: {}", x1.dtype().scalar_name());
    }
    let (m1, m2) = (x1.shape()[x1.ndim() - 1], x2.shape()[x2.ndim() - 1]);
    if m1 != m2 {
        bail!("X1 and X2 must have the same number of columns. X1: {m1} X2: {m2}");
    }
    if p < 0.0 {
        bail!("cdist only supports non-negative p values");
    }
    let (rows1, rows2) = (x1.shape()[x1.ndim() - 2], x2.shape()[x2.ndim() - 2]);
    if p == 2.0 && (rows1 > 25 || rows2 > 25) {
        let sq1 = x1.mul(x1)?.sum_dims(Some(&[-1]), true, None)?;
        let sq2 = x2.mul(x2)?.sum_dims(Some(&[-1]), true, None)?;
        let cross = x1.matmul(&x2.mt()?)?;
        let d2 = sq1.add(&sq2.mt()?)?.sub(&cross.mul(crate::dtype::Scalar::Float(2.0))?)?;
        return d2.clamp(Some(crate::dtype::Scalar::Float(0.0).into()), None)?.sqrt();
    }
    let diff = x1.unsqueeze(-2)?.sub(&x2.unsqueeze(-3)?)?;
    let ord: NormOrd = number_ord(p);
    diff.norm_dims(ord, Some(&[-1]), false)
}

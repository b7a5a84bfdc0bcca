//! Backward of matmul and its 1-d/2-d/batched forms.

use crate::autograd::formulas::{backward_fn, needs};
use crate::autograd::record::record;
use crate::autograd::SavedTensor;
use crate::error::Result;
use crate::tensor::Tensor;

/// Records `out = a @ b` (torch.matmul semantics; the engine sums batch broadcasting away).
pub(crate) fn record_matmul(a: &Tensor, b: &Tensor, out: &Tensor) -> Result<()> {
    let (da, db) = (a.ndim(), b.ndim());
    let name = match (da, db) {
        (1, 1) => "DotBackward0",
        (2, 1) => "MvBackward0",
        (2, 2) => "MmBackward0",
        (3, 3) => "BmmBackward0",
        _ => "MatmulBackward0",
    };
    let (sa, sb) = (SavedTensor::input(a)?, SavedTensor::input(b)?);
    record(name, &[a, b], &[out], backward_fn(move |node, g| {
        let (a, b) = (sa.unpack(node)?, sb.unpack(node)?);
        // Work on matrices: a vector a is a row (1, k), a vector b a column (k, 1).
        let a2 = if da == 1 { a.unsqueeze(0)? } else { a };
        let b2 = if db == 1 { b.unsqueeze(1)? } else { b };
        let g2 = match (da, db) {
            (1, 1) => g.reshape(&[1, 1])?,
            (1, _) => g.unsqueeze(-2)?,
            (_, 1) => g.unsqueeze(-1)?,
            _ => g.clone(),
        };
        let ga = if needs(node, 0) {
            let r = g2.matmul(&b2.mt()?)?;
            Some(if da == 1 { r.squeeze(Some(&[-2]))? } else { r })
        } else {
            None
        };
        let gb = if needs(node, 1) {
            let r = a2.mt()?.matmul(&g2)?;
            Some(if db == 1 { r.squeeze(Some(&[-1]))? } else { r })
        } else {
            None
        };
        Ok(vec![ga, gb])
    }));
    Ok(())
}

//! Constant padding (`constant_pad_nd`, `F.pad(mode="constant")`): negative pads crop.

use crate::autograd::formulas::backward_fn;
use crate::autograd::record::{needs_grad, record};
use crate::autograd::GradModeGuard;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::tensor::Tensor;

impl Tensor {
    /// Pads the last `pad.len() / 2` dims: `pad` lists (before, after) pairs starting with
    /// the last dim. New entries hold `value`; negative amounts remove entries.
    pub fn constant_pad(&self, pad: &[i64], value: Scalar) -> Result<Tensor> {
        if pad.len() % 2 != 0 {
            bail!("Padding length must be divisible by 2");
        }
        if pad.len() / 2 > self.ndim() {
            bail!(
                "Padding length should be less than or equal to two times the input dimension but got padding length {} and input of dimension {}",
                pad.len(),
                self.ndim()
            );
        }
        crate::ops::creation::check_fill_value(value, self.dtype())?;
        // (dim, where the kept input starts in the output, how many input entries are kept)
        let mut regions = Vec::with_capacity(pad.len() / 2);
        let mut cropped = self.clone();
        let mut shape = self.shape().to_vec();
        for (i, pair) in pad.chunks(2).enumerate() {
            let d = self.ndim() - 1 - i;
            let (before, after, size) = (pair[0], pair[1], self.shape()[d] as i64);
            let kept = size + before.min(0) + after.min(0);
            let padded = size + before + after;
            if kept < 0 || padded < 0 {
                bail!("narrow(): length must be non-negative.");
            }
            cropped = cropped.narrow(d as i64, (-before).max(0), kept)?;
            shape[d] = padded as usize;
            regions.push((d as i64, before.max(0), kept));
        }
        let out = crate::ops::creation::full(&shape, value, self.dtype(), self.device())?;
        let place = move |t: &Tensor| regions.iter().try_fold(t.clone(), |v, &(d, start, len)| v.narrow(d, start, len));
        {
            let _off = GradModeGuard::new(false);
            place(&out)?.copy_(&cropped)?;
        }
        if needs_grad(&[&cropped]) {
            record("ConstantPadNdBackward0", &[&cropped], &[&out], backward_fn(move |_, g| Ok(vec![Some(place(g)?)])));
        }
        Ok(out)
    }
}

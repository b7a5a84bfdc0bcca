//! The Rust API on its own: build tensors, take views, multiply, reduce. No Python.
//!
//! Run: `cargo run --release --example basics`

use rtorch::{DType, Device, Scalar, Tensor};

fn main() -> rtorch::Result<()> {
    rtorch::manual_seed(0)?;
    let x = rtorch::randn(&[4, 3], DType::F32, Device::Cpu, None)?;
    let w = Tensor::from_vec(vec![1.0f32, 0.5, -1.0, 2.0, 0.0, 1.0], &[3, 2])?;
    let y = x.matmul(&w)?.relu()?; // (4, 2)
    println!("y = {:?}", y.to_vec::<f32>()?);

    let col_means = y.mean_dims(Some(&[0]), false, None)?;
    println!("column means = {:?}", col_means.to_vec::<f32>()?);

    let t = x.t()?; // a strided view, no copy
    println!("x.t(): shape {:?}, strides {:?}, contiguous {}", t.shape(), t.strides(), t.is_contiguous());

    let probs = y.softmax(1, false, None)?;
    let rows = probs.sum_dims(Some(&[1]), false, None)?;
    println!("softmax rows sum to {:?}", rows.to_vec::<f32>()?);

    let scaled = x.mul(Scalar::Float(2.0))?.add(Scalar::Int(1))?;
    println!("max of 2x+1 = {:?}", scaled.amax_dims(None, false, true)?.item()?);
    Ok(())
}

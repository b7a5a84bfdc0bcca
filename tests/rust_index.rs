//! Integration tests of the index ops through the Rust API alone (no Python): values checked
//! against loops written here, strided operands, bad indices, gradients.

use rtorch::ops::index::scatter::ScatterReduce;
use rtorch::ops::Arg;
use rtorch::{DType, Device, Error, Scalar, Tensor};

fn longs(v: &[i64], shape: &[usize]) -> rtorch::Result<Tensor> {
    Tensor::from_vec(v.to_vec(), shape)
}

/// 0, 1, 2, ... as float32 of `shape`.
fn iota(shape: &[usize]) -> rtorch::Result<Tensor> {
    let n: usize = shape.iter().product();
    Tensor::from_vec((0..n).map(|i| i as f32).collect(), shape)
}

#[test]
fn gather_and_scatter_add_on_a_transposed_input() -> rtorch::Result<()> {
    let x = iota(&[4, 3])?.t()?; // (3, 4), strided: x[i][j] = 3 j + i
    let index = longs(&[3, 0, 0, 1, 2, 2], &[3, 2])?;
    let g = x.gather(1, &index)?;
    assert_eq!(g.to_vec::<f32>()?, vec![9.0, 0.0, 1.0, 4.0, 8.0, 8.0]);
    // Duplicates add up, in a copy; x is untouched.
    let s = x.scatter_add(1, &index, &Tensor::from_vec(vec![1f32; 6], &[3, 2])?)?;
    assert_eq!(s.to_vec::<f32>()?, vec![1.0, 3.0, 6.0, 10.0, 2.0, 5.0, 7.0, 10.0, 2.0, 5.0, 10.0, 11.0]);
    assert_eq!(x.to_vec::<f32>()?[0], 0.0);
    Ok(())
}

#[test]
fn index_select_rows_and_columns() -> rtorch::Result<()> {
    let x = iota(&[3, 4])?;
    let rows = x.index_select(0, &Tensor::from_vec(vec![2i32, 0], &[2])?)?;
    assert_eq!(rows.to_vec::<f32>()?, vec![8.0, 9.0, 10.0, 11.0, 0.0, 1.0, 2.0, 3.0]);
    let cols = x.index_select(-1, &longs(&[3, 3], &[2])?)?;
    assert_eq!(cols.to_vec::<f32>()?, vec![3.0, 3.0, 7.0, 7.0, 11.0, 11.0]);
    Ok(())
}

#[test]
fn out_of_range_indices_are_errors_and_leave_self_untouched() -> rtorch::Result<()> {
    let x = iota(&[2, 3])?;
    let bad = longs(&[0, 3], &[1, 2])?;
    match x.scatter_(1, &bad, Arg::Scalar(Scalar::Float(-1.0)), None) {
        Err(Error::Runtime(m)) => assert_eq!(m, "index 3 is out of bounds for dimension 1 with size 3"),
        other => panic!("expected a RuntimeError, got {other:?}"),
    }
    assert_eq!(x.to_vec::<f32>()?, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert!(matches!(x.index_select(0, &longs(&[-1], &[1])?), Err(Error::Index(_))));
    assert!(matches!(x.take(&longs(&[6], &[1])?), Err(Error::Index(_))));
    Ok(())
}

#[test]
fn scatter_reduce_mean_and_amax() -> rtorch::Result<()> {
    let x = Tensor::from_vec(vec![1f64, 10.0, 100.0], &[3])?;
    let index = longs(&[0, 0, 2], &[3])?;
    let src = Tensor::from_vec(vec![2f64, 6.0, -1.0], &[3])?;
    let mean = x.scatter_reduce(0, &index, &src, ScatterReduce::Mean, true)?;
    assert_eq!(mean.to_vec::<f64>()?, vec![3.0, 10.0, 49.5]);
    let amax = x.scatter_reduce(0, &index, &src, ScatterReduce::Amax, false)?;
    assert_eq!(amax.to_vec::<f64>()?, vec![6.0, 10.0, -1.0]);
    Ok(())
}

#[test]
fn index_put_accumulates_and_nonzero_lists_coordinates() -> rtorch::Result<()> {
    let x = rtorch::zeros(&[2, 3], DType::I64, Device::Cpu)?;
    let (rows, cols) = (longs(&[1, 1, 0], &[3])?, longs(&[-1, 2, 0], &[3])?);
    x.index_put_(&[rows, cols], &longs(&[5], &[1])?, true)?;
    assert_eq!(x.to_vec::<i64>()?, vec![5, 0, 0, 0, 0, 10]);
    assert_eq!(x.nonzero()?.to_vec::<i64>()?, vec![0, 0, 1, 2]);
    let picked = x.masked_select(&x.gt(Scalar::Int(0))?)?;
    assert_eq!(picked.to_vec::<i64>()?, vec![5, 10]);
    Ok(())
}

#[test]
fn gather_backward_adds_the_gradient_at_repeated_positions() -> rtorch::Result<()> {
    let x = Tensor::from_vec(vec![1f64, 2.0, 3.0], &[3])?;
    x.set_requires_grad(true)?;
    let y = x.gather(0, &longs(&[2, 0, 2, 2], &[4])?)?.sum()?;
    let g = rtorch::autograd::grad(&[y], std::slice::from_ref(&x), &[None], None, false, false)?;
    let g = g.into_iter().next().flatten().ok_or_else(|| Error::Runtime("no gradient".into()))?;
    assert_eq!(g.to_vec::<f64>()?, vec![1.0, 0.0, 3.0]);
    Ok(())
}

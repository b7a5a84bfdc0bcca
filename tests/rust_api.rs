//! Integration tests of the Rust API alone (no Python), checked against values computed here.

use rtorch::{DType, Device, Scalar, Tensor};

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-5 * (1.0 + y.abs()))
}

#[test]
fn matmul_matches_naive_loop_on_strided_operands() -> rtorch::Result<()> {
    rtorch::manual_seed(1)?;
    let a = rtorch::randn(&[5, 7], DType::F32, Device::Cpu, None)?;
    let b = rtorch::randn(&[4, 7], DType::F32, Device::Cpu, None)?;
    let bt = b.t()?; // (7, 4), strided
    let c = a.matmul(&bt)?.to_vec::<f32>()?;
    let (av, bv) = (a.to_vec::<f32>()?, b.to_vec::<f32>()?);
    let mut want = vec![0f32; 20];
    for i in 0..5 {
        for j in 0..4 {
            want[i * 4 + j] = (0..7).map(|k| av[i * 7 + k] * bv[j * 7 + k]).sum();
        }
    }
    assert!(close(&c, &want));
    Ok(())
}

#[test]
fn broadcasting_and_promotion() -> rtorch::Result<()> {
    let a = Tensor::from_vec(vec![1i32, 2, 3], &[3, 1])?;
    let b = Tensor::from_vec(vec![0.5f32, 1.5], &[2])?;
    let c = a.add(&b)?;
    assert_eq!(c.shape(), &[3, 2]);
    assert_eq!(c.dtype(), DType::F32);
    assert!(close(&c.to_vec::<f32>()?, &[1.5, 2.5, 2.5, 3.5, 3.5, 4.5]));
    // A Python-style int scalar does not widen an int32 tensor.
    assert_eq!(a.mul(Scalar::Int(2))?.dtype(), DType::I32);
    Ok(())
}

#[test]
fn reductions_over_dims() -> rtorch::Result<()> {
    let x = rtorch::arange(Scalar::Int(0), Scalar::Int(12), Scalar::Int(1), DType::F32, Device::Cpu)?.reshape(&[3, 4])?;
    assert!(close(&x.sum_dims(Some(&[0]), false, None)?.to_vec::<f32>()?, &[12., 15., 18., 21.]));
    assert!(close(&x.mean_dims(Some(&[1]), true, None)?.to_vec::<f32>()?, &[1.5, 5.5, 9.5]));
    let (v, i) = x.max_dim(1, false, true)?;
    assert_eq!(v.to_vec::<f32>()?, vec![3., 7., 11.]);
    assert_eq!(i.to_vec::<i64>()?, vec![3, 3, 3]);
    Ok(())
}

#[test]
fn views_share_storage_and_errors_are_results() -> rtorch::Result<()> {
    let x = rtorch::zeros(&[2, 3], DType::F64, Device::Cpu)?;
    let row = x.select(0, 1)?;
    row.fill_(Scalar::Float(7.0))?;
    assert_eq!(x.to_vec::<f64>()?, vec![0., 0., 0., 7., 7., 7.]);
    assert!(x.view(&[4, 2]).is_err());
    assert!(matches!(x.select(2, 0), Err(rtorch::Error::Index(_))));
    assert!(x.matmul(&x).is_err());
    Ok(())
}

#[test]
fn as_strided_views_memory_and_refuses_out_of_bounds_geometry() -> rtorch::Result<()> {
    let x = Tensor::from_vec((0..12).map(|v| v as f32).collect(), &[12])?;
    let windows = x.as_strided(&[3, 4], &[2, 1], Some(1))?;
    assert_eq!(windows.to_vec::<f32>()?, vec![1., 2., 3., 4., 3., 4., 5., 6., 5., 6., 7., 8.]);
    assert!(x.as_strided(&[13], &[1], None).is_err());
    assert!(x.as_strided(&[1 << 62], &[4], None).is_err());
    assert!(x.as_strided(&[3], &[-1], None).is_err());
    let e = Tensor::empty_strided(&[2, 3], &[1, 2], DType::F64, Device::Cpu)?;
    assert_eq!((e.shape(), e.strides()), (&[2usize, 3][..], &[1usize, 2][..]));
    Ok(())
}

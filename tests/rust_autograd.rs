//! Autograd from Rust alone: a linear regression trained by gradient descent, and gradients
//! checked against hand-derived values.

use rtorch::autograd::{self, GradModeGuard};
use rtorch::{DType, Device, Scalar, Tensor};

#[test]
fn trains_a_linear_regression_with_the_rust_api() -> rtorch::Result<()> {
    rtorch::manual_seed(0)?;
    // y = X w* + b* + noise, with w* = [2, -3, 0.5], b* = 1.
    let x = rtorch::randn(&[256, 3], DType::F32, Device::Cpu, None)?;
    let w_true = Tensor::from_vec(vec![2.0f32, -3.0, 0.5], &[3, 1])?;
    let noise = rtorch::randn(&[256, 1], DType::F32, Device::Cpu, None)?.mul(Scalar::Float(0.01))?;
    let y = x.matmul(&w_true)?.add(Scalar::Float(1.0))?.add(&noise)?;

    let w = rtorch::zeros(&[3, 1], DType::F32, Device::Cpu)?;
    w.set_requires_grad(true)?;
    let b = rtorch::zeros(&[1], DType::F32, Device::Cpu)?;
    b.set_requires_grad(true)?;
    let mut first_loss = None;
    let mut loss_value = f32::MAX;
    for _ in 0..200 {
        let pred = x.matmul(&w)?.add(&b)?;
        let diff = pred.sub(&y)?;
        let loss = diff.mul(&diff)?.mean()?;
        loss_value = loss.item()?.to_f64() as f32;
        first_loss.get_or_insert(loss_value);
        autograd::backward(&[loss], &[], None, false, None)?;
        let _no_grad = GradModeGuard::new(false);
        for p in [&w, &b] {
            let g = p.grad().expect("a leaf that requires grad gets .grad");
            p.sub_(&g.mul(Scalar::Float(0.1))?)?;
            p.set_grad(None)?;
        }
    }
    let learned = w.to_vec::<f32>()?;
    for (got, want) in learned.iter().zip([2.0f32, -3.0, 0.5]) {
        assert!((got - want).abs() < 0.01, "learned {learned:?}");
    }
    assert!((b.to_vec::<f32>()?[0] - 1.0).abs() < 0.01);
    assert!(loss_value < first_loss.unwrap_or(0.0) / 100.0);
    Ok(())
}

#[test]
fn gradients_of_a_small_expression_match_hand_derived_values() -> rtorch::Result<()> {
    // f(a, b) = sum(exp(a) * b + a / b); df/da = exp(a) * b + 1 / b, df/db = exp(a) - a / b^2
    let a = Tensor::from_vec(vec![0.5f64, -1.0, 2.0], &[3])?;
    let b = Tensor::from_vec(vec![1.5f64, 2.0, -0.5], &[3])?;
    a.set_requires_grad(true)?;
    b.set_requires_grad(true)?;
    let f = a.exp()?.mul(&b)?.add(&a.div(&b)?)?.sum()?;
    let grads = autograd::grad(&[f], &[a.clone(), b.clone()], &[], None, false, false)?;
    let (av, bv) = (a.to_vec::<f64>()?, b.to_vec::<f64>()?);
    let ga = grads[0].as_ref().expect("grad of a").to_vec::<f64>()?;
    let gb = grads[1].as_ref().expect("grad of b").to_vec::<f64>()?;
    for i in 0..3 {
        assert!((ga[i] - (av[i].exp() * bv[i] + 1.0 / bv[i])).abs() < 1e-12);
        assert!((gb[i] - (av[i].exp() - av[i] / (bv[i] * bv[i]))).abs() < 1e-12);
    }
    assert!(a.grad().is_none(), "autograd::grad leaves .grad alone");
    Ok(())
}

//! Sampling from distributions: the in-place fills (uniform_, normal_, bernoulli_,
//! exponential_, cauchy_, log_normal_, geometric_, random_) and bernoulli, poisson,
//! multinomial. Samples are drawn sequentially from one generator, so a seed gives the same
//! numbers for any thread count.

use crate::dtype::{DType, Element};
use crate::ops::index::cpp_type_name;
use crate::error::{Error, Result};
use crate::ops::random::{default_generator, float_only, standard_normal, Generator, Xoshiro};
use crate::tensor::Tensor;

fn generator(g: Option<&Generator>) -> &Generator {
    g.unwrap_or(default_generator())
}

impl Tensor {
    /// Copies `values` (self's shape, any dtype) into self, as the in-place samplers do.
    fn overwrite_with<T: Element>(&self, values: Vec<T>) -> Result<Tensor> {
        let fresh = Tensor::from_vec(values, self.shape())?;
        self.copy_(&fresh)?;
        Ok(self.clone())
    }

    /// Fills self with `f` drawn once per element (in f64, rounded to self's dtype).
    fn fill_random(&self, g: Option<&Generator>, f: impl FnMut(&mut Xoshiro) -> f64) -> Result<Tensor> {
        let values = generator(g).fill(self.numel(), f)?;
        self.overwrite_with(values)
    }

    /// In place: uniform samples in [from, to).
    pub fn uniform_(&self, from: f64, to: f64, g: Option<&Generator>) -> Result<Tensor> {
        float_only(self.dtype(), "check_uniform_bounds")?;
        let (lowest, max) = dtype_range(self.dtype());
        let name = cpp_type_name(self.dtype());
        for (v, what) in [(from, "from"), (to, "to")] {
            if !(lowest..=max).contains(&v) {
                bail!("{what} is out of bounds for {name}");
            }
        }
        if from > to {
            bail!("uniform_ expects to return a [from, to) range, but found from={} > to={}", fmt_g(from), fmt_g(to));
        }
        if to - from > max {
            bail!(
                "uniform_ expects to-from <= std::numeric_limits<{}>::max(), but found to={} and from={} which result in to-from to exceed the limit",
                self.dtype().scalar_name(), fmt_g(to), fmt_g(from)
            );
        }
        let span = to - from;
        let values = Tensor::from_vec(generator(g).fill(self.numel(), |r| from + span * r.uniform())?, self.shape())?;
        let rounded = values.to_dtype(self.dtype())?;
        // Rounding to the dtype may reach `to`: those draws become `from`, keeping [from, to).
        let rounded = if from < to { rounded.masked_fill(&rounded.ge(to)?, from.into())? } else { rounded };
        self.copy_(&rounded)?;
        Ok(self.clone())
    }

    /// In place: normal samples with mean `mean` and standard deviation `std`.
    pub fn normal_(&self, mean: f64, std: f64, g: Option<&Generator>) -> Result<Tensor> {
        float_only(self.dtype(), "normal_kernel_cpu")?;
        if !non_negative(std) {
            bail!("normal expects std >= 0.0, but found std {}", fmt_g(std));
        }
        self.fill_random(g, |r| mean + std * standard_normal(r))
    }

    /// In place: exponential samples with rate `lambd`.
    pub fn exponential_(&self, lambd: f64, g: Option<&Generator>) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            bail!("Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified {}", self.dtype().scalar_name());
        }
        if !positive(lambd) {
            bail!("exponential_ expects lambda > 0.0, but found lambda={}", fmt_g(lambd));
        }
        self.fill_random(g, |r| -(1.0 - r.uniform()).ln() / lambd)
    }

    /// In place: Cauchy samples, median + sigma * tan(pi (u - 1/2)).
    pub fn cauchy_(&self, median: f64, sigma: f64, g: Option<&Generator>) -> Result<Tensor> {
        if !self.dtype().is_floating_point() {
            bail!("Cauchy distribution is a continuous probability distribution. dtype must be a floating point but you specified {}", cpp_type_name(self.dtype()));
        }
        if !positive(sigma) {
            bail!("cauchy_ expects sigma > 0.0, but found sigma={}", fmt_g(sigma));
        }
        self.fill_random(g, |r| median + sigma * (std::f64::consts::PI * (r.uniform() - 0.5)).tan())
    }

    /// In place: exp of normal samples with mean `mean` and standard deviation `std`.
    pub fn log_normal_(&self, mean: f64, std: f64, g: Option<&Generator>) -> Result<Tensor> {
        float_only(self.dtype(), "log_normal_cpu")?;
        if !positive(std) {
            bail!("log_normal_ expects std > 0.0, but found std={}", fmt_g(std));
        }
        self.fill_random(g, |r| (mean + std * standard_normal(r)).exp())
    }

    /// In place: the number of Bernoulli(p) trials up to the first success (1, 2, ...).
    pub fn geometric_(&self, p: f64, g: Option<&Generator>) -> Result<Tensor> {
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented("\"geometric_cpu\" not implemented for 'Bool'".into()));
        }
        if !(p > 0.0 && p < 1.0) {
            bail!("geometric_ expects p to be in (0, 1), but got p={}", fmt_g(p));
        }
        let log_q = (-p).ln_1p();
        self.fill_random(g, |r| ((1.0 - r.uniform()).ln() / log_q).ceil().max(1.0))
    }

    /// In place: 1 with probability `p` (a number or a tensor broadcast to self), else 0.
    pub fn bernoulli_(&self, p: BernoulliP<'_>, g: Option<&Generator>) -> Result<Tensor> {
        match p {
            BernoulliP::Scalar(p) => {
                if !(0.0..=1.0).contains(&p) {
                    bail!("bernoulli_ expects p to be in [0, 1], but got p={}", fmt_g(p));
                }
                self.fill_random(g, |r| f64::from(u8::from(r.uniform() < p)))
            }
            BernoulliP::Tensor(p) => {
                float_only(p.dtype(), "bernoulli_tensor_cpu_p_")?;
                let shape: Vec<i64> = self.shape().iter().map(|&d| d as i64).collect();
                let probs = p.expand(&shape)?.to_dtype(DType::F64)?.contiguous()?.to_vec::<f64>()?;
                check_probabilities(&probs)?;
                let mut it = probs.into_iter();
                self.fill_random(g, |r| f64::from(u8::from(r.uniform() < it.next().unwrap_or(0.0))))
            }
        }
    }

    /// In place: integers uniform in [from, to) (`to` None: up to the largest value the
    /// dtype holds exactly: 2^mantissa for floats, the maximum for integers).
    pub fn random_(&self, from: i64, to: Option<i64>, g: Option<&Generator>) -> Result<Tensor> {
        let top = dtype_top(self.dtype());
        check_random_bounds(self.dtype(), from, to)?;
        let to = match to {
            Some(t) => {
                warn_inexact_range(self.dtype(), from, t);
                t as i128
            }
            None => top + 1,
        };
        if (from as i128) >= to {
            bail!("random_ expects 'from' to be less than 'to', but got from={from} >= to={to}");
        }
        let range = (to - from as i128) as u128;
        let values = generator(g).fill(self.numel(), |r| (from as i128 + (r.next_u64() as u128 % range) as i128) as i64)?;
        self.overwrite_with(values)
    }

    /// torch.bernoulli: 1 with probability self (elementwise, each in [0, 1]), else 0.
    pub fn bernoulli(&self, g: Option<&Generator>) -> Result<Tensor> {
        float_only(self.dtype(), "bernoulli_tensor_cpu_p_")?;
        let out = {
            let _off = crate::autograd::GradModeGuard::new(false);
            let out = Tensor::empty(self.shape(), self.dtype(), self.device())?;
            out.bernoulli_(BernoulliP::Tensor(self), g)?
        };
        crate::autograd::formulas::random::record_sample("BernoulliBackward0", &[self], &out);
        Ok(out)
    }

    /// torch.poisson: a Poisson sample for each rate in self.
    pub fn poisson(&self, g: Option<&Generator>) -> Result<Tensor> {
        float_only(self.dtype(), "poisson_cpu")?;
        let rates = self.to_dtype(DType::F64)?.contiguous()?.to_vec::<f64>()?;
        if rates.iter().any(|&l| !non_negative(l)) {
            bail!("invalid Poisson rate, expected rate to be non-negative");
        }
        let values = {
            let mut it = rates.into_iter();
            generator(g).fill(self.numel(), |r| poisson_sample(r, it.next().unwrap_or(0.0)))?
        };
        let out = {
            let _off = crate::autograd::GradModeGuard::new(false);
            Tensor::from_vec(values, self.shape())?.to_dtype(self.dtype())?
        };
        crate::autograd::formulas::random::record_sample("PoissonBackward0", &[self], &out);
        Ok(out)
    }

    /// torch.multinomial: `num_samples` category indices per row of the (1-d or 2-d)
    /// non-negative weights, with or without replacement; int64.
    pub fn multinomial(&self, num_samples: i64, replacement: bool, g: Option<&Generator>) -> Result<Tensor> {
        if self.ndim() != 1 && self.ndim() != 2 {
            bail!("prob_dist must be 1 or 2 dim");
        }
        if !self.dtype().is_floating_point() {
            bail!("multinomial only supports floating-point dtypes for input, got: {}", self.dtype().scalar_name());
        }
        if num_samples <= 0 {
            bail!("cannot sample n_sample <= 0 samples");
        }
        let n = num_samples as usize;
        let cats = self.shape()[self.ndim() - 1];
        if cats > 1 << 24 {
            bail!("number of categories cannot exceed 2^24");
        }
        if !replacement && n > cats {
            bail!("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
        }
        let rows = if self.ndim() == 2 { self.shape()[0] } else { 1 };
        let weights = self.to_dtype(DType::F64)?.contiguous()?.to_vec::<f64>()?;
        if weights.iter().any(|&w| !non_negative(w) || w.is_infinite()) {
            bail!("probability tensor contains either `inf`, `nan` or element < 0");
        }
        let mut out = Vec::with_capacity(rows * n);
        let g = generator(g);
        for row in weights.chunks(cats.max(1)).take(rows) {
            let total: f64 = row.iter().sum();
            if !positive(total) {
                bail!("invalid multinomial distribution (sum of probabilities <= 0)");
            }
            if replacement {
                out.extend(g.fill(n, |r| draw_category(row, total, r.uniform()))?);
            } else {
                // Exponential race: category i finishes at E_i / w_i; the first n to finish
                // are a sample without replacement, in order. Zero weights finish last (in
                // random order), as torch fills a row that has too few positive weights.
                let keys = g.fill(cats, |r| -(1.0 - r.uniform()).ln())?;
                let finish = |i: usize| if row[i] > 0.0 { (0, keys[i] / row[i]) } else { (1, keys[i]) };
                let mut order: Vec<usize> = (0..cats).collect();
                order.sort_by(|&a, &b| {
                    let ((ka, va), (kb, vb)) = (finish(a), finish(b));
                    ka.cmp(&kb).then(va.total_cmp(&vb))
                });
                out.extend(order[..n].iter().map(|&i| i as i64));
            }
        }
        let shape: Vec<usize> = if self.ndim() == 2 { vec![rows, n] } else { vec![n] };
        Tensor::from_vec(out, &shape)
    }
}

/// x > 0, false for NaN.
fn positive(x: f64) -> bool {
    x > 0.0
}

/// x >= 0, false for NaN.
fn non_negative(x: f64) -> bool {
    x >= 0.0
}

/// The `p` of bernoulli_: one probability or a tensor of them.
#[derive(Clone, Copy)]
pub enum BernoulliP<'a> {
    Scalar(f64),
    Tensor(&'a Tensor),
}

fn check_probabilities(p: &[f64]) -> Result<()> {
    if p.iter().any(|&x| !(0.0..=1.0).contains(&x)) {
        bail!("Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
    }
    Ok(())
}

/// The largest integer `random_()` draws for a dtype: 2^mantissa digits for floats (every
/// integer up to it is exact), the maximum for integers.
fn dtype_top(d: DType) -> i128 {
    if let Some(digits) = d.significand_digits() {
        return 1 << digits;
    }
    match d {
        DType::I64 => i64::MAX as i128,
        DType::I32 => i32::MAX as i128,
        DType::I16 => i16::MAX as i128,
        DType::I8 => i8::MAX as i128,
        DType::U8 => u8::MAX as i128,
        DType::Bool => 1,
        _ => 0, // floats returned above
    }
}

/// torch's check that [from, to) fits the dtype (shared by random_ and randint).
pub(crate) fn check_random_bounds(dtype: DType, from: i64, to: Option<i64>) -> Result<()> {
    let (lowest, max) = dtype_range(dtype);
    let name = cpp_type_name(dtype);
    if (from as f64) < lowest || (from as f64) > max {
        bail!("from is out of bounds for {name}");
    }
    if let Some(t) = to {
        let last = t as f64 - 1.0;
        if t > from && (last < lowest || last > max) {
            bail!("to - 1 is out of bounds for {name}");
        }
    }
    Ok(())
}

/// torch's warnings for `random_(from, to)` on a float dtype whose significand cannot hold
/// every integer of the range (the values are drawn anyway, and rounded).
fn warn_inexact_range(dtype: DType, from: i64, to: i64) {
    let Some(digits) = dtype.significand_digits() else { return };
    let bound = 1i128 << digits;
    for (what, v) in [("from", from as i128), ("to - 1", to as i128 - 1)] {
        if v < -bound || v > bound {
            crate::warnings::warn(&format!(
                "{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations {} can support discrete \
                 uniform distribution only within this range. This warning will become an error in version 1.7 release, \
                 please fix the code in advance",
                cpp_type_name(dtype)
            ));
        }
    }
}

/// The lowest and largest finite values of a dtype, as f64.
fn dtype_range(d: DType) -> (f64, f64) {
    let max = match d {
        DType::F64 => f64::MAX,
        DType::F32 => f32::MAX as f64,
        DType::F16 => half::f16::MAX.to_f64(),
        DType::BF16 => half::bf16::MAX.to_f64(),
        DType::I64 => return (i64::MIN as f64, i64::MAX as f64),
        DType::I32 => return (i32::MIN as f64, i32::MAX as f64),
        DType::I16 => return (i16::MIN as f64, i16::MAX as f64),
        DType::I8 => return (i8::MIN as f64, i8::MAX as f64),
        DType::U8 => return (0.0, 255.0),
        DType::Bool => return (0.0, 1.0),
    };
    (-max, max)
}

/// A number as C++'s default stream output prints it (%g: 6 significant digits), as in
/// torch's messages: 3e+38, 60000, 1.5, nan.
fn fmt_g(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let exp = x.abs().log10().floor() as i32;
    let trim = |s: String| if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if !(-5..6).contains(&exp) {
        let s = format!("{x:.5e}");
        let (mantissa, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{}e{}{:02}", trim(mantissa.to_string()), if e < 0 { '-' } else { '+' }, e.abs());
    }
    trim(format!("{x:.prec$}", prec = (5 - exp).max(0) as usize))
}

/// The first category whose cumulative weight exceeds `u * total` (zero weights never win).
fn draw_category(row: &[f64], total: f64, u: f64) -> i64 {
    let target = u * total;
    let mut acc = 0.0;
    let mut last = 0;
    for (i, &w) in row.iter().enumerate() {
        if w > 0.0 {
            acc += w;
            last = i;
            if acc > target {
                return i as i64;
            }
        }
    }
    last as i64
}

/// One Poisson(lambda) sample: multiplication of uniforms for small rates, Hormann's
/// transformed rejection (PTRS) above 10.
fn poisson_sample(r: &mut Xoshiro, lambda: f64) -> f64 {
    if lambda == 0.0 {
        return 0.0;
    }
    if lambda < 10.0 {
        let limit = (-lambda).exp();
        let (mut k, mut p) = (0.0, r.uniform());
        while p > limit {
            k += 1.0;
            p *= r.uniform();
        }
        return k;
    }
    let (slam, loglam) = (lambda.sqrt(), lambda.ln());
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = r.uniform() - 0.5;
        let v = r.uniform();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln() <= -lambda + k * loglam - ln_factorial(k) {
            return k;
        }
    }
}

/// ln(k!) by Stirling's series (exact table below 10).
fn ln_factorial(k: f64) -> f64 {
    const SMALL: [f64; 10] = [1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0];
    if k < 10.0 {
        return SMALL[k as usize].ln();
    }
    let n = k + 1.0;
    (n - 0.5) * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * n) - 1.0 / (360.0 * n.powi(3))
        + 1.0 / (1260.0 * n.powi(5))
}

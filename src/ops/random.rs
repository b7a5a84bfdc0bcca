//! Random numbers: a seedable generator (xoshiro256++) and rand/randn/randint/normal.
//! Generation is sequential so that a seed gives the same numbers for any thread count.

use std::sync::{Arc, Mutex, OnceLock};

use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// The generator's state: xoshiro256++ (`pub(crate)` so that samplers can draw from it).
#[derive(Clone, Debug)]
pub(crate) struct Xoshiro {
    s: [u64; 4],
    seed: u64,
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Xoshiro {
    fn new(seed: u64) -> Self {
        let mut x = seed;
        Xoshiro { s: [splitmix(&mut x), splitmix(&mut x), splitmix(&mut x), splitmix(&mut x)], seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A random number generator (`torch.Generator`): cheap to clone, shared state.
#[derive(Clone, Debug)]
pub struct Generator(Arc<Mutex<Xoshiro>>);

impl Default for Generator {
    fn default() -> Self {
        Generator::new(67280421310721)
    }
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator(Arc::new(Mutex::new(Xoshiro::new(seed))))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Xoshiro>> {
        self.0.lock().map_err(|_| Error::Runtime("generator state poisoned by a panic".into()))
    }

    pub fn manual_seed(&self, seed: u64) -> Result<()> {
        *self.lock()? = Xoshiro::new(seed);
        Ok(())
    }

    pub fn initial_seed(&self) -> Result<u64> {
        Ok(self.lock()?.seed)
    }

    /// The full state as bytes (`get_state`).
    pub fn get_state(&self) -> Result<Vec<u8>> {
        let g = self.lock()?;
        Ok(g.s.iter().chain(std::iter::once(&g.seed)).flat_map(|v| v.to_le_bytes()).collect())
    }

    pub fn set_state(&self, bytes: &[u8]) -> Result<()> {
        if bytes.len() != 40 {
            bail!("Expected a state of 40 bytes, got {}", bytes.len());
        }
        let word = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            u64::from_le_bytes(b)
        };
        *self.lock()? = Xoshiro { s: [word(0), word(1), word(2), word(3)], seed: word(4) };
        Ok(())
    }

    pub(crate) fn fill<T: Element>(&self, n: usize, mut f: impl FnMut(&mut Xoshiro) -> T) -> Result<Vec<T>> {
        let mut g = self.lock()?;
        Ok((0..n).map(|_| f(&mut g)).collect())
    }
}

/// The process-wide default generator (`torch.default_generator`).
pub fn default_generator() -> &'static Generator {
    static G: OnceLock<Generator> = OnceLock::new();
    G.get_or_init(Generator::default)
}

/// Seeds the default generator (`torch.manual_seed`).
pub fn manual_seed(seed: u64) -> Result<()> {
    default_generator().manual_seed(seed)
}

pub(crate) fn float_only(dtype: DType, name: &str) -> Result<()> {
    if !dtype.is_floating_point() {
        return Err(Error::NotImplemented(format!("\"{name}\" not implemented for '{}'", dtype.scalar_name())));
    }
    Ok(())
}

fn build<T: Element>(vals: Vec<T>, shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
    Tensor::from_vec(vals, shape)?.to_dtype(dtype)?.to_device(device)
}

/// Uniform samples in [0, 1).
pub fn rand(shape: &[usize], dtype: DType, device: Device, g: Option<&Generator>) -> Result<Tensor> {
    float_only(dtype, "check_uniform_bounds")?;
    let n = crate::layout::checked_numel(shape)?;
    let g = g.unwrap_or(default_generator());
    if dtype == DType::F64 {
        return build(g.fill(n, |r| r.uniform())?, shape, dtype, device);
    }
    // k / 2^digits with the dtype's significand digits: exact in the dtype, so rounding
    // never produces 1.0.
    let digits = dtype.significand_digits().unwrap_or(24);
    let scale = 1.0 / (1u32 << digits) as f32;
    build(g.fill(n, |r| (r.next_u64() >> (64 - digits)) as f32 * scale)?, shape, dtype, device)
}

/// A standard normal sample (Box-Muller, one of the pair).
pub(crate) fn standard_normal(r: &mut Xoshiro) -> f64 {
    let u1 = 1.0 - r.uniform();
    let u2 = r.uniform();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Standard normal samples (Box-Muller).
pub fn randn(shape: &[usize], dtype: DType, device: Device, g: Option<&Generator>) -> Result<Tensor> {
    normal(0.0, 1.0, shape, dtype, device, g)
}

/// Normal samples with the given mean and standard deviation.
pub fn normal(mean: f64, std: f64, shape: &[usize], dtype: DType, device: Device, g: Option<&Generator>) -> Result<Tensor> {
    float_only(dtype, "normal_kernel_cpu")?;
    if std < 0.0 {
        bail!("normal expects std >= 0.0, but found std {std}");
    }
    let n = crate::layout::checked_numel(shape)?;
    let g = g.unwrap_or(default_generator());
    let mut vals: Vec<f64> = Vec::with_capacity(n);
    {
        let mut r = g.lock()?;
        while vals.len() < n {
            let u1 = 1.0 - r.uniform();
            let u2 = r.uniform();
            let rad = (-2.0 * u1.ln()).sqrt();
            let th = 2.0 * std::f64::consts::PI * u2;
            vals.push(mean + std * rad * th.cos());
            if vals.len() < n {
                vals.push(mean + std * rad * th.sin());
            }
        }
    }
    build(vals, shape, dtype, device)
}

/// Integers uniform in [low, high).
pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType, device: Device, g: Option<&Generator>) -> Result<Tensor> {
    if high <= low {
        bail!("random_ expects 'from' to be less than 'to', but got from={low} >= to={high}");
    }
    crate::ops::sampling::check_random_bounds(dtype, low, Some(high))?;
    let n = crate::layout::checked_numel(shape)?;
    let g = g.unwrap_or(default_generator());
    let range = (high as i128 - low as i128) as u128;
    let vals = g.fill(n, |r| (low as i128 + (r.next_u64() as u128 % range) as i128) as i64)?;
    build(vals, shape, dtype, device)
}

/// A random permutation of 0..n (Fisher-Yates).
pub fn randperm(n: usize, dtype: DType, device: Device, g: Option<&Generator>) -> Result<Tensor> {
    let overflow = |ty: &str| Err(Error::Runtime(format!("value cannot be converted to type {ty} without overflow")));
    match dtype {
        DType::Bool => return Err(Error::NotImplemented("\"randperm\" not implemented for 'Bool'".into())),
        DType::I8 if n > 128 => return overflow("int8_t"),
        DType::U8 if n > 256 => return overflow("uint8_t"),
        DType::I16 if n > 32768 => return overflow("int16_t"),
        DType::F16 if n > 2049 => bail!("n cannot be greater than 2049 for Half type."),
        _ => {}
    }
    let g = g.unwrap_or(default_generator());
    let mut v: Vec<i64> = (0..n as i64).collect();
    {
        let mut r = g.lock()?;
        for i in (1..n).rev() {
            let j = (r.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
    build(v, &[n], dtype, device)
}

//! Writing through an index: scatter (a tensor or a value; reduce='add'/'multiply'),
//! scatter_add and scatter_reduce, in place and out of place. Also the plan that index_add,
//! index_copy, index_fill and index_put run on.

use super::{check_values, fresh_copy, is_index_dtype, lift, out_of_bounds, unaliased, with_index_dtype, without};
use crate::autograd::formulas::index as grad;
use crate::autograd::record::needs_grad;
use crate::backend::cpu::arith::Arith;
use crate::backend::cpu::index::{scatter, Fibres};
use crate::backend::cpu::map::{map2, Operand};
use crate::device::Device;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{wrap_dim, Error, Result};
use crate::layout::Dims;
use crate::ops::binary::check_no_internal_overlap;
use crate::ops::Arg;
use crate::tensor::Tensor;

/// The reduction of `scatter_reduce` (and, as sum / prod, of scatter's `reduce=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterReduce {
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    /// The `reduce` argument of `scatter_reduce`.
    pub fn parse(name: &str) -> Result<ScatterReduce> {
        Ok(match name {
            "sum" => ScatterReduce::Sum,
            "prod" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            _ => bail!("reduce argument must be either sum, prod, mean, amax or amin, got {name}"),
        })
    }

    /// The `reduce` argument of `scatter`: 'add' or 'multiply'.
    pub fn parse_legacy(name: &str) -> Result<ScatterReduce> {
        Ok(match name {
            "add" => ScatterReduce::Sum,
            "multiply" => ScatterReduce::Prod,
            _ => bail!("reduce argument must be either add or multiply."),
        })
    }

    fn combine(self) -> Combine {
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Combine::Add,
            ScatterReduce::Prod => Combine::Mul,
            ScatterReduce::Amax => Combine::Max,
            ScatterReduce::Amin => Combine::Min,
        }
    }

    /// The value the reduction starts from where `include_self` is false.
    fn identity(self, dtype: DType) -> Scalar {
        let (lo, hi) = match dtype {
            DType::Bool => (Scalar::Bool(false), Scalar::Bool(true)),
            DType::U8 => (Scalar::Int(0), Scalar::Int(u8::MAX as i64)),
            DType::I8 => (Scalar::Int(i8::MIN as i64), Scalar::Int(i8::MAX as i64)),
            DType::I16 => (Scalar::Int(i16::MIN as i64), Scalar::Int(i16::MAX as i64)),
            DType::I32 => (Scalar::Int(i32::MIN as i64), Scalar::Int(i32::MAX as i64)),
            DType::I64 => (Scalar::Int(i64::MIN), Scalar::Int(i64::MAX)),
            _ => (Scalar::Float(f64::NEG_INFINITY), Scalar::Float(f64::INFINITY)),
        };
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Scalar::Int(0),
            ScatterReduce::Prod => Scalar::Int(1),
            ScatterReduce::Amax => lo,
            ScatterReduce::Amin => hi,
        }
    }
}

/// How a written value combines with the target element.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Combine {
    Assign,
    Add,
    Mul,
    Max,
    Min,
    /// `target + alpha * value` (index_add).
    AddScaled(Scalar),
}

/// A scatter laid out for the kernel: rows (the positions outside the indexed dim) times
/// `len` entries along it, with each operand's strides over the rows and along the dim.
pub(crate) struct ScatterPlan<'a> {
    /// Written to; at least 1-d.
    pub target: &'a Tensor,
    /// The indexed dim of the target.
    pub dim: usize,
    /// The shape of the rows, and the number of index entries per row.
    pub rows: Dims,
    pub len: usize,
    /// int32 or int64 entries, already checked against the target's size along `dim`.
    pub index: &'a Tensor,
    pub index_rows: Dims,
    pub index_along: usize,
    /// The values written, of the target's dtype.
    pub src: &'a Tensor,
    pub src_rows: Dims,
    pub src_along: usize,
}

impl<'a> ScatterPlan<'a> {
    /// scatter's layout: one index entry per source element, over the index's shape. All
    /// three at least 1-d; a one-element `src` with `broadcast` stands for a value.
    pub fn elementwise(target: &'a Tensor, dim: usize, index: &'a Tensor, src: &'a Tensor, broadcast: bool) -> Self {
        let src_strides: Dims = if broadcast { Dims::from_elem(0, index.ndim()) } else { Dims::from_slice(src.strides()) };
        ScatterPlan {
            target,
            dim,
            rows: without(index.shape(), dim),
            len: index.shape()[dim],
            index,
            index_rows: without(index.strides(), dim),
            index_along: index.strides()[dim],
            src,
            src_rows: without(&src_strides, dim),
            src_along: src_strides[dim],
        }
    }

    /// index_add / index_copy / index_fill's layout: entry k of the 1-d `index` takes slice k
    /// of `src` along `dim` (or the value, with `broadcast`), over `rows` (the target's shape
    /// without `dim`).
    pub fn slices(target: &'a Tensor, dim: usize, index: &'a Tensor, src: &'a Tensor, broadcast: bool) -> Self {
        let rows = without(target.shape(), dim);
        let (src_rows, src_along) = if broadcast {
            (Dims::from_elem(0, rows.len()), 0)
        } else {
            (without(src.strides(), dim), src.strides()[dim])
        };
        ScatterPlan {
            target,
            dim,
            index_rows: Dims::from_elem(0, rows.len()),
            rows,
            len: index.numel(),
            index,
            index_along: index.strides().first().copied().unwrap_or(0),
            src,
            src_rows,
            src_along,
        }
    }

    /// Runs the scatter. Index entries must have been checked against the target's dim.
    pub fn run(&self, combine: Combine) -> Result<()> {
        let t = self.target;
        let (sd, size) = (t.strides()[self.dim], t.shape()[self.dim]);
        let target_rows = without(t.strides(), self.dim);
        crate::with_dtype!(t.dtype(), T => with_index_dtype!(self.index.dtype(), I => {
            let (pt, pi, ps) = (t.cpu_ptr::<T>()?, self.index.cpu_ptr::<I>()?, self.src.cpu_ptr::<T>()?);
            let (target_fibres, index_fibres) = (Fibres::new(pt, &target_rows, 0), Fibres::new(pi, &self.index_rows, self.index_along));
            let src_fibres = Fibres::new(ps, &self.src_rows, self.src_along);
            // A macro rather than a closure taking `dyn Fn`: each combine gets its own
            // monomorphised kernel.
            macro_rules! go {
                ($f:expr) => {
                    // SAFETY: the plan's strides address the index and source over rows x len
                    // (built from their own layouts, the index no larger than the source), and
                    // the target's over rows (no larger than its shape) plus checked index
                    // values times its stride along `dim`. The caller made sure the target has
                    // no internal overlap and shares no memory with the index or the source.
                    unsafe { scatter::<T, I>(&self.rows, self.len, target_fibres, sd, size, index_fibres, src_fibres, $f) }
                };
            }
            match combine {
                Combine::Assign => go!(|_, s| s),
                Combine::Add => go!(|a: T, s: T| a.add(s)),
                Combine::Mul => go!(|a: T, s: T| a.mul(s)),
                Combine::Max => go!(|a: T, s: T| a.max_nan(s)),
                Combine::Min => go!(|a: T, s: T| a.min_nan(s)),
                Combine::AddScaled(alpha) => {
                    let alpha = T::from_scalar(alpha);
                    go!(move |a: T, s: T| a.add(s.mul(alpha)))
                }
            }
        }));
        Ok(())
    }
}

/// Checks a scatter's arguments as torch does (dtypes, dims, sizes, index values) and
/// returns the wrapped dim.
fn check_scatter(name: &str, target: &Tensor, dim: i64, index: &Tensor, src: Option<&Tensor>) -> Result<usize> {
    target.expect_cpu(name)?;
    index.expect_cpu(name)?;
    if let Some(s) = src {
        s.expect_cpu(name)?;
    }
    let d = wrap_dim(dim, target.ndim())?;
    if index.numel() > 0 && !is_index_dtype(index.dtype()) {
        bail!("{name}(): Expected dtype int32/int64 for index");
    }
    if let Some(s) = src {
        if s.dtype() != target.dtype() {
            bail!("{name}(): Expected self.dtype to be equal to src.dtype");
        }
    }
    let nd = |t: &Tensor| t.ndim().max(1);
    if nd(index) != nd(target) {
        bail!("Index tensor must have the same number of dimensions as self tensor");
    }
    if let Some(s) = src {
        if nd(s) != nd(index) {
            bail!("Index tensor must have the same number of dimensions as src tensor");
        }
    }
    if index.numel() == 0 {
        return Ok(d);
    }
    let (t, i) = (lift(target), lift(index));
    let larger_than_self = (0..i.ndim()).any(|k| k != d && i.shape()[k] > t.shape()[k]);
    match src {
        Some(s) => {
            let ls = lift(s);
            if larger_than_self || (0..i.ndim()).any(|k| i.shape()[k] > ls.shape()[k]) {
                bail!(
                    "Expected index {:?} to be no larger than self {:?} apart from dimension {d} and to be no larger size than src {:?}",
                    index.shape(),
                    target.shape(),
                    s.shape()
                );
            }
        }
        None if larger_than_self => {
            bail!("Expected index {:?} to be no larger than self {:?} apart from dimension {d}", index.shape(), target.shape())
        }
        None => {}
    }
    let size = t.shape()[d];
    check_values(&i, size, false, |v| out_of_bounds(v, d, size))?;
    Ok(d)
}

/// What a scatter writes: a tensor of the target's dtype, or a value cast to it.
fn source_of(src: Arg, target: &Tensor) -> Result<(Tensor, bool)> {
    match src {
        Arg::Tensor(s) => Ok((lift(&unaliased(s, target)?), false)),
        Arg::Scalar(v) => Ok((lift(&crate::ops::creation::full(&[], v, target.dtype(), Device::Cpu)?), true)),
    }
}

/// The scatter itself, into `target` (checked arguments, wrapped `d`).
fn apply_scatter(target: &Tensor, d: usize, index: &Tensor, src: Arg, combine: Combine) -> Result<()> {
    if index.numel() == 0 {
        return Ok(());
    }
    let (t, i) = (lift(target), lift(&unaliased(index, target)?));
    let (s, broadcast) = source_of(src, target)?;
    ScatterPlan::elementwise(&t, d, &i, &s, broadcast).run(combine)
}

/// scatter_reduce into `target` (checked arguments, wrapped `d`).
fn apply_reduce(target: &Tensor, d: usize, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool) -> Result<()> {
    if index.numel() == 0 {
        return Ok(());
    }
    if !include_self {
        apply_scatter(target, d, index, Arg::Scalar(reduce.identity(target.dtype())), Combine::Assign)?;
    }
    apply_scatter(target, d, index, Arg::Tensor(src), reduce.combine())?;
    if reduce != ScatterReduce::Mean {
        return Ok(());
    }
    // The mean: divide each target element that was hit by its number of contributions.
    let t = lift(target);
    let counts = crate::ops::creation::zeros(t.shape(), DType::I64, Device::Cpu)?;
    apply_scatter(&counts, d, index, Arg::Scalar(Scalar::Int(1)), Combine::Add)?;
    let extra = include_self as i64;
    crate::with_dtype!(t.dtype(), T => {
        let (pt, pc) = (t.cpu_ptr::<T>()?, counts.cpu_ptr::<i64>()?);
        let divide = move |x: T, c: i64| {
            if c == 0 {
                return x;
            }
            let n = T::from_i64(c + extra);
            if T::IS_FLOAT { x.div(n) } else { x.floor_div(n) }
        };
        // SAFETY: counts has t's shape; t is written element by element from its own
        // values (identical layouts for the output and the first input).
        unsafe { map2::<T, i64, T>(t.shape(), Operand::new(pt, t.strides()), Operand::new(pt, t.strides()), Operand::new(pc, counts.strides()), divide) };
    });
    Ok(())
}

/// The tensors among `self` and a scatter's source that autograd may track.
fn tracked<'a>(target: &'a Tensor, src: Option<&'a Tensor>) -> Vec<&'a Tensor> {
    std::iter::once(target).chain(src).collect()
}

impl Tensor {
    /// `self` with `src` (a tensor, or a value) written along `dim` at the positions in
    /// `index`: for dim 0, `out[index[i][j]][j] = src[i][j]`. With `reduce` (sum or prod,
    /// torch's 'add' / 'multiply') the written values are combined with the existing ones.
    pub fn scatter(&self, dim: i64, index: &Tensor, src: Arg, reduce: Option<ScatterReduce>) -> Result<Tensor> {
        let src_t = match src {
            Arg::Tensor(t) => Some(t),
            Arg::Scalar(_) => None,
        };
        let combine = legacy_combine(reduce)?;
        let d = check_scatter("scatter", self, dim, index, src_t)?;
        let out = fresh_copy(self)?;
        apply_scatter(&out, d, index, src, combine)?;
        if needs_grad(&tracked(self, src_t)) && out.dtype().is_floating_point() {
            if reduce.is_some() {
                return Err(Error::NotImplemented("the derivative for 'scatter' with a reduce argument is not implemented".into()));
            }
            grad::record_scatter(self, d, index, src_t, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::scatter`]; returns `self`.
    pub fn scatter_(&self, dim: i64, index: &Tensor, src: Arg, reduce: Option<ScatterReduce>) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        let src_t = match src {
            Arg::Tensor(t) => Some(t),
            Arg::Scalar(_) => None,
        };
        let combine = legacy_combine(reduce)?;
        let d = check_scatter("scatter", self, dim, index, src_t)?;
        if needs_grad(&tracked(self, src_t)) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.scatter(dim, index, src, reduce));
        }
        check_no_internal_overlap(self)?;
        apply_scatter(self, d, index, src, combine)?;
        self.bump_version();
        Ok(self.clone())
    }

    /// `self` with `src` added along `dim` at the positions in `index` (duplicates add up).
    pub fn scatter_add(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        let d = check_scatter("scatter_add", self, dim, index, Some(src))?;
        let out = fresh_copy(self)?;
        apply_scatter(&out, d, index, Arg::Tensor(src), Combine::Add)?;
        if needs_grad(&[self, src]) && out.dtype().is_floating_point() {
            grad::record_scatter_add(self, d, index, src, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::scatter_add`]; returns `self`.
    pub fn scatter_add_(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        let d = check_scatter("scatter_add", self, dim, index, Some(src))?;
        if needs_grad(&[self, src]) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.scatter_add(dim, index, src));
        }
        check_no_internal_overlap(self)?;
        apply_scatter(self, d, index, Arg::Tensor(src), Combine::Add)?;
        self.bump_version();
        Ok(self.clone())
    }

    /// `self` with the values of `src` reduced into it along `dim` at the positions in
    /// `index` (sum, prod, mean, amax or amin); with `include_self` false the elements that
    /// receive a value forget theirs first.
    pub fn scatter_reduce(&self, dim: i64, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool) -> Result<Tensor> {
        let d = check_reduce(self, dim, index, src, reduce)?;
        let out = fresh_copy(self)?;
        apply_reduce(&out, d, index, src, reduce, include_self)?;
        if needs_grad(&[self, src]) && out.dtype().is_floating_point() {
            grad::record_scatter_reduce(self, d, index, src, reduce, include_self, &out)?;
        }
        Ok(out)
    }

    /// In-place [`Tensor::scatter_reduce`]; returns `self`.
    pub fn scatter_reduce_(&self, dim: i64, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool) -> Result<Tensor> {
        self.check_inplace_allowed()?;
        let d = check_reduce(self, dim, index, src, reduce)?;
        if needs_grad(&[self, src]) {
            return crate::autograd::inplace::inplace(self, |snapshot| snapshot.scatter_reduce(dim, index, src, reduce, include_self));
        }
        check_no_internal_overlap(self)?;
        apply_reduce(self, d, index, src, reduce, include_self)?;
        self.bump_version();
        Ok(self.clone())
    }
}

/// scatter's `reduce=`: only 'add' (sum) and 'multiply' (prod).
fn legacy_combine(reduce: Option<ScatterReduce>) -> Result<Combine> {
    match reduce {
        None => Ok(Combine::Assign),
        Some(r @ (ScatterReduce::Sum | ScatterReduce::Prod)) => Ok(r.combine()),
        Some(_) => bail!("reduce argument must be either add or multiply."),
    }
}

/// scatter_reduce's checks: a scatter's, and no mean of bools.
fn check_reduce(target: &Tensor, dim: i64, index: &Tensor, src: &Tensor, reduce: ScatterReduce) -> Result<usize> {
    let d = check_scatter("scatter_reduce", target, dim, index, Some(src))?;
    if reduce == ScatterReduce::Mean && target.dtype() == DType::Bool {
        return Err(Error::NotImplemented("\"scatter_reduce_two_cpu\" not implemented for 'Bool'".into()));
    }
    Ok(d)
}

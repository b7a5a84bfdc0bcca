//! Products built on matmul: tensordot, kron, addmm/addmv/addbmm/baddbmm, matrix_power,
//! cross. All are compositions of differentiable ops.

use crate::dtype::Scalar;
use crate::error::{wrap_dim, Result};
use crate::tensor::Tensor;

/// torch.tensordot: contracts `dims_a` of `a` with `dims_b` of `b` (pairwise), through one
/// matmul of the flattened free and contracted dims.
pub fn tensordot(a: &Tensor, b: &Tensor, dims_a: &[i64], dims_b: &[i64]) -> Result<Tensor> {
    if dims_a.len() != dims_b.len() {
        bail!("both dimension lists should have same length");
    }
    if a.dtype() != b.dtype() {
        bail!("both inputs should have same dtype");
    }
    let (na, nb) = (a.ndim(), b.ndim());
    let mut ca = Vec::with_capacity(dims_a.len());
    let mut cb = Vec::with_capacity(dims_b.len());
    for (&da_raw, &db_raw) in dims_a.iter().zip(dims_b) {
        let (da, db) = (wrap_dim(da_raw, na)?, wrap_dim(db_raw, nb)?);
        if ca.contains(&da) || cb.contains(&db) {
            bail!("dim {} appears multiple times in the list of dims", if ca.contains(&da) { da } else { db });
        }
        let (sa, sb) = (a.shape()[da], b.shape()[db]);
        if sa != sb {
            bail!("contracted dimensions need to match, but first has size {sa} in dim {da_raw} and second has size {sb} in dim {db_raw}");
        }
        ca.push(da);
        cb.push(db);
    }
    let free_a: Vec<usize> = (0..na).filter(|d| !ca.contains(d)).collect();
    let free_b: Vec<usize> = (0..nb).filter(|d| !cb.contains(d)).collect();
    let k: usize = ca.iter().map(|&d| a.shape()[d]).product();
    let size = |t: &Tensor, ds: &[usize]| ds.iter().map(|&d| t.shape()[d]).product::<usize>() as i64;
    let perm_a: Vec<i64> = free_a.iter().chain(&ca).map(|&d| d as i64).collect();
    let perm_b: Vec<i64> = cb.iter().chain(&free_b).map(|&d| d as i64).collect();
    let am = a.permute(&perm_a)?.reshape(&[size(a, &free_a), k as i64])?;
    let bm = b.permute(&perm_b)?.reshape(&[k as i64, size(b, &free_b)])?;
    let out_shape: Vec<i64> = free_a.iter().map(|&d| a.shape()[d] as i64).chain(free_b.iter().map(|&d| b.shape()[d] as i64)).collect();
    am.matmul(&bm)?.reshape(&out_shape)
}

/// torch.kron: the Kronecker product; shapes are aligned on the right.
pub fn kron(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let nd = a.ndim().max(b.ndim());
    let pad = |t: &Tensor| -> Vec<i64> {
        std::iter::repeat_n(1, nd - t.ndim()).chain(t.shape().iter().map(|&d| d as i64)).collect()
    };
    let (sa, sb) = (pad(a), pad(b));
    // a as (a0, 1, a1, 1, ...) times b as (1, b0, 1, b1, ...), then merge each pair.
    let ia: Vec<i64> = sa.iter().flat_map(|&d| [d, 1]).collect();
    let ib: Vec<i64> = sb.iter().flat_map(|&d| [1, d]).collect();
    let out: Vec<i64> = sa.iter().zip(&sb).map(|(x, y)| x * y).collect();
    a.reshape(&ia)?.mul(&b.reshape(&ib)?)?.reshape(&out)
}

/// beta * input + alpha * product, with torch's rule that beta = 0 ignores input (NaN too)
/// and that input only broadcasts to the product's shape.
fn affine(input: &Tensor, product: Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
    let shape: Vec<i64> = product.shape().iter().map(|&d| d as i64).collect();
    let input = input.expand(&shape)?;
    let scaled = if alpha.to_f64() == 1.0 { product } else { product.mul(alpha)? };
    match beta.to_f64() {
        0.0 => Ok(scaled),
        1.0 => input.add(&scaled),
        _ => input.mul(beta)?.add(&scaled),
    }
}

fn type_name(t: &Tensor) -> &'static str {
    t.dtype().scalar_name()
}

fn reject_bool(t: &Tensor, kernel: &str) -> Result<()> {
    if t.dtype() == crate::DType::Bool {
        return Err(crate::Error::NotImplemented(format!("\"{kernel}\" not implemented for 'Bool'")));
    }
    Ok(())
}

impl Tensor {
    /// torch.addmm: beta * self + alpha * (mat1 @ mat2).
    pub fn addmm(&self, mat1: &Tensor, mat2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        for (x, y) in [(self, mat1), (mat1, mat2)] {
            if x.dtype() != y.dtype() {
                bail!("self and mat2 must have the same dtype, but got {} and {}", type_name(x), type_name(y));
            }
        }
        reject_bool(mat1, "addmm_impl_cpu_")?;
        // torch names mat1 "self" here (addmm is mat1.mm(mat2) underneath).
        for (t, what) in [(mat1, "self"), (mat2, "mat2")] {
            if t.ndim() != 2 {
                bail!("addmm: {what} must be a matrix, got {}-D tensor", t.ndim());
            }
        }
        if mat1.shape()[1] != mat2.shape()[0] {
            bail!("addmm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})", mat1.shape()[0], mat1.shape()[1], mat2.shape()[0], mat2.shape()[1]);
        }
        affine(self, mat1.matmul(mat2)?, beta, alpha)
    }

    /// torch.addmv: beta * self + alpha * (mat @ vec).
    pub fn addmv(&self, mat: &Tensor, vec: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        if self.dtype() != mat.dtype() || mat.dtype() != vec.dtype() {
            bail!("addmv input tensors must have the same dtype, but got {}, {}, and {}", type_name(self), type_name(mat), type_name(vec));
        }
        reject_bool(mat, "addmv_impl_cpu")?;
        if mat.ndim() != 2 || vec.ndim() != 1 || self.ndim() > 1 {
            bail!("vector + matrix @ vector expected, got {}, {}, {}", self.ndim(), mat.ndim(), vec.ndim());
        }
        let (n, m) = (mat.shape()[0], mat.shape()[1]);
        let input_ok = self.ndim() == 0 || self.shape()[0] == n || self.shape()[0] == 1;
        if vec.shape()[0] != m || !input_ok {
            bail!("size mismatch, got input ({}), mat ({n}x{m}), vec ({})", self.shape().first().copied().unwrap_or(1), vec.shape()[0]);
        }
        affine(self, mat.matmul(vec)?, beta, alpha)
    }

    /// torch.baddbmm: beta * self + alpha * (batch1 @ batch2), batch by batch.
    pub fn baddbmm(&self, batch1: &Tensor, batch2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        if self.dtype() != batch1.dtype() || batch1.dtype() != batch2.dtype() {
            bail!(
                "Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}",
                crate::ops::index::cpp_type_name(self.dtype()),
                crate::ops::index::cpp_type_name(batch1.dtype()),
                crate::ops::index::cpp_type_name(batch2.dtype())
            );
        }
        reject_bool(batch1, "baddbmm_cpu")?;
        for (t, what) in [(batch1, "batch1"), (batch2, "batch2")] {
            if t.ndim() != 3 {
                bail!("{what} must be a 3D tensor");
            }
        }
        let (b, m) = (batch1.shape()[0], batch1.shape()[2]);
        if batch2.shape()[0] != b || batch2.shape()[1] != m {
            bail!("Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: [{}, {}].", batch2.shape()[0], batch2.shape()[1]);
        }
        affine(self, batch1.matmul(batch2)?, beta, alpha)
    }

    /// torch.addbmm: beta * self + alpha * sum_b (batch1[b] @ batch2[b]).
    pub fn addbmm(&self, batch1: &Tensor, batch2: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        if self.dtype() != batch1.dtype() || batch1.dtype() != batch2.dtype() {
            bail!("self and mat2 must have the same dtype, but got {} and {}", type_name(batch1), type_name(batch2));
        }
        reject_bool(batch1, "addbmm_impl_cpu_")?;
        for (t, what) in [(batch1, "batch1"), (batch2, "batch2")] {
            if t.ndim() != 3 {
                bail!("{what} must be a 3D tensor");
            }
        }
        if batch1.shape()[0] != batch2.shape()[0] {
            bail!("batch1 and batch2 must have same number of batches, got {} and {}", batch1.shape()[0], batch2.shape()[0]);
        }
        let (b, n, m) = (batch1.shape()[0] as i64, batch1.shape()[1] as i64, batch1.shape()[2] as i64);
        let p = batch2.shape()[2] as i64;
        if batch2.shape()[1] as i64 != m {
            bail!("Incompatible matrix sizes for bmm ({n}x{m} and {}x{p})", batch2.shape()[1]);
        }
        // sum_b A_b B_b = [A_0 .. A_{b-1}] (n x b*m) @ [B_0; ..; B_{b-1}] (b*m x p): one GEMM.
        let left = batch1.permute(&[1, 0, 2])?.reshape(&[n, b * m])?;
        let right = batch2.reshape(&[b * m, p])?;
        affine(self, left.matmul(&right)?, beta, alpha)
    }
}

/// torch.linalg.matrix_power: A^n by repeated squaring; n < 0 inverts first, n = 0 gives
/// the identity (batched like A).
pub fn matrix_power(a: &Tensor, n: i64) -> Result<Tensor> {
    super::check_matrix(a, "linalg.matrix_power", "A", true)?;
    let size = a.shape()[a.ndim() - 1];
    if n == 1 {
        return a.deep_clone();
    }
    if n == 0 {
        let eye = crate::ops::creation::eye(size, size, a.dtype(), a.device())?;
        let shape: Vec<i64> = a.shape().iter().map(|&d| d as i64).collect();
        return eye.expand(&shape)?.contiguous();
    }
    let mut base = if n < 0 {
        super::inv(a)?
    } else {
        a.clone()
    };
    let mut k = n.unsigned_abs();
    let mut result: Option<Tensor> = None;
    loop {
        if k & 1 == 1 {
            result = Some(match result {
                Some(r) => r.matmul(&base)?,
                None => base.clone(),
            });
        }
        k >>= 1;
        if k == 0 {
            break;
        }
        base = base.matmul(&base)?;
    }
    result.ok_or_else(|| crate::Error::Runtime("matrix_power: empty product".into()))
}

/// torch.linalg.cross: the 3-vector cross product along `dim` (inputs broadcast).
pub fn cross(a: &Tensor, b: &Tensor, dim: i64) -> Result<Tensor> {
    let name = "linalg.cross";
    if a.ndim() != b.ndim() {
        bail!("{name}: inputs must have the same number of dimensions.");
    }
    let both = crate::ops::join::broadcast_tensors(&[a.clone(), b.clone()])?;
    let (a, b) = (&both[0], &both[1]);
    if a.dtype() == crate::DType::Bool || b.dtype() == crate::DType::Bool {
        return Err(crate::Error::NotImplemented("\"cross\" not implemented for 'Bool'".into()));
    }
    let d = wrap_dim(dim, a.ndim())?;
    if a.shape()[d] != 3 {
        bail!("{name}: inputs dimension {dim} must have length 3. Got {} and {}", a.shape()[d], b.shape()[d]);
    }
    let idx = |v: [i64; 3]| Tensor::from_vec(v.to_vec(), &[3]);
    let (next, prev) = (idx([1, 2, 0])?, idx([2, 0, 1])?);
    let d = d as i64;
    // (a x b)_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}
    a.index_select(d, &next)?.mul(&b.index_select(d, &prev)?)?.sub(&a.index_select(d, &prev)?.mul(&b.index_select(d, &next)?)?)
}

/// The first dim of size 3, the default of the deprecated `torch.cross(a, b)` without dim.
pub fn default_cross_dim(a: &Tensor, b: &Tensor) -> Result<i64> {
    let shape = crate::layout::broadcast_shapes(a.shape(), b.shape())?;
    shape.iter().position(|&s| s == 3).map(|d| d as i64).ok_or_else(|| crate::Error::Runtime("no dimension of size 3 in input".into()))
}

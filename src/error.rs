//! The crate's error type. Each variant maps to the Python exception PyTorch raises for the
//! same mistake, so the bindings never have to guess.

/// Everything a user can get wrong, named after the exception torch raises for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Shape, dtype or state errors (Python `RuntimeError`).
    #[error("{0}")]
    Runtime(String),
    /// A dimension or an index out of range (Python `IndexError`).
    #[error("{0}")]
    Index(String),
    /// An argument of the wrong kind (Python `TypeError`).
    #[error("{0}")]
    Type(String),
    /// An argument with a wrong value (Python `ValueError`).
    #[error("{0}")]
    Value(String),
    /// A matrix a factorization cannot handle: singular, not positive-definite, no
    /// convergence (Python `torch.linalg.LinAlgError`, a `RuntimeError`).
    #[error("{0}")]
    LinAlg(String),
    /// A feature missing from this build or device (Python `NotImplementedError`).
    #[error("{0}")]
    NotImplemented(String),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// `Err(Error::Runtime(format!(...)))`, returned early.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::Error::Runtime(format!($($arg)*))) };
}

/// Normalises a possibly negative dimension against `ndim`, as torch's `maybe_wrap_dim`.
/// A 0-dim tensor accepts dims -1 and 0.
pub fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::Index(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {})",
            -n,
            n - 1,
            dim
        )));
    }
    Ok(if dim < 0 { (dim + n) as usize } else { dim as usize })
}

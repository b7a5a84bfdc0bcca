//! How many threads intra-op parallelism uses: the machine's cores (the pool in `pool.rs`
//! has one worker per core after the first), fewer when `OMP_NUM_THREADS` or
//! `set_num_threads` says so.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::error::{Error, Result};

static REQUESTED: AtomicUsize = AtomicUsize::new(0);
static DEFAULT: OnceLock<(usize, usize)> = OnceLock::new();

/// (cores, default thread count): the default honours `OMP_NUM_THREADS`, as torch's does.
fn defaults() -> (usize, usize) {
    *DEFAULT.get_or_init(|| {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let env = std::env::var("OMP_NUM_THREADS").ok().and_then(|v| v.trim().parse::<usize>().ok());
        (cores, env.filter(|&n| n > 0).map_or(cores, |n| n.min(cores)))
    })
}

/// Threads used by intra-op parallelism.
pub fn get_num_threads() -> usize {
    let (cores, default) = defaults();
    match REQUESTED.load(Ordering::Relaxed) {
        0 => default,
        n => n.min(cores),
    }
}

/// Limits intra-op parallelism to `n` threads (at most the machine's cores).
pub fn set_num_threads(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::Runtime("set_num_threads expects a positive integer".into()));
    }
    REQUESTED.store(n, Ordering::Relaxed);
    Ok(())
}

//! The one thread pool: rayon's global pool, sized by `set_num_threads`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::error::{Error, Result};

static REQUESTED: AtomicUsize = AtomicUsize::new(0);
static POOL_SIZE: OnceLock<usize> = OnceLock::new();

fn default_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn init_pool() -> usize {
    *POOL_SIZE.get_or_init(|| {
        let n = default_threads();
        // A pool that already exists (built by a dependency) is fine: we use its size.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
        rayon::current_num_threads()
    })
}

/// Threads used by intra-op parallelism.
pub fn get_num_threads() -> usize {
    let pool = init_pool();
    match REQUESTED.load(Ordering::Relaxed) {
        0 => pool,
        n => n.min(pool),
    }
}

/// Limits intra-op parallelism to `n` threads (at most the pool's size, the machine's cores).
pub fn set_num_threads(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::Runtime("set_num_threads expects a positive integer".into()));
    }
    init_pool();
    REQUESTED.store(n, Ordering::Relaxed);
    Ok(())
}

//! Grad mode: whether ops record graph nodes. Thread-local, as in torch.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static INFERENCE_MODE: Cell<bool> = const { Cell::new(false) };
}

/// True when ops record nodes for backward (`torch.is_grad_enabled()`).
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Turns recording on or off for this thread; returns the previous setting.
pub fn set_grad_enabled(enabled: bool) -> bool {
    GRAD_ENABLED.with(|g| g.replace(enabled))
}

/// How many threads are in inference mode now: every new tensor asks whether it is made
/// under inference mode, and this global check is cheaper than the thread-local one (a
/// thread-local read in a shared library is a function call).
static THREADS_IN_INFERENCE_MODE: AtomicUsize = AtomicUsize::new(0);

/// True inside `inference_mode`.
pub fn is_inference_mode_enabled() -> bool {
    THREADS_IN_INFERENCE_MODE.load(Ordering::Relaxed) > 0 && INFERENCE_MODE.with(|g| g.get())
}

/// Turns inference mode on or off; returns the previous setting. (Grad mode is switched
/// separately, by the Python `inference_mode`.)
pub fn set_inference_mode(enabled: bool) -> bool {
    let was = INFERENCE_MODE.with(|g| g.replace(enabled));
    match (was, enabled) {
        (false, true) => THREADS_IN_INFERENCE_MODE.fetch_add(1, Ordering::Relaxed),
        (true, false) => THREADS_IN_INFERENCE_MODE.fetch_sub(1, Ordering::Relaxed),
        _ => 0,
    };
    was
}

/// Sets grad mode for a scope and restores the previous mode on drop (`no_grad` in Rust).
pub struct GradModeGuard {
    previous: bool,
}

impl GradModeGuard {
    pub fn new(enabled: bool) -> GradModeGuard {
        GradModeGuard { previous: set_grad_enabled(enabled) }
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.previous);
    }
}

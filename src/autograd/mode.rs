//! Grad mode: whether ops record graph nodes. Thread-local, as in torch.

use std::cell::Cell;

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

/// True inside `inference_mode`.
pub fn is_inference_mode_enabled() -> bool {
    INFERENCE_MODE.with(|g| g.get())
}

/// Turns inference mode on or off; returns the previous setting. (Grad mode is switched
/// separately, by the Python `inference_mode`.)
pub fn set_inference_mode(enabled: bool) -> bool {
    INFERENCE_MODE.with(|g| g.replace(enabled))
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

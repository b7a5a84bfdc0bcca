//! Warnings from the core (torch's `TORCH_WARN`): a Rust program gets them on stderr unless
//! it installs a handler; the Python module installs one that raises a Python `UserWarning`.

use std::sync::OnceLock;

static HANDLER: OnceLock<fn(&str)> = OnceLock::new();

/// Sends every later core warning to `handler` instead of stderr (the first call wins).
pub fn set_warning_handler(handler: fn(&str)) {
    let _ = HANDLER.set(handler);
}

/// Reports `message` through the installed handler, or on stderr.
pub(crate) fn warn(message: &str) {
    match HANDLER.get() {
        Some(handler) => handler(message),
        None => eprintln!("rtorch warning: {message}"),
    }
}

//! Finding NVIDIA's libraries. The driver (`libcuda`) comes with the system; NVRTC and cuBLAS
//! may come from NVIDIA's pip wheels, whose folders the Python package hands us. We load
//! those by full path with RTLD_GLOBAL, so cudarc's later `dlopen("libnvrtc.so.13")` finds
//! them already loaded by their soname (the way torch preloads its CUDA wheels).

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

static LIBRARY_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Adds folders to search for NVIDIA's shared libraries (call before the first CUDA use).
pub fn add_library_dirs(dirs: &[PathBuf]) {
    if let Ok(mut d) = LIBRARY_DIRS.lock() {
        d.extend(dirs.iter().cloned());
    }
}

/// Loads the first `lib<stem>.so.<major>` found in the registered folders.
#[cfg(unix)]
fn preload(stem: &str) {
    let prefix = format!("lib{stem}.so.");
    let dirs = LIBRARY_DIRS.lock().map(|d| d.clone()).unwrap_or_default();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            // `libnvrtc.so.13`, not `libnvrtc-builtins.so.13.5` (NVRTC loads that itself).
            if name.starts_with(&prefix) && !name[prefix.len()..].contains('.') {
                // SAFETY: loading NVIDIA's library runs only its initialisers; the handle is
                // leaked on purpose so the library stays loaded for the process's life.
                let lib = unsafe {
                    libloading::os::unix::Library::open(
                        Some(entry.path()),
                        libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_GLOBAL,
                    )
                };
                if let Ok(lib) = lib {
                    std::mem::forget(lib);
                    return;
                }
            }
        }
    }
}

#[cfg(not(unix))]
fn preload(_stem: &str) {}

/// True when the CUDA driver library can be loaded.
pub fn driver_present() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    // SAFETY: only tries to dlopen the library by its usual names.
    *PRESENT.get_or_init(|| unsafe { cudarc::driver::sys::is_culib_present() })
}

/// True when NVRTC can be loaded (from the pip wheel's folder or the system).
pub fn nvrtc_present() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    *PRESENT.get_or_init(|| {
        preload("nvrtc");
        // SAFETY: only tries to dlopen the library by its usual names.
        unsafe { cudarc::nvrtc::sys::is_culib_present() }
    })
}

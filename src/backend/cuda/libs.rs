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

/// The CUDA major version cudarc's bindings are generated for (feature `cuda-13000`).
pub(crate) const CUDA_MAJOR: u32 = 13;

/// Loads `lib<stem>.so.13` from the first registered folder that has it. Only that exact
/// soname: a CUDA 12 wheel installed beside (torch's, say) must not be picked up.
#[cfg(unix)]
fn preload(stem: &str) {
    let name = format!("lib{stem}.so.{CUDA_MAJOR}");
    let dirs = LIBRARY_DIRS.lock().map(|d| d.clone()).unwrap_or_default();
    for path in dirs.iter().map(|d| d.join(&name)).filter(|p| p.is_file()) {
        // SAFETY: loading NVIDIA's library runs only its initialisers; the handle is leaked
        // on purpose so the library stays loaded for the process's life.
        let lib = unsafe {
            libloading::os::unix::Library::open(
                Some(path),
                libloading::os::unix::RTLD_NOW | libloading::os::unix::RTLD_GLOBAL,
            )
        };
        if let Ok(lib) = lib {
            std::mem::forget(lib);
            return;
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

//! NVRTC: kernel sources compiled to CUBIN for a device's exact architecture on first use.

use std::ffi::CString;

use cudarc::nvrtc::{result, sys};

use super::libs;
use crate::error::{Error, Result};

/// A kernel source file, embedded in the binary.
pub struct KernelSource {
    pub name: &'static str,
    pub code: &'static str,
}

const COMMON: &str = include_str!("kernels/common.cuh");

pub(crate) const COPY: KernelSource = KernelSource { name: "copy.cu", code: include_str!("kernels/copy.cu") };
pub(crate) const BINARY: KernelSource = KernelSource { name: "binary.cu", code: include_str!("kernels/binary.cu") };

/// Every kernel source, for the build check that compiles them all.
const ALL: [&KernelSource; 2] = [&COPY, &BINARY];

fn nvrtc_error(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::Runtime(format!("NVRTC {what} failed: {e:?}"))
}

/// Compiles `source` to a CUBIN image for `arch` (such as `sm_90`).
pub(crate) fn compile_for_arch(source: &KernelSource, arch: &str) -> Result<Vec<u8>> {
    if !arch.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Error::Value(format!("invalid GPU architecture name {arch:?} (expected something like 'sm_90')")));
    }
    if !libs::nvrtc_present() {
        return Err(Error::Runtime(
            "NVRTC was not found: install NVIDIA's runtime compiler (pip install 'rtorch[cuda]')".into(),
        ));
    }
    let code = CString::new(format!("{COMMON}\n{}", source.code))
        .map_err(|_| Error::Runtime("kernel source holds a NUL byte".into()))?;
    let name = CString::new(source.name).map_err(|_| Error::Runtime("kernel name holds a NUL byte".into()))?;
    let prog = result::create_program(&code, Some(&name)).map_err(|e| nvrtc_error("create", e))?;
    let options = vec![format!("--gpu-architecture={arch}"), "--std=c++17".to_string()];
    // SAFETY: prog is a live program; it is destroyed below on every path.
    let compiled = unsafe { result::compile_program(prog, &options) };
    let outcome = match compiled {
        Ok(()) => cubin(prog),
        Err(e) => {
            // SAFETY: prog is live; the log is a NUL-terminated string NVRTC wrote.
            let log = unsafe { result::get_program_log(prog) }
                .map(|l| l.iter().take_while(|&&c| c != 0).map(|&c| c as u8 as char).collect::<String>())
                .unwrap_or_default();
            Err(Error::Runtime(format!("NVRTC could not compile {} for {arch} ({e:?}):\n{log}", source.name)))
        }
    };
    // SAFETY: prog came from create_program and is not used after this.
    let _ = unsafe { result::destroy_program(prog) };
    outcome
}

/// The CUBIN of a compiled program.
fn cubin(prog: sys::nvrtcProgram) -> Result<Vec<u8>> {
    let mut size = 0usize;
    // SAFETY: prog compiled successfully; size is a valid out-pointer.
    unsafe { sys::nvrtcGetCUBINSize(prog, &mut size) }.result().map_err(|e| nvrtc_error("cubin size", e))?;
    let mut image = vec![0u8; size];
    // SAFETY: image has the size NVRTC reported for this program's CUBIN.
    unsafe { sys::nvrtcGetCUBIN(prog, image.as_mut_ptr().cast()) }.result().map_err(|e| nvrtc_error("cubin", e))?;
    Ok(image)
}

/// Compiles every kernel source for `arch`: the check CI runs without a GPU, so a kernel
/// that does not compile fails the build instead of a user's first CUDA call.
pub fn compile_all_kernels(arch: &str) -> Result<Vec<(&'static str, usize)>> {
    ALL.iter().map(|s| compile_for_arch(s, arch).map(|img| (s.name, img.len()))).collect()
}

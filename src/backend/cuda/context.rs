//! One lazily created state per device: its context, its stream and its compiled kernels.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::{CudaContext, CudaFunction, CudaModule, CudaStream, DriverError};

use super::compile::{compile_for_arch, KernelSource};
use super::libs;
use crate::error::{Error, Result};

/// A CUDA driver error as the RuntimeError torch raises.
pub(crate) fn driver_error(e: DriverError) -> Error {
    Error::Runtime(format!("CUDA error: {e:?}"))
}

fn no_driver() -> Error {
    Error::Runtime("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver".into())
}

pub(crate) struct DeviceState {
    pub(crate) ctx: Arc<CudaContext>,
    pub(crate) stream: Arc<CudaStream>,
    modules: Mutex<HashMap<&'static str, Arc<CudaModule>>>,
}

impl DeviceState {
    /// Makes this device's context current on the calling thread (needed before raw calls).
    pub(crate) fn bind(&self) -> Result<()> {
        self.ctx.bind_to_thread().map_err(driver_error)
    }

    pub(crate) fn ordinal(&self) -> usize {
        self.ctx.ordinal()
    }

    pub(crate) fn synchronize(&self) -> Result<()> {
        self.stream.synchronize().map_err(driver_error)
    }

    pub(crate) fn name(&self) -> Result<String> {
        self.ctx.name().map_err(driver_error)
    }

    /// The kernel `name` of `source`, compiling the source for this device on first use.
    pub(crate) fn function(&self, source: &KernelSource, name: &str) -> Result<CudaFunction> {
        let module = {
            let mut modules = self.modules.lock().map_err(|_| Error::Runtime("CUDA module cache poisoned".into()))?;
            match modules.get(source.name) {
                Some(m) => m.clone(),
                None => {
                    let (major, minor) = self.ctx.compute_capability().map_err(driver_error)?;
                    let image = compile_for_arch(source, &format!("sm_{major}{minor}"))?;
                    let m = self.ctx.load_module(cudarc::nvrtc::Ptx::from_binary(image)).map_err(driver_error)?;
                    modules.insert(source.name, m.clone());
                    m
                }
            }
        };
        module.load_function(name).map_err(driver_error)
    }
}

/// Number of devices, 0 when there is no driver or it fails to initialise.
pub(crate) fn device_count() -> usize {
    if !libs::driver_present() {
        return 0;
    }
    CudaContext::device_count().map(|n| n.max(0) as usize).unwrap_or(0)
}

/// Kernels are compiled by NVRTC 13 into CUBINs, which an older driver cannot load: say so
/// plainly instead of failing later with a module-load error.
fn check_driver_version() -> Result<()> {
    let mut version = 0i32;
    // SAFETY: the driver library is present (checked by the caller); version is an out-pointer.
    unsafe { cudarc::driver::sys::cuDriverGetVersion(&mut version) }.result().map_err(driver_error)?;
    let major = (version / 1000) as u32;
    if major < libs::CUDA_MAJOR {
        return Err(Error::Runtime(format!(
            "The NVIDIA driver on your system supports CUDA {major}.{}, but rtorch's CUDA kernels need a driver for CUDA {} or newer. Please update your GPU driver.",
            (version % 1000) / 10,
            libs::CUDA_MAJOR
        )));
    }
    Ok(())
}

/// The state of device `ordinal`, created on first use.
pub(crate) fn device(ordinal: usize) -> Result<Arc<DeviceState>> {
    static DEVICES: OnceLock<Mutex<HashMap<usize, Arc<DeviceState>>>> = OnceLock::new();
    if !libs::driver_present() {
        return Err(no_driver());
    }
    let count = device_count();
    if ordinal >= count {
        return Err(Error::Runtime(format!(
            "CUDA error: invalid device ordinal (device {ordinal} requested, {count} available)"
        )));
    }
    check_driver_version()?;
    let devices = DEVICES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut devices = devices.lock().map_err(|_| Error::Runtime("CUDA device table poisoned".into()))?;
    if let Some(d) = devices.get(&ordinal) {
        return Ok(d.clone());
    }
    let ctx = CudaContext::new(ordinal).map_err(driver_error)?;
    let stream = ctx.default_stream();
    let state = Arc::new(DeviceState { ctx, stream, modules: Mutex::new(HashMap::new()) });
    devices.insert(ordinal, state.clone());
    Ok(state)
}

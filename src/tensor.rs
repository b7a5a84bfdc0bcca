//! The tensor handle: a cheap `Arc` to storage plus a layout. Views share the storage.

use std::sync::Arc;

use crate::device::Device;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::layout::{checked_numel, Layout};
use crate::storage::Storage;

pub(crate) struct TensorImpl {
    pub(crate) storage: Arc<Storage>,
    pub(crate) layout: Layout,
    /// Leaf that requires grad, or op output with a `grad_fn` (read without a lock).
    pub(crate) requires_grad: std::sync::atomic::AtomicBool,
    pub(crate) autograd: crate::autograd::meta::MetaSlot,
    /// For a view taken while grad mode was on: the tensor it views and how. In-place writes into the view follow these links
    /// to rewrite the base's history (torch's CopySlices).
    pub(crate) view_of: std::sync::OnceLock<crate::autograd::meta::ViewOrigin>,
    /// The language binding's object for this tensor (the Python `Tensor`), so that one
    /// tensor is always the same object there (`x.grad is x.grad`). Owned and cleared by the
    /// binding; the core never reads it.
    #[cfg_attr(not(feature = "python"), allow(dead_code))]
    pub(crate) binding_object: std::sync::atomic::AtomicPtr<std::ffi::c_void>,
    /// A version counter of this tensor's own, shared with its views, for `.data` (which
    /// must not see the in-place changes autograd checks, nor bump them); `None` uses the
    /// storage's counter.
    pub(crate) own_version: Option<Arc<std::sync::atomic::AtomicU64>>,
    /// Made under `inference_mode` (or a view of such a tensor): never recorded or saved
    /// by autograd, and only changed in place inside inference mode.
    pub(crate) is_inference: bool,
    /// Storage and layout given by `resize_` (newest last); `storage`/`layout` until then.
    pub(crate) resized: std::sync::OnceLock<Box<crate::resize::Resized>>,
}

/// An n-dimensional array: a view (shape, strides, offset) into shared storage.
///
/// Cloning a `Tensor` clones the handle, not the data; use [`Tensor::deep_clone`] to copy.
#[derive(Clone)]
pub struct Tensor(pub(crate) Arc<TensorImpl>);

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor(shape={:?}, dtype={}, device={})", self.shape(), self.dtype(), self.device())
    }
}

impl Tensor {
    /// A new tensor over `storage` (fresh memory, or memory from outside).
    pub(crate) fn from_parts(storage: Arc<Storage>, layout: Layout) -> Tensor {
        Tensor::build(storage, layout, None, crate::autograd::is_inference_mode_enabled())
    }

    fn build(storage: Arc<Storage>, layout: Layout, own_version: Option<Arc<std::sync::atomic::AtomicU64>>, is_inference: bool) -> Tensor {
        Tensor(Arc::new(TensorImpl {
            storage,
            layout,
            requires_grad: std::sync::atomic::AtomicBool::new(false),
            autograd: std::sync::Mutex::new(None),
            view_of: std::sync::OnceLock::new(),
            binding_object: std::sync::atomic::AtomicPtr::new(std::ptr::null_mut()),
            own_version,
            is_inference,
            resized: std::sync::OnceLock::new(),
        }))
    }

    /// A new view of the same storage with another layout.
    pub(crate) fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor::build(self.storage().clone(), layout, self.0.own_version.clone(), self.0.is_inference)
    }

    /// The storage and layout in use: the newest from `resize_`, else the original ones.
    #[inline]
    fn current(&self) -> (&Arc<Storage>, &Layout) {
        match crate::resize::newest(&self.0.resized) {
            Some(r) => (&r.storage, &r.layout),
            None => (&self.0.storage, &self.0.layout),
        }
    }

    /// The same memory with a version counter of its own (torch's `.data`): in-place
    /// changes through it go unseen by autograd's saved-tensor checks.
    pub fn data(&self) -> Tensor {
        let fresh = Arc::new(std::sync::atomic::AtomicU64::new(0));
        Tensor::build(self.storage().clone(), self.layout().clone(), Some(fresh), self.0.is_inference)
    }

    /// Uninitialised-by-contract (but defined) memory of the given shape.
    pub fn empty(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let numel = checked_numel(shape)?;
        let storage = match device {
            Device::Cpu => Storage::cpu(dtype, numel)?,
            Device::Cuda(i) => crate::backend::cuda::alloc(dtype, numel, i)?,
        };
        Ok(Tensor::from_parts(Arc::new(storage), Layout::contiguous(shape)))
    }

    /// Builds a contiguous CPU tensor from a vector (its length must equal the shape's numel).
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        let numel = checked_numel(shape)?;
        if data.len() != numel {
            bail!("shape {shape:?} is invalid for input of size {}", data.len());
        }
        let t = Tensor::empty(shape, T::DTYPE, Device::Cpu)?;
        let dst = t.cpu_ptr::<T>()?;
        // SAFETY: t is a fresh contiguous buffer of numel elements of T, not yet shared.
        unsafe { crate::backend::cpu::bulk::copy(data.as_ptr(), dst, numel) };
        Ok(t)
    }

    /// A 1-d tensor from a slice.
    pub fn from_slice<T: Element>(data: &[T]) -> Result<Tensor> {
        Tensor::from_vec(data.to_vec(), &[data.len()])
    }

    /// A 0-dim tensor holding `value`.
    pub fn scalar_tensor(value: Scalar, dtype: DType) -> Result<Tensor> {
        crate::ops::creation::full(&[], value, dtype, Device::Cpu)
    }

    pub fn shape(&self) -> &[usize] {
        &self.layout().shape
    }

    /// The size of a dim (negative dims count from the end).
    pub fn size(&self, dim: i64) -> Result<usize> {
        if self.ndim() == 0 {
            return Err(Error::Index(format!("Dimension specified as {dim} but tensor has no dimensions")));
        }
        let layout = self.layout();
        Ok(layout.shape[layout.dim(dim)?])
    }

    pub fn strides(&self) -> &[usize] {
        &self.layout().strides
    }

    pub fn storage_offset(&self) -> usize {
        self.layout().offset
    }

    pub fn layout(&self) -> &Layout {
        self.current().1
    }

    pub fn storage(&self) -> &Arc<Storage> {
        self.current().0
    }

    pub fn dtype(&self) -> DType {
        self.0.storage.dtype
    }

    pub fn device(&self) -> Device {
        self.0.storage.device()
    }

    pub fn ndim(&self) -> usize {
        self.layout().ndim()
    }

    pub fn dim(&self) -> usize {
        self.ndim()
    }

    pub fn numel(&self) -> usize {
        self.layout().numel()
    }

    pub fn is_contiguous(&self) -> bool {
        self.layout().is_contiguous()
    }

    /// Address of the first element.
    pub fn data_ptr(&self) -> usize {
        self.storage().data_ptr() + self.layout().offset * self.dtype().size()
    }

    /// True when both handles view the same storage.
    pub fn same_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(self.storage(), other.storage())
    }

    /// Typed pointer to the first element of a CPU tensor.
    pub(crate) fn cpu_ptr<T: Element>(&self) -> Result<*mut T> {
        if T::DTYPE != self.dtype() {
            return Err(Error::Runtime(format!(
                "expected scalar type {} but found {}",
                T::DTYPE.scalar_name(),
                self.dtype().scalar_name()
            )));
        }
        let (storage, layout) = self.current();
        let base = storage.cpu_ptr()? as *mut T;
        // SAFETY: the layout's offset lies within the storage (views are built from valid
        // layouts); wrapping_add avoids UB claims even for empty tensors.
        Ok(base.wrapping_add(layout.offset))
    }

    /// Errors unless the tensor lives on the CPU.
    pub(crate) fn expect_cpu(&self, op: &str) -> Result<()> {
        match self.device() {
            Device::Cpu => Ok(()),
            d => Err(Error::NotImplemented(format!(
                "{op} is not implemented for {d} tensors yet; move the tensor with .cpu()"
            ))),
        }
    }

    /// Copies the elements out in row-major order.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let t = self.to_device(Device::Cpu)?;
        let t = if t.dtype() == T::DTYPE { t.contiguous()? } else { t.to_dtype(T::DTYPE)? };
        let n = t.numel();
        let mut out = Vec::with_capacity(n);
        let src = t.cpu_ptr::<T>()?;
        // SAFETY: t is contiguous with n elements of T starting at src; out has capacity n.
        unsafe {
            crate::backend::cpu::bulk::copy(src, out.as_mut_ptr(), n);
            out.set_len(n);
        }
        Ok(out)
    }

    /// The single value of a one-element tensor.
    pub fn item(&self) -> Result<Scalar> {
        if self.numel() != 1 {
            bail!("a Tensor with {} elements cannot be converted to Scalar", self.numel());
        }
        let t = self.to_device(Device::Cpu)?;
        crate::with_dtype!(t.dtype(), T => {
            let p = t.cpu_ptr::<T>()?;
            // SAFETY: the tensor has exactly one element at p.
            Ok(unsafe { *p }.to_scalar())
        })
    }

    /// The legacy type name, `torch.FloatTensor` style (used in messages and `.type()`).
    pub fn legacy_type_name(&self) -> String {
        let prefix = if self.device() == Device::Cpu { "torch" } else { "torch.cuda" };
        format!("{prefix}.{}Tensor", self.dtype().scalar_name())
    }

    /// The version counter (bumped by every in-place op): the storage's, shared by all views,
    /// unless the tensor came from [`Tensor::data`].
    pub fn version(&self) -> u64 {
        match &self.0.own_version {
            Some(v) => v.load(std::sync::atomic::Ordering::Acquire),
            None => self.storage().version(),
        }
    }

    /// True for a tensor made under `inference_mode` (or a view of one).
    pub fn is_inference(&self) -> bool {
        self.0.is_inference
    }

    /// torch's error for an in-place write into an inference tensor outside inference mode.
    pub(crate) fn check_inplace_allowed(&self) -> Result<()> {
        if self.0.is_inference && !crate::autograd::is_inference_mode_enabled() {
            bail!("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.");
        }
        Ok(())
    }

    pub(crate) fn bump_version(&self) {
        match &self.0.own_version {
            Some(v) => {
                v.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            }
            None => self.storage().bump_version(),
        }
    }
}

//! Reverse-mode automatic differentiation, built as the code runs (PyTorch's autograd).
//!
//! - Every tensor may carry autograd metadata ([`meta`]): `requires_grad`, `.grad`, and
//!   `grad_fn`, the [`Node`] that produced it.
//! - An op whose inputs require grad (while grad mode is on, [`mode`]) records a node holding
//!   only what its backward needs ([`record`]); the formulas live in [`formulas`], one file per
//!   op family, each written with differentiable ops so that `create_graph` works.
//! - [`engine`] runs a backward pass: nodes in dependency order, gradients summed where a
//!   tensor fans out, accumulated into leaves' `.grad`.

pub mod engine;
pub mod formulas;
pub mod inplace;
pub mod meta;
pub mod mode;
pub mod node;
pub mod record;
pub mod saved;

pub use engine::{backward, grad};
pub use mode::{is_grad_enabled, is_inference_mode_enabled, set_grad_enabled, GradModeGuard};
pub use node::{Backward, Edge, Node};
pub use saved::SavedTensor;

//! G: a goroutine's task, state, identity, join handle, registry entry and
//! why it waits.

pub(crate) mod atomic_waker;
mod join;
mod log;
pub(crate) mod meta;
pub(crate) mod refs;
pub(crate) mod registry;
mod state;
pub(crate) mod task;
mod wait_reason;
mod waker;

pub use join::{JoinError, JoinHandle};
pub use wait_reason::WaitReason;

//! G: a goroutine's identity, its join handle and why it waits.

mod join;
mod wait_reason;

pub(crate) use join::JoinState;
pub use join::{JoinError, JoinHandle};
pub use wait_reason::WaitReason;

//! Diagnostics: goroutine dumps, deadlock and leak detection, metrics. (Issue 5.)

pub use crate::runtime::WaitReason;

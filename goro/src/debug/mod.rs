//! Diagnostics: goroutine dumps, deadlock detection, leak checks, blocking
//! detection (Go's sysmon), metrics. Traces live in [`crate::trace`].
//!
//! | Go | goro |
//! |---|---|
//! | `runtime.NumGoroutine()` | [`crate::num_goroutine`], [`metrics`] |
//! | `pprof.Lookup("goroutine").WriteTo(w, 2)`, SIGQUIT | [`dump`], SIGQUIT |
//! | "all goroutines are asleep - deadlock!" | the monitor, exit status 2 (Linux) |
//! | goroutine leak profile (experimental) | [`deadlocks`]: cycles while others run |
//! | `goleak.VerifyNone(t)` | `#[goro::test]`, [`verify_none`] |
//! | sysmon's `retake` | the monitor: [`blocking_reports`] |
//!
//! Everything reads the runtime's goroutine registry; see `ARCHITECTURE.md`
//! (Diagnostics) for how the parts fit, and `goro/src/debug/README.md` for
//! the partial deadlock report: what goroutines, locks and channels record
//! for it (`hold.rs`), why its cycles are consistent, and what it cannot
//! see.

mod config;
mod deadlock;
mod dump;
mod graph;
pub(crate) mod hold;
pub(crate) mod hooks;
mod leak;
mod metrics;
mod schedstat;
mod sigquit;
mod sysmon;
mod threads;
mod view;

pub use crate::runtime::WaitReason;
pub use config::{
    blocking_threshold, deadlock_detection, deadlock_detection_supported, set_blocking_threshold,
    set_deadlock_detection, set_sigquit_exits,
};
pub use dump::{dump, format_dump, format_goroutine};
pub use graph::{deadlocks, deadlocks_in, Deadlock, WaitEdge, WaitGraph};
pub use leak::{verify_none, LeakError};
pub use metrics::{metrics, Metrics};
pub use sysmon::{blocking_reports, BlockingReport};
pub use view::{goroutines, GoroutineView, State};

pub(crate) use leak::{check_scope, GRACE as LEAK_GRACE};
pub(crate) use threads::BlockOnThread;

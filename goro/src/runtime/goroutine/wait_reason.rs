//! Why a goroutine is parked: Go's `waitReason`, one variant per kind of wait.
//!
//! Every blocking primitive calls [`crate::runtime::current::will_park`] with
//! one of these just before its future returns `Pending`. Dumps, deadlock
//! reports, metrics and traces print [`WaitReason::as_str`], so each string is
//! unique, plain, and the one a Go programmer already knows from
//! `runtime/runtime2.go`.

use std::fmt;

/// Why a goroutine is parked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum WaitReason {
    /// Parked for a reason its future did not report.
    Unknown,
    /// `send(..).await` on a full or unbuffered channel.
    ChanSend,
    /// `recv().await` on an empty channel.
    ChanReceive,
    /// `select!` with at least one enabled case.
    Select,
    /// `select!` with no enabled case: blocks forever.
    SelectNoCases,
    /// `time::sleep` and friends.
    Sleep,
    /// Awaiting another goroutine's `JoinHandle`.
    JoinHandle,
    /// Awaiting a `blocking` pool job.
    Blocking,
    /// `sync::Mutex::lock`.
    MutexLock,
    /// `sync::RwLock::read`.
    RwLockRead,
    /// `sync::RwLock::write`.
    RwLockWrite,
    /// `sync::WaitGroup::wait`.
    WaitGroupWait,
    /// `sync::Cond::wait`.
    CondWait,
    /// `sync::Once` / `OnceLock` waiting for another initialiser.
    OnceWait,
    /// `sync::Semaphore::acquire`.
    SemaphoreAcquire,
    /// `context::Context::done`.
    ContextDone,
    /// `group::Group::wait`.
    GroupWait,
    /// `rate::Limiter::wait`.
    RateWait,
    /// Waiting for a signal.
    SignalWait,
    /// Waiting for I/O readiness.
    IoWait,
}

impl WaitReason {
    /// The reason as Go prints it in a goroutine dump.
    pub const fn as_str(self) -> &'static str {
        match self {
            WaitReason::Unknown => "waiting",
            WaitReason::ChanSend => "chan send",
            WaitReason::ChanReceive => "chan receive",
            WaitReason::Select => "select",
            WaitReason::SelectNoCases => "select (no cases)",
            WaitReason::Sleep => "sleep",
            WaitReason::JoinHandle => "join",
            WaitReason::Blocking => "blocking pool",
            WaitReason::MutexLock => "sync.Mutex.Lock",
            WaitReason::RwLockRead => "sync.RWMutex.RLock",
            WaitReason::RwLockWrite => "sync.RWMutex.Lock",
            WaitReason::WaitGroupWait => "sync.WaitGroup.Wait",
            WaitReason::CondWait => "sync.Cond.Wait",
            WaitReason::OnceWait => "sync.Once.Do",
            WaitReason::SemaphoreAcquire => "semaphore acquire",
            WaitReason::ContextDone => "context done",
            WaitReason::GroupWait => "errgroup wait",
            WaitReason::RateWait => "rate wait",
            WaitReason::SignalWait => "signal wait",
            WaitReason::IoWait => "IO wait",
        }
    }
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

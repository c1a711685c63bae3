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
#[repr(u8)]
pub enum WaitReason {
    /// Parked for a reason its future did not report.
    Unknown,
    /// `send(..).await` on a full or unbuffered channel.
    ChanSend,
    /// `recv().await` on an empty channel.
    ChanReceive,
    /// `select!` or a dynamic `Select` waiting, also one whose cases are
    /// all disabled (Go's select over nil channels parks as "select" too).
    Select,
    /// An empty `select! {}`: blocks forever (Go's `select {}`).
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
    /// Every variant, indexed by its discriminant (keep in declaration order
    /// when adding one; `wait_reason_table_matches` checks it).
    const ALL: &'static [WaitReason] = &[
        WaitReason::Unknown,
        WaitReason::ChanSend,
        WaitReason::ChanReceive,
        WaitReason::Select,
        WaitReason::SelectNoCases,
        WaitReason::Sleep,
        WaitReason::JoinHandle,
        WaitReason::Blocking,
        WaitReason::MutexLock,
        WaitReason::RwLockRead,
        WaitReason::RwLockWrite,
        WaitReason::WaitGroupWait,
        WaitReason::CondWait,
        WaitReason::OnceWait,
        WaitReason::SemaphoreAcquire,
        WaitReason::ContextDone,
        WaitReason::GroupWait,
        WaitReason::RateWait,
        WaitReason::SignalWait,
        WaitReason::IoWait,
    ];

    /// The variant whose discriminant is `v` (`Unknown` if none): the inverse
    /// of `reason as u8`, for the registry's packed park record.
    pub(crate) fn from_u8(v: u8) -> WaitReason {
        Self::ALL.get(usize::from(v)).copied().unwrap_or(WaitReason::Unknown)
    }

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

#[cfg(test)]
mod tests {
    use super::WaitReason;

    #[test]
    fn wait_reason_table_matches() {
        for (i, r) in WaitReason::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i, "WaitReason::ALL out of order at {r:?}");
            assert_eq!(WaitReason::from_u8(i as u8), *r);
        }
        let mut names: Vec<_> = WaitReason::ALL.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WaitReason::ALL.len(), "wait reason strings must be unique");
    }
}

//! Process-wide diagnostics settings, each with an environment variable
//! read once at the first runtime's start and a setter that wins over it.
//!
//! | setting | env | default |
//! |---|---|---|
//! | deadlock detection | `GORO_DEADLOCK=0` turns it off | on |
//! | blocking threshold | `GORO_BLOCKING_THRESHOLD_MS=N` (0: no monitor hand-off) | 10 ms |
//! | SIGQUIT | `GORO_SIGQUIT=0` (no handler), `=continue` (dump, keep running) | dump, exit 2 |

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::Once;
use std::time::Duration;

/// Whether the deadlock detector may end the program.
static DEADLOCK: AtomicBool = AtomicBool::new(true);
/// The blocking threshold in nanoseconds; 0 disables blocking detection.
static THRESHOLD_NANOS: AtomicU64 = AtomicU64::new(10_000_000);
/// What SIGQUIT does: `SIGQUIT_*`.
static SIGQUIT: AtomicU8 = AtomicU8::new(SIGQUIT_EXIT);

/// SIGQUIT is left alone.
pub(crate) const SIGQUIT_OFF: u8 = 0;
/// SIGQUIT dumps and exits with status 2, like Go.
pub(crate) const SIGQUIT_EXIT: u8 = 1;
/// SIGQUIT dumps and the program runs on.
pub(crate) const SIGQUIT_CONTINUE: u8 = 2;

/// Applies the environment variables, once.
pub(crate) fn load_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let var = |k| std::env::var(k).ok().map(|v: String| v.trim().to_ascii_lowercase());
        if let Some(v) = var("GORO_DEADLOCK") {
            DEADLOCK.store(!matches!(v.as_str(), "0" | "off" | "false"), Relaxed);
        }
        if let Some(ms) = var("GORO_BLOCKING_THRESHOLD_MS").and_then(|v| v.parse::<u64>().ok()) {
            THRESHOLD_NANOS.store(ms.saturating_mul(1_000_000), Relaxed);
        }
        match var("GORO_SIGQUIT").as_deref() {
            Some("0" | "off" | "false") => SIGQUIT.store(SIGQUIT_OFF, Relaxed),
            Some("continue") => SIGQUIT.store(SIGQUIT_CONTINUE, Relaxed),
            _ => {}
        }
    });
}

/// Turns the whole-program deadlock detector on or off (`GORO_DEADLOCK=0`).
pub fn set_deadlock_detection(on: bool) {
    load_env();
    DEADLOCK.store(on, Relaxed);
}

/// Whether the deadlock detector is on (see
/// [`deadlock_detection_supported`] for whether it can fire here).
pub fn deadlock_detection() -> bool {
    DEADLOCK.load(Relaxed)
}

/// Whether the whole-program deadlock detector can fire on this system. It
/// declares a deadlock only when no thread but goro's own exists, which it
/// learns from Linux's `/proc/self/task`; elsewhere it stays silent (never a
/// false report). [`deadlocks`](super::deadlocks), the partial report, works
/// everywhere.
///
/// ```
/// assert_eq!(goro::debug::deadlock_detection_supported(), cfg!(target_os = "linux"));
/// ```
pub fn deadlock_detection_supported() -> bool {
    super::threads::CAN_LIST
}

/// Sets how long one poll may hold a worker before the monitor hands its
/// processor's queued goroutines to other workers and reports the culprit
/// (`GORO_BLOCKING_THRESHOLD_MS`); `Duration::ZERO` turns that off.
pub fn set_blocking_threshold(d: Duration) {
    load_env();
    THRESHOLD_NANOS.store(d.as_nanos().min(u64::MAX as u128) as u64, Relaxed);
}

/// The blocking threshold (`None`: blocking detection is off).
pub fn blocking_threshold() -> Option<Duration> {
    Some(THRESHOLD_NANOS.load(Relaxed)).filter(|&n| n > 0).map(Duration::from_nanos)
}

/// Whether SIGQUIT, after printing the dump, ends the program with status 2
/// (Go's behaviour, the default) or lets it run on (`GORO_SIGQUIT=continue`).
pub fn set_sigquit_exits(exit: bool) {
    load_env();
    let v = if exit { SIGQUIT_EXIT } else { SIGQUIT_CONTINUE };
    SIGQUIT.store(v, Relaxed);
}

/// What SIGQUIT does (`SIGQUIT_*`).
pub(crate) fn sigquit() -> u8 {
    SIGQUIT.load(Relaxed)
}

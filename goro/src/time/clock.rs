//! The runtime's clock: `Instant`s as nanoseconds since a process-wide
//! epoch, so that deadlines fit in an atomic `u64`.
//!
//! Conversions are exact (both directions go through the same epoch and
//! `Duration`'s nanoseconds), so "now >= deadline" means the same in nanos as
//! in `Instant`s: timers can be compared lock-free without firing early.
//!
//! [`coarse_now_nanos`] is a cheaper, millisecond-grained reading of the
//! same clock (Linux's `CLOCK_MONOTONIC_COARSE`, which `Instant` shares the
//! base of), for timestamps only diagnostics read; never for timers.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The epoch as an `Instant` and as raw `CLOCK_MONOTONIC` nanoseconds
/// (Linux; 0 elsewhere): the first time anyone asked.
fn epochs() -> (Instant, u64) {
    static EPOCH: OnceLock<(Instant, u64)> = OnceLock::new();
    *EPOCH.get_or_init(|| (Instant::now(), raw_monotonic(false)))
}

/// The epoch.
fn epoch() -> Instant {
    epochs().0
}

/// `CLOCK_MONOTONIC` (or its coarse variant) in nanoseconds.
#[cfg(target_os = "linux")]
fn raw_monotonic(coarse: bool) -> u64 {
    let clock = if coarse { libc::CLOCK_MONOTONIC_COARSE } else { libc::CLOCK_MONOTONIC };
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; both clocks exist on Linux.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    (ts.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(ts.tv_nsec as u64)
}

/// Elsewhere the coarse clock is the precise one.
#[cfg(not(target_os = "linux"))]
fn raw_monotonic(_coarse: bool) -> u64 {
    0
}

/// Now, within a few milliseconds (never later than [`now_nanos`]), in
/// nanoseconds since the epoch; a few nanoseconds to read on Linux.
pub(crate) fn coarse_now_nanos() -> u64 {
    if cfg!(target_os = "linux") {
        raw_monotonic(true).saturating_sub(epochs().1)
    } else {
        now_nanos()
    }
}

/// Nanoseconds since the epoch for `at` (0 for instants before it, which
/// are all in the past).
pub(crate) fn nanos_of(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch()).as_nanos()).unwrap_or(u64::MAX - 1)
}

/// The instant `nanos` after the epoch.
pub(crate) fn instant_of(nanos: u64) -> Instant {
    epoch() + Duration::from_nanos(nanos)
}

/// Now, in nanoseconds since the epoch.
pub(crate) fn now_nanos() -> u64 {
    nanos_of(Instant::now())
}

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
//! [`ticked_now_nanos`] is cheaper still, one relaxed load: the coarse
//! clock as the monitor thread last read it (it calls [`tick`] every 1 to
//! 10 ms), for the park timestamp written on every park. Invariants: the
//! ticked reading is never later than [`now_nanos`], and once the monitor
//! has ticked it never decreases (before that it is the coarse clock).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;

/// The monitor's last coarse reading plus one; 0 before the first [`tick`].
// A plain counter, not a lock-free protocol: std atomic, static.
static TICKED: AtomicU64 = AtomicU64::new(0);
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

/// Refreshes [`ticked_now_nanos`]'s reading: the monitor calls this every
/// sample period. `fetch_max`, so a late caller never moves it back.
pub(crate) fn tick() {
    TICKED.fetch_max(coarse_now_nanos() + 1, Relaxed);
}

/// Now, as of the monitor's last [`tick`] (at most its period behind, 10 ms,
/// more on an overloaded machine), in nanoseconds since the epoch: one
/// relaxed load. Before the first tick, [`coarse_now_nanos`].
#[inline]
pub(crate) fn ticked_now_nanos() -> u64 {
    match TICKED.load(Relaxed) {
        0 => before_first_tick(),
        t => t - 1,
    }
}

/// [`ticked_now_nanos`] before the monitor's first tick (or without one).
#[cold]
fn before_first_tick() -> u64 {
    coarse_now_nanos()
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// The ticked clock never runs ahead of the precise one, never goes
    /// back, and a tick brings it up to the coarse clock.
    #[test]
    fn ticked_clock_follows_the_coarse_clock_and_never_runs_ahead() {
        tick();
        let first = ticked_now_nanos();
        assert!(first <= now_nanos());
        // Wait (bounded) for the coarse clock to move past the reading.
        let deadline = Instant::now() + Duration::from_secs(5);
        while coarse_now_nanos() <= first {
            assert!(Instant::now() < deadline, "the coarse clock did not advance");
            std::hint::spin_loop();
        }
        tick();
        let second = ticked_now_nanos();
        assert!(second > first, "{second} <= {first}");
        assert!(second <= now_nanos());
        tick();
        assert!(ticked_now_nanos() >= second);
    }
}

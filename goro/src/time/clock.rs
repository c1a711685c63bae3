//! The runtime's clock: `Instant`s as nanoseconds since a process-wide
//! epoch, so that deadlines fit in an atomic `u64`.
//!
//! Conversions are exact (both directions go through the same epoch and
//! `Duration`'s nanoseconds), so "now >= deadline" means the same in nanos as
//! in `Instant`s: timers can be compared lock-free without firing early.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The epoch: the first time anyone asked.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
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

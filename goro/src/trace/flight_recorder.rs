//! The flight recorder: the last N scheduling events, kept in memory for a
//! post-mortem, like Go 1.25's `runtime/trace.FlightRecorder`.
//!
//! ```
//! goro::trace::flight_recorder::start(10_000);
//! goro::run(async { goro::go(async {}).await.unwrap() });
//! let mut json = Vec::new();
//! goro::trace::flight_recorder::write_to(&mut json).unwrap(); // when something went wrong
//! goro::trace::flight_recorder::stop();
//! ```
//!
//! Each thread keeps its own ring of the last `capacity` events (no global
//! lock per event); [`write_to`] merges the rings by time and writes the
//! newest `capacity` events overall as Chrome trace-event JSON.

use super::buffer::{self, FLIGHT};
use super::json::{self, Track};
use super::session::collect;
use std::io::{self, Write};

/// Starts keeping the last `capacity` events (or changes the capacity).
pub fn start(capacity: usize) {
    buffer::set_flight_capacity(capacity);
    buffer::turn_on(FLIGHT);
}

/// Stops recording and forgets the kept events.
pub fn stop() {
    buffer::turn_off(FLIGHT);
    for t in buffer::threads() {
        t.events().ring.clear();
    }
}

/// Whether the flight recorder runs.
pub fn is_running() -> bool {
    buffer::recording_bit(FLIGHT)
}

/// Writes the kept events, oldest first, as Chrome trace-event JSON. The
/// recorder keeps running.
pub fn write_to(mut out: impl Write) -> io::Result<()> {
    let mut tracks = collect(|ev| ev.ring.iter().copied().collect());
    keep_newest(&mut tracks, buffer::flight_capacity());
    json::write(&mut out, &tracks)
}

/// Drops the oldest events until at most `cap` remain over all tracks.
fn keep_newest(tracks: &mut [Track], cap: usize) {
    let mut times: Vec<u64> =
        tracks.iter().flat_map(|t| t.events.iter().map(|e| e.at_nanos)).collect();
    if times.len() <= cap {
        return;
    }
    times.sort_unstable();
    let cutoff = times[times.len() - cap];
    for t in tracks {
        t.events.retain(|e| e.at_nanos >= cutoff);
    }
}

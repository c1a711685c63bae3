//! Goroutine dumps in Go's shape (`runtime.Stack(buf, true)`, SIGQUIT,
//! `pprof` `goroutine?debug=2`):
//!
//! ```text
//! goroutine 18 [chan receive, 3 minutes]:
//!     name: worker
//!     parked at src/main.rs:12:9
//! created by goroutine 1 at src/main.rs:10:5
//! ```
//!
//! Like Go, the wait time is shown once it reaches a minute. goro has no
//! stack to print: the park site (from `#[track_caller]`) and the spawn
//! site stand in for it.

use super::view::{goroutines, GoroutineView, State};
use std::fmt::Write as _;
use std::time::Instant;

/// A dump of every live goroutine: Go's all-goroutine stack dump.
///
/// Reads only the registry, whose locks no worker holds across a poll, so it
/// works while workers are stuck or the program is deadlocked.
pub fn dump() -> String {
    format_dump(&goroutines(), Instant::now())
}

/// Formats `gs` as a dump, one block per goroutine, blank-line separated.
pub fn format_dump(gs: &[GoroutineView], now: Instant) -> String {
    let blocks: Vec<String> = gs.iter().map(|g| format_goroutine(g, now)).collect();
    blocks.join("\n")
}

/// Formats one goroutine's block (ends with a newline).
pub fn format_goroutine(g: &GoroutineView, now: Instant) -> String {
    let mut s = format!("goroutine {} [{}]:\n", g.id, status(g, now));
    if let Some(name) = &g.name {
        let _ = writeln!(s, "\tname: {name}");
    }
    if let State::Parked { at: Some(at), .. } = g.state {
        let _ = writeln!(s, "\tparked at {at}");
    }
    match g.parent {
        0 if super::threads::is_main_goroutine(g.id) => {
            let _ = writeln!(s, "main goroutine, entered at {}", g.spawned_at);
        }
        0 => {
            let _ = writeln!(s, "created off any goroutine at {}", g.spawned_at);
        }
        p => {
            let _ = writeln!(s, "created by goroutine {p} at {}", g.spawned_at);
        }
    }
    s
}

/// The bracketed status: `runnable`, `running`, or `chan receive, 3 minutes`.
fn status(g: &GoroutineView, now: Instant) -> String {
    match g.state {
        State::Runnable => "runnable".into(),
        State::Running => "running".into(),
        State::Parked { reason, since, .. } => {
            let minutes = now.saturating_duration_since(since).as_secs() / 60;
            match minutes {
                0 => reason.as_str().into(),
                1 => format!("{reason}, 1 minute"),
                m => format!("{reason}, {m} minutes"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::WaitReason;
    use std::panic::Location;
    use std::time::Duration;

    /// A parked goroutine for formatting tests.
    fn parked(id: u64, reason: WaitReason, waited: Duration, now: Instant) -> GoroutineView {
        GoroutineView {
            id,
            parent: 1,
            name: Some("worker".into()),
            state: State::Parked {
                reason,
                at: Some(Location::caller()),
                since: now - waited,
                object: 0,
                waits_for: 0,
            },
            spawned_at: Location::caller(),
            scope: 0,
            holds: 0,
        }
    }

    #[test]
    fn a_block_has_gos_header_name_park_site_and_creator() {
        let now = Instant::now() + Duration::from_secs(600);
        let g = parked(18, WaitReason::ChanReceive, Duration::from_secs(200), now);
        let text = format_goroutine(&g, now);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "goroutine 18 [chan receive, 3 minutes]:");
        assert_eq!(lines[1], "\tname: worker");
        assert!(lines[2].starts_with("\tparked at ") && lines[2].contains("dump.rs"), "{text}");
        assert!(lines[3].starts_with("created by goroutine 1 at "), "{text}");
    }

    #[test]
    fn waits_under_a_minute_show_no_time_like_go() {
        let now = Instant::now() + Duration::from_secs(120);
        let g = parked(3, WaitReason::Sleep, Duration::from_secs(59), now);
        assert!(format_goroutine(&g, now).starts_with("goroutine 3 [sleep]:\n"));
        let g = parked(3, WaitReason::Sleep, Duration::from_secs(61), now);
        assert!(format_goroutine(&g, now).starts_with("goroutine 3 [sleep, 1 minute]:\n"));
    }

    #[test]
    fn runnable_and_running_have_no_park_line() {
        let now = Instant::now();
        let mut g = parked(7, WaitReason::Sleep, Duration::ZERO, now);
        g.state = State::Running;
        g.parent = 0;
        let text = format_goroutine(&g, now);
        assert!(text.starts_with("goroutine 7 [running]:\n"));
        assert!(!text.contains("parked at"));
        assert!(text.contains("created off any goroutine at "));
    }
}

//! A trace session: `start(writer)` collects every event until `stop()`,
//! which writes them all as Chrome trace-event JSON.
//!
//! Invariant: at most one session runs; its writer lives in `SESSION`
//! between `start` and `stop`. Events stay in the per-thread buffers until
//! `stop`, so a session's memory grows with its length (about 40 bytes an
//! event); keep sessions short, or use the flight recorder.

use super::buffer::{self, lock, TRACING};
use super::json::{self, Track};
use std::fmt;
use std::io::{self, Write};
use std::sync::Mutex;

/// The running session's writer.
static SESSION: Mutex<Option<Box<dyn Write + Send>>> = Mutex::new(None);

/// Why a trace could not start or be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum TraceError {
    /// `start` while a session runs.
    AlreadyRunning,
    /// `stop` without a session.
    NotRunning,
    /// Writing the trace failed.
    Io(io::Error),
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceError::AlreadyRunning => f.write_str("a trace is already running"),
            TraceError::NotRunning => f.write_str("no trace is running"),
            TraceError::Io(e) => write!(f, "writing the trace failed: {e}"),
        }
    }
}

impl std::error::Error for TraceError {}

impl From<io::Error> for TraceError {
    fn from(e: io::Error) -> Self {
        TraceError::Io(e)
    }
}

/// Starts recording every scheduling event, to be written to `out` by
/// [`stop`]: Go's `trace.Start(w)`.
///
/// With the `diagnostics` feature off, the trace is written but empty.
pub fn start(out: impl Write + Send + 'static) -> Result<(), TraceError> {
    let mut session = lock(&SESSION);
    if session.is_some() {
        return Err(TraceError::AlreadyRunning);
    }
    for t in buffer::threads() {
        t.events().trace.clear();
    }
    *session = Some(Box::new(out));
    buffer::turn_on(TRACING);
    Ok(())
}

/// Whether a trace session runs.
pub fn is_running() -> bool {
    lock(&SESSION).is_some()
}

/// Stops recording and writes the trace: Go's `trace.Stop()`.
pub fn stop() -> Result<(), TraceError> {
    let mut session = lock(&SESSION);
    let mut out = session.take().ok_or(TraceError::NotRunning)?;
    buffer::turn_off(TRACING);
    let tracks = collect(|ev| std::mem::take(&mut ev.trace));
    json::write(&mut out, &tracks)?;
    Ok(())
}

/// One track per thread with events, each taken out by `take`.
pub(super) fn collect(
    mut take: impl FnMut(&mut buffer::Events) -> Vec<super::Event>,
) -> Vec<Track> {
    let mut tracks = Vec::new();
    for t in buffer::threads() {
        let mut events = take(&mut t.events());
        if events.is_empty() {
            continue;
        }
        events.sort_by_key(|e| e.at_nanos);
        tracks.push(Track { tid: t.tid, name: t.name.clone(), events });
    }
    tracks
}

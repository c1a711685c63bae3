//! The event model and the recording hooks the runtime calls.
//!
//! One [`Event`] per scheduling fact: a goroutine spawned, started running,
//! parked (with its [`WaitReason`]), finished, was woken, was stolen, or a
//! processor was handed off by the monitor. Each hook first checks
//! [`buffer::recording`] (one relaxed load) and returns when nothing records.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use super::buffer;
use crate::runtime::WaitReason;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// `goroutine` was spawned by `other` (0: off any goroutine).
    Spawn,
    /// A worker started polling `goroutine`.
    Run,
    /// The poll returned `Pending`: `goroutine` parked for `reason`.
    Park,
    /// The poll returned `Ready`: `goroutine` finished.
    End,
    /// `goroutine` was made runnable by whoever runs on this thread.
    Unpark,
    /// This worker stole work from processor `other`.
    Steal,
    /// The monitor handed processor `other`'s work away from its stuck
    /// worker, which was running `goroutine`.
    Handoff,
}

/// One recorded fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Nanoseconds since goro's clock epoch.
    pub at_nanos: u64,
    /// What happened.
    pub kind: EventKind,
    /// The goroutine concerned (0 where none).
    pub goroutine: u64,
    /// The other party: parent goroutine, victim processor, handed-off processor.
    pub other: u64,
    /// Why it parked (`Park` only).
    pub reason: Option<WaitReason>,
}

/// Records `kind` now, if anything records: inlined into every hook, so
/// only the one-load check; the rest stays out of line.
#[inline(always)]
fn record(kind: EventKind, goroutine: u64, other: u64, reason: Option<WaitReason>) {
    if buffer::recording() {
        record_now(kind, goroutine, other, reason);
    }
}

/// Stamps and stores an event (only while a trace or the flight recorder
/// runs; `cold` keeps it out of the hot paths that call the hooks).
#[cold]
#[inline(never)]
fn record_now(kind: EventKind, goroutine: u64, other: u64, reason: Option<WaitReason>) {
    let at_nanos = crate::time::clock::now_nanos();
    buffer::push(Event { at_nanos, kind, goroutine, other, reason });
}

/// `goroutine` was spawned by `parent`.
#[inline]
pub(crate) fn spawn(goroutine: u64, parent: u64) {
    record(EventKind::Spawn, goroutine, parent, None);
}

/// A worker starts polling `goroutine`.
#[inline]
pub(crate) fn run(goroutine: u64) {
    record(EventKind::Run, goroutine, 0, None);
}

/// `goroutine` parked for `reason`.
#[inline]
pub(crate) fn park(goroutine: u64, reason: Option<WaitReason>) {
    record(EventKind::Park, goroutine, 0, Some(reason.unwrap_or(WaitReason::Unknown)));
}

/// `goroutine` finished.
#[inline]
pub(crate) fn end(goroutine: u64) {
    record(EventKind::End, goroutine, 0, None);
}

/// `goroutine` was woken.
#[inline]
pub(crate) fn unpark(goroutine: u64) {
    record(EventKind::Unpark, goroutine, 0, None);
}

/// This worker stole from processor `victim`.
#[inline]
pub(crate) fn steal(victim: usize) {
    buffer::count_steal();
    record(EventKind::Steal, 0, victim as u64, None);
}

/// The monitor handed off processor `p`, whose worker runs `culprit`.
pub(crate) fn handoff(p: usize, culprit: u64) {
    record(EventKind::Handoff, culprit, p as u64, None);
}

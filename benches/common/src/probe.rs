//! The interleaving probe of `spsc` and `mpsc`: when the consumer got its
//! first message, and when the first and the last producer finished
//! sending, as milliseconds since the producers were started. A consumer
//! whose first message came only after a producer had sent all it had was
//! starved for that producer's whole run (in `spsc`, the whole workload).
//!
//! Why: on a buffer that holds every message (`boundedN`), a runtime may run
//! the producer to the end before the consumer ever runs (tokio puts the
//! woken consumer in the producer worker's LIFO slot, which no other worker
//! steals, and a channel outside tokio's coop budget never makes the producer
//! yield). That serial run is cheaper than real interleaving, so the time
//! alone would reward starving the consumer. A Go programmer expects the
//! woken goroutine to run while the producer goes on; this probe shows which
//! runs did, for every implementation alike.
//!
//! Cost: a handful of `Instant::now()` and uncontended `Mutex` locks per run,
//! never one per message. Splitting the first receive from the loop did
//! move some times by a few per cent through code shape (BENCHMARKS.md,
//! "Consumer's first message"). The process runs one case, so the marks
//! are global and `Case::report` reads them without the binaries' help.

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// The instants of one run; `None` until marked.
struct Marks {
    /// Right before the producers were started.
    start: Option<Instant>,
    /// The consumer's first message received.
    first_recv: Option<Instant>,
    /// The earliest producer's end of sending.
    first_done: Option<Instant>,
    /// The latest producer's end of sending so far.
    sends_done: Option<Instant>,
}

static MARKS: Mutex<Marks> =
    Mutex::new(Marks { start: None, first_recv: None, first_done: None, sends_done: None });

/// The marks, even if a panicking thread poisoned the lock (they stay valid:
/// each update is a single store).
fn marks() -> MutexGuard<'static, Marks> {
    MARKS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks the run's start: call right before starting the producers.
pub fn start() {
    let now = Instant::now();
    *marks() = Marks { start: Some(now), first_recv: None, first_done: None, sends_done: None };
}

/// Marks the consumer's first message (only the first call counts).
pub fn first_recv() {
    let now = Instant::now(); // read before the lock: waiting for it is not the consumer's time
    marks().first_recv.get_or_insert(now);
}

/// Marks one producer's end of sending; the earliest and the latest of
/// them are kept.
pub fn sends_done() {
    let now = Instant::now(); // before the lock, so min and max are the true finishes
    let mut m = marks();
    m.first_done = Some(m.first_done.map_or(now, |t| t.min(now)));
    m.sends_done = Some(m.sends_done.map_or(now, |t| t.max(now)));
}

/// `first_recv_ms=X;first_done_ms=Y;sends_done_ms=Z` (milliseconds since
/// start), or `None`
/// where the workload marked no first receive (every workload but `spsc`
/// and `mpsc`, whose producers may still mark their end).
pub fn extra() -> Option<String> {
    let m = marks();
    let (start, first, first_done, done) = (m.start?, m.first_recv?, m.first_done?, m.sends_done?);
    let ms = |t: Instant| t.saturating_duration_since(start).as_secs_f64() * 1e3;
    Some(format!(
        "first_recv_ms={:.3};first_done_ms={:.3};sends_done_ms={:.3}",
        ms(first),
        ms(first_done),
        ms(done)
    ))
}

//! Execution traces: what every worker did, when, to which goroutine (Go's
//! `runtime/trace` and `go tool trace`), and a flight recorder that keeps the
//! last events for post-mortems (Go 1.25's `trace.FlightRecorder`).
//!
//! ```no_run
//! let file = std::fs::File::create("goro.trace.json").unwrap();
//! goro::trace::start(file).unwrap();
//! goro::run(async { goro::go(async {}).await.unwrap() });
//! goro::trace::stop().unwrap(); // open the file in ui.perfetto.dev
//! ```
//!
//! The runtime calls the recording hooks in `event.rs`; each costs one
//! relaxed load while nothing records. Events go to a per-thread buffer
//! (`buffer.rs`), never through a global lock; [`stop`] and
//! [`flight_recorder::write_to`] merge the buffers by time and write Chrome
//! trace-event JSON (`json.rs`), which ui.perfetto.dev and
//! chrome://tracing load.

mod buffer;
pub(crate) mod event;
pub mod flight_recorder;
mod json;
mod session;

pub(crate) use buffer::{count_spawn, recording, totals as buffer_totals};
pub use event::{Event, EventKind};
pub use session::{is_running, start, stop, TraceError};

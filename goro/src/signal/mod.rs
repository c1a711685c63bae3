//! Go's `os/signal`: turn POSIX signals into values a goroutine can wait
//! for, or into a cancelled [`Context`](crate::context::Context).
//!
//! For graceful shutdown, prefer [`notify_context`]: pass the context down,
//! stop taking new work when it is done, and wait for the work in flight
//! (a [`WaitGroup`](crate::sync::WaitGroup) or [`Group`](crate::group::Group)).
//!
//! ```no_run
//! use goro::signal::{notify_context, Signal};
//! goro::run(async {
//!     let (ctx, _stop) = notify_context(&goro::context::background(), &[Signal::Interrupt, Signal::Terminate]);
//!     ctx.done().await; // Ctrl-C
//! });
//! ```

mod notify;

pub use notify::{notify, notify_context, NotifyStop, Signal, SignalReceived};

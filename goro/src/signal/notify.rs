//! `notify` and `notify_context`: Go's `os/signal.Notify` and
//! `signal.NotifyContext`, on `signal-hook`.
//!
//! Design: each `notify` registers a `signal_hook::iterator::Signals` (a
//! self-pipe, so nothing but a write happens in the signal handler) and a
//! small thread that forwards each signal into a `goro::chan` channel.
//! Delivery never blocks the forwarding thread: like Go's non-blocking send
//! to the user's channel, a signal that finds the buffer full is dropped.
//! Once every receiver is gone, the next signal finds the channel closed and
//! the relay ends, unregistering its hooks (Go's `signal.Stop`). As
//! documented by signal-hook, the default action is not reinstated then: a
//! signal that has ever been caught stays caught (and ignored when no one
//! listens).

use crate::chan::{Receiver, TrySendError};
use crate::context::{self, Context};
use signal_hook::iterator::{Handle, Signals};
use std::fmt;
use std::sync::Arc;

/// A signal goro can catch (the ones programs handle for shutdown and
/// reload; SIGKILL/SIGSTOP cannot be caught at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signal {
    /// SIGINT: Ctrl-C. Go's `os.Interrupt`.
    Interrupt,
    /// SIGTERM: polite termination. Go's `syscall.SIGTERM`.
    Terminate,
    /// SIGHUP: terminal hang-up, often "reload".
    Hangup,
    /// SIGQUIT: Ctrl-\.
    Quit,
    /// SIGUSR1.
    User1,
    /// SIGUSR2.
    User2,
}

impl Signal {
    /// The raw signal number.
    pub fn as_raw(self) -> i32 {
        use signal_hook::consts::*;
        match self {
            Signal::Interrupt => SIGINT,
            Signal::Terminate => SIGTERM,
            Signal::Hangup => SIGHUP,
            Signal::Quit => SIGQUIT,
            Signal::User1 => SIGUSR1,
            Signal::User2 => SIGUSR2,
        }
    }

    /// The signal with raw number `n`, if goro names it.
    pub fn from_raw(n: i32) -> Option<Signal> {
        [
            Signal::Interrupt,
            Signal::Terminate,
            Signal::Hangup,
            Signal::Quit,
            Signal::User1,
            Signal::User2,
        ]
        .into_iter()
        .find(|s| s.as_raw() == n)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Interrupt => "interrupt",
            Signal::Terminate => "terminated",
            Signal::Hangup => "hangup",
            Signal::Quit => "quit",
            Signal::User1 => "user defined signal 1",
            Signal::User2 => "user defined signal 2",
        })
    }
}

/// How many undelivered signals a receiver buffers before dropping more.
const BUFFER: usize = 16;

/// Starts relaying `signals` to the returned channel: Go's
/// `signal.Notify(c, sigs...)`. Dropping every receiver stops the relay at
/// the next signal (Go's `signal.Stop`).
///
/// # Panics
///
/// If the signals cannot be registered (the OS refused; not expected for
/// the signals [`Signal`] names).
pub fn notify(signals: &[Signal]) -> Receiver<Signal> {
    let (tx, rx) = crate::chan(BUFFER);
    spawn_relay(signals, move |s| !matches!(tx.try_send(s), Err(TrySendError::Closed(_))));
    rx
}

/// A child of `parent` cancelled when one of `signals` arrives (or `stop`
/// is called or dropped): Go's `signal.NotifyContext`.
///
/// As in Go 1.26, a signal cancels with `Canceled` and the cause
/// [`SignalReceived`] ("interrupt signal received"); `stop` cancels with
/// no cause, and a cancelled parent passes its own cause down.
///
/// # Panics
///
/// If the signals cannot be registered.
pub fn notify_context(parent: &Context, signals: &[Signal]) -> (Context, NotifyStop) {
    let (ctx, cancel) = context::with_cancel_cause(parent);
    let handle = spawn_relay(signals, move |s| {
        cancel.cancel(Some(Arc::new(SignalReceived(s))));
        false
    });
    (ctx.clone(), NotifyStop { handle, ctx })
}

/// The cause of a [`notify_context`] context cancelled by a signal: Go's
/// `signalError` ("interrupt signal received"). Its context's
/// [`err`](Context::err) is `Canceled`, as Go's `errors.Is(cause,
/// context.Canceled)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalReceived(pub Signal);

impl fmt::Display for SignalReceived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} signal received", self.0)
    }
}

impl std::error::Error for SignalReceived {}

/// Registers `signals` and a thread calling `deliver` per signal until it
/// returns false or the handle is closed.
fn spawn_relay(
    signals: &[Signal],
    mut deliver: impl FnMut(Signal) -> bool + Send + 'static,
) -> Handle {
    let raw: Vec<i32> = signals.iter().map(|s| s.as_raw()).collect();
    let mut it = Signals::new(raw).expect("goro::signal: cannot register signal handlers");
    let handle = it.handle();
    std::thread::Builder::new()
        .name("goro-signal".into())
        .spawn(move || {
            for n in it.forever() {
                if !Signal::from_raw(n).is_some_and(&mut deliver) {
                    break;
                }
            }
        })
        .expect("goro::signal: cannot start the relay thread");
    handle
}

/// Stops a [`notify_context`] relay and cancels its context (also on drop):
/// Go's `stop()`.
#[must_use = "dropping the stop handle cancels the context at once"]
pub struct NotifyStop {
    /// Closes the relay.
    handle: Handle,
    /// The context, to observe cancellation.
    ctx: Context,
}

impl NotifyStop {
    /// Unregisters the signals; the relay's cancel handle is dropped with
    /// its thread, which cancels the context.
    pub fn stop(&self) {
        self.handle.close();
    }

    /// Whether a signal (or `stop`) has cancelled the context.
    pub fn is_stopped(&self) -> bool {
        self.ctx.is_done()
    }
}

impl Drop for NotifyStop {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for NotifyStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifyStop").finish_non_exhaustive()
    }
}

//! Channels: Go's `chan T`, for goroutines, tokio tasks and plain threads.
//!
//! [`chan`](fn@chan)`(cap)` makes a channel: unbuffered (`0`), bounded, or
//! [`unbounded`]. Both halves clone. A channel closes on
//! [`Sender::close`] or when its last [`Sender`] drops; receivers then drain
//! what is buffered and get `None`. A send on a closed channel, or with every
//! [`Receiver`] gone, hands its value back in [`SendError`].
//!
//! Where Go would block such a send forever, goro fails it, which a port
//! from Go can meet by surprise: an `async move` block (like a closure, in
//! Rust 2021) captures only the fields of a struct it uses, so a goroutine
//! that sends on `d.tx` does not keep `d.rx` alive. Once the last
//! `Receiver` elsewhere drops, its sends fail. `tests/golang_chan_powser.rs`
//! met this at its end, where Go's program leaves its streams blocked.
//!
//! | Go | goro, in a goroutine | goro, on a thread |
//! |---|---|---|
//! | `ch <- v` | `tx.send(v).await?` | `tx.send_blocking(v)?` |
//! | `v, ok := <-ch` | `rx.recv().await` | `rx.recv_blocking()` |
//! | `for v := range ch` | `while let Some(v) = rx.recv().await` | `for v in &rx` |
//! | (a stream of the values) | `rx` is a `futures_core::Stream` | `rx.iter()` |
//! | `close(ch)` | `tx.close()` | `tx.close()` |
//! | `len(ch)`, `cap(ch)` | `rx.len()`, `rx.cap()` | same |
//!
//! Everything here is built on `std::task::Waker` alone, so it works in any
//! executor. On a plain thread, an operation that need not wait runs no
//! future at all; one that must wait yields the thread up to 64 times,
//! watching for its wake-up, before it sleeps. The design and the commit protocol shared with `select!` are in
//! this folder's `README.md`.

mod core;
mod error;
mod lock;
mod make;
pub(crate) mod park;
mod receiver;
mod sender;
pub(crate) mod signal;
mod waiter;
mod waitq;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom), feature = "diagnostics"))]
mod wait_reason_tests;

pub(crate) use self::core::{RecvNow, SendNow};
pub use error::{RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError};
pub use lock::{ChanGuard, ChanLock};
pub(crate) use make::timer_chan;
pub use make::{chan, never, unbounded};
pub use receiver::{IntoIter, Iter, Receiver, Recv, TryIter};
pub use sender::{Send, Sender};
pub use signal::Signal;
/// The queue and its entries, for the select cache's loom model.
#[cfg(all(loom, test))]
pub(crate) use waitq::{Entry, WaitQueue};
pub(crate) use waitq::{Op, Woken};

/// The channel types' auto traits, checked when the doc tests compile. A
/// channel of `Send` values is shared by threads and its futures run on
/// any executor's threads; a channel of values that may not leave their
/// thread (`Rc`) can not leave it either.
///
/// ```
/// fn send_sync<T: Send + Sync>(_: &T) {}
/// fn send<T: Send>(_: &T) {}
/// let (tx, rx) = goro::chan::<String>(1);
/// send_sync(&tx);
/// send_sync(&rx);
/// send(&tx.send(String::new()));
/// send(&rx.recv());
/// let mut sel = goro::select::Select::new();
/// sel.recv(&rx);
/// send(&sel);
/// ```
///
/// The same with `Rc` values does not compile, for the sender:
///
/// ```compile_fail
/// fn send<T: Send>(_: &T) {}
/// let (tx, _rx) = goro::chan::<std::rc::Rc<u8>>(1);
/// send(&tx);
/// ```
///
/// nor for the receiver:
///
/// ```compile_fail
/// fn send<T: Send>(_: &T) {}
/// let (_tx, rx) = goro::chan::<std::rc::Rc<u8>>(1);
/// send(&rx);
/// ```
#[cfg(doctest)]
pub struct AutoTraits;

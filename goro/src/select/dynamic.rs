//! `Select`: a select over a list of cases built at run time, Go's
//! `reflect.Select`, for fan-in over N channels.
//!
//! It holds [`RecvCase`]s and [`SendCase`]s of one value type and runs the
//! same [`Selector`] as the macro. Receive cases stay armed across calls; a
//! send case fires once and is then disabled. [`Select::remove`] disables a
//! case (Go's trick of setting a case's channel to nil), keeping indices.

use super::arena::OpArena;
use super::case::{Case, Kind};
use super::cases::{RecvCase, SendCase};
use super::selector::{Selector, DEFAULT};
use super::snapshot::Locks;
use crate::chan::{ChanLock, Receiver, SendError, Sender, Signal};
use crate::loom::Arc;
use std::alloc::Layout;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::task::Context;

/// One case of a dynamic select.
enum DynCase<'a, T> {
    /// A receive.
    Recv(RecvCase<'a, T>),
    /// A send, until it fires.
    Send(SendCase<'a, T>),
    /// Removed, or a send that already fired.
    Off,
}

/// What a dynamic select did.
#[derive(Debug, PartialEq, Eq)]
pub enum Selected<T> {
    /// Receive case `index` got `value` (`None`: its channel is closed).
    Recv {
        /// The case.
        index: usize,
        /// The value, or `None` if the channel is closed and drained.
        value: Option<T>,
    },
    /// Send case `index` completed (`Err` hands the value back: closed).
    Send {
        /// The case.
        index: usize,
        /// The outcome.
        result: Result<(), SendError<T>>,
    },
}

/// A select over cases added at run time: Go's `reflect.Select`.
///
/// ```
/// use goro::select::{Select, Selected};
/// let chans: Vec<_> = (0..3).map(|_| goro::chan::<i32>(1)).collect();
/// chans[2].0.try_send(7).unwrap();
/// let mut sel = Select::new();
/// for (_, rx) in &chans {
///     sel.recv(rx);
/// }
/// assert_eq!(sel.select_blocking(), Selected::Recv { index: 2, value: Some(7) });
/// ```
///
/// Its cases share one value type, so a timer or a `ctx.done()` cannot be
/// among them as in Go's `reflect.Select`. Bound it from outside instead:
/// its [`select`](Select::select) future as a `future` case of `select!`
/// (or `select_blocking!`). When the other case wins, that future is
/// dropped while parked and unregisters every case; a value a sender had
/// already handed it goes back to its channel.
///
/// ```
/// use goro::select::Select;
/// use std::time::Duration;
/// let (_tx, rx) = goro::chan::<i32>(0);
/// let mut sel = Select::new();
/// sel.recv(&rx);
/// let got = goro::select_blocking! {
///     future(sel.select()) -> s => Some(s),
///     future(goro::time::sleep(Duration::from_millis(1))) => None,
/// };
/// assert_eq!(got, None, "nothing was sent: the timer won");
/// ```
pub struct Select<'a, T> {
    /// The cases, by index.
    cases: Vec<DynCase<'a, T>>,
}

impl<'a, T> Select<'a, T> {
    /// A select with no cases yet (it would block forever).
    pub fn new() -> Self {
        Select { cases: Vec::new() }
    }

    /// Adds a receive case; returns its index.
    pub fn recv(&mut self, rx: &'a Receiver<T>) -> usize {
        self.cases.push(DynCase::Recv(RecvCase::new(rx)));
        self.cases.len() - 1
    }

    /// Adds a send case of `value`; returns its index.
    pub fn send(&mut self, tx: &'a Sender<T>, value: T) -> usize {
        self.cases.push(DynCase::Send(SendCase::new(tx, value)));
        self.cases.len() - 1
    }

    /// Disables case `index` for good (Go: set its channel to nil).
    ///
    /// # Panics
    ///
    /// If there is no case `index`, as Go's `reflect.Select` panics on a
    /// bad case.
    pub fn remove(&mut self, index: usize) {
        let n = self.cases.len();
        assert!(index < n, "goro::select: no case {index} to remove (the select has {n})");
        self.cases[index] = DynCase::Off;
    }

    /// True while some case can still fire.
    pub fn is_live(&self) -> bool {
        self.cases.iter().any(|c| c.kind() != Kind::Disabled)
    }

    /// Waits until one case completes, in a goroutine or task.
    ///
    /// Dropping the future before it completes loses nothing: a value that
    /// had reached a receive case goes back to its channel, and a send case
    /// that was decided keeps its outcome, which the next round reports at
    /// once: `Ok` if a receiver took the value (the send happened), `Err`
    /// with the value if a close refused it.
    #[track_caller]
    pub fn select(&mut self) -> impl Future<Output = Selected<T>> + use<'_, 'a, T> {
        let at = Location::caller();
        async move {
            let i = Selector::located(&mut self.cases[..], false, at).await;
            self.output(i)
        }
    }

    /// Waits until one case completes, parking this thread.
    #[track_caller]
    pub fn select_blocking(&mut self) -> Selected<T> {
        let i = Selector::new(&mut self.cases[..], false).wait_blocking();
        self.output(i)
    }

    /// Completes a case that is ready now, if any (`select` with `default`).
    #[track_caller]
    pub fn try_select(&mut self) -> Option<Selected<T>> {
        let i = Selector::new(&mut self.cases[..], true).wait_blocking();
        (i != DEFAULT).then(|| self.output(i))
    }

    /// Takes the result of case `i`; a fired send is disabled.
    fn output(&mut self, i: usize) -> Selected<T> {
        match &mut self.cases[i] {
            DynCase::Recv(c) => Selected::Recv { index: i, value: c.take_output() },
            DynCase::Send(c) => {
                let result = c.take_output();
                self.cases[i] = DynCase::Off;
                Selected::Send { index: i, result }
            }
            DynCase::Off => unreachable!("goro::select: a disabled case completed"),
        }
    }
}

impl<T> Default for Select<'_, T> {
    fn default() -> Self {
        Select::new()
    }
}

impl<T> fmt::Debug for Select<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select").field("cases", &self.cases.len()).finish()
    }
}

impl<'a, T> DynCase<'a, T> {
    /// The case as the trait object the selector drives.
    fn case(&mut self) -> Option<&mut dyn Case<'a>> {
        match self {
            DynCase::Recv(c) => Some(c),
            DynCase::Send(c) => Some(c),
            DynCase::Off => None,
        }
    }
}

impl<'a, T> Case<'a> for DynCase<'a, T> {
    fn kind(&self) -> Kind {
        match self {
            DynCase::Recv(c) => c.kind(),
            DynCase::Send(c) => c.kind(),
            DynCase::Off => Kind::Disabled,
        }
    }
    fn chan_lock(&self) -> Option<&'a ChanLock> {
        match self {
            DynCase::Recv(c) => c.chan_lock(),
            DynCase::Send(c) => c.chan_lock(),
            DynCase::Off => None,
        }
    }
    fn try_locked(&mut self, locks: &mut Locks<'a>) -> bool {
        self.case().is_some_and(|c| c.try_locked(locks))
    }
    fn poll_future(&mut self, cx: &mut Context<'_>) -> bool {
        self.case().is_some_and(|c| c.poll_future(cx))
    }
    fn try_alone(&mut self, cx: &mut Context<'_>) -> bool {
        match self {
            DynCase::Recv(c) => c.try_alone(cx),
            DynCase::Send(c) => c.try_alone(cx),
            DynCase::Off => false,
        }
    }
    fn op_layout(&self) -> Layout {
        match self {
            DynCase::Recv(c) => c.op_layout(),
            DynCase::Send(c) => c.op_layout(),
            DynCase::Off => Layout::new::<()>(),
        }
    }
    fn register(&mut self, signal: &Arc<Signal>, index: usize, arena: &OpArena) -> bool {
        self.case().is_none_or(|c| c.register(signal, index, arena))
    }
    fn unregister(&mut self) {
        if let Some(c) = self.case() {
            c.unregister();
        }
    }
    fn commit(&mut self) {
        if let Some(c) = self.case() {
            c.commit();
        }
    }
    fn abandon(&mut self) {
        if let Some(c) = self.case() {
            c.abandon();
        }
    }
    fn holds_op(&self) -> bool {
        match self {
            DynCase::Recv(c) => c.holds_op(),
            DynCase::Send(c) => c.holds_op(),
            DynCase::Off => false,
        }
    }
}

//! Waiting on a plain thread: the thread's [`Parker`], which the `_blocking`
//! forms use in two steps.
//!
//! 1. The operation runs once under the channel lock (`Chan::send_or_wait`,
//!    `recv_or_wait`): if it completes, that is all, with no future, no
//!    `Context` and no poll; if it must wait, the lock queues it with *no*
//!    waker.
//! 2. Only then is the queued operation wrapped in its future (`Send`,
//!    `Recv` with their waiter set) and [`Parker::wait_lone`] watches its
//!    decision, yielding in between; if it is still undecided after
//!    [`YIELDS`] looks, a poll gives it this parker's waker (under the
//!    channel lock, looking once more), and [`Parker::wait`] parks and
//!    polls after each wake-up, until the future is ready or the deadline
//!    passes. A decider that finds no waker wakes nobody: the usual
//!    handoff touches no wake-up state at all.
//!
//! Futures that are not queued operations (a select, `forever`) go through
//! [`block_on`]: poll, then the same wait. The thread's parker, and with it
//! its waker, is made once per thread and cached, so a blocking operation
//! allocates nothing for its wake-up. No runtime is involved: these work on
//! any thread, inside or outside goro. Under loom each call makes a fresh
//! parker that parks loom's modelled thread.
//!
//! Invariant: a future handed to [`Parker::wait`] already holds a wake-up
//! registration with this parker's waker (or is decided), so parking before
//! its next poll misses nothing (`wait_lone` polls once before it): a
//! wake-up that came first leaves the parker's state `NOTIFIED` (or the
//! loom parker's flag set).

use crate::loom::thread;
use crate::runtime::scheduler::park_state::ParkState;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// A plain thread's way to wait: its waker, and parking until that waker
/// is woken.
pub(crate) struct Parker {
    /// Wakes this parker's thread.
    waker: Waker,
    /// The state the waker sets: this thread's, or under loom the modelled
    /// flag and condvar.
    #[cfg(not(loom))]
    inner: std::sync::Arc<ThreadWaker>,
    /// The modelled flag and condvar the waker signals.
    #[cfg(loom)]
    inner: std::sync::Arc<LoomParker>,
}

#[cfg(not(loom))]
thread_local! {
    /// This thread's parker: its waker wakes the thread.
    static PARKER: Parker = {
        let inner = std::sync::Arc::new(ThreadWaker::new());
        Parker { waker: Waker::from(inner.clone()), inner }
    };
}

/// Runs `f` with this thread's parker.
#[cfg(not(loom))]
#[inline]
pub(crate) fn with_parker<R>(f: impl FnOnce(&Parker) -> R) -> R {
    PARKER.with(f)
}

/// Runs `f` with a fresh modelled parker (loom: one per operation).
#[cfg(loom)]
pub(crate) fn with_parker<R>(f: impl FnOnce(&Parker) -> R) -> R {
    let inner = std::sync::Arc::new(LoomParker {
        woken: crate::loom::Mutex::new(false),
        cv: crate::loom::Condvar::new(),
    });
    f(&Parker { waker: Waker::from(inner.clone()), inner })
}

impl Parker {
    /// The waker that ends this parker's wait.
    #[inline]
    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Waits for `fut`, which already registered this parker's waker: parks
    /// first, then polls after each wake-up. `None` once `deadline` passed
    /// with `fut` still pending (the caller then cancels it).
    pub(crate) fn wait<F: Future + ?Sized>(
        &self,
        mut fut: Pin<&mut F>,
        deadline: Option<Instant>,
    ) -> Option<F::Output> {
        let mut cx = Context::from_waker(&self.waker);
        loop {
            if !self.park(deadline) {
                return None;
            }
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return Some(v);
            }
        }
    }

    /// Waits for `fut`, a queued lone operation that holds no waker yet:
    /// first watches its decision, yielding in between, with no waker at
    /// all, so that its decider wakes nobody and this thread's wake-up
    /// state stays off the handoff (kanal's sync wait watches its signal
    /// the same way); then polls, which sets this parker's waker under the
    /// channel lock and looks again, and waits as [`Parker::wait`] does.
    /// `None` once `deadline` passed with `fut` still pending.
    pub(crate) fn wait_lone<F: Future + Watched>(
        &self,
        mut fut: Pin<&mut F>,
        deadline: Option<Instant>,
    ) -> Option<F::Output> {
        for _ in 0..YIELDS {
            if fut.as_ref().get_ref().decided_now() {
                break;
            }
            if passed(deadline) {
                return None;
            }
            thread::yield_now();
        }
        let mut cx = Context::from_waker(&self.waker);
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        self.wait(fut, deadline)
    }

    /// Waits until woken (or spuriously); false, without waiting, once
    /// `deadline` has passed. Spins first, then parks (see [`ThreadWaker`]).
    #[cfg(not(loom))]
    fn park(&self, deadline: Option<Instant>) -> bool {
        self.inner.wait(deadline)
    }

    /// Waits for the modelled flag and clears it; deadlines are not
    /// modelled, the wait is unbounded.
    #[cfg(loom)]
    fn park(&self, _deadline: Option<Instant>) -> bool {
        let mut woken = self.inner.woken.lock().unwrap();
        while !*woken {
            woken = self.inner.cv.wait(woken).unwrap();
        }
        *woken = false;
        true
    }
}

/// A queued lone operation's future whose decision a thread can watch
/// before it gives the operation a waker ([`Parker::wait_lone`]).
pub(crate) trait Watched {
    /// True once the operation is decided (its poll then completes).
    fn decided_now(&self) -> bool;
}

/// Yields a waiting thread makes before it sleeps (see
/// [`ThreadWaker::wait`]); one under loom, where every yield is
/// a branch of the model.
const YIELDS: u32 = if cfg!(loom) { 1 } else { 64 };
/// Wakes a thread waiting in [`Parker::wait`]: the wake-up word the
/// runtime's worker parker uses too (`ParkState`, std's parker protocol one
/// level up), so that the waiter can watch it before it sleeps, and a
/// wake-up that finds it awake costs no `unpark` (no futex call).
///
/// The waiter consumes a wake-up while yielding, or moves the word to
/// `PARKED` and sleeps in `thread::park` until a wake-up saw it there and
/// unparked it. Spurious returns are the caller's to handle: it re-polls
/// its future and waits again.
///
/// Under loom the channels' blocking forms use [`LoomParker`] instead (a
/// parker that loom's mutexes cannot wake by mistake); this protocol is
/// modelled on its own, in `loom_thread_waker_loses_no_wake_up`.
#[cfg_attr(loom, allow(dead_code))]
struct ThreadWaker {
    /// The waiting thread.
    thread: thread::Thread,
    /// The wake-up word.
    state: ParkState,
}

#[cfg_attr(loom, allow(dead_code))]
impl ThreadWaker {
    /// The waker of the calling thread, with no wake-up pending.
    fn new() -> Self {
        ThreadWaker { thread: thread::current(), state: ParkState::new() }
    }

    /// Waits until woken (or spuriously); false, without waiting further,
    /// once `deadline` has passed. Yields first, then sleeps.
    ///
    /// It yields rather than spins, as kanal's wait does: when the waker
    /// runs on another processor a yield returns at once (a look at `state`
    /// every few hundred nanoseconds, where `Backoff`'s doubling pauses,
    /// measured, waited microseconds past the wake-up), and when both share
    /// one it hands the processor to the thread that will wake us.
    fn wait(&self, deadline: Option<Instant>) -> bool {
        for _ in 0..YIELDS {
            if self.state.try_consume() {
                return true;
            }
            if passed(deadline) {
                return false;
            }
            thread::yield_now();
        }
        if passed(deadline) {
            return false;
        }
        if self.state.try_park() {
            self.sleep(deadline);
        } // else a wake-up came first, consumed
        true
    }

    /// Sleeps in `PARKED` until a wake-up (or `deadline`), then consumes
    /// the wake-up if one came.
    fn sleep(&self, deadline: Option<Instant>) {
        loop {
            park_until(deadline);
            if self.state.woken() {
                return;
            }
            if passed(deadline) {
                self.state.leave_parked(); // consumes a wake-up that lands now
                return;
            }
        }
    }

    /// Marks a wake-up; unparks the thread only if it sleeps.
    fn notify(&self) {
        if self.state.notify() {
            self.thread.unpark();
        }
    }
}

/// True once `deadline` (if any) has passed.
#[cfg_attr(loom, allow(dead_code))]
fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// Parks this thread until unparked (or spuriously) or `deadline`.
#[cfg(not(loom))]
fn park_until(deadline: Option<Instant>) {
    match deadline {
        None => thread::park(),
        Some(d) => thread::park_timeout(d.saturating_duration_since(Instant::now())),
    }
}

/// loom stand-in: deadlines are not modelled, the park is unbounded.
#[cfg(loom)]
#[allow(dead_code)]
fn park_until(_deadline: Option<Instant>) {
    thread::park();
}

#[cfg(not(loom))]
impl std::task::Wake for ThreadWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.notify();
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.notify();
    }
}

/// A modelled parker for loom: a flag under a loom mutex and a condvar
/// (loom's `thread::unpark` would also wake a thread blocked on a mutex).
#[cfg(loom)]
struct LoomParker {
    /// Set by a wake-up, cleared by the waiter.
    woken: crate::loom::Mutex<bool>,
    /// Signals `woken`.
    cv: crate::loom::Condvar,
}

#[cfg(loom)]
impl std::task::Wake for LoomParker {
    fn wake(self: std::sync::Arc<Self>) {
        *self.woken.lock().unwrap() = true;
        self.cv.notify_one();
    }
}

/// Polls `fut` to completion, parking this thread between polls.
pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    match block_on_until(fut, None) {
        Some(v) => v,
        None => unreachable!("goro::chan: a wait without deadline timed out"),
    }
}

/// Polls `fut` until it completes or `deadline` passes (then `None`).
pub(crate) fn block_on_until<F: Future>(fut: F, deadline: Option<Instant>) -> Option<F::Output> {
    with_parker(|p| {
        let mut fut = pin!(fut);
        match fut.as_mut().poll(&mut Context::from_waker(p.waker())) {
            Poll::Ready(v) => Some(v),
            Poll::Pending => p.wait(fut, deadline),
        }
    })
}

/// Polls `fut` once with a waker that does nothing.
#[allow(dead_code)]
pub(crate) fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    std::pin::Pin::new(fut).poll(&mut cx)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc};
    use std::time::Duration;

    /// Runs `f` on a thread; fails instead of hanging past 30 s.
    fn within_30s(f: impl FnOnce() + std::marker::Send + 'static) {
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            f();
            let _ = done.send(());
        });
        finished.recv_timeout(Duration::from_secs(30)).expect("goro::chan: a park test hung");
    }

    /// A wake-up that comes before the wait is kept: the wait returns.
    #[test]
    fn wake_before_wait_is_kept() {
        within_30s(|| {
            with_parker(|p| {
                p.waker().wake_by_ref();
                let mut polls = 0;
                let fut = std::future::poll_fn(|_| {
                    polls += 1;
                    Poll::Ready(())
                });
                assert_eq!(p.wait(pin!(fut), None), Some(()));
                assert_eq!(polls, 1);
            })
        });
    }

    /// A wait nobody wakes ends at its deadline, and not before.
    #[test]
    fn deadline_ends_a_wait() {
        within_30s(|| {
            with_parker(|p| {
                let start = Instant::now();
                let d = Duration::from_millis(30);
                let never = std::future::pending::<()>();
                assert_eq!(p.wait(pin!(never), Some(start + d)), None);
                assert!(start.elapsed() >= d);
            })
        });
    }

    /// A stand-in for a queued lone operation: decided once `done` is set;
    /// its poll counts itself and, if pending, hands its waker to
    /// `waker_at`.
    struct Lone {
        /// Set by the test: the operation is decided.
        done: Arc<std::sync::atomic::AtomicBool>,
        /// Polls so far.
        polls: usize,
        /// Receives the waker of each pending poll.
        waker_at: mpsc::Sender<Waker>,
    }

    impl Future for Lone {
        type Output = usize;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
            self.polls += 1;
            // SeqCst: test code, against the setter's store and wake.
            if self.done.load(std::sync::atomic::Ordering::SeqCst) {
                return Poll::Ready(self.polls);
            }
            // Handed out after the look, so that this poll stays pending.
            let _ = self.waker_at.send(cx.waker().clone());
            Poll::Pending
        }
    }

    impl Watched for Lone {
        fn decided_now(&self) -> bool {
            self.done.load(std::sync::atomic::Ordering::SeqCst)
        }
    }

    /// A stand-in lone operation, its decision flag and its wakers' receiver.
    fn lone(done: bool) -> (Lone, Arc<std::sync::atomic::AtomicBool>, mpsc::Receiver<Waker>) {
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(done));
        let (waker_at, wakers) = mpsc::channel();
        (Lone { done: flag.clone(), polls: 0, waker_at }, flag, wakers)
    }

    /// A lone operation decided before its thread looks is polled once, and
    /// the thread never sleeps nor needs a wake-up.
    #[test]
    fn a_decided_lone_wait_polls_once() {
        within_30s(|| {
            with_parker(|p| {
                let (op, _, _) = lone(true);
                assert_eq!(p.wait_lone(pin!(op), None), Some(1));
            })
        });
    }

    /// A lone operation still undecided after the watch is polled, which
    /// gives it the parker's waker; decided and woken through it later, the
    /// wait returns from its second poll.
    #[test]
    fn an_undecided_lone_wait_takes_a_waker_then_wakes() {
        within_30s(|| {
            let (op, done, wakers) = lone(false);
            let decider = std::thread::spawn(move || {
                let w = wakers.recv().expect("the watch ended in a poll");
                done.store(true, std::sync::atomic::Ordering::SeqCst);
                w.wake();
            });
            with_parker(|p| assert_eq!(p.wait_lone(pin!(op), None), Some(2)));
            decider.join().unwrap();
        });
    }

    /// A deadline already passed ends a lone wait before any poll.
    #[test]
    fn a_passed_deadline_ends_a_lone_wait_unpolled() {
        within_30s(|| {
            with_parker(|p| {
                let (op, _, wakers) = lone(false);
                assert_eq!(p.wait_lone(pin!(op), Some(Instant::now())), None);
                assert!(wakers.try_recv().is_err(), "never polled");
            })
        });
    }

    /// Two threads hand a turn back and forth 20,000 times (200 under
    /// Miri, at its speed), each waking the other's parker: a lost wake-up
    /// would hang the test.
    #[test]
    fn ping_pong_loses_no_wake_up() {
        const ROUNDS: usize = if cfg!(miri) { 200 } else { 20_000 };
        within_30s(|| {
            let turn = Arc::new(AtomicUsize::new(0));
            let (to_other, from_main) = mpsc::channel::<Waker>();
            let (to_main, from_other) = mpsc::channel::<Waker>();
            let other = {
                let turn = turn.clone();
                std::thread::spawn(move || {
                    to_main.send(with_parker(|p| p.waker().clone())).unwrap();
                    let main = from_main.recv().unwrap();
                    (0..ROUNDS).for_each(|i| take_turn(&turn, 2 * i + 1, &main));
                })
            };
            to_other.send(with_parker(|p| p.waker().clone())).unwrap();
            let other_waker = from_other.recv().unwrap();
            (0..ROUNDS).for_each(|i| take_turn(&turn, 2 * i, &other_waker));
            other.join().unwrap();
            assert_eq!(turn.load(Ordering::Relaxed), 2 * ROUNDS);
        });
    }

    /// Waits until `turn` is `mine`, then passes it on and wakes `next`.
    fn take_turn(turn: &AtomicUsize, mine: usize, next: &Waker) {
        let fut = std::future::poll_fn(|_| {
            if turn.load(Ordering::Acquire) == mine {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        assert_eq!(block_on_until(fut, None), Some(()));
        turn.store(mine + 1, Ordering::Release);
        next.wake_by_ref();
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::atomic::{AtomicBool, Ordering};
    use crate::loom::Arc;

    /// A waker thread writes a flag, then wakes a waiter that waits until
    /// it sees the flag; with `stale`, a wake-up nobody consumed is pending
    /// from the start. A lost wake-up is a deadlock the model reports.
    fn flag_then_wake(stale: bool) {
        let w = Arc::new(ThreadWaker::new());
        if stale {
            w.notify(); // an earlier waker's, never consumed
        }
        let done = Arc::new(AtomicBool::new(false));
        let waker = {
            let (w, done) = (w.clone(), done.clone());
            thread::spawn(move || {
                done.store(true, Ordering::Relaxed);
                w.notify();
            })
        };
        // Relaxed: the wake-up's Release/Acquire orders the store.
        while !done.load(Ordering::Relaxed) {
            assert!(w.wait(None));
        }
        waker.join().unwrap();
    }

    /// A wake-up races the waiter's yield, its move to `PARKED` and its
    /// sleep: the waiter always sees it, and what the waker wrote before
    /// it is visible after.
    #[test]
    fn loom_thread_waker_loses_no_wake_up() {
        loom::model(|| flag_then_wake(false));
    }

    /// A wake-up left over from an earlier wait (`NOTIFIED`, consumed by
    /// no one) races a new one: the waiter's consume must take the newest,
    /// so that what the new waker wrote before it is visible to the poll
    /// that follows. A consume made of a load and a separate store could
    /// overwrite the new wake-up after reading the old one, then poll
    /// without the new waker's write and sleep for good;
    /// `ping_pong_loses_no_wake_up` hung that way about once in a dozen
    /// runs.
    #[test]
    fn loom_thread_waker_stale_wake_up_hides_no_new_one() {
        loom::model(|| flag_then_wake(true));
    }
}

//! Time: `sleep`, `sleep_until` and `timeout`, Go's `time.Sleep` and
//! `context.WithTimeout`'s building block.
//!
//! Stand-in implementation: one timer thread with a binary heap of wakers.
//! Issue 2 replaces it with per-processor timers that parked workers sleep on.
//! Invariant kept by both: a timer never fires before its deadline.

mod channels;
pub use channels::{after, never, tick};

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Pending timers, earliest first.
struct Timers {
    heap: Mutex<BinaryHeap<Reverse<Entry>>>,
    cv: Condvar,
}

/// One registration: wake `waker` at `at`.
struct Entry {
    at: Instant,
    seq: u64,
    waker: Waker,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

fn timers() -> &'static Timers {
    static T: OnceLock<&'static Timers> = OnceLock::new();
    T.get_or_init(|| {
        let t: &'static Timers =
            Box::leak(Box::new(Timers { heap: Mutex::new(BinaryHeap::new()), cv: Condvar::new() }));
        std::thread::Builder::new()
            .name("goro-timer".into())
            .spawn(move || t.run())
            .expect("goro::time: cannot start the timer thread");
        t
    })
}

impl Timers {
    fn register(&self, at: Instant, waker: Waker) {
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.heap.lock().unwrap_or_else(|e| e.into_inner()).push(Reverse(Entry { at, seq, waker }));
        self.cv.notify_one();
    }

    fn run(&self) {
        let mut heap = self.heap.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            while heap.peek().is_some_and(|Reverse(e)| e.at <= now) {
                if let Some(Reverse(e)) = heap.pop() {
                    e.waker.wake();
                }
            }
            heap = match heap.peek() {
                Some(Reverse(e)) => {
                    let d = e.at.saturating_duration_since(now);
                    self.cv.wait_timeout(heap, d).unwrap_or_else(|e| e.into_inner()).0
                }
                None => self.cv.wait(heap).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

/// A future that completes at a deadline. Made by [`sleep`] and [`sleep_until`].
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    registered: Option<Waker>,
}

impl Sleep {
    /// The instant at which this sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        if !self.registered.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            self.registered = Some(cx.waker().clone());
            timers().register(self.deadline, cx.waker().clone());
        }
        crate::runtime::current::will_park(
            crate::runtime::WaitReason::Sleep,
            std::panic::Location::caller(),
        );
        Poll::Pending
    }
}

/// Waits for `d`: Go's `time.Sleep`. Never completes early.
pub fn sleep(d: Duration) -> Sleep {
    sleep_until(Instant::now() + d)
}

/// Waits until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { deadline, registered: None }
}

/// The error of a [`timeout`] whose deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `fut`, giving up after `d`. The future is dropped if time runs out.
pub fn timeout<F: Future>(d: Duration, fut: F) -> Timeout<F> {
    Timeout { fut: Box::pin(fut), sleep: sleep(d) }
}

/// The future returned by [`timeout`].
#[derive(Debug)]
pub struct Timeout<F> {
    fut: Pin<Box<F>>,
    sleep: Sleep,
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = self.fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match Pin::new(&mut self.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

//! loom models of select's commit protocol (exactly one case completes)
//! and of its cache's signal reuse rule (`cache.rs`: no stale wake-up).

use crate::chan::{chan, park};
use crate::loom::thread;
use crate::select::{RecvCase, Selector, SendCase};

/// Runs a two-case select of sends on this thread.
fn select_send_two(a: &crate::chan::Sender<u32>, b: &crate::chan::Sender<u32>) -> usize {
    let mut ca = SendCase::new(a, 1);
    let mut cb = SendCase::new(b, 2);
    let mut cases = (&mut ca, (&mut cb, ()));
    let i = park::block_on(Selector::new(&mut cases, false));
    let r = if i == 0 { ca.take_output() } else { cb.take_output() };
    assert!(r.is_ok());
    i
}

/// Two receivers race for the two unbuffered send cases of one select:
/// exactly one value is delivered, the one of the chosen case.
#[test]
fn loom_select_sends_exactly_once() {
    loom::model(|| {
        let (atx, arx) = chan::<u32>(0);
        let (btx, brx) = chan::<u32>(0);
        let ra = thread::spawn(move || arx.recv_blocking());
        let rb = thread::spawn(move || brx.recv_blocking());
        let i = select_send_two(&atx, &btx);
        drop((atx, btx)); // the loser's receiver sees a close
        let got: Vec<u32> =
            [ra.join().unwrap(), rb.join().unwrap()].into_iter().flatten().collect();
        assert_eq!(got, [i as u32 + 1]);
    });
}

/// A select of two receives against a sender on each channel: exactly one
/// value is taken; the other sender's value stays in its channel.
#[test]
fn loom_select_recvs_exactly_once() {
    loom::model(|| {
        let (atx, arx) = chan::<u32>(1);
        let (btx, brx) = chan::<u32>(1);
        let sa = thread::spawn(move || {
            atx.send_blocking(1).unwrap();
            atx
        });
        let sb = thread::spawn(move || {
            btx.send_blocking(2).unwrap();
            btx
        });
        let mut ca = RecvCase::new(&arx);
        let mut cb = RecvCase::new(&brx);
        let mut cases = (&mut ca, (&mut cb, ()));
        let i = park::block_on(Selector::new(&mut cases, false));
        let v = if i == 0 { ca.take_output() } else { cb.take_output() };
        let (_a, _b) = (sa.join().unwrap(), sb.join().unwrap());
        let rest = [arx.try_recv().ok(), brx.try_recv().ok()];
        assert_eq!(v, Some(i as u32 + 1));
        assert_eq!(rest.iter().flatten().count(), 1, "the other value is still there");
    });
}

/// A parked select is decided by a sender while it is being dropped: the
/// value is taken by the select or stays in the channel, never lost.
#[test]
fn loom_dropped_select_gives_back() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(0);
        let (_tx2, rx2) = chan::<u32>(0);
        let s = thread::spawn(move || {
            let mut ca = RecvCase::new(&rx);
            let mut cb = RecvCase::new(&rx2);
            let mut cases = (&mut ca, (&mut cb, ()));
            let mut sel = Selector::new(&mut cases, false);
            let waker = std::task::Waker::noop();
            let got = std::pin::Pin::new(&mut sel).poll(&mut std::task::Context::from_waker(waker));
            drop(sel);
            let taken = match got {
                std::task::Poll::Ready(0) => ca.take_output(),
                _ => None,
            };
            (taken, rx.try_recv().ok())
        });
        let sent = tx.try_send(5).is_ok();
        let (taken, left) = s.join().unwrap();
        let count = usize::from(taken.is_some()) + usize::from(left.is_some());
        assert_eq!(count, usize::from(sent));
    });
}

use std::future::Future;

/// Go's TestNonblockSelectRace (go/src/runtime/chan_test.go) as a model:
/// `c1` holds a value; one thread sends on `c2` and then takes `c1`'s
/// value. From the start one of them is always ready, so a select with
/// `default` over both must never take `default`. The cases are written
/// `c2` first: a one-at-a-time poll in that order could see `c2` empty,
/// then `c1` emptied, and miss both; the snapshot under both locks cannot.
#[test]
fn loom_nonblock_select_snapshot() {
    loom::model(|| {
        let (c1, r1) = chan::<u32>(1);
        let (c2, r2) = chan::<u32>(1);
        c1.try_send(1).unwrap();
        let r1b = r1.clone();
        let other = thread::spawn(move || {
            c2.try_send(2).unwrap();
            let _ = r1b.try_recv();
            c2
        });
        let mut cb = RecvCase::new(&r2);
        let mut ca = RecvCase::new(&r1);
        let mut cases = (&mut cb, (&mut ca, ()));
        let i = park::block_on(Selector::new(&mut cases, true));
        let _c2 = other.join().unwrap();
        assert_ne!(i, crate::select::DEFAULT, "a select with default missed a ready channel");
    });
}

/// A select's unbuffered send case races a receiver and a close: the
/// value is received exactly once or handed back in the select's
/// `SendError`, never both and never lost. The chosen case is not
/// unregistered (its entry was popped by whoever decided it), so its
/// commit reads the slot under rule 3a alone.
#[test]
fn loom_select_send_case_decided_by_close_or_receiver() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(0);
        let (_tx2, rx2) = chan::<u32>(0);
        let closer = tx.clone();
        let r = thread::spawn(move || rx.recv_blocking());
        let c = thread::spawn(move || closer.close());
        let mut cs = SendCase::new(&tx, 7);
        let mut cr = RecvCase::new(&rx2);
        let mut cases = (&mut cs, (&mut cr, ()));
        let i = park::block_on(Selector::new(&mut cases, false));
        assert_eq!(i, 0, "the receive case never fires");
        let sent = cs.take_output();
        assert!(c.join().unwrap());
        let got = r.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(got, Some(7)),
            Err(e) => assert_eq!((e.0, got), (7, None)),
        }
    });
}

/// A parked select whose unbuffered send case a receiver may take is
/// dropped. The value is received exactly once or stays with the case (a
/// dynamic `Select` reports the outcome on its next round), and after the
/// drop the case holds no op in the arena the selector gave back: before
/// this model, a decided send case kept its op and read it after the arena
/// served another select (`SendCase::abandon`).
#[test]
fn loom_dropped_select_send_case_lets_go() {
    use super::case::Case;
    use std::pin::Pin;
    use std::task::{Context, Waker};
    loom::model(|| {
        let (tx, rx) = chan::<u32>(0);
        let (_tx2, rx2) = chan::<u32>(0);
        let r = thread::spawn(move || (rx.try_recv().ok(), rx));
        let mut cs = SendCase::new(&tx, 7);
        let mut cr = RecvCase::new(&rx2);
        let mut cases = (&mut cs, (&mut cr, ()));
        let mut sel = Selector::new(&mut cases, false);
        let _ = Pin::new(&mut sel).poll(&mut Context::from_waker(Waker::noop()));
        drop(sel);
        assert!(!cs.holds_op(), "a dropped select's case still points into its arena");
        let (got, _rx) = r.join().unwrap();
        // A value the case kept is refused by the close and comes back.
        tx.close();
        let mut again = (&mut cs, ());
        let kept = match park::block_on(Selector::new(&mut again, true)) {
            0 => cs.take_output().err().map(|e| e.0),
            _ => None,
        };
        assert_eq!(usize::from(got == Some(7)) + usize::from(kept == Some(7)), 1);
    });
}

/// Counts the wake-ups of one waker.
struct Count(crate::loom::atomic::AtomicUsize);

impl Count {
    /// How many times the waker was woken.
    fn get(&self) -> usize {
        self.0.load(crate::loom::atomic::Ordering::Relaxed) // read after a join
    }
}

impl std::task::Wake for Count {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.fetch_add(1, crate::loom::atomic::Ordering::Relaxed); // read after a join
    }
}

/// A waker and its count.
fn counting_waker() -> (std::sync::Arc<Count>, std::task::Waker) {
    let count = std::sync::Arc::new(Count(crate::loom::atomic::AtomicUsize::new(0)));
    (count.clone(), std::task::Waker::from(count))
}

/// The select cache's reuse rule (`select/cache.rs`) against counterparts
/// that may still hold their references: a select queues `n` receive
/// cases, one per queue; sender `i` pops case `i`, takes its own
/// reference, claims and wakes through it (`WaitQueue::offer`,
/// `Woken::wake`), or loses the claim and drops it; meanwhile the select
/// aborts, unregisters every case but the chosen one, and runs the
/// cache's reuse path (`reusable`, then `rearmed` with a new waker), as a
/// next wait on this thread would. No stale sender wakes the rearmed
/// signal, which still holds its waker afterwards; the first waker is
/// woken exactly when a sender decided. Fails if the cache skips the
/// `strong_count` test, or if a decider takes its reference after its
/// claim instead of before.
fn reuse_against_senders(n: u32) {
    use crate::chan::{Entry, Op, WaitQueue, Woken};
    use crate::loom::{Arc, Mutex};
    use crate::select::cache;
    let (first, w1) = counting_waker();
    let (second, w2) = counting_waker();
    let signal = cache::rearmed(None, &w1);
    let ops: Vec<_> = (0..n).map(|_| Box::new(Op::<u32>::for_case(&signal, None))).collect();
    let queues: Vec<_> = (0..n).map(|_| Arc::new(Mutex::new(WaitQueue::new()))).collect();
    for (i, (op, q)) in ops.iter().zip(&queues).enumerate() {
        // SAFETY: `op` stays boxed, unmoved, until it is removed under its
        // queue's lock below, or this thread saw case `i` decided.
        q.lock().unwrap().push(unsafe { Entry::new(op, i) });
    }
    let senders: Vec<_> = (0..n)
        .map(|i| {
            let q = queues[i as usize].clone();
            thread::spawn(move || {
                let woken = q.lock().unwrap().offer(i); // unlocked here,
                woken.map(Woken::wake).is_ok() // then woken, as channels do
            })
        })
        .collect();
    // As `Selector::cancel`: the chosen case's entry was popped by its
    // decider, so its queue's lock is not taken (nothing orders the
    // decider's critical section before the reuse but its reference).
    let decided = !signal.try_abort();
    let k = signal.selected();
    for (i, (op, q)) in ops.iter().zip(&queues).enumerate() {
        if k != Some(i) {
            q.lock().unwrap().remove_op(op);
        }
    }
    // SAFETY: slot rule 3a (`chan/signal.rs`): the failed abort saw the
    // claim of case `k` with Acquire.
    let got = k.and_then(|k| unsafe { ops[k].slot.take() });
    drop(ops);
    let again = cache::rearmed(cache::reusable(signal), &w2);
    let sent: Vec<bool> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    assert_eq!(second.get(), 0, "a stale counterpart woke the rearmed signal");
    assert_eq!(first.get(), usize::from(decided), "the decider wakes the first wait");
    assert_eq!(got, k.map(|k| k as u32), "the chosen case holds its sender's value");
    let winners: Vec<usize> = (0..sent.len()).filter(|&i| sent[i]).collect();
    assert_eq!(winners, k.into_iter().collect::<Vec<_>>(), "only the chosen sender delivered");
    again.wake();
    assert_eq!(second.get(), 1, "the rearmed signal lost its waker");
}

/// [`reuse_against_senders`] with one sender: the reuse rule against a
/// decider that may not have woken the select yet.
#[test]
fn loom_cached_signal_not_woken_by_stale_counterpart() {
    loom::model(|| reuse_against_senders(1));
}

/// [`reuse_against_senders`] with two senders: one may hold the winning
/// reference while the other takes and drops a losing one.
#[test]
fn loom_cached_signal_two_counterparts() {
    loom::model(|| reuse_against_senders(2));
}

//! loom models of the wait list protocols: WaitGroup's no-lost-wake-up and
//! Mutex's barging, hand-off and cancel safety. Run by `scripts/loom.sh`.

use super::{Mutex, WaitGroup};
use crate::loom::{thread, Arc};
use loom::future::block_on;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

/// A `done` racing a `wait`: the waiter is always released.
#[test]
fn loom_wait_group_no_lost_wakeup() {
    loom::model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let wg = wg.clone();
                thread::spawn(move || wg.done())
            })
            .collect();
        block_on(wg.wait());
        assert_eq!(wg.count(), 0);
        ts.into_iter().for_each(|t| t.join().unwrap());
    });
}

/// Two lockers and the main thread: mutual exclusion holds and nobody is
/// stranded, through barging, wake-ups and (STARVATION is 0 under loom)
/// direct hand-off.
#[test]
fn loom_mutex_handoff() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(0));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let m = m.clone();
                thread::spawn(move || *block_on(m.lock()) += 1)
            })
            .collect();
        *block_on(m.lock()) += 1;
        ts.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(*m.try_lock().expect("the lock leaked"), 3);
    });
}

/// A lock future dropped while parked (or while being handed the lock)
/// leaks neither the lock nor the hand-off.
#[test]
fn loom_mutex_cancelled_waiter() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(()));
        let g = m.try_lock().unwrap();
        let t = {
            let m = m.clone();
            thread::spawn(move || {
                let mut fut = pin!(m.lock());
                let polled = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
                drop(polled);
            })
        };
        drop(g);
        t.join().unwrap();
        assert!(m.try_lock().is_some(), "the lock leaked");
    });
}

/// A writer and a reader against a reader holding the lock: writer
/// preference and the hand-offs never let them overlap or strand anyone.
#[test]
fn loom_rwlock_handoff() {
    use super::RwLock;
    loom::model(|| {
        let l = Arc::new(RwLock::new(0));
        let r = l.try_read().unwrap();
        let w = {
            let l = l.clone();
            thread::spawn(move || *block_on(l.write()) += 1)
        };
        let rd = {
            let l = l.clone();
            thread::spawn(move || {
                let v = *block_on(l.read());
                assert!(v == 0 || v == 1);
            })
        };
        drop(r);
        w.join().unwrap();
        rd.join().unwrap();
        assert_eq!(*l.try_write().expect("the lock leaked"), 1);
    });
}

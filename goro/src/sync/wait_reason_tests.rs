//! Every park of a goroutine in the toolkit (`sync`, `context`, `group`,
//! `rate`) records Go's wait reason and the caller's location in the
//! goroutine registry (chan's twin: `chan/wait_reason_tests.rs`).

use crate::runtime::goroutine::registry::{snapshot, GoroutineState};
use crate::runtime::WaitReason;
use crate::sync::{Cond, Mutex, Once, RwLock, Semaphore, WaitGroup};
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The park reason and location of the live goroutine named `name`, if
/// parked (and its park recorded a location).
pub(crate) fn parked_at(name: &str) -> Option<(WaitReason, &'static Location<'static>)> {
    snapshot().into_iter().find(|g| g.name.as_deref() == Some(name)).and_then(|g| match g.state {
        GoroutineState::Parked { reason, at: Some(at), .. } => Some((reason, at)),
        _ => None,
    })
}

/// The park reason and file of the live goroutine named `name`, if parked.
fn parked(name: &str) -> Option<(WaitReason, &'static str)> {
    parked_at(name).map(|(reason, at)| (reason, at.file()))
}

/// Waits (20 s at most) until the goroutine `name` parks with `reason` at a
/// file named `wait_reason_tests.rs` (chan's test uses it too).
pub(crate) fn expect_parked(name: &str, reason: WaitReason) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match parked(name) {
            Some((r, file)) if r == reason => {
                assert!(file.ends_with("wait_reason_tests.rs"), "{name} parked at {file}");
                return;
            }
            _ if Instant::now() > deadline => panic!("{name} never parked with {reason}"),
            _ => std::thread::yield_now(),
        }
    }
}

/// Starts `fut` as the goroutine `name` and checks that it parks with
/// `reason`; the handle aborts it at the end of the test.
fn check<F>(name: &str, reason: WaitReason, fut: F) -> crate::JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let h = crate::go_named(name, fut);
    expect_parked(name, reason);
    h
}

#[test]
fn sync_parks_record_reason_and_caller() {
    let m = Arc::new(Mutex::new(()));
    let held = m.lock_blocking();
    let m2 = m.clone();
    let mut hs = vec![check("mutex", WaitReason::MutexLock, async move { drop(m2.lock().await) })];

    let (rw_w, rw_r) = (Arc::new(RwLock::new(())), Arc::new(RwLock::new(())));
    let (wg_held, rg_held) = (rw_w.write_blocking(), rw_r.read_blocking());
    let (a, b) = (rw_w.clone(), rw_r.clone());
    hs.push(check("rwlock-read", WaitReason::RwLockRead, async move { drop(a.read().await) }));
    hs.push(check("rwlock-write", WaitReason::RwLockWrite, async move { drop(b.write().await) }));

    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let w = wg.clone();
    hs.push(check("waitgroup", WaitReason::WaitGroupWait, async move { w.wait().await }));

    let (cm, cond) = (Arc::new(Mutex::new(())), Arc::new(Cond::new()));
    let (cm2, c2) = (cm.clone(), cond.clone());
    hs.push(check("cond", WaitReason::CondWait, async move {
        drop(c2.wait(cm2.lock().await).await);
    }));

    let sem = Arc::new(Semaphore::new(1));
    let permit = sem.try_acquire(1).expect("a free unit");
    let s = sem.clone();
    hs.push(check("semaphore", WaitReason::SemaphoreAcquire, async move {
        drop(s.acquire(1).await);
    }));

    hs.into_iter().for_each(|h| h.abort());
    drop((held, wg_held, rg_held, permit));
    wg.done();
}

#[test]
fn once_park_records_reason_and_caller() {
    let once = Arc::new(Once::new());
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
    let o = once.clone();
    let runner = std::thread::spawn(move || {
        o.call_blocking(move || {
            started_tx.send(()).unwrap();
            // Bounded: the test sends `finish` once the waiter is checked.
            let _ = finish_rx.recv_timeout(Duration::from_secs(30));
        })
    });
    started_rx.recv_timeout(Duration::from_secs(20)).expect("the Once body started");
    let o = once.clone();
    let h = check("once", WaitReason::OnceWait, async move { o.call(|| {}).await });
    finish_tx.send(()).unwrap();
    runner.join().unwrap();
    h.join_blocking().unwrap();
}

#[test]
fn context_group_rate_parks_record_reason_and_caller() {
    let (ctx, cancel) = crate::context::with_cancel(&crate::context::background());
    let c = ctx.clone();
    let mut hs = vec![check("context", WaitReason::ContextDone, async move { c.done().await })];

    let group = Arc::new(crate::group::Group::<()>::new());
    let (g, c) = (group.clone(), ctx.clone());
    hs.push(check("group-wait", WaitReason::GroupWait, async move {
        g.go(async move {
            c.done().await;
            Ok(())
        })
        .await;
        let _ = g.wait().await;
    }));

    let lim = Arc::new(crate::rate::Limiter::new(crate::rate::Limit(0.001), 1));
    assert!(lim.allow(), "the burst's one token");
    let l = lim.clone();
    hs.push(check("rate", WaitReason::RateWait, async move {
        let _ = l.wait(&crate::context::background()).await;
    }));

    hs.into_iter().for_each(|h| h.abort());
    cancel.cancel();
    group.wait_blocking().expect("the member ended well");
}

//! The blocking pool: results, panics, the thread cap and its queue.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

#[goro::test]
async fn blocking_returns_its_result() {
    let h = goro::blocking(|| std::thread::current().name().map(str::to_owned));
    assert_eq!(h.await.unwrap().as_deref(), Some("goro-blocking"));
}

#[goro::test]
async fn blocking_panic_is_a_join_error() {
    let err = goro::blocking(|| panic!("blocking boom")).await.unwrap_err();
    assert_eq!(err.panic_message(), Some("blocking boom"));
}

#[test]
fn pool_caps_its_threads_and_queues_the_rest() {
    const CAP: usize = 2;
    const JOBS: usize = 6;
    support::within(Duration::from_secs(60), || {
        let rt = goro::Runtime::builder().procs(2).max_blocking_threads(CAP).build().unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads = Arc::new(Mutex::new(HashSet::new()));
        let (tx, rx) = mpsc::channel::<()>();
        let rx = Arc::new(Mutex::new(rx));
        let hs: Vec<_> = rt.block_on(async {
            (0..JOBS)
                .map(|i| {
                    let (running, most, threads, rx) =
                        (running.clone(), most.clone(), threads.clone(), rx.clone());
                    goro::blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        threads.lock().unwrap().insert(std::thread::current().id());
                        rx.lock().unwrap().recv().unwrap();
                        running.fetch_sub(1, Ordering::SeqCst);
                        i
                    })
                })
                .collect()
        });
        // Wait until the cap is reached; the other jobs must be queued.
        while running.load(Ordering::SeqCst) < CAP {
            std::thread::yield_now();
        }
        for _ in 0..JOBS {
            tx.send(()).unwrap();
        }
        let results: Vec<_> = hs.into_iter().map(|h| h.join_blocking().unwrap()).collect();
        assert_eq!(results, (0..JOBS).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), CAP, "never more than the cap at once");
        assert!(threads.lock().unwrap().len() <= CAP, "never more threads than the cap");
    });
}

#[test]
fn idle_pool_threads_retire() {
    support::within(Duration::from_secs(60), || {
        let rt = goro::Runtime::builder()
            .procs(1)
            .max_blocking_threads(4)
            .blocking_keep_alive(Duration::from_millis(20))
            .build()
            .unwrap();
        let first =
            rt.block_on(async { goro::blocking(|| std::thread::current().id()).await.unwrap() });
        // After the keep-alive a new job needs a new thread. Wait for the old
        // one to retire by polling for a different id (bounded by `within`).
        loop {
            std::thread::sleep(Duration::from_millis(30));
            let next = rt
                .block_on(async { goro::blocking(|| std::thread::current().id()).await.unwrap() });
            if next != first {
                break;
            }
        }
    });
}

#[goro::test]
async fn abort_before_start_cancels_a_blocking_job() {
    let rt_cap = goro::Runtime::builder().procs(1).max_blocking_threads(1).build().unwrap();
    let (tx, rx) = mpsc::channel::<()>();
    let ran = Arc::new(AtomicUsize::new(0));
    let (first, second) = rt_cap.block_on(async {
        let first = goro::blocking(move || rx.recv().unwrap());
        let ran2 = ran.clone();
        let second = goro::blocking(move || ran2.fetch_add(1, Ordering::SeqCst));
        (first, second)
    });
    second.abort();
    tx.send(()).unwrap();
    first.await.unwrap();
    assert!(second.await.unwrap_err().is_aborted());
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

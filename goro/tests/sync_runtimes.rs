//! goro::sync and context waits shared between goro goroutines, tokio tasks
//! and plain threads: they need nothing but `std::task::Waker`.

mod support;

use goro::sync::{Mutex, Semaphore, WaitGroup};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn mutex_and_wait_group_across_runtimes() {
    support::within(Duration::from_secs(60), || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let m = Arc::new(Mutex::new(0u64));
        let wg = Arc::new(WaitGroup::new());
        let per = 2_000;
        wg.add(3);
        for side in 0..3 {
            let (m, wg) = (m.clone(), wg.clone());
            match side {
                0 => drop(goro::go(async move {
                    for _ in 0..per {
                        *m.lock().await += 1;
                    }
                    wg.done();
                })),
                1 => drop(rt.spawn(async move {
                    for _ in 0..per {
                        *m.lock().await += 1;
                    }
                    wg.done();
                })),
                _ => drop(std::thread::spawn(move || {
                    for _ in 0..per {
                        *m.lock_blocking() += 1;
                    }
                    wg.done();
                })),
            }
        }
        // A tokio task waits for all three.
        let (m2, wg2) = (m.clone(), wg.clone());
        let total = rt.block_on(async move {
            wg2.wait().await;
            *m2.lock().await
        });
        assert_eq!(total, 3 * per);
    });
}

#[test]
fn semaphore_and_context_in_tokio() {
    support::within(Duration::from_secs(60), || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .unwrap();
        let sem = Arc::new(Semaphore::new(1));
        let p = sem.try_acquire(1).unwrap();
        let (ctx, cancel) = goro::context::with_cancel(&goro::context::background());
        let s2 = sem.clone();
        let waiter = rt.spawn(async move {
            ctx.done().await;
            s2.acquire(1).await.map(drop)
        });
        cancel.cancel();
        drop(p);
        rt.block_on(waiter).unwrap().unwrap();
    });
}

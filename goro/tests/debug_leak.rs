//! Leak checks: `#[goro::test]` fails a test whose goroutines outlive it,
//! pins the leak on the right test when tests run in parallel, and
//! `verify_none` does the same outside tests.
// Reads the registry and the hooks, which the `diagnostics` feature provides.
#![cfg(feature = "diagnostics")]

mod support;

use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

/// The sender that keeps `leaky`'s goroutine parked; dropped to end it.
static KEEP: Mutex<Option<goro::chan::Sender<()>>> = Mutex::new(None);

#[goro::test(timeout_secs = 30)]
#[should_panic(expected = "leaked goroutines")]
async fn a_test_whose_goroutine_outlives_it_fails() {
    let (tx, rx) = goro::chan::<()>(0);
    *KEEP.lock().unwrap() = Some(tx);
    goro::go_named("leaker", async move {
        rx.recv().await;
    });
}

#[goro::test(timeout_secs = 30, allow_leaks)]
async fn allow_leaks_opts_out_of_the_check() {
    let (tx, rx) = goro::chan::<()>(0);
    goro::go(async move {
        let _ = rx.recv().await;
    });
    std::mem::forget(tx); // the goroutine waits forever, on purpose
}

/// Runs `body` as `#[goro::test]` does; returns the panic message, if any.
fn as_test<F: std::future::Future + 'static>(name: &'static str, body: F) -> Option<String> {
    use goro::__private::{Entry, Mode, OnThisThread};
    let mode = Mode::Test { name, timeout: Duration::from_secs(30), allow_leaks: false };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Entry::new(body).enter(mode);
    }));
    r.err().map(|p| p.downcast_ref::<String>().cloned().unwrap_or_default())
}

#[test]
fn a_leak_is_pinned_on_the_test_that_leaked_while_another_runs() {
    support::within(Duration::from_secs(60), || {
        let both = Arc::new(Barrier::new(2));
        let (tx, rx) = goro::chan::<()>(0);
        let b = both.clone();
        let leaky = std::thread::spawn(move || {
            as_test("leaky", async move {
                goro::go_named("leaked-by-leaky", async move {
                    let _ = rx.recv().await;
                });
                goro::blocking(move || b.wait()).await.unwrap(); // the clean test is running now
            })
        });
        let clean = std::thread::spawn(move || {
            as_test("clean", async move {
                let h = goro::go_named("clean-child", async {
                    goro::go(async { goro::yield_now().await }).await.unwrap();
                });
                goro::blocking(move || both.wait()).await.unwrap(); // the leaky one has leaked
                h.await.unwrap();
            })
        });
        let leaky = leaky.join().unwrap().expect("the leaky test fails");
        assert_eq!(clean.join().unwrap(), None, "the clean test passes");
        assert!(leaky.contains("leaky leaked goroutines; found 1 leaked goroutine:"), "{leaky}");
        assert!(leaky.contains("name: leaked-by-leaky"), "{leaky}");
        assert!(leaky.contains("[chan receive]"), "{leaky}");
        assert!(!leaky.contains("clean-child"), "{leaky}");
        drop(tx); // ends the leaked goroutine
        drop(KEEP.lock().unwrap_or_else(|e| e.into_inner()).take());
    });
}

#[goro::test(timeout_secs = 30)]
async fn verify_none_passes_once_goroutines_finish_and_fails_while_one_waits() {
    let (tx, rx) = goro::chan::<()>(0);
    let h = goro::go_named("verify-me", async move {
        let _ = rx.recv().await;
    });
    let err = goro::blocking(goro::debug::verify_none).await.unwrap();
    // On the pool thread, verify_none checks this test's scope (the job inherits it).
    let err = err.expect_err("a parked goroutine is a leak");
    assert!(err.goroutines.iter().any(|g| g.id == h.id()), "{err}");
    drop(tx);
    h.await.unwrap();
}

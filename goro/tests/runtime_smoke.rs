//! The smallest end-to-end checks of the public runtime API.

mod support;

use std::time::{Duration, Instant};

#[goro::test]
async fn go_and_join() {
    let h = goro::go(async { 40 + 2 });
    assert_eq!(h.await.unwrap(), 42);
}

#[goro::test]
async fn sleep_never_fires_early() {
    let start = Instant::now();
    goro::time::sleep(Duration::from_millis(20)).await;
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn run_from_plain_main() {
    support::within(Duration::from_secs(30), || {
        assert_eq!(goro::run(async { goro::go(async { 7 }).await.unwrap() }), 7);
    });
}

/// The name of the thread polling the current code.
fn thread_name() -> String {
    std::thread::current().name().unwrap_or("").to_string()
}

#[test]
fn run_puts_the_main_goroutine_on_a_processor() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        let (main, child) = rt.run(async {
            let child = goro::go(async { thread_name() }).await.unwrap();
            (thread_name(), child)
        });
        assert!(main.starts_with("goro-worker"), "main ran on {main:?}");
        assert_eq!(main, child, "with one processor, main and its child share its worker");
    });
}

#[test]
fn block_on_polls_on_the_calling_thread() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        let here = thread_name();
        let local = std::rc::Rc::new(5); // !Send: only block_on accepts it
        let (name, v) = rt.block_on(async { (thread_name(), *local) });
        assert_eq!((name, v), (here, 5));
    });
}

#[test]
fn a_panic_in_the_main_goroutine_reaches_runs_caller() {
    support::within(Duration::from_secs(30), || {
        let r = std::panic::catch_unwind(|| goro::run(async { panic!("main boom") }));
        let payload = r.expect_err("run must resume the main goroutine's panic");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"main boom"));
    });
}

#[goro::test]
async fn goro_test_bodies_that_are_send_run_on_a_processor() {
    assert!(thread_name().starts_with("goro-worker"));
}

#[goro::test]
async fn goro_test_bodies_that_are_not_send_run_on_the_test_thread() {
    let local = std::rc::Rc::new(1);
    goro::yield_now().await; // `local` lives across an await: the body is !Send
    assert!(!thread_name().starts_with("goro-worker"));
    assert_eq!(*local, 1);
}

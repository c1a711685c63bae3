//! Whole-program deadlock detection, tested through child processes (this
//! binary re-runs itself with `GORO_CASE=<case>`): a real deadlock exits
//! with status 2 and Go's report; a late plain-thread send, a far timer and
//! a goroutine inside `blocking` are never reported; `GORO_DEADLOCK=0`
//! turns detection off.
//!
//! `harness = false`: the child must be the only thread besides goro's own
//! (libtest's threads would count as foreign threads that might wake a
//! goroutine, and rightly keep the detector quiet).

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs one case in this process (the child side).
fn child(case: &str) {
    match case {
        "deadlock" => goro::run(async {
            let (tx, rx) = goro::chan::<i32>(0);
            let (_tx2, rx2) = goro::chan::<i32>(0);
            goro::go_named("stuck-sender", async move { tx.send(1).await.ok() });
            let _ = rx2.recv().await; // nobody will ever send on rx2
            drop(rx);
        }),
        "late_thread" => {
            let (tx, rx) = goro::chan::<i32>(0);
            let t = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(600)); // the point: a late sender
                tx.send_blocking(7).unwrap();
            });
            let v = goro::run(async move { rx.recv().await });
            assert_eq!(v, Some(7));
            t.join().unwrap();
        }
        "far_timer" => goro::run(async {
            goro::go(goro::time::sleep(Duration::from_millis(700))).await.unwrap();
        }),
        "blocking" => goro::run(async {
            goro::blocking(|| std::thread::sleep(Duration::from_millis(700))).await.unwrap();
        }),
        other => panic!("unknown case {other}"),
    }
    println!("finished");
}

/// Runs case `case` in a child process, killing it after `limit`; `None`
/// means it was still running then.
fn run_case(case: &str, env: &[(&str, &str)], limit: Duration) -> Option<Output> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("GORO_CASE", case).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20)); // polling a child process
    }
    child.kill().unwrap();
    let _ = child.wait();
    None
}

/// A deadlocked program prints Go's report and the dump, and exits 2.
fn a_deadlock_is_reported_with_status_2() {
    let out = run_case("deadlock", &[], Duration::from_secs(30)).expect("the deadlock is detected");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("fatal error: all goroutines are asleep - deadlock!\n\n"), "{err}");
    assert!(err.contains("[chan receive]:"), "the main goroutine's block: {err}");
    assert!(err.contains("[chan send]:\n\tname: stuck-sender\n\tparked at "), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("finished"));
}

/// The non-deadlocks run to completion.
fn no_false_positive(case: &str) {
    let out = run_case(case, &[], Duration::from_secs(30)).expect("the case finishes");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{case}: {err}");
    assert!(!err.contains("deadlock"), "{case}: {err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("finished"), "{case}");
}

/// With `GORO_DEADLOCK=0` a deadlocked program just hangs.
fn detection_can_be_turned_off() {
    let out = run_case("deadlock", &[("GORO_DEADLOCK", "0")], Duration::from_millis(1500));
    assert!(out.is_none(), "no report, no exit: {:?}", out.map(|o| o.status));
}

fn main() {
    if let Ok(case) = std::env::var("GORO_CASE") {
        return child(&case);
    }
    if !cfg!(all(target_os = "linux", feature = "diagnostics")) {
        println!("debug_deadlock: skipped (needs Linux and the diagnostics feature)");
        return;
    }
    let tests: [(&str, &dyn Fn()); 5] = [
        ("a_deadlock_is_reported_with_status_2", &a_deadlock_is_reported_with_status_2),
        ("a_plain_thread_that_sends_late_is_not_a_deadlock", &|| no_false_positive("late_thread")),
        ("a_far_timer_is_not_a_deadlock", &|| no_false_positive("far_timer")),
        ("a_goroutine_inside_blocking_is_not_a_deadlock", &|| no_false_positive("blocking")),
        ("detection_can_be_turned_off", &detection_can_be_turned_off),
    ];
    for (name, t) in tests {
        t();
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed; 0 failed; 0 ignored", tests.len());
}

//! Whole-program deadlock detection, tested through child processes (this
//! binary re-runs itself with `GORO_CASE=<case>`): a real deadlock exits
//! with status 2 and Go's report; a late plain-thread send, a far timer and
//! a goroutine inside `blocking` are never reported; `GORO_DEADLOCK=0`
//! turns detection off.
//!
//! The same child mechanism checks SIGQUIT's dump (exit 2, or run on).
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
        "builder_off" => {
            let rt = goro::Runtime::builder().deadlock_detection(false).build().unwrap();
            rt.block_on(async {
                let (_tx, rx) = goro::chan::<i32>(0);
                let _ = rx.recv().await;
            });
        }
        "sigquit" => goro::run(async {
            let (_tx, rx) = goro::chan::<i32>(0);
            goro::go_named("quit-waiter", async move { rx.recv().await });
            println!("ready");
            goro::time::sleep(Duration::from_secs(2)).await; // a pending timer: no deadlock
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

/// With `GORO_DEADLOCK=0`, or the Builder option, a deadlocked program
/// just hangs.
fn detection_can_be_turned_off() {
    let out = run_case("deadlock", &[("GORO_DEADLOCK", "0")], Duration::from_millis(1500));
    assert!(out.is_none(), "no report, no exit: {:?}", out.map(|o| o.status));
    let out = run_case("builder_off", &[], Duration::from_millis(1500));
    assert!(out.is_none(), "no report, no exit: {:?}", out.map(|o| o.status));
}

/// Starts case `sigquit`, waits for its "ready", sends SIGQUIT, and returns
/// its exit status and stderr.
fn quit(env: &[(&str, &str)]) -> (Option<i32>, String) {
    use std::io::{BufRead, Read};
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("GORO_CASE", "sigquit").stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut out, mut line) = (std::io::BufReader::new(stdout), String::new());
        let _ = out.read_line(&mut line);
        let _ = tx.send(line);
        let _ = out.read_to_end(&mut Vec::new()); // keeps the pipe open for the child
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).expect("the child starts");
    assert_eq!(line.trim(), "ready");
    let killed = Command::new("kill").args(["-QUIT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap().code(), err)
}

/// SIGQUIT prints the dump and exits 2, or runs on with `GORO_SIGQUIT=continue`.
fn sigquit_dumps_goroutines() {
    let (code, err) = quit(&[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("SIGQUIT: quit\n\n"), "{err}");
    assert!(err.contains("[chan receive]:\n\tname: quit-waiter\n"), "{err}");
    let (code, err) = quit(&[("GORO_SIGQUIT", "continue")]);
    assert_eq!(code, Some(0), "ran on to the end: {err}");
    assert!(err.contains("name: quit-waiter"), "{err}");
}

fn main() {
    if let Ok(case) = std::env::var("GORO_CASE") {
        return child(&case);
    }
    if !cfg!(all(target_os = "linux", feature = "diagnostics")) {
        println!("debug_deadlock: skipped (needs Linux and the diagnostics feature)");
        return;
    }
    let tests: [(&str, &dyn Fn()); 6] = [
        ("a_deadlock_is_reported_with_status_2", &a_deadlock_is_reported_with_status_2),
        ("a_plain_thread_that_sends_late_is_not_a_deadlock", &|| no_false_positive("late_thread")),
        ("a_far_timer_is_not_a_deadlock", &|| no_false_positive("far_timer")),
        ("a_goroutine_inside_blocking_is_not_a_deadlock", &|| no_false_positive("blocking")),
        ("detection_can_be_turned_off", &detection_can_be_turned_off),
        ("sigquit_dumps_goroutines", &sigquit_dumps_goroutines),
    ];
    for (name, t) in tests {
        t();
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed; 0 failed; 0 ignored", tests.len());
}

//! Behaviour that ends or crashes a process, checked in a child process: the
//! test binary re-runs itself with `GORO_CHILD` set to the case's name, and
//! the parent inspects the child's exit status and stderr.

mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The case this process must act out, if it is a child.
fn child_case() -> Option<String> {
    std::env::var("GORO_CHILD").ok()
}

/// Re-runs this test binary's test `name` as a child acting out `case`.
fn run_child(name: &str, case: &str, env: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("current test binary");
    let mut cmd = Command::new(exe);
    cmd.args([name, "--exact", "--nocapture", "--test-threads=1"]).env("GORO_CHILD", case);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the child test process")
}

/// Polls until the default runtime has no goroutines left.
async fn until_no_goroutines() {
    while goro::num_goroutine() > 0 {
        goro::yield_now().await;
    }
}

#[test]
fn detached_panic_is_reported_on_stderr() {
    if child_case().as_deref() == Some("detached") {
        goro::run(async {
            let h = goro::go(async {
                goro::yield_now().await;
                panic!("boom");
            });
            println!("goroutine-id={}", h.id());
            drop(h);
            until_no_goroutines().await;
        });
        return;
    }
    let out = support::within(Duration::from_secs(60), || {
        run_child("detached_panic_is_reported_on_stderr", "detached", &[])
    });
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "child failed: {stderr}");
    let id = stdout
        .split("goroutine-id=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("child printed its id");
    let want = format!("panic in goroutine {id} (spawned at goro/tests/runtime_exit.rs:");
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&want))
        .unwrap_or_else(|| panic!("no `{want}` in:\n{stderr}"));
    assert!(line.ends_with("): boom"), "{line}");
}

#[test]
fn panic_after_handle_dropped_late_is_reported() {
    if child_case().as_deref() == Some("late") {
        goro::run(async {
            let h = goro::go(async { panic!("late boom") });
            while !h.is_finished() {
                goro::yield_now().await;
            }
            drop(h); // finished first, then detached: the drop reports it
        });
        return;
    }
    let out = support::within(Duration::from_secs(60), || {
        run_child("panic_after_handle_dropped_late_is_reported", "late", &[])
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("panic in goroutine ") && l.ends_with("): late boom")),
        "{stderr}"
    );
}

#[test]
fn abort_on_panic_crashes_the_program() {
    if child_case().as_deref() == Some("abort") {
        let rt = goro::Runtime::builder().abort_on_panic(true).build().unwrap();
        rt.block_on(async {
            let _ = goro::go(async { panic!("fatal boom") }).await;
        });
        println!("survived");
        return;
    }
    let out = support::within(Duration::from_secs(60), || {
        run_child("abort_on_panic_crashes_the_program", "abort", &[])
    });
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stdout.contains("survived"));
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("panic in goroutine ") && l.ends_with("): fatal boom")),
        "{stderr}"
    );
}

#[test]
fn program_exits_while_goroutines_are_parked() {
    if child_case().as_deref() == Some("exit") {
        goro::run(async {
            for _ in 0..1000 {
                goro::go(std::future::pending::<()>());
            }
            goro::go(goro::time::sleep(Duration::from_secs(3600)));
            goro::yield_now().await;
        });
        println!("main returned");
        return;
    }
    let start = Instant::now();
    let out = support::within(Duration::from_secs(60), || {
        run_child("program_exits_while_goroutines_are_parked", "exit", &[])
    });
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("main returned"));
    assert!(start.elapsed() < Duration::from_secs(30), "the child lingered: {:?}", start.elapsed());
}

#[test]
fn goro_maxprocs_sets_the_default_processors() {
    if child_case().as_deref() == Some("maxprocs") {
        println!("procs={}", goro::procs());
        return;
    }
    let out = support::within(Duration::from_secs(60), || {
        run_child(
            "goro_maxprocs_sets_the_default_processors",
            "maxprocs",
            &[("GORO_MAXPROCS", "3")],
        )
    });
    assert!(String::from_utf8_lossy(&out.stdout).contains("procs=3"), "{out:?}");
}

//! The graceful-shutdown example under a real SIGINT: the test re-runs this
//! test binary as a child that serves `examples/shutdown.rs`, sends it
//! SIGINT once it is busy, and checks that no request in flight was lost.

#[path = "../examples/shutdown.rs"]
#[allow(dead_code)]
mod shutdown;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Set in the child's environment.
const CHILD: &str = "GORO_SHUTDOWN_CHILD";

/// In the child: serve until the signal. In a normal run: nothing.
#[test]
fn child_entry() {
    if std::env::var_os(CHILD).is_some() {
        goro::run(shutdown::serve());
    }
}

#[test]
fn sigint_drains_in_flight_work() {
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut child.0;
    let (tx, rx) = mpsc::channel();
    let out = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            // The harness may print "test child_entry ... " on the same line.
            if let Some(i) = line.find("shutdown: ") {
                let _ = tx.send(line[i + "shutdown: ".len()..].to_string());
            }
        }
    });
    let limit = Duration::from_secs(30);
    let next = || rx.recv_timeout(limit).expect("the child went quiet");
    assert_eq!(next(), "ready");
    assert_eq!(next(), "busy");
    // SAFETY: kill(2) on our own child's pid, with a valid signal number.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0, "kill failed");
    let draining = next();
    assert!(draining.starts_with("draining "), "got {draining:?}");
    let last = next();
    let nums: Vec<u64> = last
        .split(' ')
        .map(|kv| kv.split('=').nth(1).expect("key=value").parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 2, "got {last:?}");
    assert!(nums[0] >= 100, "the server was busy: {last}");
    assert_eq!(nums[0], nums[1], "work in flight was lost: {last}");
    let status = child.wait().unwrap();
    assert!(status.success(), "child exited with {status}");
}

/// Kills the child if the test fails before it exits.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

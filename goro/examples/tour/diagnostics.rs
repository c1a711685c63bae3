//! Diagnostics: a deadlock and Go's report, a lock-order cycle found while
//! the program runs on, a leak caught, a blocking goroutine reported while
//! the others run on time, and a trace to open.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs the `deadlock` example as a child process and shows its report.
/// Waiting for a process is a blocking call, so it goes to
/// `goro::blocking`'s pool (run in the goroutine, it held its worker for
/// the child's whole run, and the monitor said so).
async fn deadlock_report() {
    println!("-- a deadlock: fatal error, dump, exit status 2 --");
    let exe = std::env::current_exe().ok().map(|p| p.with_file_name("deadlock"));
    let Some(exe) = exe.filter(|p| p.exists()) else {
        println!("(build it first: cargo build --release --example deadlock)");
        return;
    };
    let child = goro::blocking(move || std::process::Command::new(exe).output());
    match child.await.expect("running the deadlock example panicked") {
        Ok(out) => {
            print!("{}", String::from_utf8_lossy(&out.stderr));
            println!("exit status: {:?}", out.status.code());
        }
        Err(e) => println!("could not run the example: {e}"),
    }
}

/// Two goroutines lock two mutexes in opposite orders and deadlock, while a
/// third keeps counting: `goro::debug::deadlocks()` finds the cycle without
/// stopping anything (Go only notices when every goroutine is asleep).
async fn lock_order_cycle() {
    println!("-- a lock-order cycle found while the program runs on --");
    let stop = Arc::new(AtomicBool::new(false));
    let ticks = Arc::new(AtomicU64::new(0));
    let (stop2, ticks2) = (stop.clone(), ticks.clone());
    let ticker = goro::go_named("ticker", async move {
        while !stop2.load(Ordering::Relaxed) {
            ticks2.fetch_add(1, Ordering::Relaxed);
            goro::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let accounts = Arc::new((goro::sync::Mutex::new(100), goro::sync::Mutex::new(0)));
    let (a_in, a_in_rx) = goro::chan::<()>(1);
    let (b_in, b_in_rx) = goro::chan::<()>(1);
    let acc = accounts.clone();
    let alice = goro::go_named("transfer a->b", async move {
        let _from = acc.0.lock().await;
        a_in.send(()).await.ok();
        b_in_rx.recv().await; // both hold their first lock now
        let _to = acc.1.lock().await; // bob holds it, and waits for ours
    });
    let acc = accounts.clone();
    let bob = goro::go_named("transfer b->a", async move {
        let _from = acc.1.lock().await;
        b_in.send(()).await.ok();
        a_in_rx.recv().await;
        let _to = acc.0.lock().await;
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    let found = loop {
        let cycles = goro::debug::deadlocks();
        if let Some(d) = cycles.into_iter().find(|d| d.ids().contains(&alice.id())) {
            break Some(d);
        }
        if Instant::now() > deadline {
            break None;
        }
        goro::time::sleep(Duration::from_millis(5)).await;
    };
    match found {
        Some(d) => print!("{d}"),
        None => println!("no cycle found?"),
    }
    let before = ticks.load(Ordering::Relaxed);
    goro::time::sleep(Duration::from_millis(20)).await;
    let after = ticks.load(Ordering::Relaxed);
    println!("the rest runs on: the ticker ticked {before} -> {after} times meanwhile");
    alice.abort(); // the fix here: give up one transfer, releasing its lock
    let _ = alice.await;
    bob.await.expect("bob panicked");
    stop.store(true, Ordering::Relaxed);
    ticker.await.expect("ticker panicked");
}

/// Leaks a goroutine and lets `verify_none` catch it, as `#[goro::test]` does.
async fn leak_caught() {
    println!("-- a leak caught (what #[goro::test] does after every test) --");
    let (tx, rx) = goro::chan::<()>(0);
    goro::go_named("forgotten", async move {
        let _ = rx.recv().await; // nobody sends, nobody closes: a leak
    });
    match goro::blocking(goro::debug::verify_none).await.expect("verify_none panicked") {
        Err(leak) => println!("{leak}"),
        Ok(()) => println!("no leak?"),
    }
    drop(tx); // the fix: close the channel, and the goroutine ends
}

/// A goroutine blocks its worker with `std::thread::sleep`; the monitor
/// reports it and hands the other goroutines to another worker.
async fn blocking_reported() {
    println!("-- a blocking goroutine reported, the others on time --");
    let deadline = Instant::now() + Duration::from_millis(100);
    let timers: Vec<_> = (0..200)
        .map(|_| {
            goro::go(async move {
                goro::time::sleep_until(deadline).await;
                Instant::now().saturating_duration_since(deadline)
            })
        })
        .collect();
    let culprit = goro::go_named("careless", async {
        std::thread::sleep(Duration::from_millis(400)); // should be goro::blocking
    });
    let mut worst = Duration::ZERO;
    for t in timers {
        worst = worst.max(t.await.expect("timer goroutine panicked"));
    }
    culprit.await.expect("careless panicked");
    println!("200 timers, worst lateness {worst:?} (the blocker slept 400 ms)");
}

/// Traces the goroutines above into a file for ui.perfetto.dev.
async fn trace_file() {
    println!("-- a trace you can open --");
    let path = std::env::temp_dir().join("goro-tour.trace.json");
    let file = match std::fs::File::create(&path) {
        Ok(f) => std::io::BufWriter::new(f),
        Err(e) => return println!("cannot create {}: {e}", path.display()),
    };
    goro::trace::start(file).expect("no other trace runs");
    let (tx, rx) = goro::chan::<u32>(0);
    let producer = goro::go_named("producer", async move {
        for i in 0..5 {
            tx.send(i).await.ok();
            goro::time::sleep(Duration::from_millis(1)).await;
        }
    });
    while rx.recv().await.is_some() {}
    producer.await.expect("producer panicked");
    goro::trace::stop().expect("the trace was running");
    println!("wrote {}: open it at https://ui.perfetto.dev (Open trace file)", path.display());
    println!("or in chrome://tracing; each worker is a track, each poll a slice");
}

/// The diagnostics stop.
pub async fn run() {
    println!("== diagnostics ==");
    deadlock_report().await;
    lock_order_cycle().await;
    leak_caught().await;
    blocking_reported().await;
    trace_file().await;
    let m = goro::debug::metrics();
    println!("metrics: {} spawned, {} steals, {} hand-offs", m.spawned, m.steals, m.handoffs);
}

//! `goro::trace`: a session's Chrome trace-event JSON parses and holds the
//! scheduling events; the flight recorder keeps only the last N.
// Reads the registry and the hooks, which the `diagnostics` feature provides.
#![cfg(feature = "diagnostics")]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Trace sessions and the flight recorder are process-wide: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// A `Write` whose bytes the test can read back.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Some goroutines that spawn, sleep, talk over a channel and finish.
fn workload(rt: &goro::Runtime) {
    rt.block_on(async {
        let (tx, rx) = goro::chan::<u32>(0);
        let sleeper = goro::go_named("sleeper", async {
            goro::time::sleep(Duration::from_millis(2)).await;
        });
        let producer = goro::go(async move {
            for i in 0..10 {
                tx.send(i).await.unwrap();
            }
        });
        // The consumer starts only once the producer parked on its first send.
        let pid = producer.id();
        while !goro::debug::goroutines().iter().any(|g| g.id == pid && g.is_parked()) {
            goro::yield_now().await;
        }
        let consumer = goro::go(async move {
            let mut sum = 0;
            while let Some(v) = rx.recv().await {
                sum += v;
            }
            sum
        });
        producer.await.unwrap();
        assert_eq!(consumer.await.unwrap(), 45);
        sleeper.await.unwrap();
    });
}

/// The `traceEvents` array of a trace.
fn events(bytes: &[u8]) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(bytes).expect("the trace is valid JSON");
    v["traceEvents"].as_array().expect("a traceEvents array").clone()
}

#[test]
fn a_trace_session_writes_loadable_chrome_json_with_runs_parks_and_spawns() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        let out = Shared::default();
        goro::trace::start(out.clone()).unwrap();
        assert!(matches!(
            goro::trace::start(Vec::new()),
            Err(goro::trace::TraceError::AlreadyRunning)
        ));
        workload(&rt);
        goro::trace::stop().unwrap();
        assert!(matches!(goro::trace::stop(), Err(goro::trace::TraceError::NotRunning)));
        let evs = events(&out.0.lock().unwrap());
        for e in &evs {
            assert!(e["ph"].is_string() && e["pid"].is_number() && e["tid"].is_number(), "{e}");
        }
        let ph = |p: &str| evs.iter().filter(|e| e["ph"] == p).count();
        assert!(ph("M") >= 2, "thread names for the worker tracks");
        let slices: Vec<_> = evs.iter().filter(|e| e["ph"] == "X").collect();
        assert!(slices.iter().all(|e| e["ts"].is_number() && e["dur"].as_f64().unwrap() >= 0.0));
        let then = |s: &str| slices.iter().any(|e| e["args"]["then"] == s);
        assert!(then("sleep") && then("finished"), "polls end in a park or the end");
        assert!(then("chan send"), "the channel's parks are traced");
        let spawns = evs.iter().filter(|e| e["name"] == "spawn").count();
        assert!(spawns >= 2, "both spawns are traced, saw {spawns}");
        assert!(evs.iter().any(|e| e["name"] == "unpark"), "wake-ups are traced");
    });
}

#[test]
fn the_flight_recorder_keeps_only_the_last_n_events() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        goro::trace::flight_recorder::start(50);
        assert!(goro::trace::flight_recorder::is_running());
        rt.block_on(async {
            let hs: Vec<_> = (0..500).map(|i| goro::go(async move { i })).collect();
            for h in hs {
                h.await.unwrap();
            }
        });
        let mut out = Vec::new();
        goro::trace::flight_recorder::write_to(&mut out).unwrap();
        goro::trace::flight_recorder::stop();
        let evs = events(&out);
        let real = evs.iter().filter(|e| e["ph"] != "M").count();
        assert!(real > 0, "recent events are kept");
        // A slice stands for two events (run and park/end), so at most N.
        assert!(real <= 50, "at most the last 50 events, got {real}");
        assert!(!goro::trace::flight_recorder::is_running());
    });
}

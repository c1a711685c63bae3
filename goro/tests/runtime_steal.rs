//! Work stealing really spreads work: goroutines spawned from one goroutine
//! run on every processor, even with more processors than cores.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Burns CPU for about `d`, so that the spawner's worker stays busy and the
/// other workers must steal.
fn spin_for(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[test]
fn goroutines_spawned_from_one_goroutine_run_on_every_processor() {
    const PROCS: usize = 4;
    support::within(Duration::from_secs(60), || {
        let rt = goro::Runtime::builder().procs(PROCS).build().unwrap();
        let seen = Arc::new(Mutex::new(HashSet::new()));
        let spawner = {
            let seen = seen.clone();
            rt.go(async move {
                // Batches until every worker has run one (bounded by the
                // `within` limit); on 2 cores with 4 workers this takes a few.
                while seen.lock().unwrap().len() < PROCS {
                    let batch: Vec<_> = (0..64)
                        .map(|_| {
                            let seen = seen.clone();
                            goro::go(async move {
                                seen.lock().unwrap().insert(std::thread::current().id());
                                spin_for(Duration::from_micros(500));
                            })
                        })
                        .collect();
                    for h in batch {
                        h.await.unwrap();
                    }
                }
            })
        };
        spawner.join_blocking().unwrap();
        assert_eq!(seen.lock().unwrap().len(), PROCS);
    });
}

#[test]
fn procs_reports_the_builder_setting() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(3).build().unwrap();
        assert_eq!(rt.procs(), 3);
        assert_eq!(rt.block_on(async { goro::procs() }), 3);
        assert_eq!(rt.block_on(async { goro::go(async { goro::procs() }).await.unwrap() }), 3);
    });
}

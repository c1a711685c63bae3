//! Seed: WaitGroup workers. Three workers; main waits for all of them.

use goro::sync::WaitGroup;
use std::time::Duration;

/// One worker: Go's `worker(id, &wg)` with `defer wg.Done()` done for us.
async fn worker(id: u32) {
    println!("Worker {id} starting");
    goro::time::sleep(Duration::from_millis(10)).await; // simulate work
    println!("Worker {id} done");
}

/// Go's `wg.Add(1); go worker(i, &wg)` becomes `wg.go(worker(i))`.
pub async fn run() {
    println!("== sync: WaitGroup workers ==");
    let wg = WaitGroup::new();
    for i in 1..=3 {
        wg.go(worker(i));
    }
    wg.wait().await;
    println!("All workers done");
}

//! Seeds 1 and 2: channels. Unbuffered ping, the worker pool, fan-out/fan-in
//! and a pipeline.

use goro::chan::{Receiver, Sender};
use std::time::Duration;

/// The unbuffered ping: the send waits until main receives.
async fn ping() {
    println!("-- unbuffered ping --");
    let (messages, inbox) = goro::chan::<&str>(0);
    goro::go(async move { messages.send("ping").await.expect("main receives") });
    let msg = inbox.recv().await.expect("the goroutine sends");
    println!("{msg}");
    assert_eq!(msg, "ping");
}

/// The seed's worker: `for j := range jobs`, then `results <- j * 2`.
async fn worker(id: u32, jobs: Receiver<u32>, results: Sender<u32>) {
    while let Some(j) = jobs.recv().await {
        println!("worker {id} started job {j}");
        goro::time::sleep(Duration::from_millis(100)).await;
        println!("worker {id} finished job {j}");
        results.send(j * 2).await.expect("main collects every result");
    }
}

/// The worker pool: 3 workers, 5 jobs.
async fn worker_pool() {
    println!("-- worker pool: 3 workers, 5 jobs (each job sleeps 100 ms, not the seed's 1 s) --");
    const NUM_JOBS: u32 = 5;
    let (jobs_tx, jobs) = goro::chan::<u32>(NUM_JOBS as usize);
    let (results, results_rx) = goro::chan::<u32>(NUM_JOBS as usize);
    for w in 1..=3 {
        goro::go(worker(w, jobs.clone(), results.clone()));
    }
    for j in 1..=NUM_JOBS {
        jobs_tx.send(j).await.expect("workers are listening");
    }
    jobs_tx.close(); // no more jobs: each worker's range ends
    let mut sum = 0;
    for _ in 0..NUM_JOBS {
        sum += results_rx.recv().await.expect("a result per job");
    }
    println!("results sum to {sum}");
    assert_eq!(sum, 2 + 4 + 6 + 8 + 10, "each job doubled once");
}

/// Fan-out to 4 squarers, fan-in through one results channel that closes
/// when the last squarer drops its sender.
async fn fan_out_fan_in() {
    println!("-- fan-out / fan-in --");
    let (src, source) = goro::chan::<u64>(0);
    let (out, merged) = goro::chan::<u64>(0);
    for _ in 0..4 {
        let (source, out) = (source.clone(), out.clone());
        goro::go(async move {
            while let Some(n) = source.recv().await {
                out.send(n * n).await.expect("the merger reads");
            }
        });
    }
    drop((source, out));
    goro::go(async move {
        for n in 1..=10 {
            src.send(n).await.expect("squarers read");
        }
    });
    let mut total = 0;
    while let Some(sq) = merged.recv().await {
        total += sq;
    }
    println!("sum of squares 1..=10 = {total}");
    assert_eq!(total, 385, "every square merged once");
}

/// A pipeline stage: each value of `input` through `f`, into a new channel
/// that closes when `input` does.
fn stage(input: Receiver<u64>, f: fn(u64) -> u64) -> Receiver<u64> {
    let (tx, rx) = goro::chan(0);
    goro::go(async move {
        while let Some(v) = input.recv().await {
            if tx.send(f(v)).await.is_err() {
                return;
            }
        }
    });
    rx
}

/// gen → square → add one → print.
async fn pipeline() {
    println!("-- pipeline --");
    let (tx, numbers) = goro::chan::<u64>(0);
    goro::go(async move {
        for n in 1..=5 {
            tx.send(n).await.expect("the first stage reads");
        }
    });
    let out = stage(stage(numbers, |n| n * n), |n| n + 1);
    let mut seen = Vec::new();
    while let Some(v) = out.recv().await {
        seen.push(v);
    }
    println!("{seen:?}");
    assert_eq!(seen, [2, 5, 10, 17, 26], "n * n + 1, in order");
}

/// The channel stops of the tour.
pub async fn run() {
    println!("== channels ==");
    ping().await;
    worker_pool().await;
    fan_out_fan_in().await;
    pipeline().await;
}

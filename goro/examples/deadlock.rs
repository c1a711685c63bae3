//! A program that deadlocks, as in Go's classic example: main waits on a
//! channel nobody will ever send on. goro prints Go's report and the
//! goroutine dump, and exits with status 2.
//!
//! `cargo run --release --example deadlock; echo "exit status $?"`

#[goro::main]
async fn main() {
    let (results_tx, results) = goro::chan::<u32>(0);
    let (_jobs_tx, jobs) = goro::chan::<u32>(0);
    goro::go_named("worker", async move {
        while let Some(j) = jobs.recv().await {
            results_tx.send(j * 2).await.ok();
        }
    });
    // Forgot to send any job: both goroutines wait forever.
    println!("result: {:?}", results.recv().await);
}

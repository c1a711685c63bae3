//! Seed: a rate-limited producer. 20 events at 200 per second with a burst
//! of 5: the first 5 go at once, the rest one every 5 ms.

use goro::context;
use goro::rate::{Limit, Limiter};
use std::time::{Duration, Instant};

/// Produces 20 events through a token bucket, bounded by a context.
pub async fn run() {
    println!("== rate: a limited producer ==");
    let lim = Limiter::new(Limit(200.0), 5);
    let (ctx, _cancel) = context::with_timeout(&context::background(), Duration::from_secs(5));
    let start = Instant::now();
    for i in 0..20 {
        lim.wait(&ctx).await.expect("the deadline is far");
        if i % 5 == 4 {
            println!("event {:2} at {:>3} ms", i + 1, start.elapsed().as_millis());
        }
    }
    // 15 events beyond the burst need 75 ms of tokens.
    assert!(
        start.elapsed() >= Duration::from_millis(70),
        "the limiter let events through too fast"
    );
}

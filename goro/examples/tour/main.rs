//! A guided run of the seed programs, in the order the articles teach them:
//! goroutines, channels, select, sync, context, patterns, diagnostics.
//!
//! `cargo run --release --example tour`
//!
//! Each stop is a module of its own; `main` calls them in order.

// -- runtime (issue 2) --
mod speak;

// -- channels and select (issue 3) --
mod channels;
mod select;

// -- toolkit (issue 4) --
mod crawler;
mod ratelimit;
mod waitgroup;

// -- diagnostics (issue 5) --
mod diagnostics;

#[goro::main]
async fn main() {
    // -- runtime (issue 2) --
    speak::run().await;

    // -- channels and select (issue 3) --
    channels::run().await;
    select::run().await;

    // -- toolkit (issue 4) --
    waitgroup::run().await;
    crawler::run().await;
    ratelimit::run().await;

    // -- diagnostics (issue 5) --
    diagnostics::run().await;
}

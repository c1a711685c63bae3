//! Seed: a crawler. 10,000 pages fetched at most 50 at a time with an
//! errgroup and `set_limit`, against an in-process stand-in service that
//! records how many requests it serves at once.

use goro::context::{self, Context};
use goro::group::Group;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The stand-in service: counts requests in flight and the peak.
#[derive(Default)]
struct Service {
    /// Requests being served now.
    in_flight: AtomicUsize,
    /// The most ever served at once.
    peak: AtomicUsize,
    /// Requests served in all.
    served: AtomicUsize,
}

impl Service {
    /// "Fetches" a page: yields once mid-request, as network I/O would.
    async fn fetch(&self, ctx: &Context, page: usize) -> Result<usize, String> {
        if let Some(e) = ctx.err() {
            return Err(format!("page {page}: {e}"));
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        goro::yield_now().await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.served.fetch_add(1, Ordering::SeqCst);
        Ok(page % 7) // links found
    }
}

/// Crawls 10,000 pages, 50 at a time; the first error would cancel the rest.
pub async fn run() {
    println!("== group: crawl 10,000 pages, 50 at a time ==");
    let service = Arc::new(Service::default());
    let (g, ctx) = Group::<String>::with_context(&context::background());
    g.set_limit(Some(50));
    let links = Arc::new(AtomicUsize::new(0));
    for page in 0..10_000 {
        let (service, ctx, links) = (service.clone(), ctx.clone(), links.clone());
        g.go(async move {
            links.fetch_add(service.fetch(&ctx, page).await?, Ordering::Relaxed);
            Ok(())
        })
        .await;
    }
    g.wait().await.expect("crawl failed");
    let peak = service.peak.load(Ordering::SeqCst);
    assert!(peak <= 50, "the limit was exceeded: {peak}");
    println!(
        "crawled {} pages, {} links, at most {peak} at once",
        service.served.load(Ordering::SeqCst),
        links.load(Ordering::Relaxed)
    );
}

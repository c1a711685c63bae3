//! Go's go/test/chan/select2.go, ported alone: selects must not consume
//! undue memory. It counts every allocation of the process, so it lives in
//! its own test binary where no other test allocates meanwhile.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::within;

const LIMIT: Duration = Duration::from_secs(60);

/// A counting allocator: Go's select2.go checks memory growth.
struct Counting;

/// Bytes currently allocated through [`Counting`].
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { std::alloc::System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { std::alloc::System.dealloc(p, l) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

// Ported from go/test/chan/select2.go: selects do not consume undue memory
// (no waiter is left behind on the channel that never fires).
#[test]
fn select2_no_memory_growth() {
    within(LIMIT, || {
        let (c, crx) = goro::chan::<i32>(0);
        let (_dummy_tx, dummy) = goro::chan::<i32>(0);
        let round = |n: usize| {
            let c = c.clone();
            let h = std::thread::spawn(move || (0..n).for_each(|_| c.send_blocking(1).unwrap()));
            for _ in 0..n {
                goro::select_blocking! {
                    recv(crx) -> _ => {},
                    recv(dummy) -> _ => panic!("dummy"),
                }
            }
            h.join().unwrap();
        };
        round(20_000); // warm up
        let before = LIVE.load(Ordering::Relaxed);
        round(20_000);
        let grew = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        assert!(grew < 110_000, "too much memory for 20,000 selects: {grew}");
    });
}

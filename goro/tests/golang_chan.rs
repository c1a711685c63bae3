//! Go's channel conformance programs, ported: go/test/chan/*.go,
//! go/test/closedchan.go, go/test/chancap.go and go/test/ken/chan.go.
//!
//! Each test cites its Go file. Where Go panics (send on a closed channel,
//! double close), the port asserts goro's error instead. Iteration counts
//! are scaled so the suite stays quick on two busy cores. Infinite Go
//! generators stop here when their channel's receivers are gone.
//! go/test/chan/select2.go counts the process's allocations, so its port
//! has a test binary of its own: `golang_chan_select2.rs`.

use goro::chan::{Receiver, SendError, Sender, TryRecvError};
use std::collections::{BinaryHeap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

// Ported from go/test/chan/doubleselect.go: two cases of one select must
// never both run, or a value would arrive twice.
#[goro::test]
async fn doubleselect() {
    const N: u32 = 20_000;
    let (c, rx): (Vec<_>, Vec<_>) = (0..4).map(|_| goro::chan::<u32>(0)).unzip();
    let sender = goro::go(async move {
        for i in 0..N {
            goro::select! {
                send(c[0], i) -> r => r.unwrap(),
                send(c[1], i) -> r => r.unwrap(),
                send(c[2], i) -> r => r.unwrap(),
                send(c[3], i) -> r => r.unwrap(),
            }
        }
    });
    let (cmux, cmux_rx) = goro::chan::<u32>(0);
    for input in rx {
        let out = cmux.clone();
        goro::go(async move {
            while let Some(v) = input.recv().await {
                out.send(v).await.unwrap();
            }
        });
    }
    drop(cmux); // the last mux to finish closes cmux
    let mut seen = HashSet::new();
    while let Some(v) = cmux_rx.recv().await {
        assert!(seen.insert(v), "got duplicate value: {v}");
    }
    assert_eq!(seen.len(), N as usize);
    sender.await.unwrap();
}

// Ported from go/test/chan/fifo.go: AsynchFifo.
#[goro::test]
async fn fifo_asynch() {
    const N: i32 = 10;
    let (tx, rx) = goro::chan::<i32>(N as usize);
    for i in 0..N {
        tx.send(i).await.unwrap();
    }
    for i in 0..N {
        assert_eq!(rx.recv().await, Some(i), "bad receive");
    }
}

// Ported from go/test/chan/fifo.go: SynchFifo, a daisy chain that reads
// the values of an unbuffered channel in order.
#[goro::test]
async fn fifo_synch() {
    const N: i32 = 10;
    let (tx, ch) = goro::chan::<i32>(0);
    let (start, mut input) = goro::chan::<i32>(0);
    for i in 0..N {
        let (out_tx, out_rx) = goro::chan::<i32>(0);
        let ch = ch.clone();
        goro::go(async move {
            input.recv().await;
            assert_eq!(ch.recv().await, Some(i));
            out_tx.send(1).await.unwrap();
        });
        input = out_rx;
    }
    start.send(0).await.unwrap();
    for i in 0..N {
        tx.send(i).await.unwrap();
    }
    assert_eq!(input.recv().await, Some(1));
}

// Ported from go/test/chan/goroutines.go: a lot of goroutines threaded
// together, torn down cleanly.
#[goro::test]
async fn goroutines_chain() {
    const N: usize = 10_000;
    let (leftmost_tx, leftmost) = goro::chan::<i32>(0);
    let mut left = leftmost_tx;
    for _ in 0..N {
        let (right_tx, right) = goro::chan::<i32>(0);
        goro::go(async move {
            let v = right.recv().await.unwrap();
            left.send(v).await.unwrap();
        });
        left = right_tx;
    }
    goro::go(async move { left.send(1).await.unwrap() });
    assert_eq!(leftmost.recv().await, Some(1));
}

/// Sends `v` with `select { case c <- v: default: }`, retrying until a
/// receiver is there; false never (a bounded test timeout catches hangs).
async fn nonblock_send<T: Clone>(c: &Sender<T>, v: T) {
    loop {
        let sent =
            goro::select! { send(c, v.clone()) -> r => { r.unwrap(); true }, default => false };
        if sent {
            return;
        }
        goro::yield_now().await;
    }
}

/// Receives with `select { case v := <-c: default: }`, retrying until a
/// sender is there.
async fn nonblock_recv<T>(c: &Receiver<T>) -> T {
    loop {
        let got = goro::select! { recv(c) -> v => v, default => None };
        if let Some(v) = got {
            return v;
        }
        goro::yield_now().await;
    }
}

// Ported from go/test/chan/nonblock.go: non-blocking operations on
// channels of several element types, unbuffered and buffered.
#[goro::test]
async fn nonblock() {
    async fn check<T: Clone + PartialEq + std::fmt::Debug + Send + 'static>(
        buffer: usize,
        a: T,
        b: T,
    ) {
        let (tx, rx) = goro::chan::<T>(buffer);
        let (sync_tx, sync) = goro::chan::<bool>(0);
        assert!(rx.try_recv().is_err(), "blocked receive on an empty channel");
        let (r, s, want) = (rx.clone(), sync_tx.clone(), a.clone());
        goro::go(async move {
            assert_eq!(r.recv().await, Some(want));
            s.send(true).await.unwrap();
        });
        nonblock_send(&tx, a).await;
        sync.recv().await;
        let (t, s, v) = (tx.clone(), sync_tx.clone(), b.clone());
        goro::go(async move {
            t.send(v).await.unwrap();
            s.send(true).await.unwrap();
        });
        if buffer > 0 {
            sync.recv().await;
        }
        assert_eq!(nonblock_recv(&rx).await, b);
        if buffer == 0 {
            sync.recv().await;
        }
    }
    for buffer in 0..2 {
        check::<i32>(buffer, 123, 234).await;
        check::<i64>(buffer, 123456, 234567).await;
        check::<bool>(buffer, true, true).await;
        check::<String>(buffer, "hello".into(), "hello again".into()).await;
    }
}

// Ported from go/test/chan/select.go: sends with default, turning a case
// off (nil channel) once it fired; send values are evaluated for every
// case of every select.
#[test]
fn select_send_and_default() {
    let counter = std::cell::Cell::new(0u32);
    let shift = std::cell::Cell::new(0u32);
    let get_value = || {
        counter.set(counter.get() + 1);
        1u32 << shift.get()
    };
    let send = |mut a: Option<&Sender<u32>>, mut b: Option<&Sender<u32>>| {
        let mut i = 0;
        loop {
            let fired = goro::select_blocking! {
                send(a, get_value()) -> _ => { i += 1; a = None; true },
                send(b, get_value()) -> _ => { i += 1; b = None; true },
                default => false,
            };
            if !fired {
                return i;
            }
            shift.set(shift.get() + 1);
        }
    };
    let (a, ar) = goro::chan::<u32>(1);
    let (b, br) = goro::chan::<u32>(1);
    assert_eq!(send(Some(&a), Some(&b)), 2);
    let (av, bv) = (ar.try_recv().unwrap(), br.try_recv().unwrap());
    assert_eq!(av | bv, 3, "bad values {av} {bv}");
    assert_eq!(send(Some(&a), None), 1);
    assert_eq!(counter.get(), 10);
}

/// Runs `f` on a thread and reports whether it was still blocked after
/// `d` (go/test/chan/select3.go's testBlock, "always"/"never").
fn blocks(f: impl FnOnce() + Send + 'static) -> bool {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_millis(100)).is_err()
}

// Ported from go/test/chan/select3.go: which selects block and which
// don't, with nil, closed, buffered and unbuffered channels. (Blocked
// threads are left parked; the process ends with the test binary.)
#[test]
fn select3_blocking_semantics() {
    let nil = || None::<Receiver<i32>>;
    let nils = || None::<Sender<i32>>;
    let closed = || {
        let (tx, rx) = goro::chan::<i32>(0);
        tx.close();
        (tx, rx)
    };
    // receiving from a nil channel inside a select is never selected
    goro::select_blocking! { send(nils(), 7) -> _ => unreachable!(), default => {} }
    goro::select_blocking! { recv(nil()) -> _ => unreachable!(), default => {} }
    // sending to an async channel with free buffer space never blocks
    assert!(!blocks(|| goro::chan::<i32>(1).0.send_blocking(7).unwrap()));
    // receiving from a closed channel never blocks
    assert!(!blocks(move || {
        let (_t, c) = closed();
        for _ in 0..10 {
            assert_eq!(c.recv_blocking(), None);
        }
    }));
    // sending to a closed channel fails (Go panics)
    assert_eq!(closed().0.send_blocking(7), Err(SendError(7)));
    // receiving from a non-ready channel always blocks
    assert!(blocks(|| {
        let (_t, c) = goro::chan::<i32>(0);
        c.recv_blocking();
    }));
    // empty selects always block
    assert!(blocks(|| match goro::select_blocking! {} {}));
    // selects with only nil channels always block
    assert!(blocks(move || goro::select_blocking! { recv(nil()) -> _ => unreachable!() }));
    assert!(blocks(move || goro::select_blocking! { send(nils(), 7) -> _ => unreachable!() }));
    assert!(blocks(move || goro::select_blocking! {
        recv(nil()) -> _ => unreachable!(),
        send(nils(), 7) -> _ => unreachable!(),
    }));
    // selects with non-ready non-nil channels always block
    assert!(blocks(|| {
        let (_t, c) = goro::chan::<i32>(0);
        goro::select_blocking! { recv(c) -> _ => unreachable!() }
    }));
    // selects with default cases don't block
    assert!(!blocks(|| goro::select_blocking! { default => {} }));
    assert!(!blocks(
        move || goro::select_blocking! { recv(nil()) -> _ => unreachable!(), default => {} }
    ));
    // selects with ready channels don't block
    assert!(!blocks(|| {
        let (t, _c) = goro::chan::<i32>(1);
        goro::select_blocking! { send(t, 7) -> _ => {}, default => unreachable!() }
    }));
    assert!(!blocks(|| {
        let (t, c) = goro::chan::<i32>(1);
        t.send_blocking(7).unwrap();
        goro::select_blocking! { recv(c) -> _ => {}, default => unreachable!() }
    }));
    // selects with closed channels behave like ordinary operations
    assert!(!blocks(
        move || goro::select_blocking! { recv(closed().1) -> v => assert_eq!(v, None) }
    ));
    let r = goro::select_blocking! { send(closed().0, 7) -> r => r };
    assert_eq!(r, Err(SendError(7)), "a send case on a closed channel fails (Go panics)");
    // select should not get confused if it sees itself
    assert!(blocks(|| {
        let (t, c) = goro::chan::<i32>(0);
        goro::select_blocking! { send(t, 1) -> _ => unreachable!(), recv(c) -> _ => unreachable!() }
    }));
}

// Ported from go/test/chan/select4.go: a select proceeds when a value is
// ready, and a case that is not chosen has no effect.
#[test]
fn select4_ready_value() {
    let (c, crx) = goro::chan::<i32>(1);
    let (_c1, c1rx) = goro::chan::<i32>(0);
    c.send_blocking(42).unwrap();
    let x = goro::select_blocking! {
        recv(c1rx) -> _ => panic!("BUG: the wrong case ran"),
        recv(crx) -> v => v,
    };
    assert_eq!(x, Some(42));
}

// Ported from go/test/chan/select5.go (the generated test, enumerated at
// run time): a buffered send/receive through select, with or without
// default, and with dummy or nil extra cases that must never fire.
#[test]
fn select5_combinations() {
    let (c, crx) = goro::chan::<i32>(1);
    let (dummy, dummy_rx) = goro::chan::<i32>(0);
    let mut n = 1;
    for mask in 0..16u32 {
        let on = |bit: u32| mask & (1 << bit) != 0;
        let ds = on(0).then_some(&dummy);
        let dr = on(1).then_some(&dummy_rx);
        let ns: Option<&Sender<i32>> = None;
        let nr: Option<&Receiver<i32>> = None;
        // recv: send n, receive it through a select, with and without default
        c.send_blocking(n).unwrap();
        let x = goro::select_blocking! {
            recv(crx) -> v => v.unwrap(),
            send(ds, 1) -> _ => panic!("dummy send"),
            recv(dr) -> _ => panic!("dummy receive"),
            send(ns, 1) -> _ => panic!("nilch send"),
            recv(nr) -> _ => panic!("nilch recv"),
        };
        assert_eq!(x, n);
        n += 1;
        c.send_blocking(n).unwrap();
        let x = goro::select_blocking! {
            recv(crx) -> v => v.unwrap(),
            send(ds, 1) -> _ => panic!("dummy send"),
            recv(dr) -> _ => panic!("dummy receive"),
            default => panic!("nonblock"),
        };
        assert_eq!(x, n);
        n += 1;
        // send: through a select, receive directly
        goro::select_blocking! {
            send(c, n) -> r => r.unwrap(),
            send(ds, 1) -> _ => panic!("dummy send"),
            recv(dr) -> _ => panic!("dummy receive"),
            send(ns, 1) -> _ => panic!("nilch send"),
            recv(nr) -> _ => panic!("nilch recv"),
        }
        assert_eq!(crx.recv_blocking(), Some(n));
        n += 1;
        // nonblock: nothing ready, default runs and x is untouched
        let x = goro::select_blocking! {
            send(ds, 1) -> _ => panic!("dummy <- 1"),
            send(ns, 1) -> _ => panic!("nilch <- 1"),
            recv(dr) -> _ => panic!("<-dummy"),
            recv(nr) -> _ => panic!("<-nilch"),
            default => n,
        };
        assert_eq!(x, n);
        n += 1;
    }
}

// Ported from go/test/chan/select6.go (issue 2075): a failed select case
// must not corrupt the queue of a channel with several waiters.
#[goro::test]
async fn select6_queue_not_corrupted() {
    let (c1, c1rx) = goro::chan::<bool>(0);
    let (c2, c2rx) = goro::chan::<bool>(0);
    let (c3, c3rx) = goro::chan::<bool>(0);
    let r = c1rx.clone();
    goro::go(async move { r.recv().await });
    goro::go(async move {
        goro::select! {
            recv(c1rx) -> _ => panic!("dummy"),
            recv(c2rx) -> _ => c3.send(true).await.unwrap(),
        }
        c1rx.recv().await;
    });
    goro::go(async move { c2.send(true).await.unwrap() });
    c3rx.recv().await;
    c1.send(true).await.unwrap();
    c1.send(true).await.unwrap();
}

// Ported from go/test/chan/select7.go: select when discarding a value,
// every pairing of plain/one-case/two-case send and receive.
#[goro::test]
async fn select7_discarding() {
    for recv in 0..3 {
        for send in 0..3 {
            let (c, crx) = goro::chan::<i32>(0);
            let h = goro::go(async move {
                let (_c2, c2rx) = goro::chan::<i32>(0);
                match recv {
                    0 => drop(crx.recv().await),
                    1 => goro::select! { recv(crx) -> _ => {} },
                    _ => goro::select! { recv(crx) -> _ => {}, recv(c2rx) -> _ => {} },
                }
            });
            goro::yield_now().await;
            let (c2, _c2rx) = goro::chan::<i32>(0);
            match send {
                0 => c.send(1).await.unwrap(),
                1 => goro::select! { send(c, 1) -> r => r.unwrap() },
                _ => {
                    goro::select! { send(c, 1) -> r => r.unwrap(), send(c2, 1) -> _ => unreachable!() }
                }
            }
            h.await.unwrap();
        }
    }
}

// Ported from go/test/chan/select8.go: `break` inside a select body. Go's
// break leaves the select; the Rust spelling is a labeled block.
#[goro::test]
#[allow(unreachable_code)]
async fn select8_break() {
    let (ch, chrx) = goro::chan::<i32>(0);
    goro::go(async move { while ch.send(5).await.is_ok() {} });
    let mut after = 0;
    'sel: {
        goro::select! { recv(chrx) -> _ => break 'sel }
        panic!("unreachable");
    }
    after += 1;
    'sel: {
        goro::select! { default => break 'sel }
        panic!("unreachable");
    }
    after += 1;
    'sel: {
        goro::select! { recv(chrx) -> _ => break 'sel, default => break 'sel }
        panic!("unreachable");
    }
    after += 1;
    let (ch2, _ch2rx) = goro::chan::<i32>(0);
    'sel: {
        goro::select! {
            recv(chrx) -> _ => break 'sel,
            send(ch2, 10) -> _ => panic!("unreachable"),
            default => break 'sel,
        }
        panic!("unreachable");
    }
    after += 1;
    assert_eq!(after, 4);
}

/// The first 25 primes, as both sieves check them.
const PRIMES: [i64; 25] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
];

// Ported from go/test/chan/sieve1.go: the concurrent prime sieve.
#[goro::test]
async fn sieve1() {
    async fn generate(ch: Sender<i64>) {
        let mut i = 2;
        while ch.send(i).await.is_ok() {
            i += 1;
        }
    }
    async fn filter(input: Receiver<i64>, out: Sender<i64>, prime: i64) {
        while let Some(i) = input.recv().await {
            if i % prime != 0 && out.send(i).await.is_err() {
                return;
            }
        }
    }
    let (primes_tx, primes) = goro::chan::<i64>(0);
    goro::go(async move {
        let (tx, mut ch) = goro::chan::<i64>(0);
        goro::go(generate(tx));
        while let Some(prime) = ch.recv().await {
            if primes_tx.send(prime).await.is_err() {
                return;
            }
            let (tx1, ch1) = goro::chan::<i64>(0);
            goro::go(filter(ch, tx1, prime));
            ch = ch1;
        }
    });
    for want in PRIMES {
        assert_eq!(primes.recv().await, Some(want));
    }
}

/// A channel of `start, start + step, ...`, buffered `cap` (sieve2.go's
/// odds and multiples).
fn counter(start: i64, step: i64, cap: usize) -> Receiver<i64> {
    let (tx, rx) = goro::chan(cap);
    goro::go(async move {
        let mut n = start;
        while tx.send(n).await.is_ok() {
            n += step;
        }
    });
    rx
}

/// sieve2.go's sendproxy: an unbounded buffer in front of `out`, using the
/// disable-a-case idiom when the buffer is empty.
fn sendproxy(out: Sender<i64>) -> Sender<i64> {
    let (proxy, proxy_rx) = goro::chan::<i64>(10);
    goro::go(async move {
        let mut buf = std::collections::VecDeque::new();
        loop {
            let c = if buf.is_empty() { None } else { Some(&out) };
            let e = buf.front().copied().unwrap_or(0);
            goro::select! {
                recv(proxy_rx) -> v => match v { Some(v) => buf.push_back(v), None => return },
                send(c, e) -> r => if r.is_err() { return } else { buf.pop_front(); },
            }
        }
    });
    proxy
}

// Ported from go/test/chan/sieve2.go: Eratosthenes over odd candidates,
// merging channels of multiples through a heap.
#[goro::test]
async fn sieve2() {
    let (out, primes_out) = goro::chan::<i64>(10);
    out.send(2).await.unwrap();
    out.send(3).await.unwrap();
    let (composites, composites_rx) = goro::chan::<i64>(50);
    let (primes, primes_rx) = goro::chan::<i64>(10);
    primes.send(3).await.unwrap();
    goro::go(async move {
        // (head, channel) pairs, smallest head first.
        let mut heap: BinaryHeap<std::cmp::Reverse<(i64, usize)>> = BinaryHeap::new();
        let mut chans: Vec<Receiver<i64>> = Vec::new();
        let mut min = 15;
        let step = async |heap: &mut BinaryHeap<std::cmp::Reverse<(i64, usize)>>,
                          chans: &Vec<Receiver<i64>>| {
            let std::cmp::Reverse((head, i)) = heap.pop()?;
            heap.push(std::cmp::Reverse((chans[i].recv().await?, i)));
            Some(head)
        };
        while let Some(p) = primes_rx.recv().await {
            let m = counter(p * p, 2 * p, 10);
            let Some(head) = m.recv().await else { return };
            while min < head {
                if composites.send(min).await.is_err() {
                    return;
                }
                let Some(next) = step(&mut heap, &chans).await else { return };
                min = next;
            }
            while min == head {
                let Some(next) = step(&mut heap, &chans).await else { return };
                min = next;
            }
            if composites.send(head).await.is_err() {
                return;
            }
            let Some(h) = m.recv().await else { return };
            heap.push(std::cmp::Reverse((h, chans.len())));
            chans.push(m);
        }
    });
    goro::go(async move {
        let primes = sendproxy(primes);
        let candidates = counter(5, 2, 50);
        let Some(mut p) = candidates.recv().await else { return };
        while let Some(c) = composites_rx.recv().await {
            while p < c {
                if primes.send(p).await.is_err() || out.send(p).await.is_err() {
                    return;
                }
                let Some(next) = candidates.recv().await else { return };
                p = next;
            }
            if p == c {
                let Some(next) = candidates.recv().await else { return };
                p = next;
            }
        }
    });
    for want in PRIMES {
        assert_eq!(primes_out.recv().await, Some(want));
    }
}

// Ported from go/test/chan/zerosize.go: channels of zero-sized types.
#[test]
fn zerosize() {
    let _ = goro::chan::<[u8; 0]>(0);
    let (tx, rx) = goro::chan::<[u8; 0]>(1);
    tx.try_send([]).unwrap();
    assert_eq!(rx.try_recv(), Ok([]));
    let _ = goro::chan::<()>(0);
    let (tx, rx) = goro::chan::<()>(1);
    tx.try_send(()).unwrap();
    assert_eq!(rx.try_recv(), Ok(()));
}

// Ported from go/test/chancap.go: len and cap.
#[test]
fn chancap() {
    let (c, _r) = goro::chan::<i32>(10);
    assert_eq!((c.len(), c.cap()), (0, 10));
    for i in 0..3 {
        c.send_blocking(i).unwrap();
    }
    assert_eq!((c.len(), c.cap()), (3, 10));
    let (c, _r) = goro::chan::<i32>(0);
    assert_eq!((c.len(), c.cap()), (0, 0));
}

/// closedchan.go's Chan interface: the same operations done directly, via
/// one-case selects, and via selects with a dummy case.
#[derive(Clone, Copy, Debug)]
enum Impl {
    /// The `<-` operator: direct operations.
    X,
    /// Selects.
    S,
    /// Larger selects, with a dummy case.
    SS,
}

/// Sends `x`, Go panicking on a closed channel: here `Err`.
fn c_send(
    how: Impl,
    c: &Sender<i32>,
    dummy: &Receiver<bool>,
    x: i32,
) -> Result<(), SendError<i32>> {
    match how {
        Impl::X => c.send_blocking(x),
        Impl::S => goro::select_blocking! { send(c, x) -> r => r },
        Impl::SS => {
            goro::select_blocking! { send(c, x) -> r => r, recv(dummy) -> _ => unreachable!() }
        }
    }
}

/// Non-blocking send: `Some(result)` if the case was selected.
fn c_nbsend(
    how: Impl,
    c: &Sender<i32>,
    dummy: &Receiver<bool>,
    x: i32,
) -> Option<Result<(), SendError<i32>>> {
    match how {
        Impl::X | Impl::S => goro::select_blocking! { send(c, x) -> r => Some(r), default => None },
        Impl::SS => goro::select_blocking! {
            recv(dummy) -> _ => unreachable!(), default => None, send(c, x) -> r => Some(r),
        },
    }
}

/// Receive with ok: `(value, ok)`.
fn c_recv2(how: Impl, c: &Receiver<i32>, dummy: &Receiver<bool>) -> (i32, bool) {
    let v = match how {
        Impl::X => c.recv_blocking(),
        Impl::S => goro::select_blocking! { recv(c) -> v => v },
        Impl::SS => {
            goro::select_blocking! { recv(dummy) -> _ => unreachable!(), recv(c) -> v => v }
        }
    };
    (v.unwrap_or(0), v.is_some())
}

/// Non-blocking receive with ok: `(value, ok, selected)`.
fn c_nbrecv2(how: Impl, c: &Receiver<i32>, dummy: &Receiver<bool>) -> (i32, bool, bool) {
    let v = match how {
        Impl::X | Impl::S => goro::select_blocking! { recv(c) -> v => Some(v), default => None },
        Impl::SS => goro::select_blocking! {
            recv(dummy) -> _ => unreachable!(), default => None, recv(c) -> v => Some(v),
        },
    };
    match v {
        Some(v) => (v.unwrap_or(0), v.is_some(), true),
        None => (0, false, false),
    }
}

/// closedchan.go's test1: every kind of receive on a closed, drained channel.
fn closed_test1(how: Impl, c: &Sender<i32>, r: &Receiver<i32>, dummy: &Receiver<bool>) {
    for _ in 0..3 {
        assert_eq!(c_recv2(how, r, dummy), (0, false), "{how:?}");
        assert_eq!(c_nbrecv2(how, r, dummy), (0, false, true), "{how:?}");
    }
    assert_eq!(c_nbsend(how, c, dummy, 1), Some(Err(SendError(1))), "send on closed (Go panics)");
    assert_eq!(c_recv2(how, r, dummy), (0, false), "the value was discarded");
    assert_eq!(c_send(how, c, dummy, 2), Err(SendError(2)), "send on closed (Go panics)");
    assert_eq!(c_recv2(how, r, dummy), (0, false));
}

// Ported from go/test/closedchan.go: close, then receive on the closed
// channel, through direct operations and selects.
#[test]
fn closedchan() {
    let (_d, dummy) = goro::chan::<bool>(0);
    for how in [Impl::X, Impl::S, Impl::SS] {
        let (c, r) = goro::chan::<i32>(0);
        assert!(c.close());
        closed_test1(how, &c, &r, &dummy);
    }
    for first in 0..2 {
        for how in [Impl::X, Impl::S, Impl::SS] {
            let (c, r) = goro::chan::<i32>(2);
            c.send_blocking(1).unwrap();
            assert!(c.close());
            let got = if first == 0 {
                c_recv2(how, &r, &dummy)
            } else {
                {
                    let (v, ok, _) = c_nbrecv2(how, &r, &dummy);
                    (v, ok)
                }
            };
            assert_eq!(got, (1, true), "the last value survives close ({how:?})");
            closed_test1(how, &c, &r, &dummy);
        }
    }
    let (c, _r) = goro::chan::<i32>(0);
    assert!(c.close());
    assert!(!c.close(), "a second close is reported (Go panics)");
    assert_eq!(_r.try_recv(), Err(TryRecvError::Closed));
}

/// ken/chan.go's `expect`: the next value, or `END` after `..75`.
fn expect(v: i32, v0: i32) -> i32 {
    assert_eq!(v, v0, "got {v} expected {v0}");
    if v % 100 == 75 {
        END
    } else {
        v + 1
    }
}

/// ken/chan.go's end marker.
const END: i32 = 10000;

/// Yields a random number of times, like ken/chan.go's gosched loops.
async fn jitter(n: usize) {
    for _ in 0..=fastrand::usize(..n) {
        goro::yield_now().await;
    }
}

// Ported from go/test/ken/chan.go: direct and select sends and receives on
// four channels, for buffer sizes 0, 1, 10 and 100, counting every value.
#[goro::test]
async fn ken_chan() {
    let tots = Arc::new(AtomicUsize::new(0));
    let totr = Arc::new(AtomicUsize::new(0));
    for cap in [0, 1, 10, 100] {
        for test in 0..3 {
            let (tx, rx): (Vec<_>, Vec<_>) = (0..4).map(|_| goro::chan::<i32>(cap)).unzip();
            let mut hs = Vec::new();
            let starts = [100, 200, 300, 400];
            if test == 0 || test == 1 {
                // direct senders
                for (t, v0) in tx.iter().cloned().zip(starts) {
                    let tots = tots.clone();
                    hs.push(goro::go(async move {
                        let mut v = v0;
                        loop {
                            jitter(10).await;
                            t.send(v).await.unwrap();
                            tots.fetch_add(1, Ordering::Relaxed);
                            v = expect(v, v);
                            if v == END {
                                break;
                            }
                        }
                    }));
                }
            }
            if test == 0 || test == 2 {
                // direct receivers
                for (r, v0) in rx.iter().cloned().zip(starts) {
                    let totr = totr.clone();
                    hs.push(goro::go(async move {
                        let mut v0 = v0;
                        for _ in 0..100 {
                            jitter(10).await;
                            let v = r.recv().await.unwrap();
                            totr.fetch_add(1, Ordering::Relaxed);
                            v0 = expect(v0, v);
                            if v0 == END {
                                break;
                            }
                        }
                    }));
                }
            }
            if test == 1 {
                hs.push(goro::go(selrecv(rx.clone(), totr.clone())));
            }
            if test == 2 {
                hs.push(goro::go(selsend(tx.clone(), tots.clone())));
            }
            for h in hs {
                h.await.unwrap();
            }
        }
    }
    assert_eq!(tots.load(Ordering::Relaxed), 3648);
    assert_eq!(totr.load(Ordering::Relaxed), 3648);
}

/// ken/chan.go's selsend: one select sends on all four channels, turning a
/// channel off once its run is sent.
async fn selsend(c: Vec<Sender<i32>>, tots: Arc<AtomicUsize>) {
    let mut v = [100, 200, 300, 400];
    let mut l: Vec<Option<&Sender<i32>>> = c.iter().map(Some).collect();
    let mut a = 4;
    while a > 0 {
        jitter(5).await;
        let i = goro::select! {
            send(l[0], v[0]) -> r => { r.unwrap(); 0 },
            send(l[1], v[1]) -> r => { r.unwrap(); 1 },
            send(l[2], v[2]) -> r => { r.unwrap(); 2 },
            send(l[3], v[3]) -> r => { r.unwrap(); 3 },
        };
        v[i] = expect(v[i], v[i]);
        if v[i] == END {
            l[i] = None;
            a -= 1;
        }
        tots.fetch_add(1, Ordering::Relaxed);
    }
}

/// ken/chan.go's selrecv: one select receives from all four channels.
async fn selrecv(c: Vec<Receiver<i32>>, totr: Arc<AtomicUsize>) {
    let mut v = [100, 200, 300, 400];
    let mut a = 4;
    while a > 0 {
        jitter(5).await;
        let (i, x) = goro::select! {
            recv(c[0]) -> x => (0, x.unwrap()),
            recv(c[1]) -> x => (1, x.unwrap()),
            recv(c[2]) -> x => (2, x.unwrap()),
            recv(c[3]) -> x => (3, x.unwrap()),
        };
        v[i] = expect(v[i], x);
        if v[i] == END {
            a -= 1;
        }
        totr.fetch_add(1, Ordering::Relaxed);
    }
}

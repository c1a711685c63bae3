//! Stress: producers and consumers on threads and goroutines, over all
//! three flavours, with random close, select, timeouts, dropped (cancelled)
//! receive futures and selects, and handles dropped mid-run: a producer
//! drops one channel's sender, a consumer quits and drops its receivers,
//! and at the end each channel is closed or closes by its last sender's
//! drop, all chosen at random (`Chaos`, in the failure message).
//!
//! Every value is a `Token` whose drop is counted. A token must end exactly
//! once: received by a consumer or handed back to its producer in an error.
//! Nothing may be dropped on the way (a value lost inside a cancelled
//! receive would show up as a drop), and nothing may arrive twice.

mod support;

use goro::chan::{Receiver, SendTimeoutError, Sender, TrySendError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::within;

/// Tokens dropped instead of being accounted for.
static DROPPED: AtomicUsize = AtomicUsize::new(0);

/// A value that must not vanish: its drop is counted.
struct Token(u64);

impl Token {
    /// Accounts for the token, returning its id.
    fn id(self) -> u64 {
        let id = self.0;
        std::mem::forget(self);
        id
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

/// Channels under test: unbuffered, bounded(1), bounded(7), unbounded.
fn channels() -> (Vec<Sender<Token>>, Vec<Receiver<Token>>) {
    let mut pairs = vec![goro::chan(0), goro::chan(1), goro::chan(7)];
    pairs.push(goro::unbounded());
    pairs.into_iter().unzip()
}

/// Ids that ended each way.
#[derive(Default)]
struct Ledger {
    /// Received by consumers.
    received: Mutex<Vec<u64>>,
    /// Handed back to producers.
    returned: Mutex<Vec<u64>>,
}

/// The run's random choices.
#[derive(Clone, Copy, Debug)]
struct Chaos {
    /// The channel producer 0 closes, and after how many of its sends.
    close: (usize, u64),
    /// The channel whose sender producer 1 drops, and after how many sends.
    drop_sender: (usize, u64),
    /// The consumer that quits, dropping its receivers, and after how many
    /// values.
    quit: (usize, usize),
}

impl Chaos {
    /// Draws a run's choices.
    fn draw() -> Self {
        let at = || fastrand::u64(PER / 8..PER * 7 / 8);
        Chaos {
            close: (fastrand::usize(..4), at()),
            drop_sender: (fastrand::usize(..4), at()),
            quit: (fastrand::usize(..4), fastrand::usize(..PER as usize)),
        }
    }
}

const PRODUCERS: u64 = 4;
const PER: u64 = 10_000;
const SHORT: Duration = Duration::from_micros(200);

/// One async producer: sends its tokens with random operations; producer
/// 0 closes one channel part way.
async fn produce(p: u64, tx: Vec<Sender<Token>>, ledger: Arc<Ledger>, chaos: Chaos) {
    let mut back = Vec::new();
    for i in 0..PER {
        let t = Token(p * PER + i);
        let (a, b) = (&tx[fastrand::usize(..4)], &tx[fastrand::usize(..4)]);
        let r = match fastrand::u8(..4) {
            0 => a.send(t).await.map_err(|e| e.0),
            1 => goro::select! {
                send(a, t) -> r => r.map_err(|e| e.0),
                recv(goro::time::never::<()>()) -> _ => unreachable!(),
            },
            2 => match a.try_send(t) {
                Err(TrySendError::Full(t)) => b.send(t).await.map_err(|e| e.0),
                r => r.map_err(TrySendError::into_inner),
            },
            _ => match a.send_timeout(t, SHORT).await {
                Err(SendTimeoutError::Timeout(t)) => b.send(t).await.map_err(|e| e.0),
                r => r.map_err(SendTimeoutError::into_inner),
            },
        };
        back.extend(r.err().map(Token::id));
        if p == 0 && i == chaos.close.1 {
            tx[chaos.close.0].close();
        }
    }
    ledger.returned.lock().unwrap().extend(back);
}

/// A sender still held, at random.
fn any_of(tx: &[Option<Sender<Token>>]) -> &Sender<Token> {
    loop {
        if let Some(s) = &tx[fastrand::usize(..tx.len())] {
            return s;
        }
    }
}

/// One thread producer: the same with blocking operations; producer 1
/// drops its sender of one channel part way.
fn produce_blocking(p: u64, tx: Vec<Sender<Token>>, ledger: Arc<Ledger>, chaos: Chaos) {
    let mut tx: Vec<Option<Sender<Token>>> = tx.into_iter().map(Some).collect();
    let mut back = Vec::new();
    for i in 0..PER {
        if p == 1 && i == chaos.drop_sender.1 {
            tx[chaos.drop_sender.0] = None;
        }
        let t = Token(p * PER + i);
        let (a, b) = (any_of(&tx), any_of(&tx));
        let r = match fastrand::u8(..4) {
            0 => a.send_blocking(t).map_err(|e| e.0),
            1 => goro::select_blocking! {
                send(a, t) -> r => r.map_err(|e| e.0),
                recv(goro::time::never::<()>()) -> _ => unreachable!(),
            },
            2 => match a.try_send(t) {
                Err(TrySendError::Full(t)) => b.send_blocking(t).map_err(|e| e.0),
                r => r.map_err(TrySendError::into_inner),
            },
            _ => match a.send_timeout_blocking(t, SHORT) {
                Err(SendTimeoutError::Timeout(t)) => b.send_blocking(t).map_err(|e| e.0),
                r => r.map_err(SendTimeoutError::into_inner),
            },
        };
        back.extend(r.err().map(Token::id));
    }
    ledger.returned.lock().unwrap().extend(back);
}

/// One async consumer: random receives, selects, timeouts, and dropped
/// futures, until every channel is closed and drained, or until it got
/// `quit` values (then its receivers drop with it).
async fn consume_async(rx: Vec<Receiver<Token>>, ledger: Arc<Ledger>, quit: usize) {
    let mut live: Vec<Option<&Receiver<Token>>> = rx.iter().map(Some).collect();
    let mut got = Vec::new();
    while live.iter().any(Option::is_some) && got.len() < quit {
        let k = fastrand::usize(..4);
        let (idx, v) = match (fastrand::u8(..4), live[k]) {
            (0, Some(r)) => (k, r.recv().await),
            (1, Some(r)) => match goro::time::timeout(SHORT, r.recv()).await {
                Ok(v) => (k, v),
                Err(_) => continue, // the dropped receive must give back what it got
            },
            (2, _) => {
                let sel = async {
                    goro::select! {
                        recv(live[0]) -> v => (0, v),
                        recv(live[1]) -> v => (1, v),
                        recv(live[2]) -> v => (2, v),
                        recv(live[3]) -> v => (3, v),
                    }
                };
                match goro::time::timeout(SHORT, sel).await {
                    Ok(x) => x,
                    Err(_) => continue, // a dropped select, same rule
                }
            }
            _ => continue,
        };
        match v {
            Some(t) => got.push(t.id()),
            None => live[idx] = None,
        }
    }
    ledger.received.lock().unwrap().extend(got);
}

/// One thread consumer: blocking receives, timeouts and blocking selects,
/// until every channel is closed and drained or it got `quit` values.
fn consume_blocking(rx: Vec<Receiver<Token>>, ledger: Arc<Ledger>, quit: usize) {
    let mut live: Vec<Option<&Receiver<Token>>> = rx.iter().map(Some).collect();
    let mut got = Vec::new();
    while live.iter().any(Option::is_some) && got.len() < quit {
        let k = fastrand::usize(..4);
        let (idx, v) = match (fastrand::u8(..3), live[k]) {
            (0, Some(r)) => match r.recv_timeout_blocking(SHORT) {
                Ok(t) => (k, Some(t)),
                Err(goro::chan::RecvTimeoutError::Closed) => (k, None),
                Err(goro::chan::RecvTimeoutError::Timeout) => continue,
            },
            (1, _) => goro::select_blocking! {
                recv(live[0]) -> v => (0, v),
                recv(live[1]) -> v => (1, v),
                recv(live[2]) -> v => (2, v),
                recv(live[3]) -> v => (3, v),
            },
            _ => continue,
        };
        match v {
            Some(t) => got.push(t.id()),
            None => live[idx] = None,
        }
    }
    ledger.received.lock().unwrap().extend(got);
}

#[test]
fn every_value_exactly_once_or_handed_back() {
    let chaos = Chaos::draw();
    within(Duration::from_secs(90), move || {
        let (tx, rx) = channels();
        let ledger = Arc::new(Ledger::default());
        let mut producers = Vec::new();
        for p in 0..PRODUCERS {
            let (tx, ledger) = (tx.clone(), ledger.clone());
            producers.push(if p % 2 == 0 {
                let h = goro::go(produce(p, tx, ledger, chaos));
                std::thread::spawn(move || h.join_blocking().unwrap())
            } else {
                std::thread::spawn(move || produce_blocking(p, tx, ledger, chaos))
            });
        }
        let mut consumers = Vec::new();
        for c in 0..4 {
            let (rx, ledger) = (rx.clone(), ledger.clone());
            // One consumer quits early; the others hold every channel's
            // receiving side open, so nothing buffered is orphaned.
            let quit = if c == chaos.quit.0 { chaos.quit.1 } else { usize::MAX };
            consumers.push(if c % 2 == 0 {
                let h = goro::go(consume_async(rx, ledger, quit));
                std::thread::spawn(move || h.join_blocking().unwrap())
            } else {
                std::thread::spawn(move || consume_blocking(rx, ledger, quit))
            });
        }
        drop(rx);
        producers.into_iter().for_each(|h| h.join().unwrap());
        for t in tx {
            if fastrand::bool() {
                t.close(); // else this last sender's drop closes it
            }
        }
        consumers.into_iter().for_each(|h| h.join().unwrap());
        let mut all: Vec<u64> = ledger.received.lock().unwrap().clone();
        let returned = ledger.returned.lock().unwrap().clone();
        assert!(!returned.is_empty(), "the random close handed some values back: {chaos:?}");
        all.extend(returned);
        all.sort_unstable();
        let want: Vec<u64> = (0..PRODUCERS * PER).collect();
        assert_eq!(DROPPED.load(Ordering::SeqCst), 0, "no token vanished: {chaos:?}");
        assert_eq!(all.len(), want.len(), "every token accounted for once: {chaos:?}");
        assert_eq!(all, want, "no token twice, none missing: {chaos:?}");
    });
}

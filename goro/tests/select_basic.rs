//! select! basics: each kind of case, default, disabled cases, the blocking
//! form, the dynamic Select, and exactly-once delivery across unbuffered
//! channels.

mod support;

use goro::chan::{Receiver, SendError};
use goro::select::{Select, Selected};
use std::time::Duration;
use support::within;

const LIMIT: Duration = Duration::from_secs(30);

#[goro::test]
async fn recv_send_future_and_default() {
    let (tx, rx) = goro::chan::<i32>(1);
    let (tx0, rx0) = goro::chan::<i32>(0);
    tx.send(5).await.unwrap();
    let got = goro::select! {
        recv(rx0) -> _ => 0,
        recv(rx) -> v => v.unwrap(),
    };
    assert_eq!(got, 5);
    let sent = goro::select! {
        send(tx, 6) -> r => r.is_ok(),
        send(tx0, 1) -> _ => false,
    };
    assert!(sent);
    assert_eq!(rx.recv().await, Some(6));
    let d = goro::select! {
        recv(rx0) -> _ => "recv",
        default => "default",
    };
    assert_eq!(d, "default");
    let t = goro::select! {
        recv(rx0) -> _ => "recv",
        future(goro::time::sleep(Duration::from_millis(10))) => "timeout",
    };
    assert_eq!(t, "timeout");
    drop(tx0);
}

#[goro::test]
async fn closed_channels_are_ready() {
    let (tx, rx) = goro::chan::<i32>(0);
    tx.close();
    goro::select! {
        recv(rx) -> v => assert_eq!(v, None),
    }
    let r = goro::select! {
        send(tx, 3) -> r => r,
    };
    assert_eq!(r, Err(SendError(3)));
}

#[goro::test]
async fn disabled_case_idiom() {
    // Go: set a finished channel to nil so its case never fires again.
    let (atx, arx) = goro::chan::<i32>(4);
    let (btx, brx) = goro::chan::<i32>(4);
    for i in 0..3 {
        atx.send(i).await.unwrap();
        btx.send(10 + i).await.unwrap();
    }
    drop((atx, btx));
    let (mut a, mut b): (Option<Receiver<i32>>, Option<Receiver<i32>>) = (Some(arx), Some(brx));
    let mut sum = 0;
    while a.is_some() || b.is_some() {
        goro::select! {
            recv(a) -> v => match v { Some(v) => sum += v, None => a = None },
            recv(b) -> v => match v { Some(v) => sum += v, None => b = None },
        }
    }
    assert_eq!(sum, 3 + 33);
}

#[goro::test]
async fn only_disabled_cases_block() {
    let none: Option<Receiver<i32>> = None;
    let r = goro::time::timeout(Duration::from_millis(20), async {
        goro::select! { recv(none) -> _ => {} }
    })
    .await;
    assert!(r.is_err(), "a select of nil channels never completes");
    let r = goro::time::timeout(Duration::from_millis(20), async {
        goro::select! {}
    })
    .await;
    assert!(r.is_err(), "an empty select never completes");
}

#[goro::test]
async fn send_value_evaluated_once_up_front() {
    let (tx, rx) = goro::chan::<i32>(1);
    let mut evals = 0;
    let mut next = || {
        evals += 1;
        evals
    };
    goro::select! {
        send(tx, next()) -> r => r.unwrap(),
    }
    assert_eq!(evals, 1);
    assert_eq!(rx.recv().await, Some(1));
}

#[test]
fn blocking_form_on_threads() {
    within(LIMIT, || {
        let (tx, rx) = goro::chan::<i32>(0);
        let h = std::thread::spawn(move || tx.send_blocking(9));
        let v = goro::select_blocking! {
            recv(rx) -> v => v,
            future(goro::time::sleep(Duration::from_secs(20))) => None,
        };
        assert_eq!(v, Some(9));
        h.join().unwrap().unwrap();
        let (_tx2, rx2) = goro::chan::<i32>(0);
        let d = goro::select_blocking! { recv(rx2) -> _ => 1, default => 2 };
        assert_eq!(d, 2);
    });
}

#[goro::test(timeout_secs = 20)]
async fn default_select_naming_a_channel_twice() {
    // A select with default locks each distinct channel once (Go's
    // lockorder skips duplicates); locking one twice would deadlock.
    let (tx, rx) = goro::chan::<i32>(1);
    let got = goro::select! {
        recv(rx) -> v => v,
        send(tx, 5) -> _ => Some(-1),
        recv(rx) -> v => v,
        default => None,
    };
    assert_eq!(got, Some(-1), "only the send is ready on an empty buffered channel");
    let got = goro::select! {
        recv(rx) -> v => v,
        send(tx, 6) -> _ => Some(-1),
        recv(rx) -> v => v,
        default => None,
    };
    assert_eq!(got, Some(5), "only a receive is ready on a full channel");
    let mut sel = goro::select::Select::new();
    sel.recv(&rx);
    sel.recv(&rx);
    assert_eq!(sel.try_select(), None, "nothing is ready on an empty channel");
}

#[test]
#[should_panic(expected = "goro::select: no case 3 to remove (the select has 1)")]
fn removing_a_case_that_is_not_there_panics_naming_the_module() {
    let (_tx, rx) = goro::chan::<i32>(1);
    let mut sel = Select::new();
    sel.recv(&rx);
    sel.remove(3);
}

#[test]
fn default_select_wakes_the_parked_counterpart_it_takes() {
    // A select with default that completes a case with a parked sender or
    // receiver (the snapshot's wake-up after releasing every lock) must
    // wake it: the counterpart's thread finishes, or the join times out.
    within(LIMIT, || {
        for _ in 0..200 {
            let (tx, rx) = goro::chan::<u32>(0);
            let (otx, orx) = goro::chan::<u32>(0); // never ready: held open
            let sender = std::thread::spawn(move || tx.send_blocking(7));
            let got = loop {
                let v = goro::select_blocking! {
                    recv(orx) -> _ => unreachable!(),
                    recv(rx) -> v => v,
                    default => None,
                };
                if let Some(v) = v {
                    break v;
                }
                std::thread::yield_now();
            };
            assert_eq!(got, 7);
            sender.join().unwrap().unwrap();
            let receiver = std::thread::spawn(move || orx.recv_blocking());
            loop {
                let sent = goro::select_blocking! {
                    send(otx, 9) -> r => { r.unwrap(); true },
                    default => false,
                };
                if sent {
                    break;
                }
                std::thread::yield_now();
            }
            assert_eq!(receiver.join().unwrap(), Some(9));
        }
    });
}

#[test]
fn unbuffered_select_sends_deliver_exactly_once() {
    // Two receivers race for two send cases of the same select: only one
    // value may ever be delivered per select.
    within(LIMIT, || {
        for _ in 0..500 {
            let (atx, arx) = goro::chan::<u32>(0);
            let (btx, brx) = goro::chan::<u32>(0);
            let ra = std::thread::spawn(move || arx.recv_blocking());
            let rb = std::thread::spawn(move || brx.recv_blocking());
            let which = goro::select_blocking! {
                send(atx, 1) -> r => { r.unwrap(); 1 },
                send(btx, 2) -> r => { r.unwrap(); 2 },
            };
            drop((atx, btx)); // the losing receiver now sees a closed channel
            let got: Vec<u32> =
                [ra.join().unwrap(), rb.join().unwrap()].into_iter().flatten().collect();
            assert_eq!(got, [which], "exactly the chosen case delivered");
        }
    });
}

#[goro::test]
async fn dynamic_select_fans_in() {
    let n = 8;
    let mut txs = Vec::new();
    let mut rxs = Vec::new();
    for _ in 0..n {
        let (tx, rx) = goro::chan::<usize>(0);
        txs.push(tx);
        rxs.push(rx);
    }
    for (i, tx) in txs.into_iter().enumerate() {
        goro::go(async move {
            for k in 0..10 {
                tx.send(i * 100 + k).await.unwrap();
            }
        });
    }
    let mut sel = Select::new();
    for rx in &rxs {
        sel.recv(rx);
    }
    let mut got = Vec::new();
    while sel.is_live() {
        match sel.select().await {
            Selected::Recv { value: Some(v), .. } => got.push(v),
            Selected::Recv { index, value: None } => sel.remove(index),
            Selected::Send { .. } => unreachable!(),
        }
    }
    got.sort();
    let want: Vec<usize> = (0..n).flat_map(|i| (0..10).map(move |k| i * 100 + k)).collect();
    assert_eq!(got, want);
}

#[test]
fn dropped_select_gives_value_back() {
    let (tx, rx) = goro::chan::<i32>(0);
    let (_tx2, rx2) = goro::chan::<i32>(0);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    {
        let fut = async {
            goro::select! {
                recv(rx) -> v => v,
                recv(rx2) -> v => v,
            }
        };
        let mut fut = std::pin::pin!(fut);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(tx.try_send(4), Ok(()), "the parked select takes the value");
    }
    assert_eq!(rx.try_recv(), Ok(4), "dropping the select handed it back");
}

// A parked select dropped after a receiver took its send case's value: the
// send happened, and the case must let go of its op in the select's arena
// before the arena serves another select. It did not (an audit found a
// read of freed memory, under valgrind, when the case was dropped after a
// bigger select on the thread had freed the arena): now the dynamic
// `Select` reports the send on its next round, and dropping it reads
// nothing.
#[test]
fn a_dropped_select_whose_send_was_taken_reports_it_next_round() {
    let (tx, rx) = goro::chan::<u64>(0);
    let (_other_tx, other) = goro::chan::<u64>(0);
    let mut sel = Select::new();
    sel.send(&tx, 7);
    sel.recv(&other);
    {
        let mut parked = std::pin::pin!(sel.select());
        assert!(poll_once(&mut parked).is_pending());
        assert_eq!(rx.try_recv(), Ok(7), "the receiver takes the parked send's value");
    } // dropped: the send case was decided, not committed
      // Another select on this thread with bigger ops takes a bigger arena
      // than the cached one, which it frees.
    let (_big_tx, big) = goro::chan::<[u64; 512]>(0);
    let mut wide = Select::new();
    for _ in 0..8 {
        wide.recv(&big);
    }
    assert_eq!(wide.try_select(), None);
    let mut waiting = std::pin::pin!(wide.select());
    assert!(poll_once(&mut waiting).is_pending());
    let sent = sel.try_select();
    assert_eq!(sent, Some(Selected::Send { index: 0, result: Ok(()) }), "the send happened");
    sel.remove(1);
    assert!(!sel.is_live(), "the send case fired once");
    drop(sel);
    assert_eq!(rx.try_recv(), Err(goro::chan::TryRecvError::Empty), "sent once");
}

// The same, decided by a close: the refused value stays with the case, and
// the next select over it hands it back.
#[test]
fn a_dropped_select_whose_send_a_close_refused_keeps_the_value() {
    let (tx, rx) = goro::chan::<String>(0);
    let mut sel = Select::new();
    sel.send(&tx, "kept".to_owned());
    {
        let mut parked = std::pin::pin!(sel.select());
        assert!(poll_once(&mut parked).is_pending());
        assert!(tx.close());
    }
    let back = sel.try_select();
    assert_eq!(back, Some(Selected::Send { index: 0, result: Err(SendError("kept".to_owned())) }));
    assert!(!sel.is_live());
    drop(rx);
}

use std::future::Future;

#[goro::test]
async fn join_handle_and_tokio_style_futures_as_cases() {
    let (_tx, rx) = goro::chan::<i32>(0);
    let h = goro::go(async { 40 + 2 });
    let got = goro::select! {
        recv(rx) -> _ => 0,
        future(h) -> r => r.unwrap(),
    };
    assert_eq!(got, 42);
}

#[test]
fn select_inside_a_tokio_task() {
    within(LIMIT, || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let (tx, rx) = goro::chan::<i32>(0);
            let (_tx2, rx2) = goro::chan::<i32>(0);
            tokio::spawn(async move { tx.send(5).await.unwrap() });
            let v = goro::select! {
                recv(rx2) -> _ => 0,
                recv(rx) -> v => v.unwrap(),
                future(tokio::time::sleep(Duration::from_secs(20))) => -1,
            };
            assert_eq!(v, 5);
        });
    });
}

/// Polls a select by hand once with a no-op waker.
fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> std::task::Poll<F::Output> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    std::pin::Pin::new(f).poll(&mut cx)
}

/// A parked select whose send case a receiver takes, and one whose send
/// case a close decides: the chosen case, which the dequeue pass leaves
/// alone (its counterpart popped the entry), reports the outcome and gives
/// the refused value back (Go's select on a closing channel panics).
#[test]
fn parked_send_case_taken_or_refused() {
    use goro::select::{RecvCase, Selector, SendCase};
    use std::task::Poll;
    let (tx, rx) = goro::chan::<String>(0);
    let (_never_tx, never) = goro::chan::<u32>(0);
    let mut send = SendCase::new(&tx, "taken".to_string());
    let mut other = RecvCase::new(&never);
    let mut cases = (&mut send, (&mut other, ()));
    let mut sel = Selector::new(&mut cases, false);
    assert!(poll_once(&mut sel).is_pending(), "nobody receives yet: the select parks");
    assert_eq!(rx.try_recv().as_deref(), Ok("taken"));
    assert_eq!(poll_once(&mut sel), Poll::Ready(0));
    drop(sel);
    assert_eq!(send.take_output(), Ok(()));

    let mut send = SendCase::new(&tx, "refused".to_string());
    let mut other = RecvCase::new(&never);
    let mut cases = (&mut send, (&mut other, ()));
    let mut sel = Selector::new(&mut cases, false);
    assert!(poll_once(&mut sel).is_pending());
    assert!(tx.close());
    assert_eq!(poll_once(&mut sel), Poll::Ready(0));
    drop(sel);
    assert_eq!(send.take_output(), Err(SendError("refused".to_string())));
    assert_eq!(rx.try_recv(), Err(goro::chan::TryRecvError::Closed), "nothing was delivered");
}

/// A parked select's receive case gets the value a sender hands it; the
/// other case is dequeued, so a later send on its channel finds no
/// receiver and the channel keeps working.
#[test]
fn parked_recv_case_gets_value_and_other_case_is_dequeued() {
    use goro::select::{RecvCase, Selector};
    use std::task::Poll;
    let (atx, arx) = goro::chan::<u32>(0);
    let (btx, brx) = goro::chan::<u32>(0);
    let mut a = RecvCase::new(&arx);
    let mut b = RecvCase::new(&brx);
    let mut cases = (&mut a, (&mut b, ()));
    let mut sel = Selector::new(&mut cases, false);
    assert!(poll_once(&mut sel).is_pending());
    assert_eq!(btx.try_send(5), Ok(()), "the parked select's case 1 takes it");
    assert_eq!(poll_once(&mut sel), Poll::Ready(1));
    drop(sel);
    assert_eq!(b.take_output(), Some(5));
    assert!(atx.try_send(6).is_err(), "case 0's entry was removed");
    assert!(btx.try_send(7).is_err(), "case 1's entry is gone too");
}

/// A select case owns the op its channel queues; a selector leaked while
/// parked must not leave the queue pointing at a case that is then dropped:
/// the case removes its entry, and a later send finds no receiver.
#[test]
fn leaked_selector_leaves_no_entry_behind() {
    use goro::select::{RecvCase, Selector};
    let (tx, rx) = goro::chan::<i32>(0);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    {
        let mut cases = (RecvCase::new(&rx), ());
        let mut sel = Selector::new(&mut cases, false);
        assert!(std::pin::Pin::new(&mut sel).poll(&mut cx).is_pending());
        std::mem::forget(sel);
    }
    assert_eq!(tx.try_send(7), Err(goro::chan::TrySendError::Full(7)), "no receiver is queued");
}

// Go's reflect.Select takes cases of any channel type, so a fan-in over N
// channels can add a timer or ctx.Done() case. goro's `Select` holds one
// value type; the bound goes around it instead: its `select()` future as a
// future case of `select!`. Whichever case loses, nothing is lost: the
// dynamic select is dropped while parked and unregisters.
#[goro::test]
async fn a_dynamic_select_bounded_by_a_timer_or_a_done_channel() {
    let chans: Vec<_> = (0..4).map(|_| goro::chan::<i32>(0)).collect();
    let mut sel = Select::new();
    for (_, rx) in &chans {
        sel.recv(rx);
    }
    let timed_out = goro::select! {
        future(sel.select()) -> s => Some(s),
        future(goro::time::sleep(Duration::from_millis(5))) => None,
    };
    assert_eq!(timed_out, None, "nothing was sent: the timer wins");

    let (done_tx, done) = goro::chan::<()>(0);
    drop(done_tx); // Go's cancel(): the done channel closes
    let cancelled = goro::select! {
        future(sel.select()) -> s => Some(s),
        recv(done) -> _ => None,
    };
    assert_eq!(cancelled, None, "nothing was sent: the closed done channel wins");

    let tx = chans[2].0.clone();
    let sender = goro::go(async move { tx.send(9).await });
    let got = goro::select! {
        future(sel.select()) -> s => Some(s),
        future(goro::time::sleep(LIMIT)) => None,
    };
    assert_eq!(got, Some(Selected::Recv { index: 2, value: Some(9) }));
    assert_eq!(sender.await.unwrap(), Ok(()), "the value went through exactly once");
}

#[test]
fn a_dynamic_select_bounded_by_a_timer_on_a_thread() {
    within(LIMIT, || {
        let chans: Vec<_> = (0..3).map(|_| goro::chan::<i32>(1)).collect();
        let mut sel = Select::new();
        for (_, rx) in &chans {
            sel.recv(rx);
        }
        let timed_out = goro::select_blocking! {
            future(sel.select()) -> s => Some(s),
            future(goro::time::sleep(Duration::from_millis(5))) => None,
        };
        assert_eq!(timed_out, None);
        chans[1].0.try_send(4).unwrap();
        let got = goro::select_blocking! {
            future(sel.select()) -> s => Some(s),
            future(goro::time::sleep(LIMIT)) => None,
        };
        assert_eq!(got, Some(Selected::Recv { index: 1, value: Some(4) }));
        assert!(chans.iter().all(|(_, rx)| rx.is_empty()), "taken exactly once");
    });
}

// The dynamic select's side of the above: dropped while parked after a
// sender handed its receive case a value (as when the timer case of an
// enclosing `select!` wins the same moment), it hands the value back.
#[test]
fn a_dynamic_select_dropped_after_a_sender_handed_it_a_value_gives_it_back() {
    let (tx, rx) = goro::chan::<i32>(0);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut sel = Select::new();
    sel.recv(&rx);
    {
        let mut fut = std::pin::pin!(sel.select());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(tx.try_send(4), Ok(()), "the parked select takes the value");
    }
    assert_eq!(rx.try_recv(), Ok(4), "dropping the select handed it back");
    assert_eq!(sel.try_select(), None, "and the next round finds nothing");
}

//! Deadline timers for `with_deadline`/`with_timeout`.
//!
//! One lazily started thread sleeps until the earliest deadline in an
//! ordered map and cancels the contexts whose deadlines passed. It needs no
//! running goro runtime, so deadlines work for contexts made on plain
//! threads too. Entries hold contexts weakly and are removed when a context
//! is cancelled early (Go's `timer.Stop`), so the map holds only live timers.
//!
//! Invariant: a context is never cancelled before its deadline: the thread
//! only fires entries whose instant is `<= Instant::now()`.

use super::node::{next_key, CancelNode};
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, OnceLock, Weak};
use std::time::Instant;

/// Identifies one scheduled timer.
pub(crate) type Key = (Instant, u64);

/// The timer map and the condvar its thread sleeps on.
struct Timers {
    /// Pending deadlines, earliest first.
    map: Mutex<BTreeMap<Key, Weak<CancelNode>>>,
    /// Signalled when an earlier deadline arrives.
    cv: Condvar,
}

/// The process-wide timers, starting the thread on first use.
fn timers() -> &'static Timers {
    static T: OnceLock<&'static Timers> = OnceLock::new();
    T.get_or_init(|| {
        let t: &'static Timers =
            Box::leak(Box::new(Timers { map: Mutex::new(BTreeMap::new()), cv: Condvar::new() }));
        std::thread::Builder::new()
            .name("goro-context-timer".into())
            .spawn(move || t.run())
            .expect("goro::context: cannot start the timer thread");
        t
    })
}

/// Cancels `node` with `DeadlineExceeded` at `at`.
pub(crate) fn schedule(at: Instant, node: Weak<CancelNode>) -> Key {
    let t = timers();
    let key = (at, next_key());
    let mut map = t.map.lock().unwrap_or_else(|e| e.into_inner());
    let earliest = map.keys().next().is_none_or(|k| key < *k);
    map.insert(key, node);
    drop(map);
    if earliest {
        t.cv.notify_one();
    }
    key
}

/// Stops a timer (a no-op if it already fired).
pub(crate) fn stop(key: Key) {
    let t = timers();
    t.map.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
}

impl Timers {
    /// The timer thread: fire what is due, sleep until the next deadline.
    fn run(&self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            let due: Vec<_> = std::iter::from_fn(|| {
                map.first_entry().filter(|e| e.key().0 <= now).map(|e| e.remove())
            })
            .collect();
            if !due.is_empty() {
                drop(map);
                due.iter().filter_map(Weak::upgrade).for_each(|n| n.expire());
                map = self.map.lock().unwrap_or_else(|e| e.into_inner());
                continue;
            }
            map = match map.keys().next() {
                Some(k) => {
                    let d = k.0.saturating_duration_since(now);
                    self.cv.wait_timeout(map, d).unwrap_or_else(|e| e.into_inner()).0
                }
                None => self.cv.wait(map).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

//! A waker slot that one party fills and another empties, without a lock:
//! the join handle's waker, and a timer's.
//!
//! ## Algorithm
//!
//! A small state word guards the cell: `REGISTERING` while the registering
//! side writes the waker, `WAKING` once the waking side has asked for it.
//! A wake that arrives during a registration sets `WAKING`; the registrar
//! notices when it tries to finish and wakes the new waker itself. So a
//! wake is never lost: either the waker sees the registered waker, or the
//! registrar sees the wake. The idea is the `AtomicWaker` of the
//! futures-rs project, rewritten here to keep dependencies few.
//!
//! Contract: at most one thread registers at a time (the owner of the
//! future); any number may wake.
//!
//! The state is one byte. [`AtomicWaker`] holds it beside its cell; a task
//! keeps its join handle's byte in its first word, beside its reference
//! count (`task.rs`, `Hot`), and only the [`WakerCell`] in its header, and runs the same protocol through a
//! [`Slot`] that borrows both.

use crate::loom::atomic::{AtomicU8, Ordering};
use crate::loom::UnsafeCell;
use std::task::Waker;

/// Nobody touches the cell.
const WAITING: u8 = 0;
/// The registrar is writing the cell.
const REGISTERING: u8 = 0b01;
/// A waker has taken, or is taking, the cell.
const WAKING: u8 = 0b10;

/// A slot for the waker of whoever waits: its state byte and its cell.
pub(crate) struct AtomicWaker {
    /// `WAITING`, `REGISTERING`, `WAKING`, or both of the last two.
    state: AtomicU8,
    /// The registered waker.
    cell: WakerCell,
}

/// The cell of a slot whose state byte lives elsewhere: a task keeps its
/// join handle's state byte in its first word (`task.rs`, `Hot`), which
/// saves the word a state of its own would take with its padding.
pub(crate) struct WakerCell {
    /// The registered waker; accessed by whoever moved the state off
    /// `WAITING`.
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cell is only touched by the party that won its state byte
// (every access goes through `Slot`), so sharing it is sound; Waker is
// Send + Sync.
unsafe impl Sync for WakerCell {}
// SAFETY: Waker is Send.
unsafe impl Send for WakerCell {}

impl WakerCell {
    /// An empty cell (its state byte starts at 0, `WAITING`).
    pub(crate) fn new() -> Self {
        WakerCell { waker: UnsafeCell::new(None) }
    }
}

/// A state byte and the cell it guards, borrowed: the protocol.
#[derive(Clone, Copy)]
pub(crate) struct Slot<'a> {
    /// Guards `cell`.
    state: &'a AtomicU8,
    /// The waker.
    cell: &'a WakerCell,
}

impl AtomicWaker {
    /// An empty slot.
    pub(crate) fn new() -> Self {
        AtomicWaker { state: AtomicU8::new(WAITING), cell: WakerCell::new() }
    }

    /// Its protocol.
    fn slot(&self) -> Slot<'_> {
        Slot { state: &self.state, cell: &self.cell }
    }

    /// Stores `waker` to be woken by the next [`wake`](Self::wake). If a
    /// wake races with this call, `waker` is woken at once.
    pub(crate) fn register(&self, waker: &Waker) {
        self.slot().register(waker)
    }

    /// Takes the registered waker, if no registration is in progress.
    pub(crate) fn take(&self) -> Option<Waker> {
        self.slot().take()
    }

    /// Wakes the registered waker, if any.
    pub(crate) fn wake(&self) {
        self.slot().wake()
    }
}

impl<'a> Slot<'a> {
    /// The slot of `cell`, guarded by `state` (which must start at 0 and
    /// guard nothing else).
    pub(crate) fn new(state: &'a AtomicU8, cell: &'a WakerCell) -> Self {
        Slot { state, cell }
    }

    /// [`AtomicWaker::register`].
    pub(crate) fn register(self, waker: &Waker) {
        // Acquire: see the previous registrar's and waker's cell writes.
        match self.state.compare_exchange(
            WAITING,
            REGISTERING,
            Ordering::Acquire,
            Ordering::Acquire,
        ) {
            Ok(_) => self.finish_register(waker),
            Err(WAKING) => waker.wake_by_ref(), // a wake is in progress: it may miss us
            Err(_) => {}                        // concurrent registrars: contract broken, stay safe
        }
    }

    /// Writes the cell, then leaves `REGISTERING`, handling a racing wake.
    fn finish_register(self, waker: &Waker) {
        // SAFETY: we own the cell while REGISTERING is ours.
        self.cell.waker.with_mut(|cell| unsafe {
            match &mut *cell {
                Some(old) if old.will_wake(waker) => {}
                slot => *slot = Some(waker.clone()),
            }
        });
        // AcqRel: publish the cell write; on failure acquire the waker's state.
        let done =
            self.state.compare_exchange(REGISTERING, WAITING, Ordering::AcqRel, Ordering::Acquire);
        if done.is_err() {
            // A wake came in (state is REGISTERING | WAKING): it could not take
            // the cell, so we take it and wake it ourselves.
            // SAFETY: still ours: the waker side backs off while REGISTERING is set.
            let w = self.cell.waker.with_mut(|cell| unsafe { (*cell).take() });
            self.state.swap(WAITING, Ordering::AcqRel); // releases the cell for the next round
            if let Some(w) = w {
                w.wake();
            }
        }
    }

    /// [`AtomicWaker::take`].
    pub(crate) fn take(self) -> Option<Waker> {
        // AcqRel: acquire the registrar's cell write; publish our claim.
        match self.state.fetch_or(WAKING, Ordering::AcqRel) {
            WAITING => {
                // SAFETY: we moved the state off WAITING, so the cell is ours.
                let w = self.cell.waker.with_mut(|cell| unsafe { (*cell).take() });
                self.state.fetch_and(!WAKING, Ordering::Release); // hands the cell back
                w
            }
            _ => None, // the registrar will see WAKING and wake; or another waker is at it
        }
    }

    /// [`AtomicWaker::wake`].
    pub(crate) fn wake(self) {
        if let Some(w) = self.take() {
            w.wake();
        }
    }
}

impl std::fmt::Debug for AtomicWaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AtomicWaker")
    }
}

#[cfg(all(loom, test))]
mod loom_tests {
    use super::*;
    use crate::loom::atomic::AtomicBool;
    use crate::loom::{thread, Arc};
    use std::task::Wake;

    /// A waker that records that it was woken.
    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// A registration racing a wake: either the registrar sees the event
    /// after registering, or its waker is woken. Never neither.
    #[test]
    fn loom_atomic_waker_no_lost_wakeup() {
        loom::model(|| {
            let slot = Arc::new(AtomicWaker::new());
            let ready = Arc::new(AtomicBool::new(false));
            let waker_side = {
                let (slot, ready) = (slot.clone(), ready.clone());
                thread::spawn(move || {
                    ready.store(true, Ordering::SeqCst);
                    slot.wake();
                })
            };
            let flag = std::sync::Arc::new(Flag(AtomicBool::new(false)));
            slot.register(&Waker::from(flag.clone()));
            let saw_ready = ready.load(Ordering::SeqCst);
            waker_side.join().unwrap();
            assert!(saw_ready || flag.0.load(Ordering::SeqCst), "lost wake-up");
        });
    }
}

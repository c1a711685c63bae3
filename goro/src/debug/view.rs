//! [`GoroutineView`]: what diagnostics show of one goroutine, read from the
//! runtime's registry (`runtime/goroutine/registry.rs`) without touching
//! any lock a worker holds across a poll.

use crate::runtime::goroutine::registry::{self, GoroutineInfo, GoroutineState};
use crate::runtime::WaitReason;
use std::panic::Location;
use std::time::Instant;

/// What a goroutine is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// In a run queue, waiting for a processor.
    Runnable,
    /// Being polled by a worker (or by its `block_on` thread).
    Running,
    /// Parked until something wakes it.
    Parked {
        /// Why (`WaitReason::Unknown` if its future did not say).
        reason: WaitReason,
        /// Where it parked, if its future said.
        at: Option<&'static Location<'static>>,
        /// Since when.
        since: Instant,
        /// The object it waits on: the address of the channel, lock, wait
        /// group… (a stable id while it waits); 0 if unknown (select, sleep).
        object: u64,
        /// The goroutine it waits for, when its primitive knows one
        /// directly: the last user of a channel's other side (if that side
        /// has a single handle), or the goroutine it joins; 0 if none.
        waits_for: u64,
    },
}

/// One goroutine, as dumps, leak checks and deadlock reports show it.
#[derive(Clone, Debug)]
pub struct GoroutineView {
    /// Its id (Go's `goid`).
    pub id: u64,
    /// The goroutine that spawned it; 0 if spawned off any goroutine.
    pub parent: u64,
    /// Its name, if spawned with `go_named`.
    pub name: Option<String>,
    /// What it is doing.
    pub state: State,
    /// Where it was spawned.
    pub spawned_at: &'static Location<'static>,
    /// The leak-attribution scope it inherited (a test's); 0 if none.
    pub scope: u64,
    /// The lock (`sync::Mutex`, `sync::RwLock`) it took last and still
    /// holds, by address; 0 if none. Locks taken before that one and still
    /// held are not shown.
    pub holds: u64,
}

impl GoroutineView {
    /// Its wait reason, if parked.
    pub fn wait_reason(&self) -> Option<WaitReason> {
        match self.state {
            State::Parked { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Whether it is parked.
    pub fn is_parked(&self) -> bool {
        matches!(self.state, State::Parked { .. })
    }
}

impl From<GoroutineInfo> for GoroutineView {
    fn from(g: GoroutineInfo) -> Self {
        let state = match g.state {
            GoroutineState::Runnable => State::Runnable,
            GoroutineState::Running => State::Running,
            GoroutineState::Parked { reason, at, since, on } => {
                State::Parked { reason, at, since, object: on.object as u64, waits_for: on.peer }
            }
        };
        GoroutineView {
            id: g.id,
            parent: g.parent,
            name: g.name,
            state,
            spawned_at: g.spawned_at,
            scope: g.scope,
            holds: g.holds as u64,
        }
    }
}

/// Every live goroutine of every runtime, in id order (main goroutines of
/// `block_on` included). Empty when the `diagnostics` feature is off.
pub fn goroutines() -> Vec<GoroutineView> {
    registry::snapshot().into_iter().map(GoroutineView::from).collect()
}

/// The live goroutines of leak-attribution scope `scope`, in id order.
pub(crate) fn scope_goroutines(scope: u64) -> Vec<GoroutineView> {
    registry::scope_goroutines(scope).into_iter().map(GoroutineView::from).collect()
}

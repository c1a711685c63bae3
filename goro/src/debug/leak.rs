//! Leak checks: goroutines that outlive the test or scope that spawned them
//! (Go's goleak, with attribution).
//!
//! Every goroutine inherits its spawner's scope (`runtime::current`), so a
//! test's goroutines, and theirs, transitively, carry the test's scope even
//! when other tests run in parallel on the same runtime. After the test
//! body, [`check_scope`] waits up to a grace period for that scope's
//! goroutines to finish, then reports those still alive. A goroutine that
//! nobody can wake any more (its handle and every waker dropped while it
//! waits) is among them: it never finishes, and the registry keeps listing
//! it, as Go's `allgs` keeps such a goroutine.

use super::dump::format_dump;
use super::threads::is_main_goroutine;
use super::view::{goroutines, scope_goroutines, GoroutineView};
use std::fmt;
use std::time::{Duration, Instant};

/// How long a finished test's goroutines get to finish before they count
/// as leaked; generous because the machine may be loaded.
pub(crate) const GRACE: Duration = Duration::from_secs(1);

/// Goroutines that outlived their scope.
#[derive(Clone, Debug)]
pub struct LeakError {
    /// The leaked goroutines, in id order.
    pub goroutines: Vec<GoroutineView>,
}

impl fmt::Display for LeakError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.goroutines.len();
        writeln!(f, "found {n} leaked goroutine{}:\n", if n == 1 { "" } else { "s" })?;
        f.write_str(&format_dump(&self.goroutines, Instant::now()))
    }
}

impl std::error::Error for LeakError {}

/// Waits up to `grace` for `list()` to be empty; the leftovers otherwise.
fn settle(grace: Duration, list: impl Fn() -> Vec<GoroutineView>) -> Result<(), LeakError> {
    let deadline = Instant::now() + grace;
    let mut pause = Duration::from_micros(100);
    loop {
        let left = list();
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(LeakError { goroutines: left });
        }
        std::thread::sleep(pause); // polling the registry, not synchronising
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// The check `#[goro::test]` runs after its body: goroutines of `scope`
/// still alive after `grace`.
pub(crate) fn check_scope(scope: u64, grace: Duration) -> Result<(), LeakError> {
    settle(grace, || scope_goroutines(scope))
}

/// Goleak's `VerifyNone`: fails if goroutines other than the caller and
/// the main goroutines of running `block_on`s (`goro::run`'s) are still
/// alive after a grace period (1 s). Inside a `#[goro::test]` it checks
/// only that test's goroutines; elsewhere, every goroutine.
///
/// It waits by sleeping the thread: call it from `main` after the work, or
/// from a plain thread, not from a goroutine that others are waiting on.
pub fn verify_none() -> Result<(), LeakError> {
    let me = crate::runtime::current::goroutine_id();
    let scope = crate::runtime::current::spawn_context().1;
    settle(GRACE, || {
        let all = if scope != 0 { scope_goroutines(scope) } else { goroutines() };
        all.into_iter().filter(|g| g.id != me && !is_main_goroutine(g.id)).collect()
    })
}

//! What `#[goro::main]` and `#[goro::test]` expand to.
//!
//! The body becomes the main goroutine on a processor ([`crate::run`]) when
//! its future is `Send + 'static`, as Go's `main` is, so that its hand-offs
//! with other goroutines stay on one processor; otherwise (an `Rc` held
//! across an `.await`, say) it is polled on the calling thread
//! ([`crate::block_on`]), as `#[tokio::main]` does.
//!
//! The choice is made at compile time by method resolution ("autoref
//! specialisation"): `(&&Entry::new(fut)).enter(mode)` finds
//! [`OnProcessor`], implemented for `&Entry<F>` only when `F: Send +
//! 'static`, one auto-deref step before [`OnThisThread`], implemented for
//! every `Entry<F>`. The macros make the future with a separate `async fn`,
//! whose `Send`-ness is known when the call is resolved (an inline `async`
//! block's is not yet, and would always pick the first).

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

/// The future of a `#[goro::main]` or `#[goro::test]` body, taken once.
pub struct Entry<F>(Cell<Option<F>>);

impl<F> Entry<F> {
    /// Wraps the body's future.
    pub fn new(fut: F) -> Self {
        Entry(Cell::new(Some(fut)))
    }

    /// Takes the future out (each entry is entered once).
    fn take(&self) -> F {
        self.0.take().expect("goro::runtime: an entry future is entered once")
    }
}

/// How the body is run.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// `#[goro::main]`.
    Main,
    /// `#[goro::test]`: its full name, its time limit, and whether it may
    /// leave goroutines behind.
    Test {
        /// `module::path::name`, for messages.
        name: &'static str,
        /// The limit that fails the test.
        timeout: Duration,
        /// `allow_leaks`: skip the leak check.
        allow_leaks: bool,
    },
}

/// The body runs as the main goroutine on a processor.
pub trait OnProcessor {
    /// The body's output.
    type Output;
    /// Runs the body in `mode`.
    fn enter(&self, mode: Mode) -> Self::Output;
}

/// The body runs on the calling thread.
pub trait OnThisThread {
    /// The body's output.
    type Output;
    /// Runs the body in `mode`.
    fn enter(&self, mode: Mode) -> Self::Output;
}

impl<F> OnProcessor for &Entry<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    type Output = F::Output;
    // `crate::run` is called here, not passed as a function value: its
    // `#[track_caller]` location then reaches the macro's call site (the
    // `#[goro::main]` or `#[goro::test]` line) for dumps and reports,
    // where a function value made it a line of `core`.
    #[track_caller]
    fn enter(&self, mode: Mode) -> F::Output {
        let fut = self.take();
        match TestRun::start(mode) {
            None => crate::run(fut),
            Some(t) => {
                let out = crate::run(crate::time::timeout(t.timeout, fut));
                t.finish(out)
            }
        }
    }
}

impl<F: Future> OnThisThread for Entry<F> {
    type Output = F::Output;
    // As above, with `crate::block_on`.
    #[track_caller]
    fn enter(&self, mode: Mode) -> F::Output {
        let fut = self.take();
        match TestRun::start(mode) {
            None => crate::block_on(fut),
            Some(t) => {
                let out = crate::block_on(crate::time::timeout(t.timeout, fut));
                t.finish(out)
            }
        }
    }
}

/// A `#[goro::test]` body's run: its scope, entered while the body runs,
/// and what to check when it ends.
struct TestRun {
    /// `module::path::name`, for messages.
    name: &'static str,
    /// The limit that fails the test.
    timeout: Duration,
    /// `allow_leaks`: skip the leak check.
    allow_leaks: bool,
    /// The scope every goroutine the test spawns, transitively, inherits.
    scope: u64,
    /// Keeps the scope entered until the run is finished.
    _entered: crate::runtime::current::ScopeGuard,
}

impl TestRun {
    /// Enters a fresh scope for a test; `None` for `#[goro::main]`.
    fn start(mode: Mode) -> Option<TestRun> {
        let Mode::Test { name, timeout, allow_leaks } = mode else { return None };
        let scope = crate::runtime::current::new_scope();
        let _entered = crate::runtime::current::enter_scope(scope);
        Some(TestRun { name, timeout, allow_leaks, scope, _entered })
    }

    /// The body's output, unless it timed out or (without `allow_leaks`)
    /// left goroutines behind: then the test fails.
    fn finish<T>(self, out: Result<T, crate::time::Elapsed>) -> T {
        let Ok(out) = out else {
            panic!("goro::test: {} timed out after {:?}", self.name, self.timeout);
        };
        // -- diagnostics (issue 5): the leak check --
        if !self.allow_leaks {
            if let Err(leak) = crate::debug::check_scope(self.scope, crate::debug::LEAK_GRACE) {
                panic!("goro::test: {} leaked goroutines; {leak}", self.name);
            }
        }
        out
    }
}

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
    fn enter(&self, mode: Mode) -> F::Output {
        drive(mode, self.take(), crate::run, crate::run)
    }
}

impl<F: Future> OnThisThread for Entry<F> {
    type Output = F::Output;
    fn enter(&self, mode: Mode) -> F::Output {
        drive(mode, self.take(), crate::block_on, crate::block_on)
    }
}

/// Runs `fut` in `mode` with `main` (for `Main`) or `test` (for `Test`,
/// under its timeout, then the leak check).
fn drive<F: Future>(
    mode: Mode,
    fut: F,
    main: impl FnOnce(F) -> F::Output,
    test: impl FnOnce(crate::time::Timeout<F>) -> Result<F::Output, crate::time::Elapsed>,
) -> F::Output {
    let Mode::Test { name, timeout, allow_leaks } = mode else {
        return main(fut);
    };
    // Every goroutine the test spawns, transitively, inherits this scope.
    let scope = crate::runtime::current::new_scope();
    let _scope = crate::runtime::current::enter_scope(scope);
    let Ok(out) = test(crate::time::timeout(timeout, fut)) else {
        panic!("goro::test: {name} timed out after {timeout:?}");
    };
    // -- diagnostics (issue 5): the leak check --
    if !allow_leaks {
        if let Err(leak) = crate::debug::check_scope(scope, crate::debug::LEAK_GRACE) {
            panic!("goro::test: {name} leaked goroutines; {leak}");
        }
    }
    out
}

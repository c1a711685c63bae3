//! `select!` and the dynamic [`Select`]: Go's `select` statement.
//!
//! ```
//! # goro::run(async {
//! let (tx, rx) = goro::chan::<i32>(1);
//! let (tx2, rx2) = goro::chan::<&str>(0);
//! tx.send(1).await.unwrap();
//! goro::select! {
//!     recv(rx) -> v => assert_eq!(v, Some(1)),
//!     recv(rx2) -> _ => unreachable!(),
//!     send(tx2, "hi") -> _ => unreachable!(),
//!     future(goro::time::sleep(std::time::Duration::from_secs(5))) => unreachable!(),
//! }
//! # drop(tx2);
//! # });
//! ```
//!
//! ## Cases
//!
//! | case | Go | binds |
//! |---|---|---|
//! | `recv(rx) -> v => ..` | `case v, ok := <-rx:` | `v: Option<T>`, `None` once closed |
//! | `send(tx, x) -> r => ..` | `case tx <- x:` | `r: Result<(), SendError<T>>` |
//! | `future(f) -> v => ..` | (a timer, `ctx.Done()`, a join) | `v: F::Output` |
//! | `default => ..` | `default:` | |
//!
//! `-> pattern` is optional. A channel operand may be `rx`, `&rx`, or an
//! `Option` of either; `None` is Go's nil channel, a case that never fires,
//! which is how a loop turns a finished case off. Operands and send values
//! are evaluated once, in order, before anything else.
//!
//! ## Rules (Go's)
//!
//! - Among the cases ready at once, one is chosen uniformly at random.
//! - Exactly one case completes, also across unbuffered channels where the
//!   counterpart may be another select: see `chan/README.md`.
//! - With `default`, the channel cases are tried as one snapshot under all
//!   their locks (Go's lock order), so `default` means no channel case was
//!   ready at one instant.
//! - Without `default` the select waits; with no enabled case it waits
//!   forever, and `select! {}` blocks forever.
//! - A send case on a closed channel is ready and yields `Err` (Go panics),
//!   and so is one whose channel's receivers are all gone (Go would block
//!   forever), `default` or not: the value comes back in the `Err`.
//!
//! `select!` works in any async context (goroutines, tokio tasks);
//! [`select_blocking!`](crate::select_blocking) is the same on a plain
//! thread. A case body runs after every case has been dropped, so it may
//! reassign the operands (`rx = None`), `break`, `continue` or `return`.

mod arena;
mod cache;
mod case;
mod case_op;
mod cases;
mod dynamic;
mod order;
mod selector;
mod snapshot;

#[cfg(all(test, loom))]
mod loom_tests;

pub use arena::OpArena;
pub use case::{Case, CaseList, Kind};
pub use cases::{FutureCase, RecvCase, RecvOperand, SendCase, SendOperand};
pub use dynamic::{Select, Selected};
pub use selector::{forever, forever_blocking, Forever, Selector, DEFAULT};
pub use snapshot::Locks;

//! # goro: Go's concurrency system for Rust
//!
//! Goroutines, channels, `select!`, the `sync` package, `context`,
//! `errgroup`, rate limits, signals and Go's diagnostics, after Go's own
//! runtime design, sound by construction.
//!
//! ## A tour in Go's order
//!
//! ### Goroutines
//!
//! A goroutine is a future run by goro's scheduler: [`go`] starts one and
//! returns a [`JoinHandle`], itself a future of `Result<T, JoinError>`.
//! [`run`] (or `#[goro::main]`) runs `main`'s body as the main goroutine,
//! on a processor like any other, so hand-offs between it and other
//! goroutines cost no thread wake-up. [`block_on`] polls a future that is
//! not `Send` (or borrows locals) on the calling thread instead.
//!
//! ```
//! let h = goro::go(async { 6 * 7 });
//! assert_eq!(goro::run(h).unwrap(), 42);
//! ```
//!
//! Dropping the handle *detaches* the goroutine: it runs on, as in Go. When
//! `main` returns, the program ends, whatever goroutines are still parked.
//! A goroutine that panics never takes its worker down: its handle yields
//! [`JoinError`] with the payload, and a detached goroutine's panic is
//! printed as `panic in goroutine 7 (spawned at src/main.rs:12:5): boom`
//! (or the whole program crashes, like Go, with
//! [`Builder::abort_on_panic`]). [`JoinHandle::abort`] cancels a goroutine.
//!
//! ```
//! use std::time::Duration;
//!
//! goro::run(async {
//!     let worker = goro::go_named("sleeper", async {
//!         goro::time::sleep(Duration::from_millis(5)).await;
//!         "rested"
//!     });
//!     // Blocking work goes to the blocking pool, never onto a worker.
//!     let sum = goro::blocking(|| (1..=100u32).sum::<u32>()).await.unwrap();
//!     assert_eq!(sum, 5050);
//!     assert_eq!(worker.await.unwrap(), "rested");
//!
//!     let slow = goro::time::timeout(Duration::from_millis(1), std::future::pending::<()>());
//!     assert!(slow.await.is_err());
//!
//!     let p = goro::go(async { panic!("boom") });
//!     assert_eq!(p.await.unwrap_err().panic_message(), Some("boom"));
//! });
//! ```
//!
//! Under the hood ([`runtime`]) is Go's G/M/P scheduler: [`procs`]
//! processors (`GORO_MAXPROCS`, or [`Builder::procs`]), each with a
//! lock-free local run queue and a `runnext` slot, one worker thread each,
//! a global queue, randomised work stealing (that leaves a few goroutines
//! woken by a worker running short polls to that worker, so that
//! goroutines exchanging messages share one core's cache, while goroutines
//! that compute and `yield_now` spread), per-processor
//! timers, and a registry of every goroutine (id, parent, name, spawn site,
//! state, why and where it is parked) for dumps and leak checks.
//!
//! ### Channels
//!
//! [`chan`](fn@chan)`(cap)` is Go's `make(chan T, cap)`: `0` is unbuffered
//! (a send waits for its receiver), `n` buffers exactly `n`, and
//! [`unbounded`] never fills. Both halves clone. [`chan::Sender::close`] (or
//! the last sender's drop) closes; receivers drain the buffer, then get
//! `None`. A send on a closed channel hands its value back. The same
//! channel serves goroutines (`.await`), plain threads (`_blocking`) and
//! other executors such as tokio. A plain thread that must wait yields its
//! processor up to 64 times, watching its queued operation's outcome with
//! no waker at all, and only then gives it a waker and, after as many
//! looks again, sleeps.
//!
//! ```
//! goro::run(async {
//!     let (jobs, queue) = goro::chan::<u32>(3);
//!     let (done, results) = goro::chan::<u32>(0);
//!     for _ in 0..2 {
//!         let (queue, done) = (queue.clone(), done.clone());
//!         goro::go(async move {
//!             while let Some(j) = queue.recv().await {
//!                 done.send(j * 2).await.unwrap();
//!             }
//!         });
//!     }
//!     drop(done); // `results` closes when both workers are done
//!     for j in 1..=3 {
//!         jobs.send(j).await.unwrap();
//!     }
//!     jobs.close();
//!     let mut sum = 0;
//!     while let Some(r) = results.recv().await {
//!         sum += r;
//!     }
//!     assert_eq!(sum, 12);
//! });
//! ```
//!
//! ### Select
//!
//! [`select!`] waits on several channel operations and futures at once and
//! runs exactly one ready case, chosen at random among the ready ones;
//! `default` makes it non-blocking, a `None` operand is Go's nil channel,
//! and [`select_blocking!`] is the form for plain threads. [`select::Select`]
//! selects over a list built at run time (`reflect.Select`).
//!
//! ```
//! use std::time::Duration;
//! goro::run(async {
//!     let (_tx, rx) = goro::chan::<&str>(0);
//!     let out = goro::select! {
//!         recv(rx) -> msg => msg.unwrap_or("closed"),
//!         recv(goro::time::after(Duration::from_millis(10))) -> _ => "timeout",
//!     };
//!     assert_eq!(out, "timeout");
//! });
//! ```
//!
//! ### Sync: WaitGroup, Mutex, Once, Cond, Semaphore, Map
//!
//! [`sync`] has Go's `sync` package with guards instead of `Unlock`. Every
//! wait is `.await` in a goroutine or `_blocking` on a plain thread, and a
//! parked goroutine never blocks its worker.
//!
//! ```
//! use goro::sync::{Mutex, WaitGroup};
//! use std::sync::Arc;
//!
//! goro::run(async {
//!     let hits = Arc::new(Mutex::new(0));
//!     let wg = WaitGroup::new();
//!     for _ in 0..3 {
//!         let hits = hits.clone();
//!         wg.go(async move { *hits.lock().await += 1 }); // Go 1.25's wg.Go
//!     }
//!     wg.wait().await;
//!     assert_eq!(*hits.lock().await, 3);
//! });
//! ```
//!
//! ### Context, errgroup, rate limits and signals
//!
//! [`context`] carries cancellation and deadlines down a tree of
//! goroutines; dropping a cancel handle cancels, so nothing leaks. A
//! context can also say why it ended: [`context::with_cancel_cause`] and Go
//! 1.21's [`context::with_timeout_cause`] / [`context::with_deadline_cause`]
//! set what `ctx.cause()` returns.
//! [`group`] is errgroup: the first error cancels the rest, `set_limit`
//! bounds concurrency, panics resurface in `wait`. [`rate`] is x/time/rate's
//! token bucket, and [`signal`] turns SIGINT/SIGTERM into a cancelled
//! context for graceful shutdown (see `examples/shutdown.rs`).
//!
//! ```
//! use goro::{context, group::Group};
//! use std::time::Duration;
//!
//! goro::run(async {
//!     let (ctx, _cancel) = context::with_timeout(&context::background(), Duration::from_secs(5));
//!     let (g, ctx) = Group::<String>::with_context(&ctx);
//!     g.set_limit(Some(2));
//!     for i in 0..5 {
//!         let ctx = ctx.clone();
//!         g.go(async move {
//!             if i == 3 { return Err(format!("job {i} failed")) }
//!             goro::time::timeout(Duration::from_millis(1), ctx.done()).await.ok();
//!             Ok(())
//!         }).await;
//!     }
//!     assert_eq!(g.wait().await, Err("job 3 failed".to_string()));
//!     assert!(ctx.is_done(), "the first error cancelled the group's context");
//! });
//! ```
//!
//! ### Diagnostics
//!
//! Everything Go gives you to find the bugs that hurt most, on by default
//! ([`debug`], [`trace`]):
//!
//! - [`debug::dump`] returns every goroutine in Go's dump shape
//!   (`goroutine 18 [chan receive, 3 minutes]:`, its name, where it parked,
//!   where and by whom it was spawned), even while workers are stuck;
//!   SIGQUIT (Ctrl-\\) prints it to stderr.
//! - When no goroutine can ever run again, the program prints
//!   `fatal error: all goroutines are asleep - deadlock!` and the dump, and
//!   exits with status 2 (`GORO_DEADLOCK=0` turns it off). It never fires
//!   while a plain thread, a timer or a blocking job could still wake
//!   something, and it needs Linux's `/proc` to list threads: on other
//!   systems it never fires (use [`debug::deadlocks`] there).
//! - [`debug::deadlocks`] finds goroutines that wait on each other in a
//!   cycle while the rest of the program runs on: two `Mutex`es locked in
//!   opposite orders, two goroutines each receiving from a channel only the
//!   other sends on, a join under a lock the child needs. Each cycle lists
//!   its goroutines, what each waits on and who holds it.
//! - `#[goro::test]` fails a test whose goroutines outlive it and prints
//!   them, pinned on the right test even when tests run in parallel;
//!   [`debug::verify_none`] is the same check anywhere
//!   (`#[goro::test(allow_leaks)]` opts a test out).
//! - A monitor thread (Go's sysmon) reports a goroutine that holds its
//!   worker in one poll for over 10 ms and hands the worker's other
//!   goroutines to other workers (to a rescue thread when every worker is
//!   stuck, as Go starts a new M). On Linux it does not blame a goroutine
//!   whose worker thread the OS kept off the CPU (an overloaded machine):
//!   it reads the thread's state and CPU time first.
//! - [`trace::start`] / [`trace::stop`] write a timeline for
//!   ui.perfetto.dev; [`trace::flight_recorder`] keeps the last events.
//!
//! What keeps them always on is their cost: against a build without them
//! (the `diagnostics` feature off), under 5 % of wall and CPU time on the
//! spawn and channel benchmarks, about 3 instructions per channel
//! operation and 20 per park (`BENCHMARKS.md`).
//!
//! ```
//! goro::run(async {
//!     let (tx, rx) = goro::chan::<u32>(0);
//!     let h = goro::go_named("waiter", async move { rx.recv().await });
//!     let give_up = std::time::Instant::now() + std::time::Duration::from_secs(10);
//!     while !goro::debug::goroutines().iter().any(|g| g.id == h.id() && g.is_parked()) {
//!         assert!(std::time::Instant::now() < give_up, "the waiter never parked");
//!         goro::yield_now().await;
//!     }
//!     assert!(goro::debug::dump().contains("[chan receive]:\n\tname: waiter\n"));
//!     assert!(goro::debug::metrics().spawned >= 1);
//!     drop(tx);
//!     h.await.unwrap();
//! });
//! ```
//!
//! ## Go → goro
//!
//! | Go | goro |
//! |---|---|
//! | `go f()` | [`go`]`(async { f().await })` |
//! | `func main()` | `#[goro::main] async fn main()` or [`run`] |
//! | `runtime.Gosched()` | [`yield_now`]`().await` |
//! | `runtime.NumGoroutine()` | [`num_goroutine`]`()` |
//! | `runtime.GOMAXPROCS(0)` | [`procs`]`()` |
//! | `time.Sleep(d)` | [`time::sleep`]`(d).await` |
//! | `GOMAXPROCS=4 ./prog` | `GORO_MAXPROCS=4 ./prog`, or [`Builder::procs`]`(4)` |
//! | `debug.SetPanicOnFault` / default crash on panic | [`Builder::abort_on_panic`]`(true)` |
//! | a blocking syscall in a goroutine | [`blocking`]`(move \|\| syscall()).await` |
//! | `ctx, cancel := context.WithTimeout(..)` around one call | [`time::timeout`]`(d, fut).await` |
//! | goroutine labels (`pprof.Do`) | [`go_named`]`("name", fut)` |
//! | `make(chan T)`, `make(chan T, n)` | [`chan`](fn@chan)`::<T>(0)`, [`chan`](fn@chan)`::<T>(n)` (or [`unbounded`]) |
//! | `ch <- v` | `tx.send(v).await?` / `tx.send_blocking(v)?` |
//! | `v := <-ch` / `v, ok := <-ch` | `rx.recv().await` → `Option<T>` (`None` = closed) |
//! | `for v := range ch` | `while let Some(v) = rx.recv().await`, or `for v in &rx` on a thread |
//! | `close(ch)` | `tx.close()` (or drop the last `Sender`) |
//! | `len(ch)`, `cap(ch)` | `rx.len()`, `rx.cap()` |
//! | `chan<- T`, `<-chan T` | [`chan::Sender`], [`chan::Receiver`] |
//! | `select { case v := <-a: .. case b <- x: .. default: .. }` | [`select!`]`{ recv(a) -> v => .., send(b, x) -> r => .., default => .. }` |
//! | a nil channel in a select | an `Option` operand that is `None`, or [`time::never`] |
//! | `select {}` | `select! {}` |
//! | `reflect.Select` | [`select::Select`] |
//! | `time.After(d)`, `time.Tick(d)` | [`time::after`]`(d)`, [`time::tick`]`(d)` |
//! | `var wg sync.WaitGroup; wg.Go(f); wg.Wait()` | [`sync::WaitGroup`]: `wg.go(fut)`, `wg.wait().await` |
//! | `mu.Lock(); defer mu.Unlock()` | `let g = mu.lock().await;` ([`sync::Mutex`], guard unlocks) |
//! | `rw.RLock()` / `rw.Lock()` | [`sync::RwLock`]: `read().await` / `write().await` |
//! | `once.Do(f)`, `sync.OnceValue(f)` | [`sync::Once`]`::call(f).await`, [`sync::OnceLock`]`::get_or_init(f).await` |
//! | `c.Wait()`, `c.Signal()`, `c.Broadcast()` | [`sync::Cond`]: `g = c.wait(g).await`, `signal()`, `broadcast()` |
//! | `semaphore.NewWeighted(n)`, `Acquire(ctx, k)` | [`sync::Semaphore`]`::new(n)`, `acquire(k).await` (permit releases on drop) |
//! | `sync.Map` `Load`/`Store`/`LoadOrStore`/`Range` | [`sync::Map`]: `load`/`store`/`load_or_store`/`range` |
//! | `context.Background()`, `WithCancel`, `WithTimeout` | [`context::background`], [`context::with_cancel`], [`context::with_timeout`] |
//! | `<-ctx.Done()`, `ctx.Err()`, `context.Cause(ctx)` | `ctx.done().await`, `ctx.err()`, `ctx.cause()` |
//! | `context.WithCancelCause`, `WithTimeoutCause`, `WithDeadlineCause` | [`context::with_cancel_cause`], [`context::with_timeout_cause`], [`context::with_deadline_cause`] |
//! | `context.WithValue(ctx, k, v)`, `ctx.Value(k)` | [`context::with_value`]`(&ctx, v)`, `ctx.value::<V>()` |
//! | `context.AfterFunc(ctx, f)`, `WithoutCancel` | [`context::after_func`], [`context::without_cancel`] |
//! | `g, ctx := errgroup.WithContext(ctx); g.Go(f)` | `let (g, ctx) =` [`group::Group`]`::with_context(&ctx); g.go(fut).await` |
//! | `g.SetLimit(n)`, `g.TryGo(f)`, `g.Wait()` | `g.set_limit(Some(n))`, `g.try_go(fut)`, `g.wait().await` |
//! | `rate.NewLimiter(r, b)`, `Allow`, `Wait(ctx)` | [`rate::Limiter`]`::new(Limit(r), b)`, `allow()`, `wait(&ctx).await` |
//! | `signal.NotifyContext(ctx, os.Interrupt)` | [`signal::notify_context`]`(&ctx, &[Signal::Interrupt])` |
//! | `signal.Notify(c, syscall.SIGTERM)` | `let c =` [`signal::notify`]`(&[Signal::Terminate])` |
//! | `runtime.NumGoroutine()`, `runtime/metrics` | [`num_goroutine`]`()`, [`debug::metrics`]`()` |
//! | `pprof.Lookup("goroutine").WriteTo(w, 2)` | [`debug::dump`]`()` |
//! | SIGQUIT (Ctrl-\\) goroutine dump | the same; `GORO_SIGQUIT=continue` to keep running |
//! | "all goroutines are asleep - deadlock!" | the same, exit status 2; `GORO_DEADLOCK=0` |
//! | goroutine leak profile (experimental, GC-based) | [`debug::deadlocks`]`()`: cycles among parked goroutines, while others run |
//! | `goleak.VerifyNone(t)` | `#[goro::test]` (automatic), [`debug::verify_none`]`()` |
//! | sysmon's hand-off of a P blocked in a syscall | the monitor; [`debug::blocking_reports`] |
//! | `trace.Start(w)` / `trace.Stop()`, `go tool trace` | [`trace::start`]`(w)` / [`trace::stop`]`()`, ui.perfetto.dev |
//! | `trace.FlightRecorder` (Go 1.25) | [`trace::flight_recorder`] |

#![warn(missing_docs)]

pub(crate) mod loom;

// ---- runtime (issue 2) ----
pub mod runtime;
pub mod time;
pub use runtime::{
    block_on, blocking, go, go_named, num_goroutine, procs, run, yield_now, Builder, JoinError,
    JoinHandle, Runtime,
};

// ---- channels and select (issue 3) ----
pub mod chan;
pub mod select;
pub use chan::{chan, unbounded};
pub use goro_macros::{select, select_blocking};
// select!'s expansion names `::goro`; this lets goro's own code use it.
extern crate self as goro;

// ---- toolkit (issue 4) ----
pub mod context;
pub mod group;
pub mod rate;
pub mod signal;
pub mod sync;

// ---- diagnostics (issue 5) ----
pub mod debug;
pub mod trace;

// ---- macros ----
pub use goro_macros::{main, test};

/// Support for the macros; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::runtime::entry::{Entry, Mode, OnProcessor, OnThisThread};
}

/// The repository README's examples, compiled and run as doc tests, so that
/// what the README shows is what goro does.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

//! What every benchmark binary shares: the command line, the output line,
//! the workload sizes, memory probes, and the two small synchronisers the
//! Rust peers use where a workload needs a neutral "gate" or "latch".
//!
//! Protocol with `run.sh`: a binary is called as `BIN WORKLOAD FLAVOR` and
//! prints one CSV line `impl,workload,flavor,seconds,extra`; `seconds` is
//! `n/a` where the implementation does not offer the case (never a fake
//! number), and `extra` holds `key=value` pairs separated by `;`.

pub mod async_chan;
pub mod op;
pub mod probe;
pub mod sync_chan;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The message type of the channel workloads, as in crossbeam's suite.
pub type Msg = usize;

/// Messages per channel case: crossbeam's suite uses 5,000,000; we use
/// 1/25 of that so that nine implementations × 22 cases × 3 runs fit in
/// minutes on two shared cores (threads parking on rendezvous channels take
/// ~10 µs a message there). Every implementation, Go included, uses it.
pub const MESSAGES: usize = 200_000;
/// Producer/consumer goroutines per side, as in crossbeam's suite.
pub const THREADS: usize = 4;
/// Goroutines spawned and joined in `spawn_join_1m`.
pub const SPAWN_N: usize = 1_000_000;
/// Goroutines parked at once in `park_1m`.
pub const PARK_N: usize = 1_000_000;
/// Round trips in `yield_pingpong`.
pub const YIELD_ROUNDS: usize = 100_000;
/// `yield_compute`: goroutines, and rounds of [`burn`] then a yield each.
pub const YIELD_COMPUTE_GOROUTINES: usize = 2;
/// See [`YIELD_COMPUTE_GOROUTINES`].
pub const YIELD_COMPUTE_ROUNDS: usize = 100_000;
/// Steps of [`burn`]: about 1 µs of dependent multiplies (Go's program runs
/// the same loop).
pub const BURN_STEPS: u64 = 1_000;

/// One `yield_compute` goroutine: `YIELD_COMPUTE_ROUNDS` times [`burn`]
/// then `yield_now()` (the runtime's own yield).
pub async fn compute_and_yield<Y: std::future::Future<Output = ()>>(
    seed: u64,
    yield_now: impl Fn() -> Y,
) -> u64 {
    let mut x = seed;
    for _ in 0..YIELD_COMPUTE_ROUNDS {
        x = burn(x);
        yield_now().await;
    }
    x
}

/// `BENCH_PAD` bytes, held while a channel case runs, allocated before its
/// channels are made and before its clock starts: it moves where their
/// allocations land in the heap, to measure a case across layouts
/// (`PAD=random benches/ab.sh`; BENCHMARKS.md, "seq across heap offsets").
/// Unset or 0, it allocates nothing.
pub fn layout_pad() -> Vec<u8> {
    let n = std::env::var("BENCH_PAD").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    std::hint::black_box(vec![0u8; n])
}

/// A fixed amount of work between two yields: `BURN_STEPS` steps of
/// `x = x * (x | 1) + i`, each depending on the last and non-linear, so no
/// compiler folds steps together (a constant multiply-add chain, which LLVM
/// folds across unrolled steps and Go's compiler does not, made the Rust
/// side 8x cheaper).
pub fn burn(seed: u64) -> u64 {
    let mut x = std::hint::black_box(seed);
    for i in 0..BURN_STEPS {
        x = x.wrapping_mul(x | 1).wrapping_add(i);
    }
    std::hint::black_box(x)
}
/// Total increments in `mutex_counter`.
pub const MUTEX_INCREMENTS: usize = 1_000_000;
/// `map_read_mostly`: keys in the map, operations per goroutine (of
/// `THREADS`), and one store in every `MAP_STORE_EVERY` operations.
pub const MAP_KEYS: u64 = 1_000;
/// See [`MAP_KEYS`].
pub const MAP_OPS: u64 = 250_000;
/// See [`MAP_KEYS`].
pub const MAP_STORE_EVERY: u64 = 100;
/// Goroutines in `waitgroup_fanout`.
pub const FANOUT_N: usize = 100_000;
/// Nodes (root included) in `context_cancel_tree`.
pub const CTX_NODES: usize = 10_000;
/// Children per node in `context_cancel_tree`.
pub const CTX_FANOUT: usize = 10;

/// The case a binary was asked to run.
pub struct Case {
    /// This binary's name in the results (`CARGO_BIN_NAME` unless given).
    pub imp: String,
    /// The workload, e.g. `spsc`.
    pub workload: String,
    /// The flavor, e.g. `bounded1`.
    pub flavor: String,
}

impl Case {
    /// Reads `WORKLOAD FLAVOR` from the command line.
    pub fn from_args(imp: &str) -> Case {
        let mut args = std::env::args().skip(1);
        let usage = "usage: BIN WORKLOAD FLAVOR";
        let workload = args.next().expect(usage);
        let flavor = args.next().expect(usage);
        Case { imp: imp.to_string(), workload, flavor }
    }

    /// Prints a measured result, with the [`probe`]'s keys appended to
    /// `extra` where the workload recorded them (so no binary has to).
    pub fn report(&self, elapsed: Duration, extra: &str) {
        let secs = elapsed.as_secs_f64();
        let extra = join_extra(extra, probe::extra());
        println!("{},{},{},{secs:.6},{extra}", self.imp, self.workload, self.flavor);
    }

    /// Prints that this implementation does not offer the case, and why.
    pub fn not_offered(&self, why: &str) {
        println!("{},{},{},n/a,{why}", self.imp, self.workload, self.flavor);
    }

    /// Prints an outcome: a time, or n/a with its reason.
    pub fn outcome(&self, r: Result<Duration, &str>) {
        match r {
            Ok(d) => self.report(d, ""),
            Err(why) => self.not_offered(why),
        }
    }
}

/// `extra` and `more` joined with `;`, either of them possibly empty.
fn join_extra(extra: &str, more: Option<String>) -> String {
    match more {
        Some(m) if !extra.is_empty() => format!("{extra};{m}"),
        Some(m) => m,
        None => extra.to_string(),
    }
}

/// A channel flavor of crossbeam's suite.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flavor {
    /// `cap == 0`: a rendezvous channel.
    Unbuffered,
    /// A buffer of one.
    Bounded1,
    /// A buffer of `MESSAGES`, never full.
    BoundedN,
    /// No bound.
    Unbounded,
}

impl Flavor {
    /// Parses `unbuffered`, `bounded1`, `boundedN` or `unbounded`.
    pub fn parse(s: &str) -> Flavor {
        match s {
            "unbuffered" => Flavor::Unbuffered,
            "bounded1" => Flavor::Bounded1,
            "boundedN" => Flavor::BoundedN,
            "unbounded" => Flavor::Unbounded,
            _ => panic!("unknown flavor {s}"),
        }
    }

    /// The capacity, or `None` for unbounded.
    pub fn cap(self) -> Option<usize> {
        match self {
            Flavor::Unbuffered => Some(0),
            Flavor::Bounded1 => Some(1),
            Flavor::BoundedN => Some(MESSAGES),
            Flavor::Unbounded => None,
        }
    }
}

/// Times `f`.
pub fn timed<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let start = Instant::now();
    let r = f();
    (start.elapsed(), r)
}

/// This process's resident set now, in KiB (`VmRSS`).
pub fn rss_kib() -> u64 {
    proc_status_kib("VmRSS:")
}

/// This process's peak resident set, in KiB (`getrusage`'s `ru_maxrss`).
pub fn peak_rss_kib() -> u64 {
    // SAFETY: getrusage only writes the struct we pass, which is zeroed and
    // lives for the call.
    unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u.ru_maxrss as u64
    }
}

/// A `kB` field of /proc/self/status.
fn proc_status_kib(key: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = s.lines().find(|l| l.starts_with(key)).unwrap_or("");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The `extra` field of `park_1m`: peak RSS and bytes per parked goroutine.
pub fn park_extra(baseline_kib: u64, parked_kib: u64, n: usize) -> String {
    let per = parked_kib.saturating_sub(baseline_kib) as f64 * 1024.0 / n as f64;
    format!("peak_rss_kib={};bytes_per_goroutine={per:.1}", peak_rss_kib())
}

/// A one-shot gate any number of tasks wait on, opened once: the neutral
/// "something to park on" of `park_1m` for every Rust runtime (Go parks on
/// a channel that is then closed). Runtime-agnostic: it only keeps wakers.
#[derive(Default)]
pub struct Gate {
    /// Set once by `open`.
    open: AtomicBool,
    /// Wakers of the tasks parked here.
    waiters: Mutex<Vec<Waker>>,
}

impl Gate {
    /// Waits until the gate is open.
    pub fn wait(&self) -> GateWait<'_> {
        GateWait { gate: self, registered: false }
    }

    /// Opens the gate and wakes every waiter.
    pub fn open(&self) {
        self.open.store(true, Ordering::Release); // publishes to waiters that check without the lock
        let waiters = std::mem::take(&mut *self.waiters.lock().unwrap());
        waiters.into_iter().for_each(Waker::wake);
    }
}

/// The future of [`Gate::wait`].
pub struct GateWait<'a> {
    /// The gate waited on.
    gate: &'a Gate,
    /// Whether our waker is in the gate's list.
    registered: bool,
}

impl Future for GateWait<'_> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.gate.open.load(Ordering::Acquire) {
            return Poll::Ready(()); // Acquire pairs with open's Release
        }
        let mut waiters = self.gate.waiters.lock().unwrap();
        if self.gate.open.load(Ordering::Relaxed) {
            return Poll::Ready(()); // the lock orders us after open's store
        }
        if !self.registered {
            waiters.push(cx.waker().clone());
            self.registered = true;
        }
        Poll::Pending
    }
}

/// A count-down latch with one waiter: the Rust peers' stand-in for Go's
/// `WaitGroup` where a workload only needs "all N have finished".
pub struct Latch {
    /// Count-downs still to come.
    count: AtomicUsize,
    /// The waiting task.
    waiter: Mutex<Option<Waker>>,
}

impl Latch {
    /// A latch that opens after `n` count-downs.
    pub fn new(n: usize) -> Latch {
        Latch { count: AtomicUsize::new(n), waiter: Mutex::new(None) }
    }

    /// Counts down once; the last one wakes the waiter.
    pub fn count_down(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            // AcqRel: the waiter that sees zero sees every count-down's work
            if let Some(w) = self.waiter.lock().unwrap().take() {
                w.wake();
            }
        }
    }

    /// Waits until the count is zero.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + '_ {
        std::future::poll_fn(move |cx| {
            if self.count.load(Ordering::Acquire) == 0 {
                return Poll::Ready(()); // Acquire pairs with count_down's AcqRel
            }
            *self.waiter.lock().unwrap() = Some(cx.waker().clone());
            if self.count.load(Ordering::Acquire) == 0 {
                return Poll::Ready(()); // re-check after publishing the waker
            }
            Poll::Pending
        })
    }
}

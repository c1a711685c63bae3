//! `Limiter`: golang.org/x/time/rate's token bucket.
//!
//! Algorithm (after x/time/rate's `rate.go`): the bucket holds up to `burst`
//! tokens and refills at `limit` tokens per second. State is the token count
//! at instant `last`; `advance(now)` computes the count at `now` lazily, so
//! nothing runs between calls. A request for `n` tokens always succeeds in
//! bookkeeping terms by driving the count negative; the deficit divided by
//! the rate is how long the caller must wait (its `time_to_act`). `allow`
//! accepts no wait, `reserve` any, `wait` only up to the context's deadline,
//! which is why a wait that cannot finish in time fails at once.
//!
//! Invariants: `tokens <= burst` after every update. A caller's `now`
//! earlier than `last` moves `last` back to it with the token count
//! unchanged, as current x/time/rate does (so clocks that jump back never
//! mint tokens).
//!
//! Every `*_at(now, ..)` method takes the time explicitly, as Go's `AllowN`
//! and friends do; the others read the limiter's clock, which tests replace
//! ([`Limiter::with_clock`]) so they need no sleeps.

use crate::context::{Context, ContextError};
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::{Duration, Instant};

/// Events per second: Go's `rate.Limit`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Limit(pub f64);

impl Limit {
    /// No limit at all: every event is allowed, even with burst 0.
    pub const INF: Limit = Limit(f64::INFINITY);

    /// One event per `interval`: Go's `rate.Every`. A non-positive interval
    /// is [`Limit::INF`].
    pub fn every(interval: Duration) -> Limit {
        if interval.is_zero() {
            return Limit::INF;
        }
        Limit(1.0 / interval.as_secs_f64())
    }

    /// Whether this is [`Limit::INF`].
    pub fn is_inf(self) -> bool {
        self.0 == f64::INFINITY
    }

    /// Seconds needed to accumulate `tokens` (infinite at rate 0).
    fn secs_for(self, tokens: f64) -> f64 {
        if self.0 <= 0.0 {
            return if tokens > 0.0 { f64::INFINITY } else { 0.0 };
        }
        tokens / self.0
    }

    /// Tokens accumulated in `secs`.
    fn tokens_in(self, secs: f64) -> f64 {
        if self.0 <= 0.0 {
            return 0.0;
        }
        secs * self.0
    }
}

/// The clock a limiter reads.
type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// A token-bucket rate limiter: Go's `rate.Limiter`.
///
/// ```
/// use goro::rate::{Limit, Limiter};
/// let lim = Limiter::new(Limit(10.0), 2);
/// assert!(lim.allow());
/// assert!(lim.allow());
/// assert!(!lim.allow()); // the burst is spent; the next token comes in 100 ms
/// ```
pub struct Limiter {
    /// The bucket.
    state: Mutex<State>,
    /// Where "now" comes from.
    clock: Clock,
}

/// The bucket's state.
#[derive(Debug, Clone)]
struct State {
    /// Refill rate.
    limit: Limit,
    /// Capacity.
    burst: usize,
    /// Tokens at `last` (negative while reservations are outstanding).
    tokens: f64,
    /// When `tokens` was computed; `None`: never used (the bucket is full).
    last: Option<Instant>,
    /// The latest reserved action time, past or future.
    last_event: Option<Instant>,
}

/// `a - b` in seconds, negative if `a` is earlier.
fn secs_between(a: Instant, b: Instant) -> f64 {
    match a.checked_duration_since(b) {
        Some(d) => d.as_secs_f64(),
        None => -b.duration_since(a).as_secs_f64(),
    }
}

/// `t + secs`, for finite `secs` of either sign.
fn add_secs(t: Instant, secs: f64) -> Instant {
    if secs >= 0.0 {
        t + Duration::from_secs_f64(secs)
    } else {
        t.checked_sub(Duration::from_secs_f64(-secs)).unwrap_or(t)
    }
}

impl State {
    /// `(now, last, tokens at now)`, without changing the state.
    fn advance(&self, now: Instant) -> (Instant, Option<Instant>, f64) {
        let burst = self.burst as f64;
        let Some(last) = self.last else {
            return (now, None, burst);
        };
        // A caller's clock behind ours: time restarts from its `now`.
        let last = last.min(now);
        let max_elapsed = self.limit.secs_for(burst - self.tokens);
        let elapsed = secs_between(now, last).min(max_elapsed);
        let tokens = (self.tokens + self.limit.tokens_in(elapsed)).min(burst);
        (now, Some(last), tokens)
    }
}

/// Why [`Limiter::wait`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitError {
    /// More tokens were asked for than the burst allows.
    ExceedsBurst {
        /// Tokens asked for.
        n: usize,
        /// The burst.
        burst: usize,
    },
    /// The tokens would come after the context's deadline (decided at once).
    WouldExceedDeadline {
        /// Tokens asked for.
        n: usize,
    },
    /// The context was cancelled before or during the wait.
    Context(ContextError),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::ExceedsBurst { n, burst } => {
                write!(f, "rate: wait(n={n}) exceeds limiter's burst {burst}")
            }
            WaitError::WouldExceedDeadline { n } => {
                write!(f, "rate: wait(n={n}) would exceed context deadline")
            }
            WaitError::Context(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for WaitError {}

impl Limiter {
    /// A limiter refilling at `limit` per second with a bucket of `burst`,
    /// initially full: Go's `rate.NewLimiter`.
    pub fn new(limit: Limit, burst: usize) -> Limiter {
        Limiter::with_clock(limit, burst, Instant::now)
    }

    /// Like [`new`](Limiter::new), reading time from `clock` (for tests).
    pub fn with_clock(
        limit: Limit,
        burst: usize,
        clock: impl Fn() -> Instant + Send + Sync + 'static,
    ) -> Limiter {
        let state = State { limit, burst, tokens: 0.0, last: None, last_event: None };
        Limiter { state: Mutex::new(state), clock: Arc::new(clock) }
    }

    /// Locks the state, ignoring poison (no user code runs under it).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The refill rate.
    pub fn limit(&self) -> Limit {
        self.lock().limit
    }

    /// The bucket size.
    pub fn burst(&self) -> usize {
        self.lock().burst
    }

    /// Tokens available at `now`: Go's `TokensAt`.
    pub fn tokens_at(&self, now: Instant) -> f64 {
        self.lock().advance(now).2
    }

    /// Whether one event may happen now, taking its token if so: Go's `Allow`.
    pub fn allow(&self) -> bool {
        self.allow_n_at((self.clock)(), 1)
    }

    /// Whether `n` events may happen at `now`: Go's `AllowN`.
    pub fn allow_n_at(&self, now: Instant, n: usize) -> bool {
        self.reserve_inner(now, n, 0.0).ok
    }

    /// Reserves one token: Go's `Reserve`.
    pub fn reserve(&self) -> Reservation<'_> {
        self.reserve_n_at((self.clock)(), 1)
    }

    /// Reserves `n` tokens at `now`, however long the wait: Go's `ReserveN`.
    /// Not OK only if `n` exceeds the burst (or the rate is 0).
    pub fn reserve_n_at(&self, now: Instant, n: usize) -> Reservation<'_> {
        self.reserve_inner(now, n, f64::INFINITY)
    }

    /// Sets the rate from now on: Go's `SetLimit`.
    pub fn set_limit(&self, limit: Limit) {
        self.set_limit_at((self.clock)(), limit);
    }

    /// Sets the rate from `now` on: Go's `SetLimitAt`.
    pub fn set_limit_at(&self, now: Instant, limit: Limit) {
        let mut st = self.lock();
        let (now, _, tokens) = st.advance(now);
        (st.last, st.tokens, st.limit) = (Some(now), tokens, limit);
    }

    /// Sets the bucket size: Go's `SetBurst`.
    pub fn set_burst(&self, burst: usize) {
        self.set_burst_at((self.clock)(), burst);
    }

    /// Sets the bucket size from `now` on: Go's `SetBurstAt`.
    pub fn set_burst_at(&self, now: Instant, burst: usize) {
        let mut st = self.lock();
        let (now, _, tokens) = st.advance(now);
        (st.last, st.tokens, st.burst) = (Some(now), tokens, burst);
    }

    /// Takes `n` tokens if that needs a wait of at most `max_wait` seconds.
    pub(crate) fn reserve_inner(&self, now: Instant, n: usize, max_wait: f64) -> Reservation<'_> {
        let mut st = self.lock();
        let limit = st.limit;
        if limit.is_inf() {
            return Reservation { lim: self, ok: true, tokens: n, time_to_act: now, limit };
        }
        let (now, _, tokens) = st.advance(now);
        let tokens = tokens - n as f64;
        let wait = if tokens < 0.0 { limit.secs_for(-tokens) } else { 0.0 };
        let ok = n <= st.burst && wait.is_finite() && wait <= max_wait;
        let time_to_act = if ok { add_secs(now, wait) } else { now };
        if ok {
            (st.last, st.tokens, st.last_event) = (Some(now), tokens, Some(time_to_act));
        }
        Reservation { lim: self, ok, tokens: if ok { n } else { 0 }, time_to_act, limit }
    }

    /// Waits in a goroutine until one event may happen: Go's `Wait`.
    #[track_caller]
    pub fn wait<'a>(
        &'a self,
        ctx: &'a Context,
    ) -> impl Future<Output = Result<(), WaitError>> + 'a {
        self.wait_n(ctx, 1)
    }

    /// Waits until `n` events may happen: Go's `WaitN`. Fails at once if
    /// `n` exceeds the burst, `ctx` is done, or the tokens would come after
    /// `ctx`'s deadline; if `ctx` ends during the wait, the reservation is
    /// cancelled (its tokens go back) and the context's error returned.
    #[track_caller]
    pub fn wait_n<'a>(
        &'a self,
        ctx: &'a Context,
        n: usize,
    ) -> impl Future<Output = Result<(), WaitError>> + 'a {
        let at = std::panic::Location::caller();
        self.wait_n_at(ctx, n, at)
    }

    /// The body of [`wait_n`](Limiter::wait_n), with the caller's location.
    async fn wait_n_at(
        &self,
        ctx: &Context,
        n: usize,
        at: &'static std::panic::Location<'static>,
    ) -> Result<(), WaitError> {
        let (burst, limit) = {
            let st = self.lock();
            (st.burst, st.limit)
        };
        if n > burst && !limit.is_inf() {
            return Err(WaitError::ExceedsBurst { n, burst });
        }
        if let Some(e) = ctx.err() {
            return Err(WaitError::Context(e));
        }
        let now = (self.clock)();
        let max_wait = ctx.deadline().map_or(f64::INFINITY, |d| secs_between(d, now));
        let r = self.reserve_inner(now, n, max_wait);
        if !r.ok {
            return Err(WaitError::WouldExceedDeadline { n });
        }
        let delay = r.delay_from(now);
        if delay.is_zero() {
            return Ok(());
        }
        self.sleep_or_cancel(ctx, r, delay, at).await
    }

    /// Sleeps `delay` unless `ctx` ends first (then cancels `r`).
    async fn sleep_or_cancel(
        &self,
        ctx: &Context,
        r: Reservation<'_>,
        delay: Duration,
        at: &'static std::panic::Location<'static>,
    ) -> Result<(), WaitError> {
        let mut sleep = pin!(crate::time::sleep(delay));
        let mut done = pin!(ctx.done());
        let slept = poll_fn(|cx| {
            if sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(true);
            }
            if done.as_mut().poll(cx).is_ready() {
                return Poll::Ready(false);
            }
            crate::runtime::current::will_park(crate::runtime::WaitReason::RateWait, at);
            Poll::Pending
        })
        .await;
        if slept {
            return Ok(());
        }
        r.cancel();
        Err(WaitError::Context(ctx.err().unwrap_or(ContextError::Canceled)))
    }

    /// Like [`wait`](Limiter::wait), blocking this plain thread.
    #[track_caller]
    pub fn wait_blocking(&self, ctx: &Context) -> Result<(), WaitError> {
        crate::runtime::current::block_on_thread(self.wait(ctx))
    }
}

impl fmt::Debug for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Limiter")
            .field("limit", &st.limit)
            .field("burst", &st.burst)
            .finish_non_exhaustive()
    }
}

/// Tokens granted to act at a future time: Go's `rate.Reservation`.
pub struct Reservation<'a> {
    /// The limiter it came from.
    lim: &'a Limiter,
    /// Whether the tokens were granted at all.
    ok: bool,
    /// Tokens granted.
    tokens: usize,
    /// When the holder may act.
    time_to_act: Instant,
    /// The rate when reserved (it may change later).
    limit: Limit,
}

impl Reservation<'_> {
    /// Whether the limiter granted the tokens: Go's `OK`.
    pub fn ok(&self) -> bool {
        self.ok
    }

    /// How long to wait before acting (`Duration::MAX` if not OK): Go's `Delay`.
    pub fn delay(&self) -> Duration {
        self.delay_from((self.lim.clock)())
    }

    /// How long after `now` to act: Go's `DelayFrom`.
    pub fn delay_from(&self, now: Instant) -> Duration {
        if !self.ok {
            return Duration::MAX;
        }
        self.time_to_act.saturating_duration_since(now)
    }

    /// When the holder may act.
    pub fn time_to_act(&self) -> Instant {
        self.time_to_act
    }

    /// Gives the tokens back as far as later reservations allow: Go's `Cancel`.
    pub fn cancel(&self) {
        self.cancel_at((self.lim.clock)());
    }

    /// Gives the tokens back, as of `now`: Go's `CancelAt`.
    pub fn cancel_at(&self, now: Instant) {
        if !self.ok {
            return;
        }
        let mut st = self.lim.lock();
        if st.limit.is_inf() || self.tokens == 0 || self.time_to_act < now {
            return;
        }
        let last_event = st.last_event.unwrap_or(self.time_to_act);
        let later = self.limit.tokens_in(secs_between(last_event, self.time_to_act));
        let restore = self.tokens as f64 - later;
        if restore <= 0.0 {
            return;
        }
        let (now, _, tokens) = st.advance(now);
        st.last = Some(now);
        st.tokens = (tokens + restore).min(st.burst as f64);
        if Some(self.time_to_act) == st.last_event {
            let prev = add_secs(self.time_to_act, -self.limit.secs_for(self.tokens as f64));
            if prev >= now {
                st.last_event = Some(prev);
            }
        }
    }
}

impl fmt::Debug for Reservation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reservation")
            .field("ok", &self.ok)
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

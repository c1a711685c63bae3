//! Go's golang.org/x/time/rate: a token-bucket rate limiter.
//!
//! - [`Limiter::allow`]: drop events over the rate.
//! - [`Limiter::reserve`]: take a token now, act after its delay.
//! - [`Limiter::wait`]: wait in a goroutine for a token, bounded by a
//!   context (fails at once if the context's deadline is too early).
//!
//! Build many limiters (per client, per key) rather than one hot one; each
//! is a small mutex-protected struct.

mod limiter;
#[cfg(test)]
mod tests;

pub use limiter::{Limit, Limiter, Reservation, WaitError};

//! The scheduler after Go's G/M/P design: processors (P) with local run
//! queues, worker threads (M) that hold them, a global queue, work stealing,
//! and the sleep/wake protocol. See `runtime/README.md`.

mod idle;
mod inject;
mod park;
pub(crate) mod park_state;
mod processor;
mod queue;
mod rescue;
mod runnext;
mod shared;
mod worker;

pub(crate) use processor::Processor;
pub(crate) use shared::{insert_timer, Config, Shared, Spawn};
#[allow(unused_imports)] // read by the diagnostics area (issue 5)
pub(crate) use shared::{runtimes, Counters};
pub(crate) use worker::Worker;

//! Go's `errgroup` (golang.org/x/sync/errgroup): run subtasks in goroutines,
//! wait for all, get the first error, cancel the rest through a context,
//! and bound how many run at once.
//!
//! Choose it over a [`WaitGroup`](crate::sync::WaitGroup) when the subtasks
//! can fail or must be limited; `wait` also re-raises a subtask's panic.

#[allow(clippy::module_inception)]
mod group;

pub use group::Group;

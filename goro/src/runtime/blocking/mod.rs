//! Blocking work off the workers: `goro::blocking(closure)`.

mod pool;

pub(crate) use pool::Pool;

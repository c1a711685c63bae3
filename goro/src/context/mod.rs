//! Go's `context` package: cancellation trees, deadlines and values. (Issue 4.)

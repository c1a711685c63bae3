//! Go's `os/signal`: `notify` and `notify_context`. (Issue 4.)

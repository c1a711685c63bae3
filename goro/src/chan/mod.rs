//! Channels: Go's `chan T`. (Issue 3.)

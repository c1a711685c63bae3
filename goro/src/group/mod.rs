//! Go's `errgroup`: goroutines that share an error and a context. (Issue 4.)

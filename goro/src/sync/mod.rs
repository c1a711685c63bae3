//! Go's `sync` package: WaitGroup, Mutex, RwLock, Once, Cond, Semaphore, Map. (Issue 4.)

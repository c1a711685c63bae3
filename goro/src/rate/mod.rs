//! x/time/rate's token-bucket limiter. (Issue 4.)

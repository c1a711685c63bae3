//! `select!` and the dynamic `Select`. (Issue 3.)

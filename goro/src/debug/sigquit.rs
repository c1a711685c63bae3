//! SIGQUIT (Ctrl-\) prints the goroutine dump to stderr, as Go does; then,
//! by default, the program exits with status 2 (Go's), or runs on if
//! `GORO_SIGQUIT=continue` / [`super::set_sigquit_exits`]`(false)`.
//! `GORO_SIGQUIT=0` leaves SIGQUIT alone.
//!
//! The handler only wakes a thread (signal-hook's self-pipe); the dump is
//! built on that thread, from the registry only, so it works while every
//! worker is stuck.

use super::config::{sigquit, SIGQUIT_EXIT, SIGQUIT_OFF};
use std::sync::Once;

/// Installs the handler and its thread, once per process, unless disabled.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Miri runs no signal handlers: the memory checks run without one.
        if sigquit() == SIGQUIT_OFF || cfg!(miri) {
            return;
        }
        if let Err(e) = start() {
            eprintln!("goro::debug: cannot handle SIGQUIT: {e}");
        }
    });
}

/// Registers SIGQUIT and starts the thread that answers it.
#[cfg(unix)]
fn start() -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGQUIT])?;
    std::thread::Builder::new().name("goro-sigquit".into()).spawn(move || {
        for _ in signals.forever() {
            eprint!("SIGQUIT: quit\n\n{}", super::dump());
            if sigquit() == SIGQUIT_EXIT {
                std::process::exit(2);
            }
        }
    })?;
    Ok(())
}

/// No SIGQUIT outside Unix.
#[cfg(not(unix))]
fn start() -> std::io::Result<()> {
    Ok(())
}

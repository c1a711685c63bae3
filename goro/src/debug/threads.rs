//! Who else could wake a goroutine: counting the process's threads that are
//! not goro's own.
//!
//! A thread goro did not start (the program's main thread outside
//! `block_on`, a `std::thread` holding a `Sender`, a thread inside a
//! `_blocking` call, another library's thread) might wake a parked
//! goroutine at any time, so while one exists no deadlock is ever declared.
//! goro's own threads are recognised by name, from a fixed list; a thread
//! running `block_on` is goro's while it does (its main goroutine is in the
//! registry). Only Linux lists threads (`/proc/self/task/*/comm`); elsewhere
//! the count is unknown and the detector stays quiet.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

/// Whether this system lists a process's threads (Linux's `/proc`); the
/// whole-program deadlock detector can fire only where it does.
pub(crate) const CAN_LIST: bool = cfg!(target_os = "linux");

/// Name prefixes of the threads goro starts. None of them wakes a goroutine
/// unless a goroutine, a timer or a blocking job asks it to.
const OWN: [&str; 6] =
    ["goro-worker", "goro-blocking", "goro-timer", "goro-sysmon", "goro-sigquit", "goro-rescue"];

/// Threads not named as goro's own that are inside `block_on` now.
static BLOCK_ON_THREADS: AtomicUsize = AtomicUsize::new(0);
/// Ids of the main goroutines of running `block_on`s (few; a lock is fine).
static MAIN_GOROUTINES: Mutex<Vec<u64>> = Mutex::new(Vec::new());

/// Whether `name` is one of goro's own threads.
fn is_own(name: &str) -> bool {
    OWN.iter().any(|p| name.starts_with(p))
}

/// Counts this thread as a `block_on` thread while the guard lives.
pub(crate) struct BlockOnThread {
    /// Whether this thread was counted (its name is not one of goro's).
    counted: bool,
    /// The main goroutine's id.
    main: u64,
}

impl BlockOnThread {
    /// Marks the current thread as running `block_on` with main goroutine `main`.
    pub(crate) fn enter(main: u64) -> Self {
        let counted = !std::thread::current().name().is_some_and(is_own);
        if counted {
            BLOCK_ON_THREADS.fetch_add(1, Relaxed);
        }
        MAIN_GOROUTINES.lock().unwrap_or_else(|e| e.into_inner()).push(main);
        BlockOnThread { counted, main }
    }
}

impl Drop for BlockOnThread {
    fn drop(&mut self) {
        if self.counted {
            BLOCK_ON_THREADS.fetch_sub(1, Relaxed);
        }
        MAIN_GOROUTINES.lock().unwrap_or_else(|e| e.into_inner()).retain(|&g| g != self.main);
    }
}

/// Whether `g` is the main goroutine of a running `block_on`.
pub(crate) fn is_main_goroutine(g: u64) -> bool {
    MAIN_GOROUTINES.lock().unwrap_or_else(|e| e.into_inner()).contains(&g)
}

/// Threads now inside `block_on` (not counting goro's own).
pub(crate) fn block_on_threads() -> usize {
    BLOCK_ON_THREADS.load(Relaxed)
}

/// What the process's threads are doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Census {
    /// Threads that are neither goro's own nor inside `block_on`.
    pub(crate) foreign: usize,
    /// Threads, the monitor aside, not asleep in the kernel (state other
    /// than `S`): running, runnable but preempted, in uninterruptible I/O.
    pub(crate) awake: usize,
}

/// Counts the threads; `None` where threads cannot be listed.
#[cfg(target_os = "linux")]
pub(crate) fn census() -> Option<Census> {
    let (mut others, mut awake) = (0usize, 0usize);
    for entry in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = entry.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
        let name = comm.trim_end();
        if !is_own(name) {
            others += 1;
        }
        if !name.starts_with("goro-sysmon") && !asleep(&dir) {
            awake += 1;
        }
    }
    Some(Census { foreign: others.saturating_sub(block_on_threads()), awake })
}

/// Whether the thread at `/proc/self/task/<tid>` sleeps in the kernel
/// (state `S`); a thread that vanished counts as asleep.
#[cfg(target_os = "linux")]
fn asleep(dir: &std::path::Path) -> bool {
    let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else { return true };
    // The state follows the last ')' (the name may contain one).
    stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()) == Some('S')
}

/// Threads cannot be listed here: unknown.
#[cfg(not(target_os = "linux"))]
pub(crate) fn census() -> Option<Census> {
    None
}

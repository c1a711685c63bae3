//! Whether a worker that looks stuck was held up by the OS rather than by
//! its goroutine: the blocking monitor's guard against false reports on an
//! overloaded machine.
//!
//! A processor whose scheduling tick stays odd for the threshold has one
//! poll on its stack, but that alone does not say who is at fault: a
//! goroutine that spins or makes a blocking call, or a worker thread that
//! the OS left waiting for a CPU (more runnable threads than cores). Linux
//! tells them apart per thread: its state (`/proc/self/task/<tid>/stat`:
//! `R` runnable or running, `S`/`D` blocked in a call) and its time on a
//! CPU (`schedstat`, first field). The monitor samples both when it first
//! sees a poll still running, and at each later sample past the threshold
//! until it has reported the poll: a thread that is
//! runnable yet has run, since then, for less than an eighth of the time,
//! or for less than half the threshold in all, was kept off the CPU by the
//! OS, so the goroutine is not blamed (yet). The span grows with the poll,
//! and a few milliseconds of CPU do not count, because the OS still gives a
//! starved thread a whole time slice now and then (one right after it
//! moves to another CPU's queue), which would make a short window look
//! busy. (The run-queue wait, the second `schedstat` field, would say it
//! directly, but the kernel adds to it only when the waiting thread gets a
//! CPU again: a thread starved now shows none.) The hand-off happens either
//! way: the queued work needs another worker.
//!
//! A goroutine blocked in a call is blamed (its thread is not runnable); a
//! spinning one is blamed once it has had half the threshold of CPU, at
//! least an eighth of a CPU: at once on an idle machine, later on a busy
//! one, never beyond eight runnable threads per core, where the OS's share
//! and the goroutine's cannot be told apart. A stuck poll not yet blamed is
//! judged once more over its whole span when it ends.
//!
//! Elsewhere than Linux (or if the files cannot be read) nothing is known
//! and every stuck poll is blamed on the goroutine, as before.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use std::time::Duration;

/// The calling thread's kernel thread id (0 where unknown).
pub(crate) fn this_thread() -> i32 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions and cannot fail.
        unsafe { libc::gettid() }
    }
    #[cfg(not(target_os = "linux"))]
    0
}

/// What the OS says about one thread at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sample {
    /// Its time on a CPU since it started.
    pub(crate) on_cpu: Duration,
    /// Whether it is runnable (running or waiting for a CPU), not blocked.
    pub(crate) runnable: bool,
}

/// Samples thread `tid` of this process; `None` where unknown.
pub(crate) fn sample(tid: i32) -> Option<Sample> {
    if tid == 0 || !cfg!(target_os = "linux") {
        return None;
    }
    let dir = format!("/proc/self/task/{tid}");
    let on_cpu = parse_on_cpu(&std::fs::read_to_string(format!("{dir}/schedstat")).ok()?)?;
    let runnable = parse_state(&std::fs::read_to_string(format!("{dir}/stat")).ok()?)? == 'R';
    Some(Sample { on_cpu, runnable })
}

/// The time on a CPU in a `schedstat` line (`on-cpu wait slices`, ns).
fn parse_on_cpu(schedstat: &str) -> Option<Duration> {
    let nanos = schedstat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The state letter of a `stat` line (`tid (comm) S ...`; the name may hold
/// spaces and parentheses, so the state follows the last `)`).
fn parse_state(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..].split_whitespace().next()?.chars().next()
}

/// True if a thread sampled `then` and `now`, `window` apart, was kept off
/// the CPU by the OS: runnable now, yet on a CPU for under an eighth of the
/// window or for less than `min_cpu` in all.
pub(crate) fn held_up_by_os(
    then: Sample,
    now: Sample,
    window: Duration,
    min_cpu: Duration,
) -> bool {
    let ran = now.on_cpu.saturating_sub(then.on_cpu);
    now.runnable && (ran * 8 < window || ran < min_cpu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_parse() {
        assert_eq!(
            parse_on_cpu("691064701 161766016 868\n"),
            Some(Duration::from_nanos(691064701))
        );
        assert_eq!(parse_on_cpu(""), None);
        assert_eq!(parse_state("18377 (cat) R 18375 18375"), Some('R'));
        assert_eq!(parse_state("7 (a) b) (S) S 1 1"), Some('S'));
        assert_eq!(parse_state("7 (a"), None);
    }

    #[test]
    fn runnable_but_seldom_on_a_cpu_is_the_os() {
        let ms = Duration::from_millis;
        let at = |on_cpu, runnable| Sample { on_cpu: ms(on_cpu), runnable };
        let held = |then, now, window| held_up_by_os(then, now, ms(window), ms(5));
        assert!(held(at(5, true), at(6, true), 10)); // starved
        assert!(held(at(5, true), at(8, true), 20)); // one time slice: not enough
        assert!(!held(at(5, true), at(10, true), 40)); // spinning, an eighth of a CPU
        assert!(!held(at(5, true), at(5, false), 10)); // blocked in a call
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_thread_can_be_sampled() {
        let s = sample(this_thread()).expect("Linux has schedstat");
        assert!(s.runnable, "the sampling thread runs");
        assert_eq!(sample(0), None);
    }
}

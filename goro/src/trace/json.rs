//! Chrome trace-event JSON (the "JSON Array/Object Format" that
//! ui.perfetto.dev and chrome://tracing load).
//!
//! Layout: one process ("goro"), one track per thread (named by metadata
//! events). A goroutine's poll is a complete event (`"ph":"X"`) on its
//! worker's track, named `g18` and ending in the park (args: reason) or the
//! end; spawn, unpark, steal and hand-off are instant events (`"ph":"i"`).
//! Times are microseconds with nanosecond decimals.

use super::event::{Event, EventKind};
use std::io::{self, Write};

/// One thread's events, as collected.
pub(super) struct Track {
    /// The trace `tid`.
    pub(super) tid: u64,
    /// The thread's name.
    pub(super) name: String,
    /// Its events, in time order.
    pub(super) events: Vec<Event>,
}

/// Writes `tracks` as one JSON object.
pub(super) fn write(out: &mut dyn Write, tracks: &[Track]) -> io::Result<()> {
    out.write_all(b"{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n")?;
    let mut first = true;
    for t in tracks {
        sep(out, &mut first)?;
        write!(
            out,
            r#"{{"ph":"M","pid":1,"tid":{},"name":"thread_name","args":{{"name":{}}}}}"#,
            t.tid,
            quote(&t.name)
        )?;
        write_track(out, t, &mut first)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// Writes a comma unless this is the first element.
fn sep(out: &mut dyn Write, first: &mut bool) -> io::Result<()> {
    if !std::mem::replace(first, false) {
        out.write_all(b",\n")?;
    }
    Ok(())
}

/// Writes one track's events; a `Run` is held until its `Park` or `End`.
fn write_track(out: &mut dyn Write, t: &Track, first: &mut bool) -> io::Result<()> {
    let mut open: Option<&Event> = None;
    for e in &t.events {
        match e.kind {
            EventKind::Run => open = Some(e),
            EventKind::Park | EventKind::End => {
                let start = open.take().filter(|r| r.goroutine == e.goroutine);
                sep(out, first)?;
                write_slice(out, t.tid, start.map_or(e.at_nanos, |r| r.at_nanos), e)?;
            }
            _ => {
                sep(out, first)?;
                write_instant(out, t.tid, e)?;
            }
        }
    }
    Ok(())
}

/// A poll from `start` to `e` (its park or end).
fn write_slice(out: &mut dyn Write, tid: u64, start: u64, e: &Event) -> io::Result<()> {
    let outcome = match e.reason {
        Some(r) if e.kind == EventKind::Park => quote(r.as_str()),
        _ => quote("finished"),
    };
    write!(
        out,
        r#"{{"ph":"X","pid":1,"tid":{tid},"ts":{},"dur":{},"name":"g{}","cat":"goroutine","args":{{"goroutine":{},"then":{outcome}}}}}"#,
        micros(start),
        micros(e.at_nanos.saturating_sub(start)),
        e.goroutine,
        e.goroutine,
    )
}

/// A point event.
fn write_instant(out: &mut dyn Write, tid: u64, e: &Event) -> io::Result<()> {
    let (name, other) = match e.kind {
        EventKind::Spawn => ("spawn", "parent"),
        EventKind::Unpark => ("unpark", "other"),
        EventKind::Steal => ("steal", "victim_processor"),
        EventKind::Handoff => ("handoff", "processor"),
        _ => ("event", "other"),
    };
    write!(
        out,
        r#"{{"ph":"i","s":"t","pid":1,"tid":{tid},"ts":{},"name":"{name}","cat":"scheduler","args":{{"goroutine":{},"{other}":{}}}}}"#,
        micros(e.at_nanos),
        e.goroutine,
        e.other,
    )
}

/// Nanoseconds as a JSON number of microseconds.
fn micros(nanos: u64) -> String {
    format!("{}.{:03}", nanos / 1000, nanos % 1000)
}

/// `s` as a JSON string literal.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if (c as u32) < 0x20 => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_json_specials() {
        assert_eq!(quote("a\"b\\c\n"), r#""a\"b\\c\u000a""#);
    }

    #[test]
    fn micros_keeps_nanosecond_precision() {
        assert_eq!(micros(1_234_567), "1234.567");
        assert_eq!(micros(5), "0.005");
    }
}

#!/usr/bin/env python3
"""Turns run.sh's raw CSV into results/summary.md: medians per (impl, case),
ratios (speedups: the other's median time / goro's, so > 1 means goro is
faster), and the issues' targets marked met / not met.

The channel rows too close to call from medians (goroutines within
CLOSE_MARGIN of a crate, or behind it) are settled by run.sh's paired
phase, read from `<raw>.close.csv` beside the raw CSV when it is there:
`summarize.py --close RAW` names those rows and crates for run.sh.

A case any of whose runs timed out or failed shows that status instead of a
median: a deadlock is a failure, not a slow result. Standard library only.
"""
import csv
import math
import os
import statistics
import sys
from collections import defaultdict

from paired import interval, reading

RUNTIME_IMPLS = ["go", "tokio", "goro"]
CHAN_IMPLS = ["go", "crossbeam", "flume", "flume-async", "kanal", "kanal-async",
              "tokio", "goro", "goro-threads"]
RUST_CHAN_PEERS = ["crossbeam", "flume", "flume-async", "kanal", "kanal-async", "tokio"]
CHAN_WORKLOADS = ["seq", "spsc", "mpsc", "mpmc", "select_rx", "select_both"]
FLAVORS = ["unbuffered", "bounded1", "boundedN", "unbounded"]
RUNTIME_CASES = [("spawn_join_1m", "default"), ("park_1m", "gate"),
                 ("yield_pingpong", "procs_default"), ("yield_pingpong", "procs1"),
                 ("yield_compute", "default")]
TOOLKIT_CASES = [("mutex_counter", "g2"), ("mutex_counter", "g100"),
                 ("waitgroup_fanout", "default"), ("context_cancel_tree", "default"),
                 ("map_read_mostly", "default")]
# A channel row is close when goroutines' median is within this fraction of
# a Rust crate's, or behind it: about the spread of one case's medians
# between full runs on the 2-core VM (BENCHMARKS.md, "Full run, 11:23" and
# "11:38": rows within 3 % flipped).
CLOSE_MARGIN = 0.05
# Toolkit cases the issue sets no target for (the map's is its choice).
NO_TARGET = {("map_read_mostly", "default")}
DIAG_CASES = [("spawn_join_1m", "default"), ("park_1m", "gate"),
              ("spsc", "bounded1"), ("mpmc", "unbuffered")]
# The diagnostics target's cases (park_1m measures memory, not time), which
# run.sh's paired phase also runs as goro against goro-nodiag by round.
DIAG_TIMED = [c for c in DIAG_CASES if c[0] != "park_1m"]
# The target: the registry costs under this fraction of a case's time.
DIAG_LIMIT = 0.05


class Cell:
    """All runs of one implementation on one case."""

    def __init__(self):
        self.times, self.extras, self.status = [], [], None

    def add(self, seconds, extra):
        try:
            self.times.append(float(seconds))
            self.extras.append(dict(kv.split("=", 1) for kv in extra.split(";") if "=" in kv))
        except ValueError:
            # timeout / failed outrank n/a: they are failures
            if seconds in ("timeout", "failed") or self.status is None:
                self.status = seconds

    def median(self):
        if self.status in ("timeout", "failed") or not self.times:
            return None
        return statistics.median(self.times)

    def extra_median(self, key):
        vals = [float(e[key]) for e in self.extras if key in e]
        return statistics.median(vals) if vals else None

    def spread(self):
        """max / min of the runs: how much the machine's noise moved them."""
        return max(self.times) / min(self.times) if len(self.times) > 1 and min(self.times) > 0 else None

    def show(self):
        m = self.median()
        return f"{m:.4f}" if m is not None else (self.status or "—")


def load(path):
    cells = defaultdict(Cell)
    with open(path) as f:
        for row in csv.DictReader(f):
            cells[(row["impl"], row["workload"], row["flavor"])].add(row["seconds"], row["extra"] or "")
    return cells


def close_path(raw):
    """Where run.sh's paired phase writes its rounds for the raw CSV `raw`."""
    return raw[:-4] + ".close.csv" if raw.endswith(".csv") else raw + ".close.csv"


def close_rows(cells, cases):
    """The channel rows medians cannot settle: (workload, flavor, crates)
    for each row where some Rust crate's median is below goroutines' median
    times 1 + CLOSE_MARGIN, with every such crate."""
    rows = []
    for w, f in cases:
        g = cells[("goro", w, f)].median()
        if g is None:
            continue
        near = [p for p in RUST_CHAN_PEERS
                if cells[(p, w, f)].median() is not None
                and cells[(p, w, f)].median() < g * (1 + CLOSE_MARGIN)]
        if near:
            rows.append((w, f, near))
    return rows


def load_rounds(path):
    """{(workload, flavor): {round: {impl: seconds}}} from a paired phase's
    CSV, and the count of goro's failed runs per case; (None, {}) where
    there is no such file. A failed run gives no time."""
    if not os.path.exists(path):
        return None, {}
    rounds, failed = defaultdict(lambda: defaultdict(dict)), defaultdict(int)
    with open(path) as f:
        for row in csv.DictReader(f):
            key = (row["workload"], row["flavor"])
            try:
                rounds[key][int(row["round"])][row["impl"]] = float(row["seconds"])
            except ValueError:
                failed[key] += row["impl"] == "goro"
    return rounds, failed


def load_paired(path):
    """{(workload, flavor): [(crate, rounds, goro's wins, median, lo, hi,
    reading), ...]}
    from the paired phase's rounds: each crate's time over goro's in the
    same round. None where there is no such file. A round where either run
    failed gives no ratio; `failed` counts goro's failed runs per row."""
    rounds, failed = load_rounds(path)
    if rounds is None:
        return None, failed
    paired = {}
    for key, by_round in rounds.items():
        crates = sorted({i for rd in by_round.values() for i in rd} - {"goro"},
                        key=RUST_CHAN_PEERS.index)
        paired[key] = []
        for c in crates:
            q = [rd[c] / rd["goro"] for rd in by_round.values() if c in rd and rd.get("goro")]
            if q:
                med, lo, hi = interval(q)
                wins = sum(x > 1 for x in q)
                paired[key].append((c, len(q), wins, med, lo, hi, reading(lo, hi)))
    return paired, failed


def diag_path(raw):
    """Where run.sh's paired phase writes goro's and goro-nodiag's rounds."""
    return raw[:-4] + ".diag.csv" if raw.endswith(".csv") else raw + ".diag.csv"


def load_diag(path):
    """{(workload, flavor): (rounds, median, lo, hi)} of goro's time over
    goro-nodiag's in the same round; None where there is no such file. A
    round where either run failed gives no ratio."""
    rounds, _ = load_rounds(path)
    if rounds is None:
        return None
    out = {}
    for key, by_round in rounds.items():
        q = [rd["goro"] / rd["goro-nodiag"] for rd in by_round.values()
             if rd.get("goro") and rd.get("goro-nodiag")]
        if q:
            out[key] = (len(q), *interval(q))
    return out


def diag_verdict(diag):
    """The diagnostics target from the paired rounds: met when every case's
    interval lies below 1 + DIAG_LIMIT, not met when one lies above it, else
    None (a case's interval holds the limit, or a case has no rounds)."""
    rows = [diag.get(c) for c in DIAG_TIMED]
    if any(r is None for r in rows):
        return None
    if any(lo > 1 + DIAG_LIMIT for _, _, lo, _ in rows):
        return False
    return True if all(hi < 1 + DIAG_LIMIT for _, _, _, hi in rows) else None


def paired_table(paired, failed, out):
    """The paired phase's table, under the channels' tables."""
    if paired is None:
        return
    out += ["", f"Close rows, paired by round: where goroutines' median was within "
            f"{CLOSE_MARGIN * 100:.0f} % of a crate's, or behind it, run.sh then ran goro and each such "
            "crate once per round, back to back, a fresh random heap layout each round "
            "(with `PAD=random`). Speedup = the crate's time / goro's in the same round: the "
            "median over the rounds, its 95 % bootstrap interval (`paired.py`), and the reading: "
            "goro **ahead** where the interval lies above 1, **behind** where below, **level** "
            "where it holds 1 (the rounds cannot tell them apart).", ""]
    if not paired:
        out.append("(No row was close.)")
        return
    out += ["| workload | flavor | crate | rounds | speedup | 95 % interval | goro faster in | reading |",
            "|---|---|---|---|---|---|---|---|"]
    for (w, f), rows in paired.items():
        for c, n, wins, med, lo, hi, rd in rows:
            fail = f" (goro failed {failed[(w, f)]})" if failed[(w, f)] else ""
            out.append(f"| {w} | {f} | {c} | {n}{fail} | {med:.3f}× | {lo:.3f}–{hi:.3f} | "
                       f"{wins}/{n} | **{rd}** |")


def speedup(base, goro):
    """base's median over goro's: how many times faster goro is."""
    if base is None or goro is None or goro == 0:
        return None
    return base / goro


def fmt_ratio(r):
    return f"{r:.2f}×" if r is not None else "—"


def verdict(ok):
    """met / not met, or — where the run could not tell (missing or noise)."""
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def best_peer(cells, w, f, peers):
    got = [(cells[(p, w, f)].median(), p) for p in peers if cells[(p, w, f)].median() is not None]
    return min(got) if got else (None, None)


def table(cells, cases, impls, peers, out, targets=None):
    head = ["workload", "flavor"] + impls + ["goro vs Go", "goro vs best Rust peer"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for w, f in cases:
        row = [w, f] + [cells[(i, w, f)].show() for i in impls]
        g = cells[("goro", w, f)].median()
        row.append(fmt_ratio(speedup(cells[("go", w, f)].median(), g)))
        bm, bp = best_peer(cells, w, f, peers)
        row.append(f"{fmt_ratio(speedup(bm, g))} ({bp})" if bp else "—")
        out.append("| " + " | ".join(row) + " |")


PROBE_WORKLOADS = ["spsc", "mpsc"]
# A producer can run ahead of its consumer only where the buffer lets it.
PROBE_FLAVORS = ["boundedN", "unbounded"]


def probe_runs(cell):
    """(first_recv_ms, first_done_ms) of each run that printed the probe's keys:
    the consumer's first message and the first producer's end of sending
    (a CSV from before `first_done_ms` gives the last producer's end)."""
    return [(float(e["first_recv_ms"]), float(e.get("first_done_ms", e["sends_done_ms"])))
            for e in cell.extras if "first_recv_ms" in e and "sends_done_ms" in e]


def starved_runs(cell):
    """(runs whose consumer got nothing until a producer had sent all it had, runs probed)."""
    runs = probe_runs(cell)
    return sum(first >= done for first, done in runs), len(runs)


def starved(cell):
    """Whether the consumer was starved in the majority of runs; None where
    no run printed the keys."""
    k, n = starved_runs(cell)
    return None if n == 0 else 2 * k > n


def interleaving(cells, out):
    """The probe's table: did the consumer run while the producers sent?"""
    out += ["", "Interleaving (`spsc`, `mpsc`, on the buffers a producer can run ahead in): "
            "each cell is the consumer's first message / the first producer's end of sending, "
            "in ms since the producers were started (medians; a few clock reads per run, none "
            "per message), and **starved k/n** where in k of n runs the consumer got nothing "
            "until a producer had sent all it had. A Go programmer expects a goroutine woken "
            "by a send to run while the producer goes on. A runtime that runs the producer to "
            "the end first (tokio's un-stealable LIFO slot, with a channel outside tokio's coop "
            "budget) does the work serially, which is cheaper on a buffer that holds every "
            "message: its time there is won by starving the consumer, not by a faster channel. "
            "For plain threads a starved run means the OS did not run the woken consumer "
            "thread in time (on the 2-core VM it often waited about 2 ms), not the crate.", ""]
    impls = [i for i in CHAN_IMPLS
             if any(probe_runs(cells[(i, w, f)]) for w in PROBE_WORKLOADS for f in PROBE_FLAVORS)]
    if not impls:
        out.append("(No run printed the probe's keys: a CSV from before the probe.)")
        return
    out += ["| workload | flavor | " + " | ".join(impls) + " |",
            "|---|---|" + "---|" * len(impls)]
    for w in PROBE_WORKLOADS:
        for f in PROBE_FLAVORS:
            out.append(f"| {w} | {f} | " + " | ".join(probe_cell(cells[(i, w, f)]) for i in impls) + " |")


def probe_cell(c):
    """One implementation's interleaving cell."""
    k, n = starved_runs(c)
    if n == 0:
        return "n/a"
    first = statistics.median(r[0] for r in probe_runs(c))
    done = statistics.median(r[1] for r in probe_runs(c))
    mark = f" **starved {k}/{n}**" if k else ""
    return f"{first:.2f} / {done:.2f}{mark}"


def behind_best(cells, cases, goro_forms, title, paired=None, failed=None):
    """The target row "goro ≥ the best crate (sync or async) on each
    workload", goro taken as the faster of `goro_forms` there. A row the
    paired phase ran (`paired`, goroutines only) is read from its rounds:
    behind if any crate's interval lies below 1 or goro failed there, level
    if one holds 1; other rows from the medians, as before that phase."""
    behind, level = [], []
    measured = 0
    for w, f in cases:
        bm, bp = best_peer(cells, w, f, RUST_CHAN_PEERS)
        times = [cells[(g, w, f)].median() for g in goro_forms]
        times = [t for t in times if t is not None]
        if bm is None or not times:
            continue
        measured += 1
        if paired and (w, f) in paired:
            row = paired_reading(cells, w, f, paired[(w, f)], (failed or {}).get((w, f), 0))
            if row:
                (behind if row[0] == "behind" else level).append(row[1])
        elif min(times) > bm:
            # a crate that won by starving its consumer is named as such
            why = ", whose consumer was starved" if starved(cells[(bp, w, f)]) else ""
            # medians of a few runs: say when the runs themselves overlap
            g = min(goro_forms, key=lambda g: cells[(g, w, f)].median() or float("inf"))
            if min(cells[(g, w, f)].times) <= max(cells[(bp, w, f)].times):
                why += "; the runs overlap"
            behind.append(f"{w}/{f} ({fmt_ratio(bm / min(times))} of {bp}{why})")
    text = f"behind on {len(behind)} of {measured}: " + ("; ".join(behind) or "none")
    if level:
        text += f"; level on {len(level)} (paired rounds cannot tell): " + "; ".join(level)
    return (title, text, None if measured == 0 else (False if behind else (None if level else True)))


def paired_reading(cells, w, f, rows, goro_failed):
    """("behind" | "level", text) for a paired row that is not ahead of
    every crate; None where it is."""
    if goro_failed:
        return "behind", f"{w}/{f} (goro failed in {goro_failed} paired rounds)"
    worst = [r for r in rows if r[-1] == "behind"] or [r for r in rows if r[-1] == "level"]
    if not worst:
        return None
    parts = []
    for c, n, wins, med, lo, hi, rd in worst:
        why = ", whose consumer was starved" if starved(cells[(c, w, f)]) else ""
        parts.append(f"{med:.3f}× ({lo:.3f}–{hi:.3f}) of {c}{why}, {n} rounds")
    return worst[0][-1], f"{w}/{f} (" + "; ".join(parts) + ")"


ASYNC_PEERS = ["flume-async", "kanal-async", "tokio"]
SYNC_PEERS = ["crossbeam", "flume", "kanal"]


def like_for_like(cells, cases, out):
    """Each goro form against the crates of its kind: goroutines against
    tasks on tokio (the async crates), plain threads against threads (the
    sync crates). The strict target above takes the best of all of them."""
    out += ["", "Like for like (speedups, > 1 means goro is faster): goro's goroutines "
            "against the best async crate on tokio, `goro-threads` against the best "
            "sync crate on threads.", "",
            "| workload | flavor | goro vs best async | goro-threads vs best sync |", "|---|---|---|---|"]
    for w, f in cases:
        row = [w, f]
        for g, peers in (("goro", ASYNC_PEERS), ("goro-threads", SYNC_PEERS)):
            bm, bp = best_peer(cells, w, f, peers)
            r = speedup(bm, cells[(g, w, f)].median())
            row.append(f"{fmt_ratio(r)} ({bp})" if bp and r is not None else "—")
        out.append("| " + " | ".join(row) + " |")


def main(raw, machine):
    cells = load(raw)
    out = ["# Benchmark summary", "", "Times are medians in seconds; ratios are speedups "
           "(the other's median / goro's: > 1 means goro is faster). Generated by "
           "`benches/run.sh` from `" + raw + "`.", "", "```"]
    out += open(machine).read().strip().splitlines() + ["```", ""]
    targets = []

    out += ["## Runtime (issue 2)", ""]
    table(cells, RUNTIME_CASES, RUNTIME_IMPLS, ["tokio"], out)
    out += ["", "Parked goroutines (`park_1m`): bytes per parked goroutine = "
            "(RSS with 1,000,000 parked − RSS before) / 1,000,000; peak RSS from VmHWM / ru_maxrss.", "",
            "| impl | bytes per parked goroutine | peak RSS (MiB) | Go's bytes / this |", "|---|---|---|---|"]
    gob = cells[("go", "park_1m", "gate")].extra_median("bytes_per_goroutine")
    for i in RUNTIME_IMPLS + ["goro-nodiag"]:
        c = cells[(i, "park_1m", "gate")]
        b, rss = c.extra_median("bytes_per_goroutine"), c.extra_median("peak_rss_kib")
        if b is None:
            continue
        out.append(f"| {i} | {b:.0f} | {rss / 1024:.0f} | {fmt_ratio(speedup(gob, b))} |")
    sj = lambda i: cells[(i, "spawn_join_1m", "default")].median()
    r_go, r_tk = speedup(sj("go"), sj("goro")), speedup(sj("tokio"), sj("goro"))
    targets.append(("spawn and join 1,000,000: ≥ 2× Go's rate and faster than tokio",
                    f"{fmt_ratio(r_go)} Go, {fmt_ratio(r_tk)} tokio",
                    None if r_go is None or r_tk is None else (r_go >= 2 and r_tk > 1)))
    gb = cells[("goro", "park_1m", "gate")].extra_median("bytes_per_goroutine")
    pr = speedup(gob, gb)
    targets.append(("1,000,000 parked: ≤ 1/8 of Go's bytes per goroutine",
                    f"Go's / goro's = {fmt_ratio(pr)}", None if pr is None else pr >= 8))
    for fl in ("procs_default", "procs1"):
        r = speedup(cells[("go", "yield_pingpong", fl)].median(), cells[("goro", "yield_pingpong", fl)].median())
        targets.append((f"yield ping-pong ({fl}): no slower than Go", fmt_ratio(r), None if r is None else r >= 1))

    out += ["", "## Channels (issue 3)", "",
            "crossbeam-channel's workloads, 200,000 messages (crossbeam's 5,000,000 / 25), 4 producers/consumers.", ""]
    chan_cases = channel_rows()
    table(cells, chan_cases, CHAN_IMPLS, RUST_CHAN_PEERS, out)
    vs_go = [speedup(cells[("go", w, f)].median(), cells[("goro", w, f)].median()) for w, f in chan_cases]
    vs_go = [r for r in vs_go if r is not None]
    geo = math.exp(sum(map(math.log, vs_go)) / len(vs_go)) if vs_go else None
    out += ["", f"Geometric mean of goro's speedup over Go ({len(vs_go)} cases Go offers): {fmt_ratio(geo)}"]
    goro_fail = [f"{w}/{f}" for w, f in chan_cases if cells[("goro", w, f)].status in ("timeout", "failed")]
    targets.append(("channels: faster than Go on every workload, ≥ 1.5× geometric mean",
                    f"geomean {fmt_ratio(geo)}, min {fmt_ratio(min(vs_go) if vs_go else None)}"
                    + (f", failures: {', '.join(goro_fail)}" if goro_fail else ""),
                    None if not vs_go else (geo >= 1.5 and min(vs_go) > 1 and not goro_fail)))
    paired, failed = load_paired(close_path(raw))
    targets.append(behind_best(cells, chan_cases, ["goro"],
                               "channels: ≥ the best Rust crate on each workload it offers",
                               paired, failed))
    targets.append(behind_best(cells, chan_cases, ["goro", "goro-threads"],
                               "channels, goro's faster form (goroutines or plain threads) "
                               "against the crate's faster form, as the line above takes it"))
    paired_table(paired, failed, out)
    like_for_like(cells, chan_cases, out)
    interleaving(cells, out)

    out += ["", "## Toolkit (issue 4)", ""]
    table(cells, TOOLKIT_CASES, RUNTIME_IMPLS, ["tokio"], out)
    for w, f in TOOLKIT_CASES:
        if (w, f) in NO_TARGET:
            continue
        r = speedup(cells[("go", w, f)].median(), cells[("goro", w, f)].median())
        targets.append((f"{w} ({f}): ≥ Go's throughput", fmt_ratio(r), None if r is None else r >= 1))

    out += ["", "## Diagnostics overhead (issue 5)", "",
            "`goro` is built with goro's default features (the always-on registry); "
            "`goro-nodiag` with `default-features = false`.", "",
            "`spread` is max / min over the runs of each: an overhead smaller than the spread "
            "is not resolved by this run.", "",
            "| workload | flavor | goro | goro-nodiag | overhead | spread goro / nodiag |", "|---|---|---|---|---|---|"]
    worst, unresolved = None, []
    for w, f in DIAG_CASES:
        on, off = cells[("goro", w, f)].median(), cells[("goro-nodiag", w, f)].median()
        ov = None if on is None or off is None else (on / off - 1) * 100
        noise = max((cells[(i, w, f)].spread() or 1) for i in ("goro", "goro-nodiag"))
        if ov is not None and w != "park_1m":
            # an overhead inside the runs' own spread is not resolved
            if abs(ov) > (noise - 1) * 100:
                worst = ov if worst is None else max(worst, ov)
            else:
                unresolved.append(f"{w}/{f} {ov:+.0f}% inside spread {noise:.2f}×")
        out.append(f"| {w} | {f} | {cells[('goro', w, f)].show()} | {cells[('goro-nodiag', w, f)].show()} | "
                   + (f"{ov:+.1f}%" if ov is not None else "—") + " | "
                   + " / ".join(fmt_ratio(cells[(i, w, f)].spread()) for i in ("goro", "goro-nodiag")) + " |")
    out += ["", "The monitor (sysmon: blocking detection and hand-off) on and off: `goro-nomonitor` "
            "is `goro` with the monitor switched off at start.", "",
            "| workload | flavor | goro | goro-nomonitor | monitor cost |", "|---|---|---|---|---|"]
    for w, f in DIAG_CASES:
        on, off = cells[("goro", w, f)].median(), cells[("goro-nomonitor", w, f)].median()
        ov = None if on is None or off is None else (on / off - 1) * 100
        out.append(f"| {w} | {f} | {cells[('goro', w, f)].show()} | {cells[('goro-nomonitor', w, f)].show()} | "
                   + (f"{ov:+.1f}%" if ov is not None else "—") + " |")
    same_build = "goro diagnostics feature: no" in open(machine).read()
    if same_build:
        out += ["", "goro declares no `diagnostics` feature in this tree, so both builds are "
                "the same code: these rows measure only the machine's noise."]
        worst = None
    diag = load_diag(diag_path(raw))
    if diag is not None:
        out += ["", "The registry's cost paired by round: run.sh ran `goro` and `goro-nodiag` "
                "once per round, back to back, a fresh random heap layout each round. Cost = "
                "goro's time / goro-nodiag's in the same round: the median over the rounds and "
                "its 95 % bootstrap interval (`paired.py`). The target reads these rows: met "
                f"when every interval lies below {1 + DIAG_LIMIT:.2f}, not met when one lies "
                "above it.", "", "| workload | flavor | rounds | cost | 95 % interval |",
                "|---|---|---|---|---|"]
        for w, f in DIAG_TIMED:
            if (w, f) in diag:
                n, med, lo, hi = diag[(w, f)]
                out.append(f"| {w} | {f} | {n} | {(med - 1) * 100:+.1f}% | "
                           f"{(lo - 1) * 100:+.1f}% to {(hi - 1) * 100:+.1f}% |")
    if diag is not None and not same_build:
        shown = [f"{w}/{f} {(diag[(w, f)][1] - 1) * 100:+.1f}% ({(diag[(w, f)][2] - 1) * 100:+.1f}% "
                 f"to {(diag[(w, f)][3] - 1) * 100:+.1f}%)" for w, f in DIAG_TIMED if (w, f) in diag]
        targets.append(("always-on diagnostics: < 5% on spawn and channel cases",
                        "paired by round: " + "; ".join(shown), diag_verdict(diag)))
    else:
        targets.append(("always-on diagnostics: < 5% on spawn and channel cases",
                        "worst resolved " + (f"{worst:+.1f}%" if worst is not None else "—")
                        + (f"; within noise: {'; '.join(unresolved)}" if unresolved else ""),
                        None if worst is None or unresolved else worst < 5))

    out += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    out += [f"| {t} | {m} | {verdict(ok)} |" for t, m, ok in targets]
    print("\n".join(out))


def channel_rows():
    """The channel rows: every workload and flavour but seq's two that
    deadlock on one thread."""
    return [(w, f) for w in CHAN_WORKLOADS for f in FLAVORS
            if not (w == "seq" and f in ("unbuffered", "bounded1"))]


if __name__ == "__main__":
    if sys.argv[1] == "--close":
        for w, f, near in close_rows(load(sys.argv[2]), channel_rows()):
            print(w, f, *near)
    elif sys.argv[1] == "--diag-cases":
        for w, f in DIAG_TIMED:
            print(w, f)
    else:
        main(sys.argv[1], sys.argv[2])

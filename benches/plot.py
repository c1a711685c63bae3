#!/usr/bin/env python3
"""Draws run.sh's raw CSV as results/chart.png: one panel per suite, one
group of bars per case, one bar per implementation, the median time on a log
scale (lower is better). Cases an implementation does not offer, or where it
timed out, have no bar."""
import csv
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PANELS = [
    ("Runtime (issue 2) and toolkit (issue 4)",
     ["spawn_join_1m", "park_1m", "yield_pingpong", "yield_compute", "mutex_counter", "waitgroup_fanout",
      "context_cancel_tree", "map_read_mostly"]),
    ("Channels (issue 3): seq, spsc, mpsc", ["seq", "spsc", "mpsc"]),
    ("Channels (issue 3): mpmc, select", ["mpmc", "select_rx", "select_both"]),
]


def load(path):
    runs, bad = defaultdict(list), set()
    with open(path) as f:
        for r in csv.DictReader(f):
            key = (r["impl"], r["workload"], r["flavor"])
            try:
                runs[key].append(float(r["seconds"]))
            except ValueError:
                if r["seconds"] in ("timeout", "failed"):
                    bad.add(key)
    return {k: statistics.median(v) for k, v in runs.items() if v and k not in bad}


def main(raw, png):
    med = load(raw)
    impls = sorted({k[0] for k in med}, key=lambda i: (i != "go", not i.startswith("goro"), i))
    # tab10, then black and gold: eleven implementations, no two alike
    # (tab10 alone gave the eleventh, tokio, Go's blue).
    palette = [plt.get_cmap("tab10")(n) for n in range(10)] + ["black", "gold"]
    colors = {imp: palette[n % len(palette)] for n, imp in enumerate(impls)}
    fig, axes = plt.subplots(len(PANELS), 1, figsize=(16, 5 * len(PANELS)))
    for ax, (title, workloads) in zip(axes, PANELS):
        cases = sorted({(w, f) for (_, w, f) in med if w in workloads},
                       key=lambda c: (workloads.index(c[0]), c[1]))
        here = [i for i in impls if any((i, *c) in med for c in cases)]
        width = 0.8 / max(len(here), 1)
        for n, imp in enumerate(here):
            xs = [x + n * width for x, c in enumerate(cases) if (imp, *c) in med]
            ys = [med[(imp, *c)] for c in cases if (imp, *c) in med]
            if xs:
                ax.bar(xs, ys, width, label=imp, color=colors[imp])
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(cases))])
        ax.set_xticklabels([f"{w}\n{f}" for w, f in cases], fontsize=7, rotation=30)
        ax.set_yscale("log")
        ax.set_ylabel("median seconds (lower is better)")
        ax.set_title(title)
        ax.legend(fontsize=7, ncol=5)
    fig.tight_layout()
    fig.savefig(png, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

#!/usr/bin/env python3
"""report.py - charts from the history of bench/run.py results (what `make bench-report` runs).

usage: bench/report.py [--results DIR] [--candidate NAME] [--out DIR]

Reads every result of the candidate NAME (default rua) in DIR (default bench/results), in
date order, and writes to --out (default docs/performance, where docs/performance.md shows them):
  ratio_history.png   ratio against PUC Lua 5.5 per program over commits (above 1: faster)
  latest.png          the newest result: ratio against PUC 5.5 and lua5.4 per program
  memory.png          the newest result: peak RSS per program, candidate against PUC 5.5
  memory_history.png  over commits: geomean peak-RSS ratio, `-e ''` RSS, bytes per coroutine
  summary.md          the newest result as a Markdown table (for docs/performance.md)
Needs matplotlib (Debian: python3-matplotlib); restarts under /usr/bin/python3 when the python3
on PATH lacks it.
"""
import argparse
import json
import math
import os
import sys
from pathlib import Path

try:
    import matplotlib
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and not os.environ.get("RUA_REPORT_REEXEC"):
        os.environ["RUA_REPORT_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3", __file__] + sys.argv[1:])
    sys.exit("report.py: matplotlib is missing: install python3-matplotlib (scripts/setup.sh does)")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

PLAIN = FuncFormatter(lambda v, _: f"{v:g}")  # 0.5, 1, 2 rather than 5x10^-1 on log axes

HERE = Path(__file__).resolve().parent
REF, REF2 = "puc5.5", "lua5.4"


def load(folder, name):
    docs = []
    for f in sorted(Path(folder).glob("*.json")):
        try:
            d = json.loads(f.read_text())
        except ValueError:
            print(f"report.py: skipping {f}: not JSON", file=sys.stderr)
            continue
        if d.get("candidate") == name and "programs" in d:
            d["_file"] = f.name
            docs.append(d)
    docs.sort(key=lambda d: d.get("date", ""))
    return docs


def xlabel(d):
    return (d.get("commit") or "?")[:7] + ("+" if d.get("dirty") else "") + "\n" + d.get("date", "")[:10]


def ratio_history(docs, out):
    names = list(dict.fromkeys(n for d in docs for n in d["programs"]))
    fig, ax = plt.subplots(figsize=(13, 7))
    xs = range(len(docs))
    cmap = plt.get_cmap("tab20")
    for k, n in enumerate(names):
        ys = [d["programs"].get(n, {}).get("ratio", {}).get(REF) for d in docs]
        ax.plot(xs, [y if y else math.nan for y in ys], marker="o", ms=3, lw=1, color=cmap(k % 20),
                ls="-" if k < 20 else "--", label=n)
    gm = [d.get("geomean", {}).get(REF) for d in docs]
    ax.plot(xs, [y if y else math.nan for y in gm], marker="s", lw=3, color="black", label="geomean")
    ax.axhline(1.0, color="grey", lw=1, ls=":")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_formatter(PLAIN)
    ax.tick_params(axis="y", which="minor", labelsize=7)
    ax.set_ylabel(f"{REF} time / candidate time (log scale; above 1: faster)")
    ax.set_title(f"{docs[-1]['candidate']} against PUC Lua 5.5, per program, over commits")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([xlabel(d) for d in docs], fontsize=7, rotation=45 if len(docs) > 12 else 0)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    ax.grid(True, which="both", axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "ratio_history.png", dpi=100)
    plt.close(fig)


def latest(d, out):
    names = list(d["programs"])
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(names) + 1.8))
    ys = range(len(names))
    h = 0.4
    for off, ref, color in ((-h / 2, REF, "tab:blue"), (h / 2, REF2, "tab:orange")):
        vals = [d["programs"][n].get("ratio", {}).get(ref) or 0 for n in names]
        gm = d.get("geomean", {}).get(ref)
        ax.barh([y + off for y in ys], vals, height=h, color=color,
                label=f"vs {ref} (geomean {gm:.2f})" if gm else f"vs {ref}")
    ax.axvline(1.0, color="black", lw=1)
    ax.set_yticks(list(ys))
    ax.set_yticklabels([n + ("" if d["programs"][n]["status"] == "ok" else f" ({d['programs'][n]['status']})")
                        for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("reference time / candidate time (above 1: candidate faster)")
    ax.set_title(f"{d['candidate']} at {(d.get('commit') or '?')[:10]}, {d.get('date', '')[:10]}, "
                 f"{d.get('machine', {}).get('cpu', '?')}", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "latest.png", dpi=100)
    plt.close(fig)


def memory(d, out):
    names = list(d["programs"])
    cand = d["candidate"]
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(names) + 1.8))
    ys = range(len(names))
    h = 0.4
    for off, key, color in ((-h / 2, cand, "tab:green"), (h / 2, REF, "tab:blue")):
        vals = [(d["programs"][n]["interpreters"].get(key, {}).get("rss_kib") or 0) / 1024 for n in names]
        ax.barh([y + off for y in ys], vals, height=h, color=color, label=f"{key} peak RSS")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(PLAIN)
    ax.xaxis.set_minor_formatter(PLAIN)
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_yticks(list(ys))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("peak RSS, MiB (log scale; less is better)")
    gm = d.get("geomean_rss", {}).get(REF)
    ax.set_title(f"memory: {cand} against {REF}" + (f" (geomean RSS ratio {REF}/{cand}: {gm:.2f})" if gm else ""),
                 fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "memory.png", dpi=100)
    plt.close(fig)


def memory_history(docs, out):
    cand = docs[-1]["candidate"]
    xs = range(len(docs))
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    panels = (("geomean peak-RSS ratio vs PUC 5.5\n(above 1: candidate uses less)", None),
              ("`lua -e ''` peak RSS, KiB", "rss_kib"),
              ("heap bytes per suspended coroutine", "coroutine_bytes"))
    for ax, (title, key) in zip(axes, panels):
        if key is None:
            ys = [d.get("geomean_rss", {}).get(REF) for d in docs]
            ax.plot(xs, [y or math.nan for y in ys], marker="o", color="black")
            ax.axhline(1.0, color="grey", lw=1, ls=":")
        else:
            for who, color in ((cand, "tab:green"), (REF, "tab:blue"), (REF2, "tab:orange")):
                ys = [d.get("empty_state", {}).get(who, {}).get(key) for d in docs]
                ax.plot(xs, [y or math.nan for y in ys], marker="o", color=color, label=who)
            ax.legend(fontsize=8)
            ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=9)
        ax.set_xticks(list(xs))
        ax.set_xticklabels([xlabel(d) for d in docs], fontsize=6)
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "memory_history.png", dpi=100)
    plt.close(fig)


def summary(d, out):
    cand = d["candidate"]
    refs = [k for k in (REF, REF2) if k in d.get("interpreters", {})]
    lines = [f"Result `{d['_file']}`: {cand} at `{(d.get('commit') or '?')[:10]}`"
             f"{' (dirty tree)' if d.get('dirty') else ''}, {d.get('date')}, {d.get('machine', {}).get('cpu')},"
             f" {d.get('machine', {}).get('cores')} cores, {d.get('runs')} runs; "
             f"built with {d.get('build', {}).get('compiler', '?')}.", "",
             "| program | " + " | ".join(f"{k} s" for k in [cand] + refs) + " | " +
             " | ".join(f"vs {k}" for k in refs) + f" | RSS MiB {cand} | RSS MiB {REF} | status |",
             "|---|" + "---:|" * (1 + 2 * len(refs) + 2) + "---|"]
    for n, p in d["programs"].items():
        it = p["interpreters"]
        cells = [f"{it[k]['median']:.3f}" if it.get(k, {}).get("median") else "-" for k in [cand] + refs]
        cells += [f"{p['ratio'][k]:.2f}" if p.get("ratio", {}).get(k) else "-" for k in refs]
        cells += [f"{it[k]['rss_kib'] / 1024:.1f}" if it.get(k, {}).get("rss_kib") else "-" for k in (cand, REF)]
        lines.append(f"| {n} | " + " | ".join(cells) + f" | {p['status']} |")
    gm = d.get("geomean", {})
    lines.append("| **geomean** | " + " | ".join("" for _ in [cand] + refs) + " | " +
                 " | ".join(f"**{gm[k]:.2f}**" if gm.get(k) else "-" for k in refs) + " | | | |")
    es = d.get("empty_state", {})
    lines += ["", "| empty state | `-e ''` RSS KiB | startup ms | fresh state bytes | bytes per coroutine |",
              "|---|---:|---:|---:|---:|"]
    for k, e in es.items():
        lines.append(f"| {k} | {e.get('rss_kib') or '-'} | "
                     f"{'%.1f' % e['startup_ms'] if e.get('startup_ms') else '-'} | "
                     f"{e.get('state_bytes') or '-'} | {e.get('coroutine_bytes') or '-'} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(prog="bench/report.py", description="charts from bench/results")
    ap.add_argument("--results", default=str(HERE / "results"))
    ap.add_argument("--candidate", default="rua", help="whose results to chart (default rua)")
    ap.add_argument("--out", default=str(HERE.parent / "docs" / "performance"))
    a = ap.parse_args()
    docs = load(a.results, a.candidate)
    if not docs:
        sys.exit(f"report.py: no results of '{a.candidate}' in {a.results}: run `make bench` first"
                 " (or pass --candidate NAME)")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ratio_history(docs, out)
    latest(docs[-1], out)
    memory(docs[-1], out)
    memory_history(docs, out)
    summary(docs[-1], out)
    print(f"report.py: {len(docs)} results of '{a.candidate}' -> {out}/"
          "{ratio_history,latest,memory,memory_history}.png, summary.md")


if __name__ == "__main__":
    main()

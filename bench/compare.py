#!/usr/bin/env python3
"""compare.py - per-program change between two results of bench/run.py.

usage: bench/compare.py OLD.json NEW.json
       bench/compare.py              (the two newest results of the same candidate in bench/results/)

For each program: the candidate's median wall time before and after and the change (negative:
faster), its ratio against PUC 5.5 before and after (measured in the same run as the
candidate, so it travels better between machines and loads than seconds do), and peak RSS.
A ratio change beyond the threshold (default 5%) is flagged faster or slower. Prints the geometric mean of the changes last.
"""
import argparse
import json
import math
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def load(path):
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        sys.exit(f"compare.py: cannot read {path}: {e}")
    if "programs" not in doc:
        sys.exit(f"compare.py: {path} is not a bench/run.py result")
    return doc


def newest_two():
    files = sorted(RESULTS.glob("*.json"))
    if not files:
        sys.exit(f"compare.py: no results in {RESULTS}; run `make bench` or pass OLD NEW")
    newest = load(files[-1])
    same = [f for f in files if load(f).get("candidate") == newest.get("candidate")]
    if len(same) < 2:
        sys.exit(f"compare.py: only one result for '{newest.get('candidate')}' in {RESULTS}; pass OLD NEW")
    return same[-2], same[-1]


def pct(old, new):
    return None if not old or not new else (new / old - 1) * 100


def cell(x, f, w):
    return f"{'-' if x is None else f.format(x):>{w}}"


def label(doc, path):
    commit = (doc.get("commit") or "?")[:10] + ("+dirty" if doc.get("dirty") else "")
    return f"{Path(path).name}: {doc.get('candidate')} at {commit}, {doc.get('date')}, {doc.get('machine', {}).get('cpu')}"


def main():
    ap = argparse.ArgumentParser(prog="bench/compare.py", description="per-program change between two bench results")
    ap.add_argument("old", nargs="?")
    ap.add_argument("new", nargs="?")
    ap.add_argument("--ref", default="puc5.5", help="reference for the ratio columns (default puc5.5)")
    ap.add_argument("--threshold", type=float, default=5.0, help="percent change to flag (default 5)")
    a = ap.parse_args()
    if bool(a.old) != bool(a.new):
        ap.error("give both OLD and NEW, or neither")
    old_path, new_path = (a.old, a.new) if a.old else newest_two()
    old, new = load(old_path), load(new_path)
    cand_o, cand_n = old["candidate"], new["candidate"]

    print("old  " + label(old, old_path))
    print("new  " + label(new, new_path))
    if old.get("machine", {}).get("cpu") != new.get("machine", {}).get("cpu"):
        print("note: different machines: compare the ratio columns, not the seconds")
    print(f"time: candidate's median seconds, change new/old (negative: faster); ratio = {a.ref} / candidate"
          " (above 1: faster than the reference)")
    names = list(dict.fromkeys(list(old["programs"]) + list(new["programs"])))
    w = max(12, max(len(n) for n in names))
    print(f"{'program':<{w}} {'old s':>8} {'new s':>8} {'change':>8}  | {'old ratio':>9} {'new ratio':>9} {'change':>8}"
          f"  | {'old MiB':>8} {'new MiB':>8}  flag")
    changes, ratio_changes = [], []
    for name in names:
        po, pn = old["programs"].get(name), new["programs"].get(name)
        if not po or not pn:
            print(f"{name:<{w}} {'only in ' + ('old' if po else 'new'):>26}")
            continue
        io, inn = po["interpreters"][cand_o], pn["interpreters"][cand_n]
        to, tn = io.get("median"), inn.get("median")
        ro, rn = po.get("ratio", {}).get(a.ref), pn.get("ratio", {}).get(a.ref)
        ch, rch = pct(to, tn), pct(ro, rn)
        if ch is not None:
            changes.append(tn / to)
        if rch is not None:
            ratio_changes.append(rn / ro)
        flag = ""
        if pn["status"] != "ok":
            flag = pn["status"]
        elif po["status"] != "ok":
            flag = "fixed"
        else:  # by the ratio, which cancels a machine's load; by seconds if there is none
            move = -rch if rch is not None else ch
            if move is not None and move > a.threshold:
                flag = "slower"
            elif move is not None and move < -a.threshold:
                flag = "faster"
        mo, mn = io.get("rss_kib"), inn.get("rss_kib")
        print(f"{name:<{w}} {cell(to, '{:.3f}', 8)} {cell(tn, '{:.3f}', 8)} {cell(ch, '{:+.1f}%', 8)}  |"
              f" {cell(ro, '{:.2f}', 9)} {cell(rn, '{:.2f}', 9)} {cell(rch, '{:+.1f}%', 8)}  |"
              f" {cell(mo and mo / 1024, '{:.1f}', 8)} {cell(mn and mn / 1024, '{:.1f}', 8)}  {flag}")

    def gm(xs):
        return (math.exp(sum(math.log(x) for x in xs) / len(xs)) - 1) * 100 if xs else None
    go, gn = old.get("geomean", {}).get(a.ref), new.get("geomean", {}).get(a.ref)
    print(f"{'geomean':<{w}} {'':>8} {'':>8} {cell(gm(changes), '{:+.1f}%', 8)}  |"
          f" {cell(go, '{:.2f}', 9)} {cell(gn, '{:.2f}', 9)} {cell(gm(ratio_changes), '{:+.1f}%', 8)}  |")
    eo, en = old.get("empty_state", {}).get(cand_o, {}), new.get("empty_state", {}).get(cand_n, {})
    if eo or en:
        print("empty state:", ", ".join(
            f"{k} {eo.get(k, '-')} -> {en.get(k, '-')}" for k in ("rss_kib", "state_bytes", "coroutine_bytes")))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""run.py - rua's interpreter benchmark suite (what `make bench` runs).

Times every program of ../shared/bench/lua/ and bench/lua/ under the candidate (build/rua) and
the reference interpreters PUC Lua 5.5 (built by bench/puc.sh) and lua5.4, interleaved in one
run, and prints per program: median wall time, ratio reference/candidate (above 1: the
candidate is faster), peak RSS, the Lua heap at the end; then the geometric means and the
empty-state figures. Writes the results as JSON under bench/results/ for compare.py and
report.py.

usage: bench/run.py [-n RUNS] [-b NAME,...] [--candidate PATH] [--puc PATH] [--lua54 PATH]
                    [--timeout S] [--results DIR | --no-save]
The commit recorded is the work tree's HEAD; set RUA_BENCH_COMMIT=REV when the candidate was
built from another commit.
Exit status: 0 if every program passed under the candidate, 1 if one failed or printed a
different checksum, 2 on a usage error.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("RUA_SHARED_BENCH", ROOT.parent / "shared" / "bench" / "lua"))
OWN = HERE / "lua"
PROBE = HERE / "support" / "probe.lua"
CORO = HERE / "support" / "coroutine_bytes.lua"
GNU_TIME = "/usr/bin/time"
PROBE_RE = re.compile(r"\n?rua-bench-probe heap_kib=([0-9.]+)\n?")
STATE_BYTES = ('collectgarbage() collectgarbage() '
               'io.write(string.format("%d", math.floor(collectgarbage("count") * 1024)))')
SCHEMA = 1


def die(msg, code=2):
    print(f"run.py: {msg}", file=sys.stderr)
    sys.exit(code)


def sh(argv, cwd=None):
    """Output of a command, stripped; '' if it fails."""
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


class Interp:
    def __init__(self, key, path, role):
        self.key, self.role = key, role
        self.path = shutil.which(path) or path
        out = subprocess.run([self.path, "-v"], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                             timeout=10)
        self.version = (out.stdout + out.stderr).strip().splitlines()[0] if (out.stdout + out.stderr).strip() else "?"

    def facts(self):
        return {"key": self.key, "role": self.role, "path": self.path, "version": self.version}


def run_one(interp, argv_tail, timeout, tmp):
    """One run under GNU time. Returns dict: ok, wall, rss_kib, heap_kib, out, err, note."""
    rss_file = Path(tmp) / "rss"
    rss_file.unlink(missing_ok=True)
    argv = [interp.path] + argv_tail
    if HAVE_TIME:
        argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file)] + argv
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        wall = time.perf_counter() - t0
        rc, note = p.returncode, ""
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        wall, rc, note = time.perf_counter() - t0, -1, f"timed out after {timeout}s"
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    heap = None
    m = PROBE_RE.search(err)
    if m:
        heap = float(m.group(1))
        err = PROBE_RE.sub("", err)
    rss = None
    if rss_file.exists():
        lines = rss_file.read_text().split()
        if lines and lines[-1].isdigit():
            rss = int(lines[-1])
    if rc != 0 and not note:
        note = (f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}") + \
            (": " + err.strip().splitlines()[0] if err.strip() else "")
    return {"ok": rc == 0, "wall": wall, "rss_kib": rss, "heap_kib": heap, "out": out, "err": err, "note": note}


def programs(only):
    found = {}
    for src, folder in (("shared", SHARED), ("own", OWN)):
        if not folder.is_dir():
            print(f"run.py: note: no {folder}, its programs are left out", file=sys.stderr)
            continue
        for f in sorted(folder.glob("*.lua")):
            if f.stem in found:
                die(f"two programs named {f.stem}: {found[f.stem][1]} and {f}")
            found[f.stem] = (src, f)
    if only:
        missing = [b for b in only if b not in found]
        if missing:
            die("no program named " + ", ".join(missing))
        found = {b: found[b] for b in only}
    if not found:
        die("no program selected")
    return found


def machine_facts():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        m = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        mem = round(int(m.group(1)) / 1048576, 1) if m else None
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": mem, "kernel": os.uname().release,
            "os": sh(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]) or os.uname().sysname}


def build_facts(candidate):
    """What built the candidate: CMake cache beside it if any, else the ELF .comment."""
    facts = {}
    cache = next((d / "CMakeCache.txt" for d in [Path(candidate).resolve().parent] + list(Path(candidate).resolve().parents)[:3]
                  if (d / "CMakeCache.txt").exists()), None)
    if cache:
        vals = dict(re.findall(r"^(CMAKE_CXX_COMPILER|CMAKE_BUILD_TYPE|CMAKE_CXX_FLAGS(?:_RELEASE)?):[A-Z]+=(.*)$",
                               cache.read_text(errors="replace"), re.M))
        version = sh([vals.get("CMAKE_CXX_COMPILER", "c++"), "--version"]).splitlines()
        if version:
            facts["compiler"] = version[0]
        facts["build_type"] = vals.get("CMAKE_BUILD_TYPE", "")
        flags = " ".join(v for k, v in sorted(vals.items()) if k.startswith("CMAKE_CXX_FLAGS") and v)
        facts["cxx_flags"] = flags
    comment = sh(["readelf", "-p", ".comment", str(candidate)])
    m = re.findall(r"\]\s+(.*)$", comment, re.M)
    if m:
        facts["elf_comment"] = "; ".join(dict.fromkeys(x.strip() for x in m))
    if "compiler" not in facts and "elf_comment" in facts:
        facts["compiler"] = facts["elf_comment"]
    return facts


def git_facts():
    """The commit the candidate was built from: the work tree's HEAD (and whether the tree has
    changes), or $RUA_BENCH_COMMIT for a candidate built elsewhere (e.g. from `git archive`)."""
    given = os.environ.get("RUA_BENCH_COMMIT")
    rev = given or "HEAD"
    commit = sh(["git", "-C", str(ROOT), "rev-parse", rev])
    return {"commit": commit or given or None,
            "subject": sh(["git", "-C", str(ROOT), "log", "-1", "--format=%s", rev]) or None,
            "commit_date": sh(["git", "-C", str(ROOT), "log", "-1", "--format=%cI", rev]) or None,
            "dirty": False if given else
            bool(sh(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"]))}


def median(xs):
    return statistics.median(xs) if xs else None


def geomean(pairs):
    """Geometric mean of a/b over pairs with both present."""
    logs = [math.log(a / b) for a, b in pairs if a and b]
    return math.exp(sum(logs) / len(logs)) if logs else None


def fmt(x, f="{:.3f}", none="-"):
    return none if x is None else f.format(x)


def empty_state(interp, tmp, runs):
    """Peak RSS and wall time of `lua -e ''`, heap bytes of a fresh state, bytes per coroutine."""
    starts = [run_one(interp, ["-e", ""], 30, tmp) for _ in range(runs)]
    good = [s for s in starts if s["ok"]]
    res = {"rss_kib": median([s["rss_kib"] for s in good if s["rss_kib"]]),
           "startup_ms": median([s["wall"] * 1000 for s in good])}
    st = run_one(interp, ["-e", STATE_BYTES], 30, tmp)
    res["state_bytes"] = int(st["out"]) if st["ok"] and st["out"].strip().isdigit() else None
    co = run_one(interp, [str(CORO)], 60, tmp)
    res["coroutine_bytes"] = int(co["out"]) if co["ok"] and co["out"].strip().isdigit() else None
    return res


def main():
    ap = argparse.ArgumentParser(prog="bench/run.py", description="rua's interpreter benchmark suite "
                                 "(see the top of bench/run.py and docs/performance.md)")
    ap.add_argument("-n", "--runs", type=int, default=int(os.environ.get("RUNS", 3)),
                    help="runs per interpreter and program, interleaved (default 3)")
    ap.add_argument("-b", "--bench", default="", help="only these programs, comma-separated")
    ap.add_argument("--candidate", default=os.environ.get("CANDIDATE", str(ROOT / "build" / "rua")),
                    help="interpreter under test (default build/rua, or $CANDIDATE)")
    ap.add_argument("--puc", default=os.environ.get("PUC_LUA"),
                    help="PUC Lua 5.5 binary (default: $PUC_LUA, else what bench/puc.sh builds)")
    ap.add_argument("--lua54", default=os.environ.get("LUA54", "lua5.4"), help="Lua 5.4 binary (default lua5.4)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds before one run counts as failed")
    ap.add_argument("--results", default=str(HERE / "results"), help="folder for the JSON results")
    ap.add_argument("--no-save", action="store_true", help="do not write a JSON result")
    a = ap.parse_args()
    if a.runs < 1:
        die("RUNS must be positive")

    if not (Path(a.candidate).exists() or shutil.which(a.candidate)):
        die(f"candidate {a.candidate} not found: `make build` first, or pass --candidate PATH")
    puc = a.puc
    if not puc:
        sys.stdout.flush()
        r = subprocess.run([str(HERE / "puc.sh")], stdout=subprocess.PIPE, text=True)
        if r.returncode != 0:
            die("cannot get PUC Lua 5.5 (see bench/puc.sh above); or pass --puc PATH")
        puc = r.stdout.strip().splitlines()[-1]
    interps = [Interp(Path(a.candidate).name, a.candidate, "candidate"), Interp("puc5.5", puc, "reference")]
    if shutil.which(a.lua54) or Path(a.lua54).exists():
        interps.append(Interp("lua5.4", a.lua54, "reference"))
    else:
        print(f"run.py: note: {a.lua54} not found, lua5.4 left out (scripts/setup.sh installs it)", file=sys.stderr)
    if interps[0].key in ("puc5.5", "lua5.4"):
        interps[0].key = "cand"
    cand, refs = interps[0], interps[1:]
    if not refs[0].version.startswith("Lua 5.5"):
        print(f"run.py: warning: {puc} says '{refs[0].version}', not Lua 5.5", file=sys.stderr)

    progs = programs([b for b in a.bench.split(",") if b])
    global HAVE_TIME
    HAVE_TIME = subprocess.run([GNU_TIME, "-f", "%M", "true"], capture_output=True).returncode == 0 \
        if Path(GNU_TIME).exists() else False
    if not HAVE_TIME:
        print("run.py: no GNU time (Debian package 'time'): peak RSS not measured", file=sys.stderr)

    started = datetime.datetime.now(datetime.timezone.utc)
    g, mach, build = git_facts(), machine_facts(), build_facts(cand.path)
    keys = [i.key for i in interps]
    print(f"rua bench: {started:%Y-%m-%d %H:%M} UTC; commit {(g['commit'] or '?')[:10]}"
          f"{' (dirty tree)' if g['dirty'] else ''}; {a.runs} runs interleaved; timeout {a.timeout:g}s")
    print(f"machine: {mach['cpu']}, {mach['cores']} cores; candidate built with {build.get('compiler', '?')}"
          f"{' (' + build['build_type'] + ')' if build.get('build_type') else ''}")
    for i in interps:
        print(f"  {i.role:<10} {i.key:<8} {i.version}   [{i.path}]")
    print()
    print("median wall seconds; ratio = reference time / candidate time (above 1: candidate faster)")
    w = max(12, max(len(b) for b in progs))
    cw = max(8, max(len(k) for k in keys))
    head = f"{'program':<{w}} {'from':<6}" + "".join(f" {k:>{cw}}" for k in keys) + "  |" + \
        "".join(f" {'vs ' + r.key:>10}" for r in refs) + "  | status"
    print(head)
    sys.stdout.flush()

    results = {}
    failed = 0
    with tempfile.TemporaryDirectory(prefix="rua-bench.") as tmp:
        for name, (src, path) in progs.items():
            runs = {i.key: [] for i in interps}
            bad = {}
            for _ in range(a.runs):
                for i in interps:
                    if i.key in bad:
                        continue
                    r = run_one(i, [str(PROBE), str(path)], a.timeout, tmp)
                    runs[i.key].append(r)
                    if not r["ok"]:
                        bad[i.key] = r["note"]
            per = {}
            for i in interps:
                rs = runs[i.key]
                ok = i.key not in bad
                per[i.key] = {
                    "ok": ok,
                    "times": [round(r["wall"], 4) for r in rs],
                    "median": round(median([r["wall"] for r in rs]), 4) if ok else None,
                    "rss_kib": max((r["rss_kib"] for r in rs if r["rss_kib"]), default=None),
                    "heap_kib": median([r["heap_kib"] for r in rs if r["heap_kib"] is not None]),
                    "output": rs[0]["out"].strip() if rs else "",
                    "note": bad.get(i.key, ""),
                }
            # the candidate's output must equal the first reference that worked
            ref = next((r for r in refs if per[r.key]["ok"]), None)
            status, note = "ok", ""
            if not per[cand.key]["ok"]:
                status, note = "FAIL", per[cand.key]["note"]
            elif ref is None:
                status, note = "FAIL", "every reference failed: output not checked"
            elif any(r["out"] != runs[ref.key][0]["out"] for r in runs[cand.key]):
                status = "MISMATCH"
                note = f"expected '{per[ref.key]['output'][:60]}', got '{per[cand.key]['output'][:60]}'"
            ratios = {}
            for r in refs:
                if status == "ok" and per[r.key]["ok"]:
                    ratios[r.key] = round(per[r.key]["median"] / per[cand.key]["median"], 4)
            results[name] = {"source": src, "file": str(path.relative_to(ROOT.parent) if path.is_relative_to(ROOT.parent)
                                                        else path),
                             "status": status, "note": note, "interpreters": per, "ratio": ratios}
            if status != "ok":
                failed += 1
            print(f"{name:<{w}} {src:<6}" + "".join(f" {fmt(per[k]['median']) if per[k]['ok'] else 'fail':>{cw}}"
                                                    for k in keys) + "  |" +
                  "".join(f" {fmt(ratios.get(r.key), '{:.2f}'):>10}" for r in refs) + f"  | {status}")
            if note:
                print(f"    {name}: {cand.key}: {note}")
            for r in refs:
                if not per[r.key]["ok"]:
                    print(f"    {name}: note: reference {r.key} failed: {per[r.key]['note']}")
                elif ref and per[r.key]["output"] != per[ref.key]["output"]:
                    print(f"    {name}: note: {r.key} prints something else than {ref.key}")
            sys.stdout.flush()

        passed = [n for n, r in results.items() if r["status"] == "ok"]
        gm = {r.key: geomean([(results[n]["interpreters"][r.key]["median"], results[n]["interpreters"][cand.key]["median"])
                              for n in passed if results[n]["interpreters"][r.key]["ok"]]) for r in refs}
        gm_rss = {r.key: geomean([(results[n]["interpreters"][r.key]["rss_kib"], results[n]["interpreters"][cand.key]["rss_kib"])
                                  for n in passed]) for r in refs}
        print(f"{'geomean':<{w}} {'':<6}" + "".join(f" {'':>{cw}}" for _ in keys) + "  |" +
              "".join(f" {fmt(gm[r.key], '{:.2f}'):>10}" for r in refs) + f"  | {len(passed)} passed")

        # memory
        print()
        print("memory: peak RSS in MiB (largest of the runs); Lua heap in KiB at the end, collectgarbage('count')")
        hw = max(13, max(len(k) + 5 for k in keys[:2]))
        print(f"{'program':<{w}} {'':<6}" + "".join(f" {k:>{cw}}" for k in keys) + "  |" +
              "".join(f" {'heap ' + k:>{hw}}" for k in keys[:2]))
        for name, r in results.items():
            per = r["interpreters"]
            print(f"{name:<{w}} {r['source']:<6}" +
                  "".join(f" {fmt(per[k]['rss_kib'] and per[k]['rss_kib'] / 1024, '{:.1f}'):>{cw}}" for k in keys) +
                  "  |" + "".join(f" {fmt(per[k]['heap_kib'], '{:.0f}'):>{hw}}" for k in keys[:2]))
        print(f"{'geomean':<{w}} {'ratio':<6} {'':>{cw}}" + "".join(f" {fmt(gm_rss[r.key], '{:.2f}'):>{cw}}" for r in refs) +
              "  | (RSS reference/candidate: above 1, the candidate uses less)")

        print()
        print("empty state: `lua -e ''` peak RSS and wall time; heap bytes of a fresh state after a full GC;"
              " heap bytes per suspended coroutine")
        empty = {}
        print(f"{'interpreter':<{w}} {'RSS KiB':>9} {'start ms':>9} {'state B':>9} {'coro B':>8}")
        for i in interps:
            e = empty[i.key] = empty_state(i, tmp, 5)
            print(f"{i.key:<{w}} {fmt(e['rss_kib'], '{:.0f}'):>9} {fmt(e['startup_ms'], '{:.1f}'):>9} "
                  f"{fmt(e['state_bytes'], '{:d}'):>9} {fmt(e['coroutine_bytes'], '{:d}'):>8}")

    print()
    print(f"bench: {len(passed)} passed, {failed} failed")
    doc = {"schema": SCHEMA, "date": started.isoformat(timespec="seconds"), **g, "machine": mach, "build": build,
           "runs": a.runs, "timeout": a.timeout, "candidate": cand.key,
           "interpreters": {i.key: i.facts() for i in interps},
           "programs": results, "geomean": gm, "geomean_rss": gm_rss, "empty_state": empty}
    if not a.no_save:
        out_dir = Path(a.results)
        out_dir.mkdir(parents=True, exist_ok=True)
        f = out_dir / f"{started:%Y%m%d-%H%M%S}-{cand.key}-{(g['commit'] or 'nogit')[:8]}.json"
        f.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        print(f"results: {f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}")
    return 0 if failed == 0 else 1


HAVE_TIME = False
if __name__ == "__main__":
    sys.exit(main())

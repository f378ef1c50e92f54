#!/usr/bin/env bash
# regress.sh - the deterministic speed gate: runs every benchmark program with its short input
# (bench/regress_inputs.txt) under valgrind --tool=callgrind and compares the instruction counts
# with bench/baseline.json. More than 3% more instructions on any program fails, and so does a
# checksum that differs from the recorded one; the output names the program.
#
# usage: bench/regress.sh [--record] [--name NAME] [-j JOBS] [-b NAME,...] [CANDIDATE]
#   CANDIDATE    the interpreter (default build/rua)
#   --record     measure and store the counts as the baseline of NAME (a commit that makes
#                something slower on purpose records again in the same commit and says why)
#   --name NAME  the baseline entry to use (default: the candidate's file name, e.g. "rua")
#   -j JOBS      programs run in parallel (default: the number of cores)
#   -b NAMES     only these programs (comma-separated)
#   --tolerance PCT   allowed increase in percent (default 3)
# With no baseline entry for NAME yet it says SKIP and exits 0. --record notes the work tree's
# HEAD as the commit; set RUA_BENCH_COMMIT=REV when the candidate was built from another one.
# Exit status: 0 passed or skipped, 1 a program regressed or failed, 2 a usage or setup error.
#
# Instruction counts are made repeatable, from run to run and between machines of one kind: a
# fixed time() and clock() (an LD_PRELOAD shim built here), address randomization off
# (setarch -R), and the same environment, argument strings and paths everywhere (env -i, the
# candidate and the program copied into one fixed-length folder), because the hash seeds of
# PUC Lua and rua mix in the address of a stack variable, which moves with the size of those.
# rua's seed also mixes in a code address, which moves with any change to the binary:
# RUA_HASH_SEED fixes it (PUC ignores the variable).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=${RUA_SHARED_BENCH:-$root/../shared/bench/lua}
baseline=${RUA_BENCH_BASELINE:-$here/baseline.json}
inputs=$here/regress_inputs.txt
record=0 name="" jobs=$(nproc 2>/dev/null || echo 2) only="" tolerance=3 candidate=""

usage() { sed -n '6,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "regress: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --record) record=1 ;;
    --name) name=${2:?}; shift ;;
    -j) jobs=${2:?}; shift ;;
    -b) only=",${2:?},"; shift ;;
    --tolerance) tolerance=${2:?}; shift ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) [ -z "$candidate" ] || usage; candidate=$1 ;;
  esac
  shift
done
candidate=${candidate:-$root/build/rua}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive integer"
command -v python3 >/dev/null || die "python3 is missing"
[ -n "$name" ] || name=$(basename "$candidate")

# a JSON helper (python3 is part of the setup); every query below goes through it
json() { python3 - "$@"; }

if [ $record = 0 ]; then
  has=$(json "$baseline" "$name" <<'EOF'
import json, sys, os
path, name = sys.argv[1], sys.argv[2]
doc = json.load(open(path)) if os.path.exists(path) else {}
print("yes" if name in doc.get("baselines", {}) else "no")
EOF
  )
  if [ "$has" != yes ]; then
    echo "regress: SKIP: ${baseline#$root/} has no baseline for '$name' yet;" \
      "record one with: bench/regress.sh --record $candidate"
    exit 0
  fi
fi

command -v valgrind >/dev/null || die "valgrind is missing (scripts/setup.sh installs it)"
[ -x "$candidate" ] || candidate_path=$(command -v "$candidate" 2>/dev/null) ||
  die "candidate $candidate not found: build it first (make build)"
candidate=${candidate_path:-$candidate}

tmp=$(mktemp -d /tmp/rua-regress.XXXXXX)  # fixed length: it appears in LD_PRELOAD
trap 'rm -rf "$tmp"' EXIT

# the clock shim: a fixed time() and clock() make hash seeds and sort pivots repeatable
# (os.time and os.clock are constant under it: no benchmark program may depend on them)
preload=""
if command -v cc >/dev/null &&
  printf '%s\n' '#include <time.h>' \
    'time_t time(time_t *t) { if (t) *t = 1700000000; return 1700000000; }' \
    'clock_t clock(void) { return 0; }' >"$tmp/fixtime.c" &&
  cc -O2 -shared -fPIC -o "$tmp/fixtime.so" "$tmp/fixtime.c" 2>/dev/null; then
  preload=$tmp/fixtime.so
else
  echo "regress: warning: no C compiler for the fixed-time shim: counts may vary by a few percent" >&2
fi
norand=()
setarch -R true 2>/dev/null && norand=("$(command -v setarch)" -R)
valgrind=$(command -v valgrind)
mkdir "$tmp/run"
cp "$candidate" "$tmp/run/candidate"

# the programs and their short inputs
list=()
while read -r prog arg _; do
  [[ -z $prog || $prog == \#* ]] && continue
  [ -z "$only" ] || [[ $only == *",$prog,"* ]] || continue
  file=$shared/$prog.lua
  [ -f "$file" ] || file=$here/lua/$prog.lua
  if [ ! -f "$file" ]; then echo "regress: note: $prog is in regress_inputs.txt but not on disk" >&2; continue; fi
  list+=("$prog $arg $file")
done <"$inputs"
for f in "$shared"/*.lua "$here"/lua/*.lua; do
  [ -f "$f" ] || continue
  p=$(basename "$f" .lua)
  grep -q "^$p[[:space:]]" "$inputs" || echo "regress: note: $p has no short input in regress_inputs.txt: not checked" >&2
done
[ ${#list[@]} -gt 0 ] || die "no program selected"

# measure PROG ARG FILE: leaves $tmp/PROG.{ir,out,err,rc}
# (run in $tmp/run as: ./candidate PROG.lua ARG, with only PATH, LC_ALL and LD_PRELOAD set)
measure() {
  local prog=$1 arg=$2 file=$3 rc=0
  cp "$file" "$tmp/run/$prog.lua"
  (cd "$tmp/run" && timeout -k 10 600 env -i PATH=/usr/bin:/bin LC_ALL=C LD_PRELOAD="$preload" RUA_HASH_SEED=20261125 \
    "${norand[@]}" "$valgrind" --tool=callgrind --callgrind-out-file=/dev/null \
    --log-file="$tmp/$prog.vg" ./candidate "$prog.lua" "$arg" \
    </dev/null >"$tmp/$prog.out" 2>"$tmp/$prog.err") || rc=$?
  echo "$rc" >"$tmp/$prog.rc"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/$prog.vg" | tail -n 1 >"$tmp/$prog.ir"
}

echo "regress: $candidate as '$name': ${#list[@]} programs under callgrind, $jobs at a time"
start=$SECONDS
running=0
for entry in "${list[@]}"; do
  read -r prog arg file <<<"$entry"
  measure "$prog" "$arg" "$file" &
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
elapsed=$((SECONDS - start))

printf '%s\n' "${list[@]}" >"$tmp/list"
json "$baseline" "$name" "$tmp" "$record" "$tolerance" "$candidate" "$elapsed" "$root" "$only" <<'EOF'
import datetime, json, os, re, subprocess, sys
path, name, tmp, record, tol, cand, elapsed, root, only = sys.argv[1:]
record, tol = record == "1", float(tol)

def sh(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""

def read(f):
    try:
        return open(os.path.join(tmp, f), errors="replace").read()
    except OSError:
        return ""

measured, broken = {}, {}
for line in open(os.path.join(tmp, "list")):
    prog, arg, _ = line.split(maxsplit=2)
    rc, ir = read(prog + ".rc").strip(), read(prog + ".ir").strip()
    if rc != "0" or not ir.isdigit():
        err = (read(prog + ".err").strip().splitlines() or [""])[0]
        broken[prog] = f"exit status {rc}" + (f": {err}" if err else "")
        continue
    measured[prog] = {"arg": arg, "ir": int(ir), "output": read(prog + ".out").strip()}

doc = json.load(open(path)) if os.path.exists(path) else {}
doc.setdefault("baselines", {})
comment = sh("readelf", "-p", ".comment", cand)
compiler = "; ".join(dict.fromkeys(m.strip() for m in re.findall(r"\]\s+(.*)$", comment, re.M))) or "?"
valgrind = sh("valgrind", "--version")
# the shared libraries it loads: an allocator (libmimalloc) present or not moves counts a lot
libraries = sorted({l.split()[0] for l in sh("ldd", cand).splitlines()
                    if "=>" in l and not l.split()[0].startswith(("linux-vdso", "ld-linux"))})
w = max([12] + [len(p) for p in list(measured) + list(broken)])

if record:
    for prog, why in broken.items():
        print(f"regress: FAIL {prog}: {why}")
    if broken:
        print(f"regress: nothing recorded: {len(broken)} programs failed")
        sys.exit(1)
    entry = doc["baselines"].get(name, {})
    programs = entry.get("programs", {}) if entry else {}
    programs.update(measured)  # with -b, the other programs keep their counts
    given = os.environ.get("RUA_BENCH_COMMIT")  # a candidate built from another commit
    commit = sh("git", "-C", root, "rev-parse", given or "HEAD") or given or "?"
    dirty = not given and bool(sh("git", "-C", root, "status", "--porcelain", "--untracked-files=no"))
    doc["baselines"][name] = {
        "recorded": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit + (" (dirty tree)" if dirty else ""), "compiler": compiler, "valgrind": valgrind,
        "libraries": libraries,
        "programs": dict(sorted(programs.items()))}
    doc["about"] = ("Instruction counts (callgrind) of each program's short input, per interpreter; "
                    "written by bench/regress.sh --record, checked by bench/regress.sh")
    with open(path, "w") as f:
        json.dump(dict(sorted(doc.items())), f, indent=1)
        f.write("\n")
    print(f"{'program':<{w}} {'arg':>8} {'instructions':>15}")
    for prog, m in measured.items():
        print(f"{prog:<{w}} {m['arg']:>8} {m['ir']:>15,}")
    shown = os.path.relpath(path, root) if path.startswith(root + "/") else path
    print(f"regress: recorded {len(measured)} programs as '{name}' in {shown} ({elapsed}s)")
    sys.exit(0)

base = doc["baselines"][name]
if base.get("compiler") != compiler:
    print(f"regress: warning: the baseline was built with {base.get('compiler')}, this candidate with {compiler}:"
          " counts may differ for that reason alone")
if "libraries" in base and base["libraries"] != libraries:
    gone = sorted(set(base["libraries"]) - set(libraries))
    new = sorted(set(libraries) - set(base["libraries"]))
    print("regress: warning: the candidate loads other libraries than the baseline's:"
          + (f" without {', '.join(gone)}" if gone else "") + (f" with {', '.join(new)}" if new else "")
          + " (is a package of scripts/setup.sh missing?)")
if base.get("valgrind") != valgrind:
    print(f"regress: warning: baseline measured with {base.get('valgrind')}, now {valgrind}")
print(f"{'program':<{w}} {'baseline':>15} {'now':>15} {'change':>8}  status")
failed, passed, improved = [], [], []
for prog in sorted(set(measured) | set(broken), key=lambda p: list(measured).index(p) if p in measured else 999):
    b = base["programs"].get(prog)
    if prog in broken:
        failed.append(prog)
        print(f"{prog:<{w}} {'':>15} {'':>15} {'':>8}  FAIL: {broken[prog]}")
        continue
    m = measured[prog]
    if not b:
        print(f"{prog:<{w}} {'-':>15} {m['ir']:>15,} {'':>8}  new: no baseline, not checked")
        continue
    if b.get("arg") != m["arg"]:
        print(f"{prog:<{w}} {'-':>15} {m['ir']:>15,} {'':>8}  input changed ({b.get('arg')} -> {m['arg']}):"
              " not checked; record again")
        continue
    change = (m["ir"] / b["ir"] - 1) * 100
    status = "ok"
    if m["output"] != b.get("output"):
        status = f"FAIL: prints '{m['output'][:50]}', baseline '{b.get('output', '')[:50]}'"
    elif change > tol:
        status = f"FAIL: {change:.1f}% more instructions than the baseline"
    elif change < -tol:
        status = "ok (faster: record a new baseline to keep the gain)"
        improved.append(prog)
    (failed if status.startswith("FAIL") else passed).append(prog)
    print(f"{prog:<{w}} {b['ir']:>15,} {m['ir']:>15,} {change:>+7.2f}%  {status}")
for prog in base["programs"]:
    if prog not in measured and prog not in broken and not only:
        print(f"regress: note: {prog} is in the baseline but was not run")
print(f"regress: baseline '{name}' recorded {base.get('recorded')} at {base.get('commit', '?')[:12]};"
      f" tolerance {tol:g}%; {elapsed}s")
if failed:
    print("regress: FAILED: " + ", ".join(failed))
print(f"regress: {len(passed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
EOF

#!/usr/bin/env bash
# SQLite benchmark: rua.sqlite on rua against Python's sqlite3 (the same
# libsqlite3), on the same database file, in the same run.
#   bench/sqlite/run.sh [RUA] [SECONDS] [ROUNDS]   point lookups and inserts
#   bench/sqlite/run.sh --study [RUA] [SECONDS]    where a query should run (inline_max_us)
# The database (10,000 users, the shape of the web benchmark's) is made by
# bench.py next to RUA, never committed. Rounds alternate rua and Python;
# each figure is the best of its rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
[ -x "$python" ] || python=python3

if [ "${1:-}" = "--study" ]; then
  rua=${2:-build/rua}
  out="$(cd "$(dirname "$rua")" && pwd)/bench-sqlite"
  mkdir -p "$out"
  "$python" "$here/bench.py" gen "$out/users.db"
  "$rua" "$here/bench.lua" "$out/users.db" "${3:-1.5}" study
  exit 0
fi

rua=${1:-build/rua}
secs=${2:-1.5}
rounds=${3:-3}
out="$(cd "$(dirname "$rua")" && pwd)/bench-sqlite"
mkdir -p "$out"
"$python" "$here/bench.py" gen "$out/users.db"
: >"$out/rua.txt"
: >"$out/python.txt"
for _ in $(seq "$rounds"); do
  "$rua" "$here/bench.lua" "$out/users.db" "$secs" >>"$out/rua.txt"
  "$python" "$here/bench.py" run "$out/users.db" "$secs" >>"$out/python.txt"
done
best() { awk -v k="$2" -v c="$3" '$1 == k && $c > m { m = $c } END { printf "%.0f", m }' "$1"; }

echo "SQLite operations per second, best of $rounds rounds ($(date -u +%Y-%m-%d), $(nproc) cores, SQLite $("$python" -c 'import sqlite3; print(sqlite3.sqlite_version)'))"
echo "wall: per second of elapsed time; cpu: per second of the process's CPU time (all threads)"
printf '%-36s %10s %10s %6s  %10s %10s %6s\n' "" "rua wall" "py wall" ratio "rua cpu" "py cpu" ratio
row() {  # label, rua key, python key
  local rw pw rc pc
  rw=$(best "$out/rua.txt" "$2" 2)
  pw=$(best "$out/python.txt" "$3" 2)
  rc=$(best "$out/rua.txt" "$2" 3)
  pc=$(best "$out/python.txt" "$3" 3)
  awk -v l="$1" -v rw="$rw" -v pw="$pw" -v rc="$rc" -v pc="$pc" \
    'BEGIN { printf "%-36s %10d %10d %5.2fx  %10d %10d %5.2fx\n", l, rw, pw, rw / pw, rc, pc, rc / pc }'
}
row "point lookup (rows as tables/dicts)" lookup lookup_dict
row "point lookup (python: tuples)" lookup lookup
row "point lookup, pool only" lookup_pool lookup_dict
row "insert in a transaction" insert_tx insert_tx
row "insert, prepared statement" insert_tx_prepared insert_tx
row "insert (python: executemany)" insert_tx insert_tx_executemany
row "insert, pool only" insert_tx_pool insert_tx

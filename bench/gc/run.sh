#!/usr/bin/env bash
# GC pause figures for rua and the references (issue 5).
# usage: bench/gc/run.sh [RUA] [PUC_LUA]    (defaults: build/rua, $LUA55)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rua=${1:-$root/build/rua}
puc=${2:-${LUA55:-}}
echo "== rua ($rua)"
"$rua" "$here/pauses.lua"
if [ -n "$puc" ] && [ -x "$puc" ]; then
  echo "== PUC Lua, incremental mode (its default in the library)"
  "$puc" -e 'collectgarbage("incremental")' "$here/pauses.lua"
  echo "== PUC Lua, as its lua command runs (generational)"
  "$puc" "$here/pauses.lua"
fi

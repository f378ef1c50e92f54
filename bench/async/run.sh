#!/usr/bin/env bash
# The async runtime's figures (issue 6): memory per waiting light thread and
# spawn/resume cost on rua, next to plain coroutines on rua and on PUC Lua 5.5.
# usage: bench/async/run.sh [RUA] [PUC_LUA]   (defaults: build/rua, bench/puc.sh's build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rua=${1:-$root/build/rua}
puc=${2:-${LUA55:-}}
if [ -z "$puc" ] && [ -x "$root/bench/puc.sh" ]; then puc=$("$root/bench/puc.sh" 2>/dev/null | tail -1 || true); fi
echo "== rua light threads ($rua)"
"$rua" "$here/threads.lua"
echo "== rua coroutines"
"$rua" "$here/coroutines.lua"
if [ -n "$puc" ] && [ -x "$puc" ]; then
  echo "== PUC Lua coroutines ($puc)"
  "$puc" "$here/coroutines.lua"
else
  echo "(PUC Lua 5.5 not found: pass its path as the second argument or set LUA55)"
fi

#!/usr/bin/env bash
# Runs the official Lua 5.5 test files that rua passes (tests/conformance.txt)
# with ../shared/tools/conformance.sh, so a regression in any of them fails.
# usage: scripts/conformance.sh [BUILD_DIR] [extra conformance.sh options]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
runner="$root/../shared/tools/conformance.sh"
if [ ! -x "$runner" ]; then
  echo "conformance: $runner not found (the shared folder must be beside the repository)" >&2
  exit 1
fi
files=$(grep -v '^\s*#' "$root/tests/conformance.txt" | tr '\n' ' ' | xargs)
if [ -z "$files" ]; then
  echo "conformance: no files listed in tests/conformance.txt yet"
  exit 0
fi
exec "$runner" -j 2 "$@" --only "$files" "$root/$build/rua"

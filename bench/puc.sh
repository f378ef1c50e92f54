#!/usr/bin/env bash
# puc.sh - build the reference PUC Lua 5.5 from source, outside the project, and print the path
# of its `lua` binary. The build is cached; running it again only prints the path.
#
# usage: bench/puc.sh [--rebuild]
# Where the source comes from, first match wins:
#   PUC_LUA_SRC=DIR   an existing source tree: a checkout of github.com/lua/lua (makefile and
#                     lua.c at the top) or an unpacked release tarball (DIR/src/Makefile)
#   (a build already in the cache, unless --rebuild)
#   ../puc            a source tree beside the project folder, if it is Lua 5.5
#   git clone         of $PUC_LUA_GIT (https://github.com/lua/lua) at tag $PUC_LUA_TAG (v5.5.0)
#   a tarball         $PUC_LUA_URL (https://www.lua.org/ftp/lua-$PUC_LUA_VERSION.tar.gz, 5.5.0)
# Cache: $RUA_BENCH_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/rua-bench. Never inside the repo.
# The build uses PUC's own makefile and flags (-O2, LUA_USE_LINUX), as PUC Lua users get it.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/.." && pwd)
cache=${RUA_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rua-bench}
git_url=${PUC_LUA_GIT:-https://github.com/lua/lua}
git_tag=${PUC_LUA_TAG:-v5.5.0}
version=${PUC_LUA_VERSION:-5.5.0}
tar_url=${PUC_LUA_URL:-https://www.lua.org/ftp/lua-$version.tar.gz}
out=$cache/puc-lua-5.5
rebuild=0

die() { echo "puc.sh: $*" >&2; exit 1; }
log() { echo "puc.sh: $*" >&2; }

case "${1:-}" in
  --rebuild) rebuild=1 ;;
  "") ;;
  *) sed -n '4,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

# is_lua55 DIR: DIR holds PUC Lua 5.5 sources (either layout)
is_lua55() {
  local h
  for h in "$1/lua.h" "$1/src/lua.h"; do
    [ -f "$h" ] && grep -q 'LUA_VERSION_MINOR_N[[:space:]]*5\b\|LUA_VERSION_MINOR[[:space:]]*"5"' "$h" &&
      grep -q 'LUA_VERSION_MAJOR_N[[:space:]]*5\b\|LUA_VERSION_MAJOR[[:space:]]*"5"' "$h" && return 0
  done
  return 1
}

works() { [ -x "$1" ] && "$1" -v 2>&1 | grep -q '^Lua 5\.5'; }

if [ $rebuild = 0 ] && [ -z "${PUC_LUA_SRC:-}" ] && works "$out/lua"; then
  echo "$out/lua"
  exit 0
fi

mkdir -p "$cache"
src=""
if [ -n "${PUC_LUA_SRC:-}" ]; then
  is_lua55 "$PUC_LUA_SRC" || die "PUC_LUA_SRC=$PUC_LUA_SRC does not hold Lua 5.5 sources (lua.h)"
  src=$PUC_LUA_SRC origin="PUC_LUA_SRC=$PUC_LUA_SRC"
elif is_lua55 "$project/../puc"; then
  src=$(cd "$project/../puc" && pwd) origin="source tree beside the project: $src"
else
  fetched=$cache/src
  rm -rf "$fetched" "$fetched.tmp"
  log "fetching $git_url at $git_tag ..."
  if command -v git >/dev/null &&
    git clone -q --depth 1 --branch "$git_tag" "$git_url" "$fetched.tmp" 2>/dev/null; then
    origin="$git_url at $git_tag"
  else
    log "git clone failed; downloading $tar_url ..."
    mkdir -p "$fetched.tmp"
    if command -v curl >/dev/null; then get=(curl -fsSL "$tar_url"); else get=(wget -qO- "$tar_url"); fi
    "${get[@]}" 2>/dev/null | tar -xz --strip-components=1 -C "$fetched.tmp" 2>/dev/null ||
      die "cannot fetch PUC Lua 5.5 (no network?). Point PUC_LUA_SRC at a source tree, e.g.
  PUC_LUA_SRC=/path/to/lua-5.5.0 bench/puc.sh"
    origin=$tar_url
  fi
  mv "$fetched.tmp" "$fetched"
  src=$fetched
  is_lua55 "$src" || die "$origin is not Lua 5.5"
fi

# Build a copy, so that the source tree is never written to.
log "building PUC Lua from $origin into $out ..."
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
jobs=$(nproc 2>/dev/null || echo 2)
if [ -f "$src/src/Makefile" ]; then  # release tarball: src/Makefile, targets linux / posix
  cp -R "$src/src/." "$out.tmp/"
  (cd "$out.tmp" && make -s clean >/dev/null && { make -s -j"$jobs" linux >/dev/null 2>&1 ||
    make -s -j"$jobs" posix >/dev/null; }) || die "make failed in $out.tmp"
elif [ -f "$src/makefile" ] && [ -f "$src/lua.c" ]; then  # the development repository's layout
  cp "$src"/*.c "$src"/*.h "$src/makefile" "$out.tmp/"
  (cd "$out.tmp" && make -s -j"$jobs" >/dev/null 2>&1) || die "make failed in $out.tmp"
else
  die "$src: neither a release tarball (src/Makefile) nor the lua repository (makefile, lua.c)"
fi
works "$out.tmp/lua" || die "the built $out.tmp/lua does not run as Lua 5.5"
{
  echo "origin: $origin"
  echo "version: $("$out.tmp/lua" -v 2>&1 | head -n 1)"
  echo "built: $(date -u '+%Y-%m-%d %H:%M UTC') with $(cc --version | head -n 1)"
} >"$out.tmp/BUILD_INFO"
rm -rf "$out"
mv "$out.tmp" "$out"
log "$(sed -n 2p "$out/BUILD_INFO")"
echo "$out/lua"

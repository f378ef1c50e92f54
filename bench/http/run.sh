#!/usr/bin/env bash
# HTTP client benchmark: requests/s of a Lua loop fetching a small JSON
# document over keep-alive from a local nginx, for rua.http on rua and for
# lua-resty-http in nginx+lua (ngx_lua, LuaJIT), in the same run.
#   bench/http/run.sh [RUA] [SECONDS] [ROUNDS]
# Needs nginx and libnginx-mod-http-lua (Debian). lua-resty-http is not
# packaged by Debian: set RESTY_HTTP_DIR to a checkout of it (a folder with
# lib/resty/http.lua); else the script clones it into a temporary folder
# (never into the repository). Rounds alternate rua and nginx; each figure is
# the best of its rounds. The document server is the same nginx worker for
# both (worker_processes 1), so the figures include its share of the CPU.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rua=$(realpath "${1:-build/rua}")
secs=${2:-3}
rounds=${3:-3}
nginx=${NGINX:-/usr/sbin/nginx}

[ -x "$nginx" ] && [ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] ||
  { echo "bench/http: needs nginx and ngx_lua: apt-get install nginx libnginx-mod-http-lua" >&2; exit 1; }
tmp=$(mktemp -d)
cleanup() {
  local rc=$?
  [ $rc -ne 0 ] && [ -f "$tmp/error.log" ] && grep -m3 -i "module\|error" "$tmp/error.log" >&2
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  [ -n "${nginx_pid:-}" ] && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

resty=${RESTY_HTTP_DIR:-}
if [ -z "$resty" ]; then
  git clone -q --depth 1 https://github.com/ledgetech/lua-resty-http "$tmp/lua-resty-http" ||
    { echo "bench/http: cannot fetch lua-resty-http; set RESTY_HTTP_DIR to a checkout" >&2; exit 1; }
  resty=$tmp/lua-resty-http
fi
[ -f "$resty/lib/resty/http.lua" ] || { echo "bench/http: no lib/resty/http.lua in $resty" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
doc_port=$(free_port)
lua_port=$(free_port)
mkdir -p "$tmp/tmp"
sed -e "s|@PREFIX@|$tmp|g" -e "s|@DOC_PORT@|$doc_port|g" -e "s|@LUA_PORT@|$lua_port|g" \
    -e "s|@RESTY_PATH@|$resty/lib|g" "$here/nginx.conf.in" >"$tmp/nginx.conf"
"$nginx" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$doc_port/doc.json" >/dev/null 2>&1 && break
  python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$doc_port/doc.json')" 2>/dev/null && break
  sleep 0.1
done

url="http://127.0.0.1:$doc_port/doc.json"
: >"$tmp/rua.txt"
: >"$tmp/resty.txt"
for _ in $(seq "$rounds"); do
  "$rua" "$here/bench.lua" "$url" "$secs" >>"$tmp/rua.txt"
  python3 -c "import urllib.request,urllib.parse,sys
print(urllib.request.urlopen('http://127.0.0.1:$lua_port/run?' + urllib.parse.urlencode({'url': '$url', 'secs': '$secs'}), timeout=600).read().decode().strip())" >>"$tmp/resty.txt"
done
best() { awk '$4 > m { m = $4 } END { printf "%.0f", m }' "$1"; }
r=$(best "$tmp/rua.txt")
n=$(best "$tmp/resty.txt")
echo "HTTP client: GET of a 55-byte JSON document over keep-alive from a local nginx, one Lua loop"
resty_version=$(grep -o "_VERSION = ['\"][^'\"]*" "$resty/lib/resty/http.lua" | head -1 | sed "s/.*['\"]//")
echo "best of $rounds rounds of ${secs}s ($(date -u +%Y-%m-%d), $(nproc) cores, $("$nginx" -v 2>&1 | sed 's/.*: //'), lua-resty-http $resty_version)"
printf '%-34s %12s\n' "client" "requests/s"
printf '%-34s %12s\n' "rua.http (rua)" "$r"
printf '%-34s %12s\n' "lua-resty-http (nginx+ngx_lua)" "$n"
awk -v r="$r" -v n="$n" 'BEGIN { printf "%-34s %12.2f\n", "ratio rua / resty", r / n }'

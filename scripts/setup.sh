#!/usr/bin/env bash
# Installs the Debian packages rua needs to build and test, when missing.
# Run by `make` (build, run, test); safe to run again.
set -euo pipefail

packages=(
  cmake g++ make pkg-config        # toolchain
  libgtest-dev libgmock-dev        # unit tests
  libreadline-dev                  # REPL line editing (loaded at run time)
  libboost1.81-dev                 # Asio (event loop), Beast (HTTP)
  libsqlite3-dev                   # rua.sqlite
  libssl-dev openssl               # TLS (OpenSSL 3): rua.http, rua serve HTTPS; tests make certificates
  libmimalloc-dev                  # the Lua heap's allocator (small objects, fast frees)
  time valgrind                    # benchmarks: peak memory, instruction counts
  lua5.4                           # benchmarks: a reference interpreter
  python3 python3-matplotlib       # benchmark runner, reports and charts
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# The one entry point: `make run` and `make test` install what is missing,
# build, and run. See README.md.
BUILD ?= build
BUILD_TYPE ?= Release
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
CONFORMANCE_FLAGS ?=
CANDIDATE ?= $(BUILD)/rua
BENCH_FLAGS ?=

.PHONY: all deps configure build run test unit conformance bench bench-regress bench-report bench-json bench-sqlite bench-http asan clean

all: build

deps:
	@scripts/setup.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# The demo web app (examples/web) on an SQLite database made on first run.
PORT ?= 8080
run: build
	DEMO_DB=$(abspath $(BUILD))/demo.db $(BUILD)/rua serve examples/web/app.lua --port $(PORT)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

conformance: build
	scripts/conformance.sh $(BUILD) $(CONFORMANCE_FLAGS)

test: unit conformance

# The interpreter suite against PUC Lua 5.5 (bench/puc.sh builds it) and lua5.4; results in
# bench/results/. BENCH_FLAGS="-n 5 -b fib,json" for more runs or some programs only.
bench: build
	bench/run.py --candidate $(CANDIDATE) $(BENCH_FLAGS)

# The callgrind gate against bench/baseline.json (SKIPs until rua has a baseline).
bench-regress: build
	bench/regress.sh $(CANDIDATE)

# PNG charts and a summary table from bench/results/ into docs/performance/.
bench-report: deps
	bench/report.py

bench-json: build
	bench/json/run.sh $(BUILD)/rua

# rua.sqlite against Python's sqlite3 on one database file (bench/sqlite/README.md).
bench-sqlite: build
	bench/sqlite/run.sh $(BUILD)/rua

# rua.http against lua-resty-http in nginx+ngx_lua, same run (bench/http/run.sh, docs/http.md).
bench-http: build
	bench/http/run.sh $(BUILD)/rua

# Huge allocations (string.rep of gigabytes) must fail as "not enough memory",
# which ASan allows only with allocator_may_return_null.
asan:
	ASAN_OPTIONS=allocator_may_return_null=1 $(MAKE) test BUILD=build-asan BUILD_TYPE=RelWithDebInfo CMAKE_FLAGS=-DRUA_SANITIZE=ON CONFORMANCE_FLAGS="-m 0 -t 600"

clean:
	rm -rf build build-asan

# `make` builds, `make test` runs every test, `make demo` runs the example.
# Each does its own set-up on a fresh machine: Debian packages when missing,
# a .venv with the Python tools, the CMake build.

VENV        := .venv
VPY         := $(VENV)/bin/python
CMAKE       := $(VENV)/bin/cmake
BUILD       := build
DEB_PACKAGES := lua5.4 liblua5.4-dev lua5.1 liblua5.1-0-dev lua5.2 liblua5.2-dev lua5.3 liblua5.3-dev luajit libluajit-5.1-dev lua-luv lua-cqueues libcmocka-dev lua-socket luarocks pkg-config gcc valgrind util-linux
SUDO        := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all deps build python test test-asan test-tsan test-valgrind fuzz fuzz-short stress demo bench bench-smoke clean

all: build

# Debian packages: installed only when one is missing.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements-dev.txt
	touch $@

$(BUILD)/build.ninja: CMakeLists.txt $(VENV)/.installed | deps
	$(CMAKE) -S . -B $(BUILD) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja)

build: deps $(VENV)/.installed $(BUILD)/build.ninja
	$(CMAKE) --build $(BUILD)

# The Python module, installed into .venv as a user would: pip install .
python: $(VENV)/.installed | deps
	$(VPY) -m pip install -q --no-build-isolation . || { $(VPY) -m pip install -v --no-build-isolation . 2>&1 | tail -40; exit 1; }

test: build python
	$(VPY) -m pytest

# The whole suite again against a build of the core and both modules with
# AddressSanitizer and UndefinedBehaviorSanitizer; the runtime is preloaded
# into python3 and every Lua interpreter (5.1, 5.2, 5.3, 5.4 and LuaJIT: the
# Lua tests run on each). Leak checking is on for the C and Lua processes
# (CPython itself keeps memory at exit; its leaks are test_leaks.py's job).
ASAN_BUILD  := $(BUILD)/asan
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test-asan: deps $(VENV)/.installed
	$(CMAKE) -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$(SAN_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$(SAN_FLAGS)" -DCMAKE_SHARED_LINKER_FLAGS="$(SAN_FLAGS)" \
	  -DCMAKE_MODULE_LINKER_FLAGS="$(SAN_FLAGS)" \
	  -DCSEND_BUILD_PYTHON=ON -DCSEND_BUILD_BENCH=OFF -DPython_EXECUTABLE=$(abspath $(VPY))
	$(CMAKE) --build $(ASAN_BUILD)
	CSEND_SANITIZE=1 CSEND_BUILD_DIR=$(abspath $(ASAN_BUILD)) PYTHONPATH=$(abspath $(ASAN_BUILD))/pypkg \
	  LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)" \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(VPY) -m pytest -p no:cacheprovider

# ThreadSanitizer: the core, the C tests and the Python module built with
# -fsanitize=thread; the C suite and the threaded Python tests run against
# it, libtsan preloaded into python3. Any report fails the run (exit 66);
# tests/tsan.supp names the one intended race and why. Signals are left
# out: TSan defers them, so a signal cannot interrupt a blocked call there.
TSAN_BUILD  := $(BUILD)/tsan
TSAN_FLAGS  := -fsanitize=thread -fno-omit-frame-pointer
test-tsan: deps $(VENV)/.installed
	$(CMAKE) -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$(TSAN_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$(TSAN_FLAGS)" -DCMAKE_SHARED_LINKER_FLAGS="$(TSAN_FLAGS)" \
	  -DCMAKE_MODULE_LINKER_FLAGS="$(TSAN_FLAGS)" -DCSEND_BUILD_LUA=OFF \
	  -DCSEND_BUILD_PYTHON=ON -DCSEND_BUILD_BENCH=OFF -DPython_EXECUTABLE=$(abspath $(VPY))
	$(CMAKE) --build $(TSAN_BUILD)
	rm -f $(TSAN_BUILD)/report.*
	CSEND_SANITIZE=thread CSEND_RACES=2000 CSEND_BUILD_DIR=$(abspath $(TSAN_BUILD)) \
	  PYTHONPATH=$(abspath $(TSAN_BUILD))/pypkg LD_PRELOAD="$$(gcc -print-file-name=libtsan.so)" \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66 report_signal_unsafe=0 suppressions=$(abspath tests/tsan.supp) log_path=$(abspath $(TSAN_BUILD))/report" \
	  $(VPY) -m pytest -p no:cacheprovider tests/c/test_core_c.py tests/python/test_hostile.py \
	  tests/python/test_behaviour.py tests/python/test_load.py \
	  || { cat $(TSAN_BUILD)/report.* 2>/dev/null; exit 1; }
	@if ls $(TSAN_BUILD)/report.* >/dev/null 2>&1; then cat $(TSAN_BUILD)/report.*; exit 1; fi

# The C (cmocka) and Lua suites under valgrind's memcheck: zero errors and no
# definite leaks, or the test fails. Fewer close races: memcheck runs one
# thread at a time. The Lua cases run on lua5.4 and lua5.1 only (test_lua.py
# skips the others here): LuaJIT needs a build of its own for memcheck.
test-valgrind: build
	CSEND_VALGRIND=1 CSEND_RACES=1000 $(VPY) -m pytest -p no:cacheprovider \
	  tests/c/test_core_c.py tests/lua/test_lua.py tests/lua/test_lua_states.py

# The long runs: 1 GiB through each binding checked by SHA-256, 10,000 close
# races from C and from Python, and ten minutes of each fuzzer.
stress: build python
	CSEND_INTEGRITY_MIB=1024 CSEND_RACES=10000 $(VPY) -m pytest -p no:cacheprovider \
	  tests/python/test_load.py tests/lua/test_lua_load.py \
	  "tests/c/test_core_c.py::test_c[csend_hardening_tests::test_close_while_sends_are_blocked_many_times]"
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=600

# Fuzzing: a libFuzzer target on the core's Send (clang, ASan, UBSan) and an
# atheris target on the Python API, each for FUZZ_SECONDS from the committed
# corpus (fuzz/corpus/*); new inputs go to build/fuzz, findings too.
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SECONDS ?= 300
FUZZ_PACKAGES := clang libclang-rt-14-dev
fuzz: build python $(VENV)/.fuzz
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(FUZZ_PACKAGES)"
	$(CMAKE) -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCSEND_BUILD_FUZZ=ON \
	  -DCSEND_BUILD_TESTS=OFF -DCSEND_BUILD_LUA=OFF -DCSEND_BUILD_BENCH=OFF
	$(CMAKE) --build $(FUZZ_BUILD) --target csend_fuzz_send
	mkdir -p $(FUZZ_BUILD)/send $(FUZZ_BUILD)/python
	$(FUZZ_BUILD)/csend_fuzz_send $(FUZZ_BUILD)/send fuzz/corpus/send \
	  -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_BUILD)/
	$(VPY) fuzz/fuzz_python.py $(FUZZ_BUILD)/python fuzz/corpus/python \
	  -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_BUILD)/
	@echo "fuzz: 2 passed, 0 failed"

# The short run CI makes.
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

$(VENV)/.fuzz: requirements-fuzz.txt $(VENV)/.installed
	$(VPY) -m pip install -q -r requirements-fuzz.txt
	touch $@

demo: build python
	./$(BUILD)/csend_demo
	$(VPY) demo/demo.py
	LUA_CPATH="$(BUILD)/lua/?.so;;" lua5.4 demo/demo.lua

# Minutes: writes bench/results.md and bench/results.png.
bench: build python $(VENV)/.bench
	$(VPY) bench/run.py

# Seconds: the same harness with tiny counts (make test runs it too).
bench-smoke: build python
	$(VPY) bench/run.py --smoke --out $(BUILD)/bench-smoke

$(VENV)/.bench: requirements-bench.txt $(VENV)/.installed
	$(VPY) -m pip install -q -r requirements-bench.txt
	touch $@

clean:
	rm -rf $(BUILD) $(VENV) _skbuild dist

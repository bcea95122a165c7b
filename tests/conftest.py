"""Shared pytest set-up: where the build put its programs and modules."""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("CSEND_BUILD_DIR", ROOT / "build"))
VECTORS = ROOT / "tests" / "vectors" / "send.txt"

# `make test-asan` runs this suite against a sanitizer build: its modules,
# with the sanitizer runtime preloaded into the interpreters.
SANITIZED = bool(os.environ.get("CSEND_SANITIZE"))
# `make test-tsan`: ThreadSanitizer, which defers signals to its own points.
TSAN = os.environ.get("CSEND_SANITIZE") == "thread"

# `make test-valgrind` runs the C and Lua suites under memcheck.
VALGRIND = bool(os.environ.get("CSEND_VALGRIND"))


# The Lua interpreters the Lua tests run on, each with the directory, under
# build/lua and build/tests/lua, that the build puts its modules in: Lua 5.4's
# at the top, the others' in a directory of their own.
LUAS = {"lua5.4": "", "lua5.1": "5.1", "lua5.2": "5.2", "lua5.3": "5.3", "luajit": "luajit"}


def lua_module_dirs(lua):
    """(where csend.so is, where csend_fault.so is) for interpreter lua."""
    sub = LUAS[lua]
    return BUILD / "lua" / sub, BUILD / "tests" / "lua" / sub


def lua_module_missing(lua):
    """Why interpreter lua cannot run the Lua tests, or None. The Makefile
    installs all five and builds the module for each: nothing is skipped."""
    import shutil
    if shutil.which(lua) is None:
        return f"{lua} is not installed: `make` installs every interpreter the tests run on"
    module = lua_module_dirs(lua)[0] / "csend.so"
    if not module.exists():
        return f"{module} is missing: `make` builds the module for every Lua"
    return None


def under_valgrind(cmd):
    """cmd, run under memcheck when VALGRIND: any error or definite leak
    makes it exit 99."""
    if not VALGRIND:
        return cmd
    return ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite"] + list(cmd)


def child_env(env):
    """env for a C or Lua child: under the sanitizers, with leak checking."""
    if SANITIZED:
        env = dict(env, ASAN_OPTIONS=env.get("ASAN_OPTIONS", "").replace(
            "detect_leaks=0", "detect_leaks=1"))
    return env


sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "python"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "packaging: builds and installs the project with the system toolchain "
        "(skipped under the sanitizers, which `make test` covers)")
    config.addinivalue_line(
        "markers", "typing: runs the type checkers over the stubs (Python only: skipped "
        "under the sanitizers)")
    if SANITIZED:
        import csend
        where = pathlib.Path(csend._core.__file__).resolve()
        assert BUILD.resolve() in where.parents, f"csend comes from {where}, not {BUILD}"


def pytest_collection_modifyitems(config, items):
    if not SANITIZED:
        return
    import pytest
    skip = pytest.mark.skip(reason="packaging test: run by `make test`, not under sanitizers")
    for item in items:
        if "packaging" in item.keywords or "typing" in item.keywords:
            item.add_marker(skip)

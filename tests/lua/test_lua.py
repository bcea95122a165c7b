"""Runs the Lua test files under tests/lua on every Lua the module is built
for (Lua 5.1, 5.2, 5.3, 5.4 and LuaJIT): one pytest item per (interpreter,
file, case), named like `lua5.1-test_api::case_name`."""
import os
import subprocess

import pytest

from conftest import (BUILD, LUAS, ROOT, VALGRIND, VECTORS, child_env, lua_module_dirs,
                      lua_module_missing, under_valgrind)

LUA_DIR = ROOT / "tests" / "lua"
RUNNER = LUA_DIR / "run.lua"
# test_faults.lua runs with the fault shim in front of libc.
SHIM = BUILD / "libcsend_fault.so"

# Files that only some interpreters can read at all, and why the others skip them.
ONLY = {"test_close": ({"lua5.4"}, "the language has no <close>")}

# Under memcheck, the oldest and the newest PUC Lua: LuaJIT does not run under
# valgrind without a build of its own (its allocator and JIT confuse memcheck),
# and 5.2 and 5.3 add time but no C path that 5.1 and 5.4 do not take.
UNDER_VALGRIND = {"lua5.4", "lua5.1"}
# There lua5.1 runs the cases of a file in one process, each item reading its
# case's verdict from it: memcheck's start-up, over half a second a process,
# would otherwise add more than a minute. lua5.4 runs each case alone, as
# everywhere else; so does a case known to fail (its fault is its own).
BATCHED_UNDER_VALGRIND = {"lua5.1"}
_batch_names = {}  # (lua, path) -> the cases a batch runs
_batches = {}      # (lua, path) -> its CompletedProcess


def _env(lua, path):
    module, fault = lua_module_dirs(lua)
    env = child_env(dict(os.environ,
                         LUA_CPATH=f"{module}/?.so;{fault}/?.so;;",
                         LUA_PATH=f"{LUA_DIR}/?.lua;;",
                         CSEND_VECTORS=str(VECTORS),
                         CSEND_LUA_DIR=str(LUA_DIR),
                         CSEND_LUA=lua))
    if path.stem == "test_faults":
        env["LD_PRELOAD"] = " ".join(filter(None, [env.get("LD_PRELOAD"), str(SHIM)]))
    return env


def _list(lua, path):
    """[(case, how, reason)] of one file on one interpreter: how is None, "skip"
    or "xfail"; or a string saying why the file could not be listed."""
    run = subprocess.run([lua, str(RUNNER), str(path), "--list"], env=_env(lua, path),
                         cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        return run.stderr.strip() or f"exit status {run.returncode}"
    out = []
    for line in run.stdout.splitlines():
        name, how, reason = (line.split("\t") + [None, None])[:3]
        out.append((name, how, reason))
    return out


def _cases():
    for path in sorted(LUA_DIR.glob("test_*.lua")):
        reference = None  # the file's cases as Lua 5.4 lists them
        for lua in LUAS:
            only, why = ONLY.get(path.stem, (None, None))
            missing = lua_module_missing(lua)
            if (only and lua not in only) or missing:
                # Listed by Lua 5.4: this interpreter cannot read the file,
                # or has no module to run it with (then every case fails).
                if reference is None:
                    reference = _list("lua5.4", path)
                if isinstance(reference, str):
                    listed = reference
                elif only and lua not in only:
                    listed = [(n, "skip", why) for n, _, _ in reference]
                else:
                    listed = [(n, None, None) for n, _, _ in reference]
            else:
                listed = _list(lua, path)
                if lua == "lua5.4":
                    reference = listed
            if isinstance(listed, str):
                yield pytest.param(lua, path, "--list", "unlisted", listed,
                                   id=f"{lua}-{path.stem}::(cannot list)")
                continue
            for name, how, reason in listed:
                if how is None:
                    _batch_names.setdefault((lua, path), []).append(name)
                marks = []
                if how == "skip":
                    marks.append(pytest.mark.skip(reason=f"{lua}: {reason}"))
                elif VALGRIND and lua not in UNDER_VALGRIND:
                    marks.append(pytest.mark.skip(
                        reason=f"{lua}: under valgrind only {', '.join(sorted(UNDER_VALGRIND))} run"))
                yield pytest.param(lua, path, name, how, reason, id=f"{lua}-{path.stem}::{name}",
                                   marks=marks)


@pytest.mark.parametrize("lua, path, name, how, reason", list(_cases()))
def test_lua(lua, path, name, how, reason):
    missing = lua_module_missing(lua)
    assert missing is None, missing
    if how == "unlisted":
        pytest.fail(f"{lua} cannot list the cases of {path.name}:\n{reason}")
    if VALGRIND and lua in BATCHED_UNDER_VALGRIND and how is None:
        return _verdict_from_batch(lua, path, name)
    run = subprocess.run(under_valgrind([lua, str(RUNNER), str(path), name]),
                         env=_env(lua, path), cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    if how == "xfail":
        # A known difference of the module on this interpreter (-- KNOWN: in
        # the file): the case must fail as a case, by one of its checks (the
        # memory checkers may add their own report of the same fault).
        if run.returncode != 0 and f"xfail {name} " in run.stdout:
            pytest.xfail(f"{lua}: {reason}")
        assert f"XPASS {name} " not in run.stdout, (
            f"{lua}: {name} passes now: remove its xfail and -- KNOWN: note\n" + run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"ok   {name}" in run.stdout.splitlines(), run.stdout + run.stderr


def _verdict_from_batch(lua, path, name):
    key = (lua, path)
    if key not in _batches:
        _batches[key] = subprocess.run(
            under_valgrind([lua, str(RUNNER), str(path)] + _batch_names[key]),
            env=_env(lua, path), cwd=ROOT, capture_output=True, text=True, timeout=1800)
    run = _batches[key]
    # 1: some case of the file failed (its own item says which); 99: memcheck.
    assert run.returncode in (0, 1), (
        f"{lua} {path.name}, its cases in one process under valgrind, exit status "
        f"{run.returncode}:\n" + run.stdout + run.stderr)
    assert f"ok   {name}" in run.stdout.splitlines(), run.stdout + run.stderr

"""Runs the Lua test files under tests/lua: one pytest item per Lua case."""
import os
import pathlib
import subprocess

import pytest

from conftest import BUILD, ROOT, VECTORS, child_env, under_valgrind

LUA_DIR = ROOT / "tests" / "lua"
RUNNER = LUA_DIR / "run.lua"
ENV = child_env(dict(os.environ,
           LUA_CPATH=f"{BUILD / 'lua'}/?.so;{BUILD / 'tests' / 'lua'}/?.so;;",
           LUA_PATH=f"{LUA_DIR}/?.lua;;",
           CSEND_VECTORS=str(VECTORS),
           CSEND_LUA_DIR=str(LUA_DIR)))


def _cases():
    for path in sorted(LUA_DIR.glob("test_*.lua")):
        run = subprocess.run(["lua5.4", str(RUNNER), str(path), "--list"], env=_env(path), cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode != 0:
            yield pytest.param(path, "--list", id=f"{path.stem}::(cannot list: {run.stderr})")
            continue
        for name in run.stdout.split():
            yield pytest.param(path, name, id=f"{path.stem}::{name}")


# test_faults.lua runs with the fault shim in front of libc.
SHIM = BUILD / "libcsend_fault.so"


def _env(path):
    if path.stem != "test_faults":
        return ENV
    return dict(ENV, LD_PRELOAD=" ".join(filter(None, [ENV.get("LD_PRELOAD"), str(SHIM)])))


@pytest.mark.parametrize("path, name", list(_cases()))
def test_lua(path, name):
    assert (BUILD / "lua" / "csend.so").exists(), "build/lua/csend.so is missing: run `make`"
    run = subprocess.run(under_valgrind(["lua5.4", str(RUNNER), str(path), name]),
                         env=_env(path), cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"ok   {name}" in run.stdout, run.stdout + run.stderr

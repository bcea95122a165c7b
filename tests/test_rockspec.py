"""The rockspec builds and installs the Lua module with LuaRocks, as a user would."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT


@pytest.mark.packaging
def test_luarocks_make_installs_a_working_module(tmp_path):
    src = tmp_path / "src"
    for part in ("core", "bindings/lua"):
        shutil.copytree(ROOT / part, src / part)
    rockspec = next(ROOT.glob("csend-*.rockspec"))
    shutil.copy(rockspec, src)
    tree = tmp_path / "tree"
    build = subprocess.run(["luarocks", "--lua-version", "5.4", "make", "--tree", str(tree),
                            rockspec.name], cwd=src, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    code = ('local csend = require "csend"\n'
            'local s = csend.socket()\n'
            's:close()\n'
            'local ok, e = pcall(s.send, s, "x")\n'
            'print(package.searchpath("csend", package.cpath), e.name)\n')
    env = dict(os.environ, LUA_CPATH=f"{tree}/lib/lua/5.4/?.so")
    run = subprocess.run(["lua5.4", "-e", code], env=env, capture_output=True, text=True,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    where, name = run.stdout.split()
    assert where.startswith(str(tree)) and name == "ObjectDisposedException"


def test_the_rockspec_builds_the_sources_cmake_builds():
    """The rockspec lists its sources by hand: the same as CMake's core and
    Lua module, so a new file cannot be left out of one build."""
    import re
    rockspec = next(ROOT.glob("csend-*.rockspec")).read_text()
    listed = set(re.findall(r'"((?:core|bindings/lua)/src/[\w/]+\.c)"', rockspec))
    cmake = (ROOT / "CMakeLists.txt").read_text()
    core = set(re.findall(r"(core/src/\w+\.c)", cmake))
    lua = {f"bindings/lua/{p}" for p in re.findall(
        r"(src/\w+\.c)", (ROOT / "bindings" / "lua" / "CMakeLists.txt").read_text().split(
            "set(CSEND_LUA_SOURCES")[1].split(")")[0])}
    assert listed == core | lua

"""The rockspec builds and installs the Lua module with LuaRocks, as a user would."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT


# luarocks --lua-version, and the variables LuaRocks is given, by interpreter:
# LuaJIT is a Lua 5.1 to LuaRocks, with headers and an interpreter of its own.
ROCK_LUAS = {
    "lua5.1": ("5.1", lambda: []),
    "lua5.2": ("5.2", lambda: []),
    "lua5.3": ("5.3", lambda: []),
    "lua5.4": ("5.4", lambda: []),
    "luajit": ("5.1", lambda: [
        "LUA_INCDIR=" + subprocess.run(["pkg-config", "--variable=includedir", "luajit"],
                                       capture_output=True, text=True, check=True).stdout.strip(),
        "LUA=" + shutil.which("luajit")]),
}

# Where require found the module and csend.co (package.searchpath is 5.2's),
# a send over loopback from one csend socket to another, the same through
# csend.co, and an error object.
PROBE = """
local function where(path, name)
  for template in path:gmatch("[^;]+") do
    local file = template:gsub("%?", name)
    local f = io.open(file)
    if f then f:close() return file end
  end
end
local csend = require "csend"
local co = require "csend.co"
local l = csend.socket():bind("127.0.0.1", 0):listen(1)
local c = csend.socket()
c:connect(l:local_endpoint())
local a = l:accept()
local n = c:send("over-")
n = n + co.send(function() error("no wait needed") end, c, "loopback")
local got = a:receive(64)
for _, s in ipairs({a, c, l}) do s:close() end
local ok, e = pcall(c.send, c, "x")
print(where(package.cpath, "csend"), where(package.path, "csend/co"), n, got, e.name)
"""


@pytest.mark.packaging
@pytest.mark.parametrize("lua", list(ROCK_LUAS))
def test_luarocks_make_installs_a_working_module(lua, tmp_path):
    version, variables = ROCK_LUAS[lua]
    src = tmp_path / "src"
    for part in ("core", "bindings/lua"):
        shutil.copytree(ROOT / part, src / part)
    rockspec = next(ROOT.glob("csend-*.rockspec"))
    shutil.copy(rockspec, src)
    tree = tmp_path / "tree"
    build = subprocess.run(["luarocks", "--lua-version", version, "make", "--tree", str(tree),
                            rockspec.name] + variables(), cwd=src, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    env = dict(os.environ, LUA_CPATH=f"{tree}/lib/lua/{version}/?.so",
               LUA_PATH=f"{tree}/share/lua/{version}/?.lua")
    run = subprocess.run([lua, "-e", PROBE], env=env, capture_output=True, text=True,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    module, co, sent, got, name = run.stdout.split()
    assert module.startswith(str(tree)) and co.startswith(str(tree)), (module, co)
    assert (sent, got) == ("13", "over-loopback")
    assert name == "ObjectDisposedException"


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

"""contract §8: one vocabulary, spelled as each runtime expects. Every row of the
names table is exposed by the C core, the Python module and the Lua module."""
import os
import re
import subprocess

import pytest

import csend
from conftest import BUILD, ROOT

# (C symbol or None, Python path, Lua path)
ROWS = [
    ("csend_socket_open", "Socket", "socket"),
    ("csend_socket_from_fd", "Socket.from_fd", "fromfd"),
    (None, "Socket.from_socket", "dup"),
    ("csend_send", "Socket.send", "Socket:send"),
    ("csend_try_send", "Socket.try_send", "Socket:try_send"),
    ("csend_send_to", "Socket.send_to", "Socket:send_to"),
    ("csend_send_segments", "Socket.send_segments", "Socket:send_segments"),
    ("csend_receive", "Socket.receive", "Socket:receive"),
    ("csend_connect", "Socket.connect", "Socket:connect"),
    ("csend_bind", "Socket.bind", "Socket:bind"),
    ("csend_listen", "Socket.listen", "Socket:listen"),
    ("csend_accept", "Socket.accept", "Socket:accept"),
    ("csend_shutdown", "Socket.shutdown", "Socket:shutdown"),
    ("csend_close", "Socket.close", "Socket:close"),
    ("csend_get_fd", "Socket.fileno", "Socket:getfd"),
    ("csend_get_blocking", "Socket.blocking", "Socket:blocking"),
    ("csend_set_blocking", "Socket.blocking", "Socket:blocking"),
    ("csend_get_send_timeout", "Socket.send_timeout", "Socket:send_timeout"),
    ("csend_set_send_timeout", "Socket.send_timeout", "Socket:send_timeout"),
    ("csend_get_receive_timeout", "Socket.receive_timeout", "Socket:receive_timeout"),
    ("csend_get_available", "Socket.available", "Socket:available"),
    ("csend_get_connected", "Socket.connected", "Socket:connected"),
    ("csend_get_no_delay", "Socket.no_delay", "Socket:no_delay"),
    ("csend_get_local_endpoint", "Socket.local_endpoint", "Socket:local_endpoint"),
    ("csend_get_remote_endpoint", "Socket.remote_endpoint", "Socket:remote_endpoint"),
    ("csend_set_trace", "set_trace", "set_trace"),
    ("CSEND_FLAG_OUT_OF_BAND", "SocketFlags.OUT_OF_BAND", "SocketFlags.OutOfBand"),
    ("CSEND_FLAG_DONT_ROUTE", "SocketFlags.DONT_ROUTE", "SocketFlags.DontRoute"),
    ("CSEND_SOCKET_ERROR_CONNECTION_RESET", "SocketError.CONNECTION_RESET",
     "SocketError.ConnectionReset"),
    ("CSEND_AF_INTER_NETWORK", "AddressFamily.INTER_NETWORK", "AddressFamily.InterNetwork"),
    ("CSEND_SOCK_STREAM", "SocketType.STREAM", "SocketType.Stream"),
    ("CSEND_PROTO_TCP", "ProtocolType.TCP", "ProtocolType.Tcp"),
]
EXCEPTIONS = ["ArgumentException", "ArgumentNullException", "ArgumentOutOfRangeException",
              "InvalidOperationException", "ObjectDisposedException", "SocketException"]


def _c_names():
    exported = subprocess.run(["nm", "-D", "--defined-only", str(BUILD / "libcsend.so")],
                              capture_output=True, text=True, check=True).stdout
    header = (ROOT / "core" / "include" / "csend.h").read_text()
    return set(re.findall(r"\b(csend_\w+)", exported)) | set(re.findall(r"\b(CSEND_\w+)", header)) \
        | {f"CSEND_SOCKET_ERROR_{u}" for u in re.findall(r"X\((\w+), \w+, -?\d+\)", header)}


def _lua_names():
    probe = ('local csend = require "csend"\n'
             'local s = csend.socket()\n'
             'local mt = debug.getmetatable(s).__index\n'
             'for k in pairs(csend) do print(k) end\n'
             'for k in pairs(mt) do print("Socket:" .. k) end\n'
             'for _, t in ipairs({"SocketFlags", "SocketError", "AddressFamily", "SocketType",\n'
             '                    "ProtocolType"}) do\n'
             '  for k in pairs(csend[t]) do if type(k) == "string" then print(t .. "." .. k) end end\n'
             'end\n'
             'for k in pairs(csend.errors) do print("errors." .. k) end\n'
             's:close()\n')
    env = dict(os.environ, LUA_CPATH=f"{BUILD / 'lua'}/?.so;;")
    out = subprocess.run(["lua5.4", "-e", probe], env=env, capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def _python_has(path):
    obj = csend
    for part in path.split("."):
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


@pytest.mark.parametrize("c, py, lua", ROWS, ids=[r[1] for r in ROWS])
def test_every_runtime_exposes_the_name(c, py, lua):
    if c is not None:
        assert c in _c_names(), f"C lacks {c}"
    assert _python_has(py), f"Python lacks csend.{py}"
    assert lua in _lua_names(), f"Lua lacks {lua}"


@pytest.mark.parametrize("name", EXCEPTIONS)
def test_every_runtime_has_the_exception_class(name):
    assert isinstance(getattr(csend, name), type)
    assert f"errors.{name}" in _lua_names()
    assert name in {row[0] for row in csend._core.ERROR_CLASSES}  # the core's table


def test_socket_error_members_match_across_runtimes():
    lua = {n.split(".", 1)[1] for n in _lua_names() if n.startswith("SocketError.")}
    py = {m.name for m in csend.SocketError}
    assert len(lua) == len(py) == 47
    snake = {re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", n).upper() for n in lua}
    assert snake == py


def test_every_c_function_is_in_the_c_reference():
    header = (ROOT / "core" / "include" / "csend.h").read_text()
    functions = set(re.findall(r"CSEND_API [^(]*?\b(csend_\w+)\(", header))
    reference = (ROOT / "docs" / "c-api.md").read_text()
    missing = sorted(f for f in functions if f"`{f}" not in reference)
    assert len(functions) > 50
    assert missing == [], f"not in docs/c-api.md: {missing}"

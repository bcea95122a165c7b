"""Integrity under load through the Lua module: tests/lua/integrity.lua sends
random chunks of a random pool at random offsets to a Python receiver that
hashes what arrives (SHA-256); its log of (offset, size) says what should
have. CSEND_INTEGRITY_MIB sets the amount (default 128; `make stress` 1024).
Once on every Lua the module is built for."""
import hashlib
import os
import random
import socket
import subprocess
import threading

import pytest

from conftest import LUAS, ROOT, child_env, lua_module_dirs, lua_module_missing

MIB = 1 << 20
TOTAL = int(os.environ.get("CSEND_INTEGRITY_MIB", "128")) * MIB


@pytest.mark.parametrize("lua", list(LUAS))
def test_lua_random_chunks_and_offsets_arrive_with_the_same_sha256(lua, tmp_path):
    missing = lua_module_missing(lua)
    assert missing is None, missing
    pool = random.Random(TOTAL).randbytes(16 * MIB)
    pool_file = tmp_path / "pool"
    pool_file.write_bytes(pool)
    got = {}
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def receive():
            conn, _ = listener.accept()
            h, n = hashlib.sha256(), 0
            while chunk := conn.recv(1 << 20):
                h.update(chunk)
                n += len(chunk)
            conn.close()
            got["n"], got["digest"] = n, h.hexdigest()

        reader = threading.Thread(target=receive)
        reader.start()
        env = child_env(dict(os.environ, LUA_CPATH=f"{lua_module_dirs(lua)[0]}/?.so;;"))
        run = subprocess.run([lua, str(ROOT / "tests" / "lua" / "integrity.lua"),
                              str(pool_file), str(port), str(TOTAL), "42"],
                             env=env, capture_output=True, text=True, timeout=600)
        reader.join(timeout=60)
    assert run.returncode == 0, run.stderr
    expect, n, pieces = hashlib.sha256(), 0, 0
    view = memoryview(pool)
    for line in run.stdout.split("\n"):
        if line:
            offset, size = map(int, line.split())
            expect.update(view[offset:offset + size])
            n += size
            pieces += 1
    assert n == TOTAL
    assert got == {"n": TOTAL, "digest": expect.hexdigest()}, f"{pieces} pieces"

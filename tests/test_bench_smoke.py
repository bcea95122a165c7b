"""The benchmark harness in its smoke mode, so it cannot rot: every contender
runs, the sink's count checks pass, and every target gets a verdict."""
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.packaging
def test_bench_smoke_runs_every_contender_and_judges_every_target(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    text = (tmp_path / "results.md").read_text()
    for name in ("raw C send()", "csend C core", "csend Python", "csend Python, 4 args",
                 "csend Python, 4 args, flags in a local", "CPython socket",
                 "csend send_async, asyncio", "loop.sock_sendall, asyncio",
                 "csend send_async, uvloop", "loop.sock_sendall, uvloop",
                 "csend send from a thread",
                 "csend Lua", "csend Lua, 4 args", "LuaSocket", "csend LuaJIT",
                 "csend LuaJIT, 4 args", "LuaSocket LuaJIT"):
        # per call and throughput over tcp and unix, instructions over tcp
        assert text.count(f"| {name} |") == 5, name
    # The floor of the four-argument call is counted (instructions, tcp).
    assert text.count("| floor: a C method that only sends, 4 args |") == 1, text
    assert "no extension's four-argument call can cost less" in text
    verdicts = [line for line in text.splitlines()
                if line.endswith("| met |") or line.endswith("| NOT MET |")]
    assert len(verdicts) == 24, text

"""System-call faults under the Python module: each scenario of
fault_child.py runs in a child interpreter with build/libcsend_fault.so
preloaded in front of libc."""
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import BUILD

SHIM = BUILD / "libcsend_fault.so"
CHILD = pathlib.Path(__file__).with_name("fault_child.py")

# scenario -> the least number of faults it must have injected
SCENARIOS = {
    "every_errno": 2 * 43,
    "every_errno_mid_buffer": 43,
    "eintr_storm": 3 * 48 * 1024,
    "eintr_storm_gather": 3 * 48 * 1024,
    "eagain_with_timeout": 2,
    "non_blocking": 1,
    "signal_handler_runs_between_partial_writes": 0,
    "signal_handler_runs_between_partial_writes_gather": 0,
}


def run_child(scenario):
    env = dict(os.environ, CSEND_FAULT_SHIM=str(SHIM))
    env["LD_PRELOAD"] = " ".join(filter(None, [env.get("LD_PRELOAD"), str(SHIM)]))
    return subprocess.run([sys.executable, str(CHILD), scenario], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fault(scenario):
    assert SHIM.exists(), f"{SHIM} is missing: run `make`"
    run = run_child(scenario)
    assert run.returncode == 0, run.stdout + run.stderr
    last = run.stdout.split()[-2:]
    assert last[0] == "ok", run.stdout + run.stderr
    faults = int(last[1].split("=")[1])
    assert faults >= SCENARIOS[scenario], run.stdout

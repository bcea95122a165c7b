"""Runs the cmocka tests of the C core: one pytest item per cmocka test."""
import subprocess

import pytest

from conftest import BUILD

BINARY = BUILD / "csend_tests"


def _names():
    if not BINARY.exists():
        return ["csend_tests-not-built"]
    out = subprocess.run([str(BINARY), "--list"], check=True, capture_output=True, text=True)
    return out.stdout.split()


@pytest.mark.parametrize("name", _names())
def test_c(name):
    assert BINARY.exists(), f"{BINARY} is missing: run `make` first"
    run = subprocess.run([str(BINARY), name], capture_output=True, text=True, timeout=120)
    assert "[  PASSED  ] 1 test(s)." in run.stdout + run.stderr, run.stdout + run.stderr
    assert run.returncode == 0, run.stdout + run.stderr

"""Runs the cmocka tests of the C core: one pytest item per cmocka test.

csend_tests holds the contract; csend_hardening_tests the fault injection
(tests/fault/fault.c linked in front of libc) and the close races."""
import os
import subprocess

import pytest

from conftest import BUILD, child_env, under_valgrind

BINARIES = ["csend_tests", "csend_hardening_tests"]


def _names():
    for binary in BINARIES:
        path = BUILD / binary
        if not path.exists():
            yield pytest.param(binary, "not-built", id=f"{binary}::not-built")
            continue
        out = subprocess.run([str(path), "--list"], check=True, capture_output=True, text=True)
        for name in out.stdout.split():
            yield pytest.param(binary, name, id=f"{binary}::{name}")


@pytest.mark.parametrize("binary, name", list(_names()))
def test_c(binary, name):
    path = BUILD / binary
    assert path.exists(), f"{path} is missing: run `make` first"
    run = subprocess.run(under_valgrind([str(path), name]), capture_output=True, text=True,
                         timeout=900,
                         env=child_env(os.environ))
    assert "[  PASSED  ] 1 test(s)." in run.stdout + run.stderr, run.stdout + run.stderr
    assert run.returncode == 0, run.stdout + run.stderr

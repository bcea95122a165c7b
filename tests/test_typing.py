"""contract §11: the stubs hold against the module and against use.  mypy
--strict and pyright check tests/typing/examples.py (every public callable,
as a program uses it), stubtest checks the stubs against the runtime, and
the examples run."""
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.typing
EXAMPLES = ROOT / "tests" / "typing" / "examples.py"
BIN = pathlib.Path(sys.executable).parent


def run(cmd, cwd=None):
    out = subprocess.run(cmd, cwd=cwd or EXAMPLES.parent, capture_output=True, text=True,
                         timeout=600, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    return out.returncode, out.stdout + out.stderr


def test_mypy_strict_accepts_every_example():
    rc, out = run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", EXAMPLES.name])
    assert rc == 0 and "Success: no issues found" in out, out


def test_pyright_accepts_every_example():
    rc, out = run([str(BIN / "pyright"), "--pythonpath", sys.executable, EXAMPLES.name])
    assert rc == 0 and "0 errors" in out, out


def test_stubtest_finds_the_stubs_true_to_the_module(tmp_path):
    rc, out = run([sys.executable, "-m", "mypy.stubtest", "csend"], cwd=tmp_path)
    assert rc == 0 and "Success" in out, out


def test_the_examples_run():
    rc, out = run([sys.executable, EXAMPLES.name])
    assert rc == 0, out


def _doc_blocks(tmp_path):
    import test_docs
    for i, param in enumerate(test_docs.blocks()):
        (tmp_path / f"block_{i:02d}.py").write_text(param.values[0])
    return sorted(p.name for p in tmp_path.glob("block_*.py"))


def test_mypy_strict_accepts_every_python_example_in_the_docs(tmp_path):
    names = _doc_blocks(tmp_path)
    rc, out = run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *names],
                  cwd=tmp_path)
    assert rc == 0 and "Success: no issues found" in out, out


def test_pyright_accepts_every_python_example_in_the_docs(tmp_path):
    names = _doc_blocks(tmp_path)
    rc, out = run([str(BIN / "pyright"), "--pythonpath", sys.executable, *names], cwd=tmp_path)
    assert rc == 0 and "0 errors" in out, out

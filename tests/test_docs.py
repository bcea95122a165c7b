"""Every ```python block of README.md and docs/*.md runs, as written, in a
fresh interpreter: the examples a newcomer copies are never stale."""
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import ROOT

FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks():
    for path in FILES:
        text = path.read_text()
        for m in BLOCK.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            yield pytest.param(m.group(1), id=f"{path.relative_to(ROOT)}:{line}")


def test_the_docs_have_python_examples():
    assert len(list(blocks())) >= 10


@pytest.mark.parametrize("code", list(blocks()))
def test_python_block_runs(code, tmp_path):
    run = subprocess.run([sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", code],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr

"""`pip install .` into a fresh virtual environment, then `import csend` from
outside the source tree, as a user would."""
import subprocess
import sys
import venv

import pytest

from conftest import ROOT


@pytest.mark.packaging
def test_pip_install_into_a_fresh_venv(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", str(ROOT)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stdout + install.stderr
    code = ("import csend, socket\n"
            "a, b = socket.socketpair()\n"
            "s = csend.Socket.from_socket(a)\n"
            "print(s.send(b'This is a test', 0, 14, csend.SocketFlags.NONE))\n"
            "print(csend.__file__)\n")
    run = subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    count, where = run.stdout.split()
    assert count == "14"
    assert where.startswith(str(env_dir))

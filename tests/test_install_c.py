"""`cmake --install` gives C programs the library, the header and csend.pc."""
import os
import subprocess

import pytest

from conftest import BUILD, ROOT


@pytest.mark.packaging
def test_installed_library_builds_and_runs_a_c_program(tmp_path):
    prefix = tmp_path / "prefix"
    cmake = ROOT / ".venv" / "bin" / "cmake"
    subprocess.run([str(cmake), "--install", str(BUILD), "--prefix", str(prefix),
                    "--component", "c"], check=True, capture_output=True)
    pc_dirs = list(prefix.glob("lib*/pkgconfig"))
    assert pc_dirs, "csend.pc was not installed"
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc_dirs[0]))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "csend"], env=env,
                           check=True, capture_output=True, text=True).stdout.split()
    src = tmp_path / "use.c"
    src.write_text(
        '#include <csend.h>\n#include <stdio.h>\n'
        'int main(void) {\n'
        '  csend_error err;\n'
        '  csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);\n'
        '  csend_close(s);\n'
        '  if (csend_send(s, "x", 1, 0, 1, 0, &err) != -1) return 1;\n'
        '  printf("%s\\n", csend_error_class_name(err.kind));\n'
        '  csend_socket_free(s);\n'
        '  return 0;\n}\n')
    exe = tmp_path / "use"
    subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", str(src), "-o", str(exe), *flags],
                   check=True)
    libdir = pc_dirs[0].parent
    run = subprocess.run([str(exe)], env=dict(env, LD_LIBRARY_PATH=str(libdir)),
                         check=True, capture_output=True, text=True)
    assert run.stdout.strip() == "ObjectDisposedException"

"""`cmake --install` gives C programs the library (shared and static), the
header, csend.pc and a CMake package, and each way of using them builds a
program that runs from a throwaway prefix with no LD_LIBRARY_PATH."""
import os
import subprocess

import pytest

from conftest import BUILD, ROOT


CMAKE = ROOT / ".venv" / "bin" / "cmake"
PROGRAM = (
    '#include <csend.h>\n#include <stdio.h>\n'
    'int main(void) {\n'
    '  csend_error err;\n'
    '  csend_socket *s = csend_socket_open(CSEND_AF_INTER_NETWORK, CSEND_SOCK_STREAM, 0, &err);\n'
    '  csend_close(s);\n'
    '  if (csend_send(s, "x", 1, 0, 1, 0, &err) != -1) return 1;\n'
    '  printf("%s\\n", csend_error_class_name(err.kind));\n'
    '  csend_socket_free(s);\n'
    '  return 0;\n}\n')


def install(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run([str(CMAKE), "--install", str(BUILD), "--prefix", str(prefix),
                    "--component", "c"], check=True, capture_output=True)
    (tmp_path / "use.c").write_text(PROGRAM)
    return prefix


def runs(exe):
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    run = subprocess.run([str(exe)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ObjectDisposedException"


@pytest.mark.packaging
def test_pkg_config_builds_a_program_that_runs_from_the_prefix(tmp_path):
    prefix = install(tmp_path)
    pc_dirs = list(prefix.glob("lib*/pkgconfig"))
    assert pc_dirs, "csend.pc was not installed"
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc_dirs[0]))

    def pkg(*args):
        return subprocess.run(["pkg-config", *args, "csend"], env=env, check=True,
                              capture_output=True, text=True).stdout.split()
    # As the README says: a prefix the loader does not search goes into the
    # program's run-time path.
    libdir = pkg("--variable=libdir")[0]
    exe = tmp_path / "use"
    subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", str(tmp_path / "use.c"), "-o",
                    str(exe), *pkg("--cflags", "--libs"), f"-Wl,-rpath,{libdir}"], check=True)
    runs(exe)
    # The static library, linked by its path.
    exe = tmp_path / "use_static"
    subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", str(tmp_path / "use.c"), "-o",
                    str(exe), *pkg("--cflags"), f"{libdir}/libcsend.a", "-lpthread"],
                   check=True)
    runs(exe)


@pytest.mark.packaging
def test_find_package_gives_the_shared_and_static_targets(tmp_path):
    prefix = install(tmp_path)
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.18)\n"
        "project(use C)\n"
        "find_package(csend 0.1 CONFIG REQUIRED)\n"
        "add_executable(use use.c)\n"
        "target_link_libraries(use PRIVATE csend::csend)\n"
        "add_executable(use_static use.c)\n"
        "target_link_libraries(use_static PRIVATE csend::csend_static)\n")
    build = tmp_path / "build"
    for step in ([str(CMAKE), "-S", str(tmp_path), "-B", str(build),
                  f"-DCMAKE_PREFIX_PATH={prefix}"],
                 [str(CMAKE), "--build", str(build)]):
        made = subprocess.run(step, capture_output=True, text=True)
        assert made.returncode == 0, made.stdout + made.stderr
    runs(build / "use")  # CMake gives the program the library's directory
    runs(build / "use_static")

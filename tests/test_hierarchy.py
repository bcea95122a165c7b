"""The exception classes of every runtime are the core's: the same names
and the same parents as csend_error_class_table (.NET's hierarchy)."""
import os
import re
import subprocess

import csend
from csend import _core, _exceptions
from conftest import BUILD, ROOT

CORE = {name: parent for name, parent, kind in _core.ERROR_CLASSES}
# Python raises its own MemoryError for OutOfMemory, and an interrupt leaves
# the runtime's exception; Exception and SystemException are Python's.
NOT_IN_PYTHON = {"Exception", "SystemException", "OutOfMemoryException",
                 "OperationCanceledException"}


def test_core_table_is_a_tree_rooted_at_exception():
    for name, parent in CORE.items():
        seen = {name}
        while parent is not None:
            assert parent in CORE and parent not in seen, (name, parent)
            seen.add(parent)
            parent = CORE[parent]
        assert "Exception" in seen


def test_python_defines_exactly_the_core_classes_with_the_core_parents():
    assert set(_exceptions.__all__) == set(CORE) - NOT_IN_PYTHON
    for name in _exceptions.__all__:
        cls = getattr(csend, name)
        assert cls.__name__ == name
        assert name in csend.__all__
        parent = CORE[name]
        ours = [b for b in cls.__bases__ if b.__module__.startswith("csend")]
        if parent in NOT_IN_PYTHON:
            assert ours == [], f"{name}: .NET parent {parent}, csend bases {ours}"
        else:
            assert ours == [getattr(csend, parent)], f"{name}: {ours} is not [{parent}]"


def test_the_stub_declares_every_class_with_its_parent():
    stub = (ROOT / "bindings" / "python" / "csend" / "__init__.pyi").read_text()
    for name in _exceptions.__all__:
        found = re.search(rf"^class {name}\(([^)]*)\)", stub, re.M)
        assert found, f"{name} is not in the stub"
        parent = CORE[name]
        if parent not in NOT_IN_PYTHON:
            assert parent in found.group(1), f"stub: {name}({found.group(1)})"


def test_lua_has_every_core_class_with_its_parent():
    code = ('local csend = require "csend"\n'
            'for name, cls in pairs(csend.errors) do\n'
            '  print(name, cls.name, cls.parent and cls.parent.name or "-")\n'
            'end\n')
    env = dict(os.environ, LUA_CPATH=f"{BUILD / 'lua'}/?.so;;")
    out = subprocess.run(["lua5.4", "-e", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    lua = {}
    for line in out.splitlines():
        key, name, parent = line.split("\t")
        assert key == name
        lua[name] = None if parent == "-" else parent
    assert lua == CORE

"""Shared pytest set-up: where the build put its programs and modules."""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("CSEND_BUILD_DIR", ROOT / "build"))
VECTORS = ROOT / "tests" / "vectors" / "send.txt"

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "python"))

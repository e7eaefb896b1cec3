"""The wheel carries libludus_c.so, so it must be tagged for the platform, not `py3-none-any`."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from ludus import _native

REPO = Path(__file__).resolve().parents[2]


def test_wheel_is_tagged_for_the_platform(tmp_path):
    library = next((p for p in _native.library_candidates() if p.exists()), None)
    if library is None:
        pytest.fail("no libludus_c.so to package: build it with `swift build --product ludus_c`")
    # A copy of the package folder next to the repository's Environments/ (the backend reads
    # `../Environments`), so building it leaves no files in the source tree.
    source = tmp_path / "python"
    shutil.copytree(REPO / "python", source,
                    ignore=shutil.ignore_patterns("_lib", "Environments", "build", "*.egg-info", "__pycache__", "tests"))
    (tmp_path / "Environments").symlink_to(REPO / "Environments")
    out = tmp_path / "dist"
    env = dict(os.environ, LUDUS_PREBUILT_LIBRARY=str(library.resolve()))  # pip builds in another folder
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    name = wheels[0].name
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert name.endswith(f"-py3-none-{platform}.whl"), name
    assert "none-any" not in name
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        assert "ludus/_lib/libludus_c.so" in names
        assert "ludus/Environments/countdown_text.lua" in names
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode()
    assert "Root-Is-Purelib: false" in metadata
    assert f"Tag: py3-none-{platform}" in metadata

"""PEP 517 backend: setuptools, after building the engine's C ABI with `swift build`.

`swift build -c release -Xswiftc -static-stdlib --product ludus_c` (in the repository's
`.build/` folder, with the flags of `make release`, which builds the CLI beside it) gives a libludus_c.so that needs no Swift runtime. A wheel gets a
copy of it and of `Environments/`; an editable install finds both in the repository.
Set LUDUS_SKIP_SWIFT_BUILD=1 to use an existing build, and LUDUS_PREBUILT_LIBRARY=PATH to
package that library instead of `.build/release/`'s (the wheel-tag test packages the debug build).
The wheel is tagged for the platform (`setup.py`): it holds a native library.
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import build_meta as _setuptools

HERE = Path(__file__).resolve().parent.parent
REPO = HERE.parent
LIBRARY = Path(os.environ.get("LUDUS_PREBUILT_LIBRARY") or REPO / ".build" / "release" / "libludus_c.so")


def _swift_build():
    if os.environ.get("LUDUS_PREBUILT_LIBRARY") and not LIBRARY.exists():
        raise FileNotFoundError(f"LUDUS_PREBUILT_LIBRARY: no library at {LIBRARY} (pip builds in another folder: give an absolute path)")
    if (os.environ.get("LUDUS_SKIP_SWIFT_BUILD") == "1" or os.environ.get("LUDUS_PREBUILT_LIBRARY")) and LIBRARY.exists():
        return
    swift = os.environ.get("SWIFT", "swift")
    subprocess.run([swift, "build", "-c", "release", "-Xswiftc", "-static-stdlib", "--product", "ludus_c"],
                   cwd=REPO, check=True)


def _copy_into_package():
    lib = HERE / "ludus" / "_lib"
    lib.mkdir(exist_ok=True)
    shutil.copy2(LIBRARY, lib / "libludus_c.so")
    target = HERE / "ludus" / "Environments"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(REPO / "Environments", target)


get_requires_for_build_wheel = _setuptools.get_requires_for_build_wheel
get_requires_for_build_sdist = _setuptools.get_requires_for_build_sdist
prepare_metadata_for_build_wheel = _setuptools.prepare_metadata_for_build_wheel
build_sdist = _setuptools.build_sdist
get_requires_for_build_editable = getattr(_setuptools, "get_requires_for_build_editable", None)
prepare_metadata_for_build_editable = getattr(_setuptools, "prepare_metadata_for_build_editable", None)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _swift_build()
    _copy_into_package()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _swift_build()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)

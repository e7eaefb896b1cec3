#!/usr/bin/env python3
"""Regenerates Sources/Ludus/Report/Vendor/vega/ (the chart runtime `ludus report` inlines)
from the pinned PyPI package vl-convert-python: one JavaScript bundle of vega, vega-lite
and vega-embed with their dependencies, assigning window.vega, window.vegaLite and
window.vegaEmbed. `make vendor-vega` runs it; see docs/report.md."""
import hashlib
import pathlib
import sys

PINNED = "1.9.0.post1"      # vl-convert-python
VEGA_LITE = "6.4"           # the Vega-Lite line bundled (specs use its v6 schema)

import vl_convert as vlc
from importlib.metadata import version

installed = version("vl-convert-python")
if installed != PINNED:
    sys.exit(f"vl-convert-python {installed} is installed; the vendored runtime is pinned to {PINNED} (make vendor-vega installs it)")
folder = pathlib.Path(__file__).resolve().parent.parent / "Sources/Ludus/Report/Vendor/vega"
folder.mkdir(parents=True, exist_ok=True)
bundle = vlc.javascript_bundle(vl_version=VEGA_LITE)
(folder / "vega-bundle.js").write_text(bundle)
line = (f"vega {vlc.get_vega_version()}, vega-lite {VEGA_LITE}, vega-embed {vlc.get_vega_embed_version()} "
        f"(bundled by vl-convert-python {installed})")
(folder / "VERSION").write_text(line + "\n")
print(f"{folder}/vega-bundle.js: {len(bundle)} bytes, sha256 {hashlib.sha256(bundle.encode()).hexdigest()[:16]}; {line}")

"""Shared helpers: the CLI binary for parity checks, scripts written for a test."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def cli_path():
    given = os.environ.get("LUDUS_CLI")
    if given:
        return given
    for candidate in (REPO / ".build" / "debug" / "ludus", REPO / ".build" / "release" / "ludus"):
        if candidate.exists():
            return str(candidate)
    pytest.skip("no ludus binary: build it with `swift build` (or set LUDUS_CLI)")


@pytest.fixture(scope="session")
def cli():
    path = cli_path()

    def run(*args, check=True):
        done = subprocess.run([path, *map(str, args)], capture_output=True, text=True, cwd=REPO, timeout=600)
        if check and done.returncode != 0:
            raise AssertionError(f"ludus {' '.join(map(str, args))} failed: {done.stderr}")
        return done

    return run


SCRIPT = '''
local E = {{
  id = "{id}", description = "a test script", version = "1.0.0",
  observation_space = space.discrete(10), action_space = space.discrete(2),
  params = {{ hang = {{ kind = "int", min = 0, max = 1, default = 0, description = "loop forever in step" }} }},
  max_steps = 20,
}}
function E.reset(self, params) self.hang = params.hang; self.t = 0; return 0, {{}} end
function E.step(self, action)
  {body}
  self.t = self.t + 1
  return self.t, 1.0, self.t >= 5, false, {{}}
end
return E
'''


@pytest.fixture
def scripts(tmp_path):
    """A folder with `looping.lua` (step loops forever when hang=1), `broken.lua` (a syntax
    error on line 3), `failing.lua` (a runtime error in step)."""
    (tmp_path / "looping.lua").write_text(SCRIPT.format(id="test/looping", body="if self.hang == 1 then while true do end end"))
    (tmp_path / "broken.lua").write_text('local E = {\n  id = "test/broken",\n  description = = "oops",\n}\nreturn E\n')
    (tmp_path / "failing.lua").write_text(SCRIPT.format(id="test/failing", body='if self.t == 2 then error("boom at two") end'))
    return tmp_path

# Ludus: `make demo` sets everything up on a fresh Debian machine and runs the main job;
# `make test` runs the test suite. Both install missing system packages first.

SWIFT        ?= swift
# libcurl4-openssl-dev: the Python package's library links Foundation statically (-static-stdlib),
# whose networking part (the LLM client) needs libcurl.so at link time.
APT_PACKAGES := liblua5.4-dev lua5.4 libopenblas-dev libbox2d-dev pkg-config sqlite3 libsqlite3-dev librsvg2-bin time libcurl4-openssl-dev
LUDUS        := .build/release/ludus
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PEERS        := minigrid==3.2.0 gymnasium==1.4.0 open-spiel==2.0.2 reasoning-gym==0.1.25 box2d==2.3.10 scikit-learn==1.9.1
# What the Python package and its tests need (`make python`, `make test`).
PY_PACKAGES  := wheel numpy gymnasium==1.4.0 'pettingzoo>=1.24' pytest reasoning-gym==0.1.25 'orjson>=3.8'
PY_LIBRARY   := .build/release/libludus_c.so

LLM_PIP      := llama-cpp-python[server]==0.3.36 gguf==0.19.0

.PHONY: bench-deps deps peers py-deps ray-deps python llm-deps build release demo test check parity bench experiments clean report-deps vendor-vega

# $(call apt_install,PACKAGES): installs those of PACKAGES that are missing (one apt run).
apt_install = @missing="$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

deps:
	$(call apt_install,$(APT_PACKAGES))

# What `make bench` counts instructions with: valgrind, and faketime to freeze the clock Lua seeds
# its string hashes with (bench/host_instructions.sh).
BENCH_APT    := valgrind faketime
bench-deps:
	$(call apt_install,$(BENCH_APT))

# The peers Ludus is measured against (benchmarks and parity checks only; never runtime dependencies).
peers:
	@python3 -c "import minigrid, gymnasium, pyspiel, reasoning_gym, Box2D, sklearn" 2>/dev/null || python3 -m pip install -q $(PEERS)

# A real OpenAI-compatible server for the LLM tests (bench/llm_e2e.sh): llama.cpp through
# llama-cpp-python (compiled once, ~10 min on 2 cores; pip caches the wheel) and gguf for the
# tiny random-weight model the test writes. Installed only when missing.
llm-deps:
	@python3 -c "import llama_cpp.server, gguf" 2>/dev/null || python3 -m pip install -q "$(word 1,$(LLM_PIP))" $(word 2,$(LLM_PIP))

# The Python package: `make release` builds its C ABI (libludus_c.so, the Swift standard library
# linked in: no Swift runtime needed to import it), then `pip install -e ./python` (docs/python.md).
py-deps:
	@python3 -c "import wheel, numpy, gymnasium, pettingzoo, pytest, reasoning_gym, orjson" 2>/dev/null || python3 -m pip install -q $(PY_PACKAGES)

# Ray for ludus.ray and its tests (the package's optional extra `ray`; never a CLI dependency).
ray-deps:
	@python3 -c "import ray" 2>/dev/null || LUDUS_SKIP_SWIFT_BUILD=1 python3 -m pip install -q --no-build-isolation -e './python[ray]'

python: release py-deps
	LUDUS_SKIP_SWIFT_BUILD=1 python3 -m pip install -q --no-build-isolation -e ./python

# `ludus report`'s checks: Debian's chromium (the browser test) and rliable (the statistics cross-check).
REPORT_PIP   := rliable==1.2.0
VL_CONVERT   := 1.9.0.post1
report-deps:
	@dpkg -s chromium >/dev/null 2>&1 || { echo "installing: chromium"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }
	@python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('rliable') is None)" || python3 -m pip install -q $(REPORT_PIP)

# Regenerates the vendored chart runtime (Sources/Ludus/Report/Vendor/vega/) from the pinned PyPI package.
vendor-vega:
	@python3 -c "from importlib.metadata import version; import sys; sys.exit(version('vl-convert-python') != '$(VL_CONVERT)')" 2>/dev/null || python3 -m pip install -q vl-convert-python==$(VL_CONVERT)
	python3 bench/vendor_vega.py

build: deps
	$(SWIFT) build

# The Swift standard library and Foundation linked in (-static-stdlib): the CLI starts in half
# the time (no 50 Swift and Foundation libraries to bind) and the Python package's library
# (libludus_c.so, built here too) needs no Swift runtime.
release: deps
	$(SWIFT) build -c release -Xswiftc -static-stdlib

# The main job: seeded runs, the checker over every bundled environment, a small
# tournament with ratings in SQLite, a generator/critic run, a countdown dataset,
# a PPO curriculum and self-play.
demo: release
	$(LUDUS) list
	$(LUDUS) run corridor --episodes 5 --seed 1 --param length=12
	$(LUDUS) run tic_tac_toe --episodes 2 --seed 1 --render
	$(LUDUS) run gridworld/door_key --episodes 3 --seed 1
	$(LUDUS) run walker/bipedal --episodes 2 --seed 1
	$(LUDUS) check
	mkdir -p runs && rm -rf runs/demo.sqlite* runs/demo
	$(LUDUS) tournament --env connect_four --agents random,mcts:25,mcts:100 --games 6 --seed 1 --workers 2 --db runs/demo.sqlite --quiet
	$(LUDUS) tournament --env tic_tac_toe --agents random,mcts:5,mcts:20,mcts:80,random --schedule swiss --rounds 3 --games 2 --seed 1 --db runs/demo.sqlite --quiet
	$(LUDUS) critic countdown/critic --rounds 3 --seed 1 --db runs/demo.sqlite
	$(LUDUS) generate countdown/text --count 2000 --seed 1 --out runs/demo/countdown.jsonl && wc -l runs/demo/countdown.jsonl
	$(LUDUS) teach gridworld/door_key --student ppo --teacher random --vary size=5..6 --episodes 600 --test-set 10 --eval-every 200 --seed 1 --db runs/demo.sqlite --out runs/demo/teach --quiet
	$(LUDUS) selfplay tic_tac_toe --student ppo --opponents random,self --episodes 1500 --eval-every 500 --seed 1 --db runs/demo.sqlite --out runs/demo/selfplay
	$(LUDUS) report --db runs/demo.sqlite --out runs/demo/report.html --quiet
	@echo "report: $(CURDIR)/runs/demo/report.html"

test: deps llm-deps report-deps
	lua5.4 Tests/Lua/countdown_solver_equivalence.lua
	$(SWIFT) test
	$(SWIFT) build
	bench/llm_e2e.sh .build/debug/ludus
	python3 bench/report_browser.py --ludus .build/debug/ludus
	bench/kill_resume.sh .build/debug/ludus
	bench/kill_resume_loops.sh .build/debug/ludus
	bench/dataset_cli.sh .build/debug/ludus
	bench/cli_checks.sh .build/debug/ludus
	bench/levels_cli.sh .build/debug/ludus
	bench/shard_cli.sh .build/debug/ludus
	$(MAKE) --no-print-directory py-deps ray-deps
	$(SWIFT) build --product ludus_c
	LUDUS_LIBRARY=.build/debug/libludus_c.so LUDUS_CLI=.build/debug/ludus python3 -m pytest -q -p no:cacheprovider python/tests

check: release
	$(LUDUS) check --junit .build/ludus-check.xml

# Step-by-step agreement with MiniGrid, OpenSpiel and reasoning-gym: 0 mismatches or a non-zero exit.
parity: release peers
	python3 bench/parity_minigrid.py --ludus $(LUDUS)
	python3 bench/parity_openspiel.py --ludus $(LUDUS)
	python3 bench/parity_openspiel_poker.py --ludus $(LUDUS)
	python3 bench/parity_reasoning_gym.py --ludus $(LUDUS) --backend ludus --count 300
	python3 bench/parity_bipedal.py --ludus $(LUDUS)

bench: release peers python bench-deps
	bench/run.sh

# Does the curriculum help? Teachers against random at equal budgets, several seeds each
# (about an hour on 2 cores; writes experiments/results/curriculum.md and doorkey.md), then DR vs
# robust PLR vs ACCEL on held-out mazes at equal env steps (about 35 min; ued-maze.md). Not a test.
experiments: release peers
	python3 experiments/curriculum.py --ludus $(LUDUS) --student ppo:eval=sample --countdown-student ppo \
	  --teachers random,alp-gmm,plr,plr@3000,target,plr:robust=0,plr:beta=0.3,riac --seeds 5 --episodes 1500 \
	  --eval-every 500 --test-set 50 --maze-args "--vary size=5..13 --vary lava_density --vary min_goal_distance=0..30" \
	  --countdown-episodes 20000 --countdown-eval-every 5000 --jobs 2
	$(LUDUS) report $$(for f in experiments/results/runs/curriculum-*.sqlite; do printf -- '--db %s ' $$f; done) --out experiments/results/curriculum.html
	python3 experiments/curriculum.py --ludus $(LUDUS) --env gridworld/door_key --student ppo:eval=sample \
	  --teachers random,alp-gmm,target,plr --seeds 5 --episodes 1500 --eval-every 500 --test-set 50 \
	  --maze-args "--vary size=5..16" --skip-countdown --jobs 2 --name doorkey --title "gridworld/door_key, sizes 5..16"
	python3 experiments/ued_maze.py --ludus $(LUDUS) --seeds 5 --steps 1000000 --jobs 2
	$(LUDUS) report $$(for f in experiments/results/runs/doorkey-*.sqlite; do printf -- '--db %s ' $$f; done) --out experiments/results/doorkey.html

clean:
	rm -rf .build .build-python

# Ludus: `make demo` sets everything up on a fresh Debian machine and runs the main job;
# `make test` runs the test suite. Both install missing system packages first.

SWIFT        ?= swift
APT_PACKAGES := liblua5.4-dev lua5.4 libopenblas-dev pkg-config
LUDUS        := .build/release/ludus
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release demo test check bench clean

deps:
	@missing="$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job for now: list, a seeded run of each bundled environment, and the checker over all of them.
demo: release
	$(LUDUS) list
	$(LUDUS) run corridor --episodes 5 --seed 1 --param length=12
	$(LUDUS) run tic_tac_toe --episodes 3 --seed 1 --render
	$(LUDUS) check

test: deps
	$(SWIFT) test

check: release
	$(LUDUS) check --junit .build/ludus-check.xml

bench: release
	bench/run.sh

clean:
	rm -rf .build

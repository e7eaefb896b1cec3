#!/usr/bin/env bash
# Instructions per step of the host (`ludus bench`, observations copied and lazy) against the
# standalone interpreter on the same file, counted by valgrind (callgrind), from the difference
# of N and 2N steps so that start-up cancels. Deterministic, unlike CPU-time ratios on a busy
# machine; needs valgrind, and faketime for repeatable counts (`make bench-deps`).
#
#   bench/host_instructions.sh [LUDUS] [N] [ENV ...]
set -euo pipefail
cd "$(dirname "$0")/.."
LUDUS=${1:-.build/release/ludus}; N=${2:-20000}; shift $(( $# > 2 ? 2 : $# ))
envs=${*:-corridor tic_tac_toe connect_four gridworld/door_key gridworld/empty}
# valgrind's reader gives up on the Swift binary's debug information: count a stripped copy.
binary=$(mktemp /tmp/ludus-stripped-XXXXXX)
trap 'rm -f "$binary"' EXIT
strip -o "$binary" "$LUDUS"
# Lua seeds its string hashes with time(NULL) (and addresses, which valgrind keeps fixed), so the
# table lookups of a script cost a little more or less from one second to the next: about 4% of
# a corridor step. With the clock frozen by faketime (`make bench` installs it) the counts repeat
# (FREEZE_AT picks another instant, so another seed; two binaries' layouts differ, so their seeds do).
freeze=(); if command -v faketime > /dev/null; then freeze=(faketime -f "${FREEZE_AT:-2026-01-01 00:00:00}"); else echo "(faketime not installed: counts vary by a few percent)"; fi
count() { "${freeze[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -nE 's/.*Collected : ([0-9]+).*/\1/p'; }
# per_step COMMAND...: the command's instructions per step; "@" in it stands for the step count.
per_step() {
  local a b
  a=$(count "${@/#@/$N}"); b=$(count "${@/#@/$((2 * N))}")
  echo $(( (b - a) / N ))
}
for env in $envs; do
  copied=$(per_step "$binary" bench "$env" --steps @)
  lazy=$(per_step "$binary" bench "$env" --lazy-observations --steps @)
  lua=$(per_step lua5.4 bench/standalone.lua "Environments/$env.lua" @ Environments/lib)
  printf '%-20s host copied %7d  lazy %7d  lua5.4 %7d instructions/step   ratio copied %.2fx  lazy %.2fx\n' \
    "$env" "$copied" "$lazy" "$lua" "$(python3 -c "print($lua / $copied)")" "$(python3 -c "print($lua / $lazy)")"
done

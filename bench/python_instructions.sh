#!/usr/bin/env bash
# What the Python bridge costs, in instructions per environment step: `ludus.make_vec` (32
# gridworld/door_key size-8 environments, one engine thread, random actions) against
# `ludus bench --checked` stepping the same 32 VMs through the episode driver on one thread,
# the same work without Python, ctypes and the batch's buffers. Counted by valgrind
# (callgrind) from the difference of N and 2N calls so that start-up and imports cancel:
# deterministic, where wall-clock ratios on a shared 2-core machine swing by a quarter.
# One thread on both sides, so no spinning hand-off is counted (the threads' cost is in
# `bench/python_speed.py`'s wall-clock ratio). Needs valgrind and the built library.
#
#   bench/python_instructions.sh [LUDUS] [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
LUDUS=${1:-.build/release/ludus}; CALLS=${2:-400}; ENVS=32
# The interpreter itself, not a wrapper script (pyenv shims exec it, and valgrind would count the shell).
PYTHON=$(python3 -c "import sys; print(sys.executable)")
LIBRARY=${LUDUS_LIBRARY:-$(dirname "$LUDUS")/libludus_c.so}
# valgrind's reader gives up on the Swift binaries' debug information: count stripped copies.
work=$(mktemp -d /tmp/ludus-instructions-XXXXXX)
trap 'rm -rf "$work"' EXIT
strip -o "$work/ludus" "$LUDUS"
strip -o "$work/libludus_c.so" "$LIBRARY"
cat > "$work/vector.py" <<'EOF'
import sys
import numpy as np
import ludus
calls, envs = int(sys.argv[1]), int(sys.argv[2])
vec = ludus.make_vec("gridworld/door_key", envs, threads=1, params={"size": 8})
vec.reset(seed=0)
actions = np.random.default_rng(0).integers(0, 7, size=(256, envs))
for k in range(calls):
    vec.step(actions[k % 256])
EOF
count() {
  env OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 LUDUS_LIBRARY="$work/libludus_c.so" \
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
    | sed -nE 's/.*Collected : ([0-9]+).*/\1/p'
}
per_step() {  # per_step STEPS_OF_A STEPS_OF_B COMMAND_A -- COMMAND_B
  local steps_a=$1 steps_b=$2 a b; shift 2
  local -a first=() second=()
  while [ "$1" != -- ]; do first+=("$1"); shift; done; shift; second=("$@")
  a=$(count "${first[@]}"); b=$(count "${second[@]}")
  echo $(( (b - a) / (steps_b - steps_a) ))
}
steps=$((CALLS * ENVS))
python=$(per_step "$steps" $((2 * steps)) "$PYTHON" "$work/vector.py" "$CALLS" "$ENVS" -- "$PYTHON" "$work/vector.py" $((2 * CALLS)) "$ENVS")
cli_args=(bench gridworld/door_key --param size=8 --threads 1 --envs-per-thread "$ENVS" --checked)
cli=$(per_step "$steps" $((2 * steps)) "$work/ludus" "${cli_args[@]}" --steps "$steps" -- "$work/ludus" "${cli_args[@]}" --steps $((2 * steps)))
printf 'python bridge: make_vec door_key-8 (%d envs, 1 thread) %7d  ludus bench --checked (same VMs) %7d instructions/step   ratio %.2fx (target >= 0.85x)\n' \
  "$ENVS" "$python" "$cli" "$(python3 -c "print($cli / $python)")"

#!/usr/bin/env bash
# `make bench`: Ludus's host against the standalone lua5.4 interpreter running the
# same environment file, measured in the same run. Prints steps/s and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
LUDUS=.build/release/ludus
STEPS=${STEPS:-2000000}
for env in corridor tic_tac_toe; do
  file=Environments/$env.lua
  host=$($LUDUS bench "$env" --steps "$STEPS" --json | sed -E 's/.*"steps_per_second":([0-9]+).*/\1/')
  standalone=$(lua5.4 bench/standalone.lua "$file" "$STEPS" Environments/lib | sed -E 's/steps_per_second=([0-9.]+).*/\1/')
  ratio=$(python3 -c "print(f'{$host/$standalone:.2f}')")
  printf '%-12s host %10s steps/s   standalone lua5.4 %10s steps/s   ratio %sx\n' "$env" "$host" "$standalone" "$ratio"
done
$LUDUS bench corridor --steps "$STEPS" --threads 1,2

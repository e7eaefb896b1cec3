#!/usr/bin/env bash
# A Swiss tournament sharded round by round on one machine (docs/scale-out.md, "Swiss: a
# barrier per round"): the 3 shards of a round run in parallel, then merge; the next round
# is paired from that merge. The final database rates exactly as the serial run.
#   examples/scale-out/swiss-rounds.sh [ludus] [folder]
set -euo pipefail
LUDUS=${1:-ludus}
out=${2:-runs/swiss}
mkdir -p "$out"
args=(--env tic_tac_toe --agents random,mcts:5,mcts:10,mcts:20,mcts:40,random
      --schedule swiss --rounds 3 --games 2 --seed 4 --quiet)
for r in 0 1 2; do
  from=(); [ $r -gt 0 ] && from=(--from "$out/rounds-$((r - 1)).sqlite")
  for k in 0 1 2; do
    "$LUDUS" tournament "${args[@]}" --round $r --shard $k/3 "${from[@]}" --db "$out/round$r-$k.sqlite" > /dev/null &
  done
  wait
  "$LUDUS" merge --partial "$out/rounds-$r.sqlite" ${from[1]:+"${from[1]}"} "$out"/round$r-*.sqlite > /dev/null
done
"$LUDUS" merge "$out/league.sqlite" "$out"/round[0-9]-*.sqlite > /dev/null
"$LUDUS" ratings --db "$out/league.sqlite"

#!/usr/bin/env bash
# A tournament killed with SIGKILL mid-run and resumed loses no game and plays none twice:
# its games and ratings equal those of an uninterrupted run with the same seed.
set -euo pipefail
LUDUS=${1:-.build/release/ludus}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
args=(--env tic_tac_toe --agents random,mcts:20,mcts:60 --games 40 --seed 5 --quiet)

"$LUDUS" tournament "${args[@]}" --workers 2 --db "$dir/full.sqlite" > /dev/null
"$LUDUS" tournament "${args[@]}" --workers 2 --db "$dir/crash.sqlite" > /dev/null &
pid=$!
for _ in $(seq 1 200); do  # wait until some games are committed, then kill -9
  n=$(sqlite3 "$dir/crash.sqlite" "SELECT COUNT(*) FROM game" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 10 ] && break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
before=$(sqlite3 "$dir/crash.sqlite" "SELECT COUNT(*) FROM game")
"$LUDUS" tournament "${args[@]}" --workers 1 --db "$dir/crash.sqlite" --resume > /dev/null
query="SELECT game_index, seats, returns, length, outcome, trajectory_hash FROM game ORDER BY game_index"
if diff <(sqlite3 "$dir/full.sqlite" "$query") <(sqlite3 "$dir/crash.sqlite" "$query") > /dev/null \
   && diff <("$LUDUS" ratings --db "$dir/full.sqlite" | tail -n +2) <("$LUDUS" ratings --db "$dir/crash.sqlite" | tail -n +2) > /dev/null; then
  total=$(sqlite3 "$dir/crash.sqlite" "SELECT COUNT(*) FROM game")
  echo "kill -9 resume: 1 passed, 0 failed ($before games committed before the kill, $total after --resume, identical to an uninterrupted run)"
else
  echo "kill -9 resume: 0 passed, 1 failed (games or ratings differ after --resume)"
  exit 1
fi

#!/usr/bin/env bash
# Sharding end to end through the CLI (docs/scale-out.md): a connect_four tournament run
# serially, as 3 Slurm-style array tasks (SLURM_ARRAY_TASK_ID set, --shard auto) merged, and
# as 2 explicit shards merged and as a two-level merge tree give byte-identical `ludus ratings`; merge refuses a tampered
# shard, a missing one and one of another configuration; dataset shards concatenate to the
# serial file; --shard auto without a scheduler and Swiss with --shard fail clearly; a Swiss
# tournament sharded round by round (--round R --from) equals the serial Swiss run.
set -euo pipefail
LUDUS=${1:-.build/release/ludus}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
check() { if eval "$2"; then :; else echo "shard cli: FAILED: $1"; failed=$((failed + 1)); fi; }
args=(--env connect_four --agents random,mcts:10,mcts:30 --games 4 --seed 5 --quiet)

"$LUDUS" tournament "${args[@]}" --db "$dir/serial.sqlite" > /dev/null
"$LUDUS" ratings --db "$dir/serial.sqlite" > "$dir/serial.txt"
for task in 0 1 2; do
  SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_COUNT=3 "$LUDUS" tournament "${args[@]}" --shard auto --db "$dir/slurm-$task.sqlite" > /dev/null &
done
wait
"$LUDUS" merge "$dir/slurm.sqlite" "$dir"/slurm-{2,0,1}.sqlite > /dev/null
"$LUDUS" ratings --db "$dir/slurm.sqlite" > "$dir/slurm.txt"
check "3 Slurm array tasks merged rate exactly as the serial run" 'cmp -s "$dir/serial.txt" "$dir/slurm.txt"'
games() { sqlite3 "$1" "SELECT * FROM game ORDER BY game_index"; }
check "merged game rows are the serial rows" '[ "$(games "$dir/serial.sqlite")" = "$(games "$dir/slurm.sqlite")" ]'
seats() { sqlite3 "$1" "SELECT * FROM game_seat ORDER BY game_index, seat"; }
check "merged per-seat rows are the serial rows" '[ -n "$(seats "$dir/serial.sqlite")" ] && [ "$(seats "$dir/serial.sqlite")" = "$(seats "$dir/slurm.sqlite")" ]'
# A merge tree: a partial level, then the final merge (which checks that nothing is missing).
"$LUDUS" merge --partial "$dir/level.sqlite" "$dir"/slurm-{0,1}.sqlite > /dev/null
"$LUDUS" merge "$dir/tree.sqlite" "$dir/level.sqlite" "$dir/slurm-2.sqlite" > /dev/null
"$LUDUS" ratings --db "$dir/tree.sqlite" > "$dir/tree.txt"
check "a merge tree rates exactly as the serial run" 'cmp -s "$dir/serial.txt" "$dir/tree.txt"'
for k in 0 1; do "$LUDUS" tournament "${args[@]}" --shard $k/2 --db "$dir/two-$k.sqlite" > /dev/null; done
"$LUDUS" merge "$dir/two.sqlite" "$dir"/two-{0,1}.sqlite > "$dir/two.txt"
"$LUDUS" ratings --db "$dir/two.sqlite" > "$dir/two-ratings.txt"
check "2 shards merged rate exactly as the serial run" 'cmp -s "$dir/serial.txt" "$dir/two-ratings.txt"'
check "merge prints the merged ratings" 'grep -qF "$(sed -n 3p "$dir/serial.txt")" "$dir/two.txt"'

sqlite3 "$dir/slurm-1.sqlite" ".backup $dir/tampered.sqlite"
sqlite3 -cmd ".timeout 30000" "$dir/tampered.sqlite" "UPDATE game SET trajectory_hash = 'x' || trajectory_hash WHERE game_index = (SELECT min(game_index) FROM game)"
set +e
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/slurm-{0,1,2}.sqlite "$dir/tampered.sqlite" 2> "$dir/tampered.err"; tampered=$?
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/slurm-{0,2}.sqlite 2> "$dir/missing.err"; missing=$?
"$LUDUS" tournament --env connect_four --agents random,mcts:10,mcts:30 --games 4 --seed 6 --quiet --shard 1/3 --db "$dir/other.sqlite" > /dev/null
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/slurm-{0,2}.sqlite "$dir/other.sqlite" 2> "$dir/other.err"; other=$?
env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX "$LUDUS" tournament "${args[@]}" --shard auto --db "$dir/x.sqlite" 2> "$dir/auto.err"; auto=$?
JOB_COMPLETION_INDEX=1 "$LUDUS" tournament "${args[@]}" --shard auto --db "$dir/x.sqlite" 2> "$dir/count.err"; count=$?
"$LUDUS" tournament --env tic_tac_toe --agents random,mcts:5,mcts:10,random --schedule swiss --games 1 --shard 0/2 --db "$dir/x.sqlite" 2> "$dir/swiss.err"; swiss=$?
set -e
check "a tampered shard is refused, naming the game and both files" '[ $tampered -ne 0 ] && grep -q "game [0-9]* of tournament on connect_four" "$dir/tampered.err" && grep -q "tampered.sqlite" "$dir/tampered.err" && grep -q "slurm-1.sqlite" "$dir/tampered.err"'
check "a missing shard is refused, naming it" '[ $missing -ne 0 ] && grep -q "shard 1/3 (games" "$dir/missing.err"'
check "a shard of another configuration is refused" '[ $other -ne 0 ] && grep -q "different tournaments" "$dir/other.err" && grep -q "seed=6" "$dir/other.err"'
check "no database is left by a failed merge" '[ ! -e "$dir/bad.sqlite" ]'
check "--shard auto without a scheduler says what it looked for" '[ $auto -ne 0 ] && grep -q "SLURM_ARRAY_TASK_ID" "$dir/auto.err" && grep -q "JOB_COMPLETION_INDEX" "$dir/auto.err"'
check "--shard auto with an index but no count asks for LUDUS_SHARD_COUNT" '[ $count -ne 0 ] && grep -q "LUDUS_SHARD_COUNT" "$dir/count.err"'
check "Swiss refuses --shard, explaining the per-round barrier" '[ $swiss -ne 0 ] && grep -q "barrier per round" "$dir/swiss.err"'

# Swiss sharded by round (a barrier per round): round r's 3 shards are paired from the merge of
# rounds 0..r-1; all rounds' shards merged rate exactly as the serial Swiss run.
league=(--env tic_tac_toe --agents random,mcts:5,mcts:10,mcts:20,mcts:40,random --schedule swiss --rounds 3 --games 2 --quiet)
swiss=("${league[@]}" --seed 4)
"$LUDUS" tournament "${swiss[@]}" --db "$dir/swiss.sqlite" > /dev/null
"$LUDUS" ratings --db "$dir/swiss.sqlite" > "$dir/swiss.txt"
for r in 0 1 2; do
  from=(); [ $r -gt 0 ] && from=(--from "$dir/rounds-$((r - 1)).sqlite")
  for k in 0 1 2; do "$LUDUS" tournament "${swiss[@]}" --round $r --shard $k/3 "${from[@]}" --db "$dir/round$r-$k.sqlite" > /dev/null & done
  wait
  "$LUDUS" merge --partial "$dir/rounds-$r.sqlite" ${from[1]:+"${from[1]}"} "$dir"/round$r-*.sqlite > /dev/null
done
"$LUDUS" merge "$dir/swiss-merged.sqlite" "$dir"/round[0-9]-*.sqlite > /dev/null
"$LUDUS" ratings --db "$dir/swiss-merged.sqlite" > "$dir/swiss-merged.txt"
check "3 Swiss rounds of 3 shards each merged rate exactly as the serial Swiss run" 'cmp -s "$dir/swiss.txt" "$dir/swiss-merged.txt"'
check "merged Swiss game rows are the serial rows" '[ "$(games "$dir/swiss.sqlite")" = "$(games "$dir/swiss-merged.sqlite")" ]'
"$LUDUS" merge --partial "$dir/round1-part.sqlite" "$dir/rounds-0.sqlite" "$dir"/round1-{0,2}.sqlite > /dev/null
set +e
"$LUDUS" tournament "${swiss[@]}" --round 2 --from "$dir/round1-part.sqlite" --db "$dir/y.sqlite" 2> "$dir/incomplete.err"; incomplete=$?
"$LUDUS" tournament "${league[@]}" --seed 5 --round 1 --from "$dir/rounds-0.sqlite" --db "$dir/y.sqlite" 2> "$dir/otherround.err"; otherround=$?
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/round0-*.sqlite "$dir"/round1-{0,2}.sqlite "$dir"/round2-*.sqlite 2> "$dir/roundmissing.err"; roundmissing=$?
set -e
check "a round whose previous round is incomplete is refused, naming it" '[ $incomplete -ne 0 ] && grep -q "round 1 is incomplete" "$dir/incomplete.err" && [ ! -e "$dir/y.sqlite" ]'
check "a round paired from another configuration is refused" '[ $otherround -ne 0 ] && grep -q "seed=4 (here 5)" "$dir/otherround.err"'
check "a merge missing a round shard names it" '[ $roundmissing -ne 0 ] && grep -q "round 1 shard 1/3" "$dir/roundmissing.err"'

"$LUDUS" generate countdown/text --count 101 --seed 2 --out "$dir/items.jsonl"
for k in 0 1 2; do JOB_COMPLETION_INDEX=$k LUDUS_SHARD_COUNT=3 "$LUDUS" generate countdown/text --count 101 --seed 2 --shard auto --out "$dir/items-$k.jsonl"; done
check "dataset shards concatenated in order are the serial file" 'cat "$dir"/items-{0,1,2}.jsonl | cmp -s - "$dir/items.jsonl"'

if [ "$failed" -eq 0 ]; then echo "shard cli: all checks passed"; else exit 1; fi

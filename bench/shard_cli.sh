#!/usr/bin/env bash
# Sharding end to end through the CLI (docs/scale-out.md): a connect_four tournament run
# serially, as 3 Slurm-style array tasks (SLURM_ARRAY_TASK_ID set, --shard auto) merged, and
# as 2 explicit shards merged and as a two-level merge tree give byte-identical `ludus ratings`; merge refuses a tampered
# shard, a missing one and one of another configuration; dataset shards concatenate to the
# serial file; --shard auto without a scheduler and Swiss with --shard fail clearly; a Swiss
# tournament sharded round by round (--round R --from) equals the serial Swiss run; a teach
# sweep's shards by run (one killed with SIGKILL and resumed) merge into the serial sweep.
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

# A teach sweep (2 teachers × 2 seeds) run serially and as 3 shards by run, one of them killed
# with SIGKILL and resumed: the merged tables are the serial sweep's.
teach=(corridor --student q --vary length=4..10 --episodes 2000 --test-set 5 --eval-every 500 --checkpoint-every 50 --quiet --teacher random --teacher alp-gmm --seed 1,2)
tables() {
  for t in teach_sweep teach_run teach_episode teach_eval teach_failure teach_decision teach_level teach_teacher_state; do
    echo "== $t"; sqlite3 "$1" "SELECT * FROM $t ORDER BY 1, 2, 3" | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z//'
  done
  sqlite3 "$1" "SELECT loop, run_id, progress, hex(state) FROM checkpoint ORDER BY 1, 2"
}
"$LUDUS" teach "${teach[@]}" --db "$dir/sweep.sqlite" > /dev/null
"$LUDUS" teach "${teach[@]}" --workers 2 --db "$dir/sweep-workers.sqlite" > /dev/null
check "a teach sweep on 2 worker threads is the serial sweep" '[ "$(tables "$dir/sweep.sqlite")" = "$(tables "$dir/sweep-workers.sqlite")" ]'
for k in 0 1; do "$LUDUS" teach "${teach[@]}" --shard $k/3 --db "$dir/sweep-$k.sqlite" > /dev/null & done
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=3 "$LUDUS" teach "${teach[@]}" --shard auto --db "$dir/sweep-2.sqlite" > /dev/null & victim=$!
# Kill shard 2 once it has committed a checkpoint of its first run, then resume it.
for _ in $(seq 1 600); do
  [ "$(sqlite3 "$dir/sweep-2.sqlite" "SELECT count(*) FROM checkpoint WHERE progress >= 100" 2> /dev/null || echo 0)" -gt 0 ] && break; sleep 0.05
done
kill -9 $victim 2> /dev/null || true
wait $victim 2> /dev/null || true
wait
set +e
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/sweep-{0,1,2}.sqlite 2> "$dir/killed.err"; killed=$?
set -e
SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=3 "$LUDUS" teach "${teach[@]}" --shard auto --resume --db "$dir/sweep-2.sqlite" > "$dir/resumed.txt"
"$LUDUS" merge "$dir/sweep-merged.sqlite" "$dir"/sweep-{2,0,1}.sqlite > /dev/null
check "a teach sweep's shards (one killed and resumed) merge into the serial sweep" '[ "$(tables "$dir/sweep.sqlite")" = "$(tables "$dir/sweep-merged.sqlite")" ] && [ $(sqlite3 "$dir/sweep-merged.sqlite" "SELECT count(*) FROM teach_episode") -eq 8000 ]'
check "the killed shard was resumed, not restarted" 'grep -q "resuming run" "$dir/resumed.txt"'
check "a merge with a killed shard names its unfinished run" '[ $killed -ne 0 ] && grep -q "unfinished (resume that shard)" "$dir/killed.err" && grep -q "sweep-2.sqlite" "$dir/killed.err"'
"$LUDUS" teach "${teach[@]/2000/1500}" --shard 1/3 --db "$dir/sweep-other.sqlite" > /dev/null
sqlite3 "$dir/sweep-1.sqlite" ".backup $dir/sweep-tampered.sqlite"
sqlite3 -cmd ".timeout 30000" "$dir/sweep-tampered.sqlite" "UPDATE teach_eval SET mastered = 1 - mastered WHERE episode = 500"
set +e
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/sweep-{0,2}.sqlite "$dir/sweep-other.sqlite" 2> "$dir/sweep-other.err"; sweepother=$?
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/sweep-{0,1,2}.sqlite "$dir/sweep-tampered.sqlite" 2> "$dir/sweep-tampered.err"; sweeptampered=$?
"$LUDUS" merge "$dir/bad.sqlite" "$dir"/sweep-{0,2}.sqlite 2> "$dir/sweep-missing.err"; sweepmissing=$?
set -e
check "a teach shard of another sweep configuration is refused" '[ $sweepother -ne 0 ] && grep -q "different" "$dir/sweep-other.err" && grep -q "episodes=1500" "$dir/sweep-other.err"'
check "a tampered teach shard is refused, naming the run and the table" '[ $sweeptampered -ne 0 ] && grep -q "run 1 (teacher random, seed 2)" "$dir/sweep-tampered.err" && grep -q "teach_eval" "$dir/sweep-tampered.err"'
check "a missing teach shard is refused, naming it" '[ $sweepmissing -ne 0 ] && grep -q "shard 1/3 (runs 1..<2)" "$dir/sweep-missing.err"'
check "no database is left by a failed teach merge" '[ ! -e "$dir/bad.sqlite" ]'

"$LUDUS" generate countdown/text --count 101 --seed 2 --out "$dir/items.jsonl"
for k in 0 1 2; do JOB_COMPLETION_INDEX=$k LUDUS_SHARD_COUNT=3 "$LUDUS" generate countdown/text --count 101 --seed 2 --shard auto --out "$dir/items-$k.jsonl"; done
check "dataset shards concatenated in order are the serial file" 'cat "$dir"/items-{0,1,2}.jsonl | cmp -s - "$dir/items.jsonl"'

if [ "$failed" -eq 0 ]; then echo "shard cli: all checks passed"; else exit 1; fi

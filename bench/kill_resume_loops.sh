#!/usr/bin/env bash
# teach, selfplay and critic killed with SIGKILL mid-run and finished with --resume end with
# the same SQLite rows, JSONL logs and saved student files as an uninterrupted run, bit for bit;
# generate --out killed mid-run leaves no file that looks complete.
set -uo pipefail
LUDUS=${1:-.build/release/ludus}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0

# kill_case NAME LOOP MIN_PROGRESS "QUERIES" FILES -- COMMAND...
#   NAME: a label; LOOP: teach | selfplay | critic (the checkpoint row to wait for);
#   MIN_PROGRESS: checkpointed episodes (rounds) to wait for before kill -9;
#   QUERIES: SQL statements separated by ';' compared between the two databases;
#   FILES: space-separated files under the run's --out folder compared with cmp ("" for none).
kill_case() {
  local name=$1 loop=$2 min=$3 queries=$4 files=$5
  shift 6
  local full="$dir/$name-full" crash="$dir/$name-crash" outflag=()
  [ -n "$files" ] && outflag=(--out)
  "$LUDUS" "$@" --db "$full.sqlite" ${outflag[@]:+--out "$full"} > /dev/null 2>&1 || { echo "  $name: uninterrupted run failed"; failed=$((failed + 1)); return; }
  "$LUDUS" "$@" --db "$crash.sqlite" ${outflag[@]:+--out "$crash"} > /dev/null 2>&1 &
  local pid=$! progress=0
  for _ in $(seq 1 600); do
    progress=$(sqlite3 "$crash.sqlite" "SELECT progress FROM checkpoint WHERE loop = '$loop'" 2>/dev/null || true)
    [ "${progress:-0}" -ge "$min" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  if ! kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    echo "  $name: finished before the kill (make the run longer)"; failed=$((failed + 1)); return
  fi
  wait "$pid" 2>/dev/null
  local before
  before=$(sqlite3 "$crash.sqlite" "SELECT progress FROM checkpoint WHERE loop = '$loop'" 2>/dev/null || echo none)
  "$LUDUS" "$@" --db "$crash.sqlite" ${outflag[@]:+--out "$crash"} --resume > "$dir/$name-resume.txt" 2>&1 \
    || { echo "  $name: --resume failed:"; cat "$dir/$name-resume.txt"; failed=$((failed + 1)); return; }
  local ok=1 query file
  IFS=';' read -ra list <<< "$queries"
  for query in "${list[@]}"; do
    if ! diff <(sqlite3 "$full.sqlite" "$query") <(sqlite3 "$crash.sqlite" "$query") > /dev/null; then
      echo "  $name: rows differ: $query"; ok=0
    fi
  done
  for file in $files; do
    if ! cmp -s "$full/$file" "$crash/$file"; then echo "  $name: $file differs"; ok=0; fi
  done
  if [ $ok = 1 ]; then
    passed=$((passed + 1))
    echo "  $name: killed after checkpoint $before, resumed: identical to an uninterrupted run"
  else
    failed=$((failed + 1))
  fi
}

teach_rows="SELECT * FROM teach_episode ORDER BY episode;SELECT * FROM teach_eval ORDER BY episode;SELECT run_id, episode, test_task, kind, message FROM teach_failure ORDER BY episode, test_task"
selfplay_rows="SELECT * FROM selfplay_episode ORDER BY episode;SELECT * FROM selfplay_eval ORDER BY episode, opponent;SELECT run_id, episode, opponent, evaluation_game, kind FROM selfplay_failure ORDER BY rowid"
critic_rows="SELECT run_id, round, accuracy_correct, accuracy_erroneous, accuracy_mean, accuracy_harmonic, deception_rate, generator_policy, games FROM critic_round ORDER BY round"

kill_case teach-ppo-plr teach 100 "$teach_rows" "run-1.jsonl student-1.ppo" -- \
  teach corridor --student ppo:steps=64 --teacher plr:warmup=20 --episodes 1200 --eval-every 200 --test-set 10 --checkpoint-every 50 --seed 3 --quiet
kill_case teach-q-alpgmm teach 300 "$teach_rows" "run-1.jsonl student-1.q" -- \
  teach corridor --student q --teacher alp-gmm --episodes 1500 --eval-every 250 --test-set 10 --checkpoint-every 50 --seed 4 --quiet
kill_case selfplay-ppo selfplay 200 "$selfplay_rows" "selfplay-1.jsonl student-1.ppo" -- \
  selfplay tic_tac_toe --student ppo --opponents random,self --episodes 1500 --snapshot-every 150 --eval-every 300 --eval-games 10 --checkpoint-every 50 --seed 5
kill_case critic critic 2 "$critic_rows" "" -- \
  critic countdown/critic --rounds 8 --games-per-round 150 --heldout 100 --seed 6

# generate --out: a killed run leaves only its temporary file, never FILE itself.
"$LUDUS" generate countdown/text --count 200000 --seed 1 --workers 1 --out "$dir/gen/items.jsonl" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 500); do
  [ -n "$(ls "$dir"/gen/items.jsonl.tmp-* 2>/dev/null)" ] && [ "$(cat "$dir"/gen/items.jsonl.tmp-* 2>/dev/null | wc -l)" -gt 100 ] && break
  sleep 0.02
done
if kill -9 "$pid" 2>/dev/null; then
  wait "$pid" 2>/dev/null
  if [ -e "$dir/gen/items.jsonl" ]; then
    echo "  generate: a killed run left $dir/gen/items.jsonl"; failed=$((failed + 1))
  else
    "$LUDUS" generate countdown/text --count 300 --seed 1 --out "$dir/gen/items.jsonl" > /dev/null
    # Left: the complete file and the killed run's temporary file (the complete run's was renamed).
    if [ "$(wc -l < "$dir/gen/items.jsonl")" = 300 ] && [ "$(ls "$dir/gen" | wc -l)" = 2 ]; then
      passed=$((passed + 1)); echo "  generate: killed run left no output file; a complete run renamed its temporary file"
    else
      echo "  generate: the complete run's file is wrong"; failed=$((failed + 1))
    fi
  fi
else
  wait "$pid" 2>/dev/null
  echo "  generate: finished before the kill (make it longer)"; failed=$((failed + 1))
fi

echo "kill -9 resume (teach, selfplay, critic, generate): $passed passed, $failed failed"
[ "$failed" = 0 ]

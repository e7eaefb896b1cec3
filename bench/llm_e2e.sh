#!/usr/bin/env bash
# End to end against a REAL OpenAI-compatible server: llama.cpp (llama-cpp-python's server)
# with a tiny random-weight GGUF model this script writes itself (bench/tiny_gguf.py), on a
# free 127.0.0.1 port. No weights are downloaded. Needs `make llm-deps`.
#   1. ludus eval countdown/text: 200 items, 8 requests in flight, transcripts stored;
#      the server is then killed and --cache replays the run with the same result hash.
#   2. a tic_tac_toe tournament with an llm agent: every answer a legal move (JSON schema).
#   3. ludus critic countdown/critic --critic llm:... --generator builtin: the server is killed
#      mid-run (a clear error, rounds kept), restarted on another port, --resume finishes, and
#      the rounds equal those of an uninterrupted run.
set -euo pipefail
LUDUS=${1:-.build/debug/ludus}
LUDUS=$(cd "$(dirname "$LUDUS")" && pwd)/$(basename "$LUDUS")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "llm_e2e: FAIL: $*" >&2; exit 1; }

python3 "$HERE/tiny_gguf.py" "$WORK/tiny.gguf"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_server() {
  PORT=$(free_port)
  python3 -m llama_cpp.server --model "$WORK/tiny.gguf" --host 127.0.0.1 --port "$PORT" --n_ctx 2048 \
    --seed 0 --verbose False > "$WORK/server-$PORT.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/v1/models', timeout=1)" 2>/dev/null && return 0
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server-$PORT.log" >&2; fail "the llama.cpp server did not start"; }
    sleep 0.1
  done
  fail "the llama.cpp server did not answer within 30 s"
}
stop_server() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
llm() { echo "llm:tiny@http://127.0.0.1:$PORT/v1?temperature=0&max_tokens=$1&response_format=json_object&retries=1&backoff=0.2&timeout=30"; }

# 1. eval, then a cached replay with the server gone.
start_server
DB="$WORK/eval.sqlite"
start=$(date +%s.%N)
"$LUDUS" eval countdown/text --agent "$(llm 12)" --count 200 --concurrency 8 --seed 3 --db "$DB" --quiet > "$WORK/eval1.txt"
end=$(date +%s.%N)
cat "$WORK/eval1.txt"
first=$(grep '^result hash' "$WORK/eval1.txt")
[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM eval_episode")" = 200 ] || fail "eval did not record 200 episodes"
[ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM llm_transcript WHERE run = 'eval 1' AND completion IS NOT NULL AND cached = 0")" = 200 ] || fail "eval did not store 200 transcripts"
echo "eval: 200 items in $(python3 -c "print(round($end - $start, 2))") s"
stop_server
"$LUDUS" eval countdown/text --agent "llm:tiny@http://127.0.0.1:1/v1?temperature=0&max_tokens=12&response_format=json_object" \
  --count 200 --concurrency 3 --seed 3 --db "$DB" --quiet --cache > "$WORK/eval2.txt"
second=$(grep '^result hash' "$WORK/eval2.txt")
grep -q '200 from the cache' "$WORK/eval2.txt" || fail "the replay did not answer every request from the cache"
[ "$first" = "$second" ] || fail "cached replay: $second, first run: $first"
echo "eval --cache replay (no server): $second, identical"

# 1b. The server dies mid-eval: a clear error, the episodes so far kept; --resume on a new server
#     finishes with the same result hash as the uninterrupted run.
start_server
"$LUDUS" eval countdown/text --agent "$(llm 12)" --count 200 --concurrency 8 --seed 3 --db "$WORK/resume.sqlite" --quiet \
  > "$WORK/resume1.txt" 2> "$WORK/resume1.err" &
EVAL=$!
for _ in $(seq 1 600); do
  n=$(sqlite3 "$WORK/resume.sqlite" "SELECT COUNT(*) FROM eval_episode" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 40 ] && break
  kill -0 "$EVAL" 2>/dev/null || break
  sleep 0.05
done
stop_server
if wait "$EVAL"; then fail "the eval run went on without its server"; fi
grep -q 'unreachable' "$WORK/resume1.err" && grep -q -- '--resume' "$WORK/resume1.err" || { cat "$WORK/resume1.err"; fail "no clear error when the server died mid-eval"; }
kept=$(sqlite3 "$WORK/resume.sqlite" "SELECT COUNT(*) FROM eval_episode")
start_server
"$LUDUS" eval countdown/text --agent "$(llm 12)" --count 200 --concurrency 8 --seed 3 --db "$WORK/resume.sqlite" --quiet --resume > "$WORK/resume2.txt"
[ "$(grep '^result hash' "$WORK/resume2.txt")" = "$first" ] || fail "the resumed eval differs from the uninterrupted one"
echo "eval: server killed after $kept episode(s) recorded, --resume finished with the same result hash"

# 2. A seeded tournament with an llm agent: no forfeits (the schema keeps every answer legal).
"$LUDUS" tournament --env tic_tac_toe --agents "random,$(llm 16),mcts:5" --games 4 --seed 1 --workers 2 \
  --db "$WORK/tournament.sqlite" --quiet | tee "$WORK/tournament.txt"
[ "$(sqlite3 "$WORK/tournament.sqlite" "SELECT COUNT(*) FROM game WHERE outcome IN ('forfeit', 'error')")" = 0 ] || fail "an llm game was forfeited"
[ "$(sqlite3 "$WORK/tournament.sqlite" "SELECT COUNT(*) FROM llm_transcript WHERE failure IS NULL")" -gt 0 ] || fail "no tournament transcripts"

# 3. critic with an llm critic; the server dies mid-run; --resume on a new server finishes.
CRITIC_ARGS=(countdown/critic --generator builtin --rounds 4 --games-per-round 25 --heldout 20 --seed 2)
"$LUDUS" critic "${CRITIC_ARGS[@]}" --critic "$(llm 16)" --db "$WORK/whole.sqlite" > "$WORK/whole.txt"
"$LUDUS" critic "${CRITIC_ARGS[@]}" --critic "$(llm 16)" --db "$WORK/critic.sqlite" > "$WORK/critic1.txt" 2> "$WORK/critic1.err" &
CRITIC=$!
for _ in $(seq 1 600); do
  n=$(sqlite3 "$WORK/critic.sqlite" "SELECT COUNT(*) FROM critic_round" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 2 ] && break
  kill -0 "$CRITIC" 2>/dev/null || break
  sleep 0.05
done
stop_server
if wait "$CRITIC"; then fail "the critic run went on without its server"; fi
cat "$WORK/critic1.err"
grep -q 'unreachable' "$WORK/critic1.err" && grep -q -- '--resume' "$WORK/critic1.err" || fail "no clear error when the server died"
kept=$(sqlite3 "$WORK/critic.sqlite" "SELECT COUNT(*) FROM critic_round")
[ "$kept" -ge 2 ] && [ "$kept" -lt 5 ] || fail "expected a run stopped mid-way, $kept round(s) stored"
start_server
"$LUDUS" critic "${CRITIC_ARGS[@]}" --critic "$(llm 16)" --db "$WORK/critic.sqlite" --resume | tee "$WORK/critic2.txt"
q="SELECT round, accuracy_correct, accuracy_erroneous, deception_rate, games FROM critic_round ORDER BY round"
[ "$(sqlite3 "$WORK/critic.sqlite" "$q")" = "$(sqlite3 "$WORK/whole.sqlite" "$q")" ] || fail "the resumed critic run differs from an uninterrupted one"
echo "critic: killed after $kept round(s), resumed, 5 rounds identical to an uninterrupted run"
echo "llm_e2e: ok"

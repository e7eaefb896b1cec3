#!/usr/bin/env bash
# End to end through the CLI, for the problems found by using Ludus as a new user
# would: each check runs the command a user would type and asserts what they see.
set -uo pipefail
LUDUS=${1:-.build/release/ludus}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
passed=0
check() { if eval "$2"; then passed=$((passed + 1)); else echo "cli checks: FAILED: $1"; failed=$((failed + 1)); fi; }

# An answer starting with '-' is a value, not a flag (reasoning-gym's own answers do this).
item='{"question":"q","answer":"-1 + 72*(89 - 77)/1","metadata":{"numbers":[1,72,89,77,1],"target":863}}'
# A bench flag out of range, or two that measure different things, is refused by name.
"$LUDUS" bench corridor --envs-per-thread 0 > "$dir/bench0.txt" 2>&1
status=$?
check "bench --envs-per-thread 0 is refused" '[ $status -ne 0 ] && [ $status -lt 128 ] && grep -q "envs-per-thread must be at least 1" "$dir/bench0.txt"'
"$LUDUS" bench corridor --envs-per-thread 4 --instances 2 > "$dir/bench1.txt" 2>&1
status=$?
check "bench --envs-per-thread with --instances is refused" '[ $status -ne 0 ] && [ $status -lt 128 ] && grep -q "give one of them" "$dir/bench1.txt"'
check "bench --envs-per-thread 4: measured and reported with its shape" \
  '"$LUDUS" bench corridor --envs-per-thread 4 --steps 4000 --json 2>/dev/null | grep -q "\"envs_per_thread\":4,\"checked\":false,\"steps\":4000"'
"$LUDUS" bench corridor --checked --lazy-observations > "$dir/bench2.txt" 2>&1
status=$?
check "bench --checked with --lazy-observations is refused" '[ $status -ne 0 ] && [ $status -lt 128 ] && grep -q "cannot be lazy" "$dir/bench2.txt"'
"$LUDUS" bench corridor --checked --instances 2 > "$dir/bench4.txt" 2>&1
status=$?
check "bench --checked with --instances is refused" '[ $status -ne 0 ] && [ $status -lt 128 ] && grep -q "give one of them" "$dir/bench4.txt"'
cat > "$dir/escapes.lua" <<'LUA'
-- A box of 0..1 whose value grows past its bound at step 5: only a checked loop sees it.
return {
  id = "escapes", description = "An observation that leaves its box.", version = "1.0.0", players = 1, max_steps = 8,
  observation_space = space.box(0, 1, { 1 }), action_space = space.discrete(2), params = {},
  reset = function(self, params) self.t = 0; self.obs = { 0 }; return self.obs, {} end,
  step = function(self, action)
    self.t = self.t + 1
    self.obs[1] = self.t >= 5 and 2 or 0
    return self.obs, 0, false, false, {}
  end,
}
LUA
check "bench without --checked: the binding's speed, no contract checks" '"$LUDUS" bench "$dir/escapes.lua" --steps 100 --json > /dev/null 2>&1'
"$LUDUS" bench "$dir/escapes.lua" --checked --steps 100 > "$dir/bench3.txt" 2>&1
status=$?
check "bench --checked: an observation outside its space stops the run, named" '[ $status -ne 0 ] && [ $status -lt 128 ] && grep -q "outside" "$dir/bench3.txt" && grep -q "escapes.lua" "$dir/bench3.txt"'
for env in corridor tic_tac_toe gridworld/door_key kuhn_poker; do
  check "bench --checked $env: through the episode driver, every episode counted" \
    '"$LUDUS" bench $env --checked --envs-per-thread 3 --threads 2 --steps 3000 --json 2>/dev/null | grep -qE "\"checked\":true,\"steps\":6000,\"episodes\":[1-9]"'
done

check "score takes an answer starting with -" \
  '[ "$("$LUDUS" score countdown/text --item "$item" --answer "-1 + 72*(89 - 77)/1" 2>&1)" = "1.0" ]'

# A batch path that is a directory, or missing, is a clear error (not a crash); a pipe is read.
"$LUDUS" score countdown/text --batch "$dir" > "$dir/score-dir.txt" 2>&1
status=$?
check "score --batch DIR: an error naming the path" '[ $status -ne 0 ] && [ $status -lt 128 ] && grep -q "cannot read $dir" "$dir/score-dir.txt"'
check "score --batch <(pipe): scored" '[ "$("$LUDUS" score countdown/text --batch <(printf "%s\n" "{\"item\": $item, \"answer\": \"-1 + 72*(89 - 77)/1\"}") 2>/dev/null)" = "1.0" ]'

# A batch through a pipe that delivers lines in pieces (cut mid-line, with pauses) scores as
# the same file does: same scores in order, and a bad line's error names the same line number.
python3 - "$item" > "$dir/many.jsonl" <<'PY'
import json, sys
item = json.loads(sys.argv[1])
for k in range(3000):
    print("{broken" if k == 2100 else json.dumps({"item": item, "answer": "-1 + 72*(89 - 77)/1" if k % 3 else str(k)}))
PY
"$LUDUS" score countdown/text --batch "$dir/many.jsonl" > "$dir/many-file.txt" 2> "$dir/many-file.err"
python3 -c '
import sys, time
data = open(sys.argv[1], "rb").read()
for start in range(0, len(data), 7777):
    sys.stdout.buffer.write(data[start:start + 7777]); sys.stdout.flush(); time.sleep(0.002)
' "$dir/many.jsonl" | "$LUDUS" score countdown/text --batch - > "$dir/many-pipe.txt" 2> "$dir/many-pipe.err"
check "score --batch - through a slow pipe: the file's scores, line for line" \
  '[ "$(wc -l < "$dir/many-pipe.txt")" = 3000 ] && cmp -s "$dir/many-file.txt" "$dir/many-pipe.txt"'
check "score --batch - through a slow pipe: the bad line named by its number" \
  'grep -q "^-:2101: " "$dir/many-pipe.err" && grep -q "many.jsonl:2101: " "$dir/many-file.err"'

# A script in an extra root declaring a bundled id wins over the bundled one (roots in order).
mkdir -p "$dir/envs"
cp Environments/countdown_text.lua "$dir/envs/my_countdown.lua"
check "an extra root's script wins over the bundled script of the same id" '"$LUDUS" info countdown/text --path "$dir/envs" 2>&1 | grep -q "my_countdown.lua"'

# An external agent sees observations without --trace: it answers 99 (illegal) when it sees none.
cat > "$dir/agent.py" <<'PY'
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m["type"] == "start":
        print(json.dumps({"type": "ready"}), flush=True)
    elif m["type"] == "act":
        print(json.dumps({"action": 99 if m["observation"] is None else m["legal_actions"][0]}), flush=True)
    elif m["type"] == "quit":
        break
PY
"$LUDUS" run tic_tac_toe --agent "exec:python3 $dir/agent.py,random" --episodes 3 --seed 1 > "$dir/run.txt" 2>&1
check "run: an exec agent gets observations without --trace" '! grep -q forfeit "$dir/run.txt" && grep -q "run hash" "$dir/run.txt"'
"$LUDUS" run tic_tac_toe --agent "exec:python3 $dir/agent.py,random" --episodes 3 --seed 1 --trace "$dir/t.jsonl" > "$dir/run2.txt" 2>&1
check "run: the same results with and without --trace" 'diff <(grep -v "^run hash" "$dir/run.txt") <(grep -v "^run hash" "$dir/run2.txt") > /dev/null'

# Replay refuses invalid actions, naming the line; and actions after the end.
echo '{"seed": 1, "actions": [-5, 2, 99]}' > "$dir/bad.jsonl"
"$LUDUS" replay corridor --episodes "$dir/bad.jsonl" --trace "$dir/out.jsonl" > "$dir/replay.txt" 2>&1
status=$?
check "replay: an invalid action is an error naming the line" '[ $status -ne 0 ] && grep -q "replay line 1" "$dir/replay.txt" && grep -q -- "-5" "$dir/replay.txt"'

# A tournament config beside flags, or with a misspelt key, is refused.
echo '{"environment": "tic_tac_toe", "agents": ["random", "mcts:5"], "gamesperpair": 2}' > "$dir/misspelt.json"
"$LUDUS" tournament --config "$dir/misspelt.json" --db "$dir/t.sqlite" > "$dir/cfg.txt" 2>&1
status=$?
check "tournament: a misspelt config key is refused" '[ $status -ne 0 ] && grep -q "gamesPerPair" "$dir/cfg.txt"'
echo '{"environment": "tic_tac_toe", "agents": ["random", "mcts:5"], "gamesPerPair": 2}' > "$dir/good.json"
"$LUDUS" tournament --config "$dir/good.json" --games 50 --db "$dir/t.sqlite" > "$dir/cfg2.txt" 2>&1
status=$?
check "tournament: --games beside --config is refused" '[ $status -ne 0 ] && grep -q "cannot be combined with --config" "$dir/cfg2.txt"'

# A stored teach run records the ranges the teacher chose from, not only their names.
"$LUDUS" teach corridor --student random --teacher random --vary length=20..30 --episodes 2 --test-set 2 --eval-every 2 --db "$dir/teach.sqlite" --quiet > /dev/null 2>&1
check "teach: --vary ranges are stored with the run" '[[ "$(sqlite3 "$dir/teach.sqlite" "SELECT config FROM teach_run")" == *"\"vary\":{\"length\":[20.0,30.0]}"* ]]'

echo "cli checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# End to end through the CLI: `ludus generate` writes the same lines with 1 and 2
# workers; `ludus score --batch` gives every item's own answer 1.0 and a wrong one
# less; a malformed line stops the batch with its line number, after the scores
# before it.
set -euo pipefail
LUDUS=${1:-.build/release/ludus}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
check() { if eval "$2"; then :; else echo "dataset cli: FAILED: $1"; failed=$((failed + 1)); fi; }

for env in countdown/text sudoku/text; do
  "$LUDUS" generate "$env" --count 40 --seed 3 --workers 1 --out "$dir/one.jsonl"
  "$LUDUS" generate "$env" --count 40 --seed 3 --workers 2 > "$dir/two.jsonl"
  check "$env: 1 and 2 workers write the same lines" 'cmp -s "$dir/one.jsonl" "$dir/two.jsonl"'
  # Each item with its own answer, then with a wrong one (the answer with a line appended).
  sed -E 's/^(.*"answer":("([^"\\]|\\.)*"))(.*)$/{"item":\1\4,"answer":\2}/' "$dir/one.jsonl" > "$dir/right.jsonl"
  sed -E 's/^(.*"answer":("([^"\\]|\\.)*)")(.*)$/{"item":\1\4,"answer":\2\\n9"}/' "$dir/one.jsonl" > "$dir/wrong.jsonl"
  "$LUDUS" score "$env" --batch "$dir/right.jsonl" > "$dir/right.txt" 2> /dev/null
  "$LUDUS" score "$env" --batch - < "$dir/wrong.jsonl" > "$dir/wrong.txt" 2> /dev/null
  check "$env: every own answer scores 1.0" '[ "$(sort -u "$dir/right.txt")" = "1.0" ] && [ "$(wc -l < "$dir/right.txt")" -eq 40 ]'
  check "$env: every wrong answer scores below 1" '! grep -qx "1.0" "$dir/wrong.txt" && [ "$(wc -l < "$dir/wrong.txt")" -eq 40 ]'
done

{ head -3 "$dir/right.jsonl"; echo "not json"; tail -1 "$dir/right.jsonl"; } > "$dir/bad.jsonl"
set +e
"$LUDUS" score sudoku/text --batch "$dir/bad.jsonl" > "$dir/bad.txt" 2> "$dir/bad.err"
status=$?
set -e
check "a malformed line fails the batch" '[ "$status" -ne 0 ]'
check "the error names the line" 'grep -q "bad.jsonl:4:" "$dir/bad.err"'
check "every line is answered, the bad one with error" '[ "$(wc -l < "$dir/bad.txt")" -eq 5 ] && [ "$(sed -n 4p "$dir/bad.txt")" = "error" ] && [ "$(sed -n 5p "$dir/bad.txt")" = "1.0" ]'

# A long correct reply (40 KB of reasoning before the answer) scores 1.0, not a sandbox error.
head -1 "$dir/right.jsonl" | python3 -c '
import json, sys
pair = json.loads(sys.stdin.readline())
pair["answer"] = "thinking " * 5000 + "<answer>" + pair["answer"] + "</answer>"
print(json.dumps(pair))' > "$dir/long.jsonl"
check "a 40 KB reply with a correct answer scores 1.0" '[ "$("$LUDUS" score sudoku/text --batch "$dir/long.jsonl" 2> /dev/null)" = "1.0" ]'

if [ "$failed" -eq 0 ]; then echo "dataset cli: 10 passed, 0 failed"; else exit 1; fi

#!/bin/sh
# Levels as data through the CLI: export, run and render a level file (same trajectory
# hash and picture as the generated episode), a malformed file refused with its name,
# and `teach --teacher accel` storing its decisions.
#   bench/levels_cli.sh [.build/debug/ludus]
set -eu
LUDUS=${1:-.build/debug/ludus}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "levels_cli: $1" >&2; exit 1; }

"$LUDUS" levels gridworld/maze --count 3 --seed 7 --param block_density=0.3 --mutate 5 --out "$dir" > "$dir/levels.txt"
[ "$(grep -c 'solvable=true' "$dir/levels.txt")" = 3 ] || fail "expected 3 solvable levels: $(cat "$dir/levels.txt")"
generated=$("$LUDUS" run gridworld/maze --seed 7 --param block_density=0.3 | sed -n 's/^episode 1 .*hash=//p')
replayed=$("$LUDUS" run gridworld/maze --seed 7 --level "$dir/level-0001.json" | sed -n 's/^episode 1 .*hash=//p')
[ -n "$generated" ] && [ "$generated" = "$replayed" ] || fail "trajectory hash $generated (generated) != $replayed (level file)"
seed=$(sed 's/.*"seed":"\([0-9]*\)".*/\1/' "$dir/level-0001.json")
"$LUDUS" render gridworld/maze --seed "$seed" --param block_density=0.3 > "$dir/generated.txt"
"$LUDUS" render gridworld/maze --level "$dir/level-0001.json" > "$dir/loaded.txt"
cmp -s "$dir/generated.txt" "$dir/loaded.txt" || fail "render --level differs from the generated level"
"$LUDUS" run gridworld/maze --level "$dir/level-0001-mutated.json" > /dev/null || fail "a mutated level does not play"

echo '{"environment":"gridworld/maze","version":"1.0.0","level":{"layout":"##","max_steps":5}}' > "$dir/bad.json"
if "$LUDUS" run gridworld/maze --level "$dir/bad.json" > /dev/null 2> "$dir/error.txt"; then fail "a malformed level file was played"; fi
grep -q "bad.json: not a valid level" "$dir/error.txt" || fail "the error does not name the file: $(cat "$dir/error.txt")"

"$LUDUS" teach gridworld/maze --teacher accel:warmup=3 --student ppo:steps=64,hidden=16 --episodes 40 --vary size=5..7 \
    --test-levels heldout --test-set 9 --eval-every 40 --seed 2 --db "$dir/teach.sqlite" --quiet > /dev/null
mutations=$(sqlite3 "$dir/teach.sqlite" "SELECT count(*) FROM teach_decision WHERE kind = 'mutation' AND parent IS NOT NULL")
levels=$(sqlite3 "$dir/teach.sqlite" "SELECT count(*) FROM teach_level")
[ "$mutations" -gt 0 ] && [ "$levels" -gt 0 ] || fail "accel stored $mutations mutations and $levels levels"
echo "levels_cli: ok (hash $generated, $levels levels and $mutations mutations stored)"

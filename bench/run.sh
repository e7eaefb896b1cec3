#!/usr/bin/env bash
# `make bench`: Ludus against its peers, all measured in this same run.
#  1. the host against the standalone lua5.4 interpreter running the same file; memory per instance;
#  2. gridworlds against Farama MiniGrid (random agent, single thread), and 1 -> 2 threads;
#  3. connect_four tournament games/s (1 and 2 workers) against OpenSpiel's Python-driven rollouts;
#  4. walker/bipedal (Box2D) against Gymnasium's BipedalWalker-v3;
#  5. ALP-GMM refits against scikit-learn, and PPO training throughput;
#  6. dataset generation against reasoning-gym;
#  7. the Python package: a vector env against Gymnasium's over MiniGrid and against `ludus bench`, datasets against reasoning-gym.
set -euo pipefail
cd "$(dirname "$0")/.."
LUDUS=${LUDUS:-.build/release/ludus}
STEPS=${STEPS:-1000000}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
host_sps() { "$LUDUS" bench "$@" --json | head -1 | sed -E 's/.*"steps_per_second":([0-9]+).*/\1/'; }
# Steps per second of CPU time: lua5.4's figure is os.clock(), CPU time too, so the ratio does
# not depend on what else the machine runs (wall-clock rates are shown beside it).
host_cpu_sps() { "$LUDUS" bench "$@" --json | head -1 | sed -E 's/.*"steps_per_cpu_second":([0-9]+).*/\1/'; }
lua_sps() { lua5.4 bench/standalone.lua "$1" "$2" Environments/lib | sed -E 's/steps_per_second=([0-9.]+).*/\1/'; }

echo "== host vs standalone lua5.4 (same file, random actions), steps per CPU second (target >= 0.9x copied, >= 1.0x lazy)"
echo "   'copied': every observation copied into Swift (agents that read it); 'lazy': copied on demand (random play, rollouts)"
for env in corridor tic_tac_toe connect_four gridworld/door_key gridworld/empty; do
  steps=$STEPS; case $env in gridworld/*) steps=$((STEPS / 5));; esac
  host=$(host_cpu_sps "$env" --steps "$steps")
  lazy=$(host_cpu_sps "$env" --steps "$steps" --lazy-observations)
  lua=$(lua_sps "Environments/$env.lua" "$steps")
  wall=$(host_sps "$env" --steps "$steps")
  printf '%-20s copied %9s (%sx)   lazy %9s (%sx)   lua5.4 %9s steps/s   (copied, wall clock: %s)\n' "$env" "$host" "$(ratio "$host" "$lua")" "$lazy" "$(ratio "$lazy" "$lua")" "$lua" "$wall"
done

# The same comparison in instructions per step (deterministic; valgrind is optional).
if command -v valgrind > /dev/null; then bench/host_instructions.sh "$LUDUS"; else echo "(instructions per step: valgrind not installed, skipped)"; fi

echo "== memory per environment instance: gridworld/door_key, N instances side by side in one process (target <= 256 KiB)"
for n in 1 64 1024; do "$LUDUS" bench gridworld/door_key --instances "$n"; done

echo "== gridworld vs MiniGrid (size 8, random agent, one thread)"
minigrid=$(python3 bench/minigrid_speed.py --steps 30000)
for pair in "door_key:MiniGrid-DoorKey-8x8-v0" "empty:MiniGrid-Empty-8x8-v0"; do
  env=${pair%%:*}; peer=${pair#*:}
  host=$(host_sps "gridworld/$env" --steps 300000)
  theirs=$(echo "$minigrid" | grep "^$peer " | sed -E 's/.*steps_per_second=([0-9.]+).*/\1/')
  printf '%-20s ludus %9s steps/s   MiniGrid %9s steps/s   ratio %sx\n' "gridworld/$env" "$host" "$theirs" "$(ratio "$host" "$theirs")"
done
"$LUDUS" bench gridworld/door_key --steps 300000 --threads 1,2
# The machine's own ceiling for 2-way parallelism: two independent lua5.4 processes, wall clock.
one=$( { /usr/bin/time -f %e lua5.4 bench/standalone.lua Environments/gridworld/door_key.lua 150000 Environments/lib > /dev/null; } 2>&1 )
two=$( { /usr/bin/time -f %e bash -c 'lua5.4 bench/standalone.lua Environments/gridworld/door_key.lua 150000 Environments/lib > /dev/null & lua5.4 bench/standalone.lua Environments/gridworld/door_key.lua 150000 Environments/lib > /dev/null; wait'; } 2>&1 )
echo "machine ceiling: two independent lua5.4 processes run x$(ratio "2 * $one" "$two") the work of one in the same wall time"

echo "== connect_four tournament (random vs random) vs OpenSpiel"
theirs=$(python3 bench/openspiel_speed.py --seconds 3 | sed -E 's/.*games_per_second=([0-9.]+).*/\1/')
for workers in 1 2; do
  db=$(mktemp -u /tmp/ludus-bench-XXXXXX.sqlite)
  line=$("$LUDUS" tournament --env connect_four --agents random,random --games 50000 --seed 1 --workers "$workers" --db "$db" --quiet 2>/dev/null | head -1 || true)
  rm -f "$db"*
  ours=$(echo "$line" | sed -E 's/.*\(([0-9]+) games\/s\).*/\1/')
  printf 'connect_four %d worker(s): ludus %s games/s   OpenSpiel %s games/s   ratio %sx\n' "$workers" "$ours" "$theirs" "$(ratio "${ours:-0}" "$theirs")"
done

echo "== walker/bipedal vs Gymnasium BipedalWalker-v3 (random policy, one thread)"
python3 bench/bipedal_speed.py --steps 20000 --ludus "$LUDUS"

echo "== ALP-GMM refit (k = 2..10, 250 points, 3-D) vs scikit-learn's GaussianMixture"
python3 bench/alpgmm_speed.py --ludus "$LUDUS" || true

echo "== PPO student on gridworld/door_key: environment steps/s including learning"
LUDUS="$LUDUS" bench/ppo_speed.sh || true

echo "== dataset generation vs reasoning-gym"
python3 bench/reasoning_gym_speed.py --seconds 2 --ludus "$LUDUS" || true
# The same work in CPU seconds per item (steadier than wall time on a shared machine).
python3 bench/dataset_cpu.py --ludus "$LUDUS" || true
# Its Lua part in lua5.4: puzzle, difficulty label, and the label against the frozen step-by-step solver.
lua5.4 bench/countdown_items.lua 20000 || true

echo "== Python package (make python): vector env vs Gymnasium's vector envs over MiniGrid and vs ludus bench; datasets vs reasoning-gym"
python3 bench/python_speed.py --ludus "$LUDUS" || true
# The bridge's cost in instructions per step (deterministic; valgrind is optional).
if command -v valgrind > /dev/null; then bench/python_instructions.sh "$LUDUS" || true; else echo "(bridge instructions per step: valgrind not installed, skipped)"; fi

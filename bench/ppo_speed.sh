#!/usr/bin/env bash
# PPO student throughput on gridworld/door_key: environment steps per second *including
# learning* (acting, rollout storage, GAE, PPO epochs), measured through `ludus teach`.
# With LUDUS_PPO_PROFILE=1 the student prints where its time went (act = encoding plus the
# policy and value forward passes per step; update forward/backward/other = the PPO epochs);
# the rest of the wall time is the environment (Lua) and the loop.
#
#   bench/ppo_speed.sh                     # 300 episodes of door_key size 8, default settings
#   EPISODES=100 STUDENT=ppo:hidden=32x32 bench/ppo_speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LUDUS=${LUDUS:-.build/release/ludus}
EPISODES=${EPISODES:-300}
STUDENT=${STUDENT:-ppo}
ENV=${ENV:-gridworld/door_key}
PARAMS=${PARAMS---vary size=8..8}   # MiniGrid-DoorKey-8x8; PARAMS= lets the teacher vary the size
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
LUDUS_PPO_PROFILE=1 /usr/bin/time -f "%U %S" -o "$work/time.txt" "$LUDUS" teach "$ENV" --student "$STUDENT" --teacher random --episodes "$EPISODES" \
  --seed 0 --test-set 1 --eval-every "$EPISODES" --db "$work/bench.sqlite" $PARAMS >"$work/out.txt" 2>"$work/err.txt"
end=$(date +%s.%N)
# Training steps only (the two one-task evaluations are a few hundred steps at most).
steps=$(sqlite3 "$work/bench.sqlite" "select sum(length) from teach_episode")
success=$(sqlite3 "$work/bench.sqlite" "select avg(success) from (select success from teach_episode order by episode desc limit 100)")
cpu=$(awk '{print $1+$2}' "$work/time.txt")
python3 - "$steps" "$start" "$end" "$success" "$STUDENT" "$ENV" "$cpu" <<'PY'
import sys
steps, start, end, success, student, env, cpu = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6], float(sys.argv[7])
wall = end - start
print(f"{student} on {env}: {steps} steps in {wall:.1f} s wall = {steps / wall:.0f} steps/s including learning; "
      f"{cpu:.1f} s CPU = {steps / cpu:.0f} steps per CPU-second (success over the last 100 episodes {success:.2f})")
PY
grep "^ppo profile" "$work/err.txt" || true

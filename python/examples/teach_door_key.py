"""PPO on gridworld/door_key with a Ludus teacher choosing each episode's size.

Every environment of the vector env plays the teacher's task (its size and seed); when
its episode ends, the return goes back to the teacher and the next task is set for its
next episode. Run: python3 python/examples/teach_door_key.py [--steps 200000] [--teacher alp-gmm]
"""

import argparse

import numpy as np
from gymnasium.vector import AutoresetMode

import ludus
from ludus.contrib.ppo import PPO


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--teacher", default="alp-gmm")
    parser.add_argument("--envs", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    teacher = ludus.Teacher(args.teacher, env="gridworld/door_key", vary={"size": (5, 8)}, seed=args.seed)
    vec = ludus.make_vec("gridworld/door_key", args.envs, threads=args.threads, autoreset_mode=AutoresetMode.SAME_STEP)
    obs, _ = vec.reset(seed=args.seed)
    # SAME_STEP autoreset starts an environment's next episode in the step that ends one, so
    # each environment has the task it plays (None for the first, untaught episode) and the
    # one already set for its next episode.
    playing = [None] * args.envs
    upcoming = [teacher.sample() for _ in range(args.envs)]
    for i, task in enumerate(upcoming):
        vec.set_task(i, task)
    sizes, returns = [], []

    def on_episode(env_id, episode_return, length):
        if playing[env_id] is not None:
            teacher.update(playing[env_id], episode_return, length=length)
            sizes.append(playing[env_id].params["size"])
            returns.append(episode_return)
        playing[env_id] = upcoming[env_id]
        upcoming[env_id] = teacher.sample()
        vec.set_task(env_id, upcoming[env_id])

    agent = PPO(vec, seed=args.seed, lr=1e-3)
    agent.learn(args.steps, on_episode=on_episode, obs=obs)
    window = max(1, len(returns) // 10)
    for k in range(0, len(returns), window):
        chunk = slice(k, k + window)
        print(f"episodes {k:6d}-{k + window:6d}: mean return {np.mean(returns[chunk]):.3f}  mean size {np.mean(sizes[chunk]):.2f}")
    print("teacher:", teacher.summary)


if __name__ == "__main__":
    main()

"""``ludus.make_vec``: N Ludus environments as one ``gymnasium.vector.VectorEnv``,
stepped in one call on Swift threads into buffers allocated once."""

import numpy as np
import gymnasium
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from .batch import SEED_EXACT, SEED_NEXT, SEED_ROOT, Batch
from .errors import BatchError, SetupError

_MODES = {AutoresetMode.NEXT_STEP: "next_step", AutoresetMode.SAME_STEP: "same_step", AutoresetMode.DISABLED: "disabled"}
_MASK = (1 << 63) - 1


class LudusVectorEnv(VectorEnv):
    """N instances of one Ludus environment, stepped together.

    - ``autoreset_mode``: ``NEXT_STEP`` (default: the step after an episode's end returns
      the next episode's first observation, reward 0), ``SAME_STEP`` (the end's step
      returns the new first observation, the last one in ``infos["final_obs"]``), or
      ``DISABLED`` (reset with ``options={"reset_mask": mask}``).
    - ``reset(seed=S)`` gives environment ``i`` the run seed ``S + i`` (episode 1 of
      ``ludus run --seed S+i``, then 2, 3... on its autoresets).
    - Per-environment parameters: ``params`` may be a list (one dict per environment);
      :meth:`set_params` and :meth:`set_task` change them for an environment's next episode
      (a teacher's choice).
    - ``send(actions, env_ids)`` / ``recv()``: EnvPool's asynchronous split step for a subset
      of the environments: ``send`` returns while the engine's threads step, ``recv`` waits;
      ``infos["env_id"]`` names the rows returned.
    - ``on_error``: ``"raise"`` (a failing script raises :class:`ludus.BatchError` after
      the step; the other environments went on, the failed ones start a new episode at their
      next step) or ``"truncate"`` (the failed episode is reported truncated, with the
      message in ``infos["error"]``).

    ``infos`` holds ``episode_hash`` (uint64; hex with :meth:`trajectory_hash`),
    ``episode_seed``, ``action_mask`` (when the environment lists legal actions) and, for
    episodes that ended, ``episode`` = ``{"r", "l"}`` with its ``_episode`` mask.
    """

    def __init__(self, env, num_envs, *, threads=1, autoreset_mode=AutoresetMode.NEXT_STEP, params=None,
                 illegal="forfeit", on_error="raise", dtype=np.float32, paths=None, memory_limit=None,
                 time_limit=None, render_mode=None, copy=True):
        if isinstance(autoreset_mode, str):
            autoreset_mode = AutoresetMode(autoreset_mode)
        if autoreset_mode not in _MODES:
            raise SetupError(f"unknown autoreset_mode {autoreset_mode!r}")
        if on_error not in ("raise", "truncate"):
            raise SetupError("on_error must be 'raise' or 'truncate'")
        per_env = isinstance(params, (list, tuple))
        if per_env and len(params) != num_envs:
            raise SetupError(f"params: one dict per environment ({num_envs}), got {len(params)}")
        self._batch = b = Batch(env, num_envs, threads=threads, params=None if per_env else params,
                                autoreset=_MODES[autoreset_mode], illegal=illegal, dtype=dtype, paths=paths,
                                memory_limit=memory_limit, time_limit=time_limit)
        if per_env:
            for i, p in enumerate(params):
                b.set_params(p, i)
        self.ludus_spec = b.spec
        self.num_envs = int(num_envs)
        self.single_observation_space = b.decoder.space
        self.single_action_space = b.action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.render_mode = render_mode
        self.metadata = {"autoreset_mode": autoreset_mode, "render_modes": ["ansi", "rgb_array"], "ludus_id": b.spec["id"]}
        self.autoreset_mode = autoreset_mode
        self.on_error = on_error
        self.copy = copy
        self._pending = None
        self._all = np.arange(self.num_envs)
        self._started = False

    # -- Gymnasium

    def reset(self, *, seed=None, options=None):
        b = self._batch
        options = dict(options or {})
        ids = None
        if "reset_mask" in options:
            ids = np.flatnonzero(np.asarray(options["reset_mask"], dtype=bool))
        if "params" in options:
            given = options["params"]
            if isinstance(given, (list, tuple)):
                for i, p in enumerate(given):
                    b.set_params(p, i)
            else:
                b.set_params(given)
        count = self.num_envs if ids is None else len(ids)
        if "episode_seed" in options:
            seeds = np.broadcast_to(np.asarray(options["episode_seed"], dtype=np.uint64), (count,))
            failures = b.reset(ids, seeds=seeds, mode=SEED_EXACT)
        elif seed is not None:
            if isinstance(seed, (list, tuple, np.ndarray)):
                seeds = np.asarray(seed, dtype=np.uint64)
            else:
                rows = np.arange(self.num_envs) if ids is None else ids
                seeds = (np.uint64(int(seed) & _MASK) + rows.astype(np.uint64)) & np.uint64(_MASK)
            failures = b.reset(ids, seeds=seeds, mode=SEED_ROOT)
        elif not self._started:
            roots = np.random.SeedSequence().generate_state(count, dtype=np.uint64) & np.uint64(_MASK)
            failures = b.reset(ids, seeds=roots, mode=SEED_ROOT)
        else:
            failures = b.reset(ids, mode=SEED_NEXT)
        self._started = True
        if failures:
            raise BatchError(failures)
        rows = self._all if ids is None else ids
        obs = b.observations(None if ids is None else ids)
        return obs, self._infos(rows, ended=None)

    def step(self, actions):
        if not self._started:
            raise gymnasium.error.ResetNeeded("call reset() before step()")
        return self._results(None, self._batch.step(actions))

    def send(self, actions, env_ids=None):
        """Starts stepping the environments ``env_ids`` (all when None) with ``actions``, one
        per id, on the engine's threads, and returns at once (no GIL held: Python runs
        meanwhile); :meth:`recv` waits and returns the results. :meth:`in_flight` says
        whether the step is still running. A second ``send`` before ``recv`` raises."""
        if not self._started:
            raise gymnasium.error.ResetNeeded("call reset() before step()")
        if self._pending is not None:
            raise gymnasium.error.Error("send() twice: a step is already in flight; call recv() first")
        ids = None if env_ids is None else np.asarray(env_ids, dtype=np.int64).reshape(-1)
        self._batch.send(actions, ids)
        self._pending = (ids,)

    def in_flight(self):
        """True from :meth:`send` until the engine has finished the step (``recv`` would not wait)."""
        return self._batch.flight() == "running"

    def recv(self):
        """Waits for the step of the last :meth:`send` and returns its observations, rewards,
        terminations, truncations and infos (``infos["env_id"]`` names the rows)."""
        if self._pending is None:
            raise gymnasium.error.Error("recv() without send(): no step is in flight")
        (ids,) = self._pending
        self._pending = None
        return self._results(ids, self._batch.recv())

    def _results(self, ids, failures):
        b = self._batch
        if failures and self.on_error == "raise":
            raise BatchError(failures)
        rows = self._all if ids is None else ids
        if ids is None:
            rewards = b.rewards[:, 0].copy() if b.players == 1 else b.rewards.copy()
            terminated = b.terminated.astype(bool)
            truncated = b.truncated.astype(bool)
        else:
            rewards = b.rewards[ids, 0] if b.players == 1 else b.rewards[ids]
            terminated = b.terminated[ids].astype(bool)
            truncated = b.truncated[ids].astype(bool)
        obs = b.observations(ids)
        infos = self._infos(rows, ended=b.ended if ids is None else b.ended[ids])
        if failures:
            errors = np.full(len(rows), None, dtype=object)
            position = {int(i): k for k, i in enumerate(rows)}
            for i, error in failures.items():
                errors[position[i]] = str(error)
            infos["error"], infos["_error"] = errors, errors != None  # noqa: E711
        return obs, rewards, terminated, truncated, infos

    def _infos(self, rows, ended):
        b = self._batch
        infos = {
            "env_id": np.asarray(rows),
            "episode_hash": b.episode_hash[rows].copy(),
            "episode_seed": b.episode_seed[rows].copy(),
        }
        if b.mask is not None and b.spec["has_legal_actions"]:
            infos["action_mask"] = b.mask[rows].astype(np.int8)
        if b.players > 1:
            infos["player"] = b.player[rows].copy()
        # The engine counted the call's ended episodes (summary[1]): no scan when none ended.
        if ended is not None and b.summary[1] > 0:
            done = ended.astype(bool)
            returns = b.episode_return[rows, 0] if b.players == 1 else b.episode_return[rows]
            infos["episode"] = {"r": np.where(done, returns, 0.0) if b.players == 1 else returns * done[:, None],
                                "l": np.where(done, b.episode_length[rows], 0), "_r": done, "_l": done}
            infos["_episode"] = done
            if self.autoreset_mode == AutoresetMode.SAME_STEP:
                final = np.full(len(rows), None, dtype=object)
                for k, i in enumerate(rows):
                    if done[k]:
                        final[k] = b.observation(int(i), final=True)
                infos["final_obs"], infos["_final_obs"] = final, done.copy()
                infos["final_info"] = {"episode_hash": b.episode_hash[rows].copy(), "_episode_hash": done.copy()}
                infos["_final_info"] = done.copy()
        return infos

    def render(self):
        if self.render_mode == "rgb_array":
            from .render import svg_to_rgb

            return tuple(svg_to_rgb(self._batch.render(i, image=True)) for i in range(self.num_envs))
        return tuple(self._batch.render(i) for i in range(self.num_envs))

    def close_extras(self, **kwargs):
        self._batch.close()

    # -- Ludus extras

    def set_params(self, env_id, params):
        """Parameters of environment ``env_id`` from its next episode on."""
        self._batch.set_params(params, env_id)

    def set_task(self, env_id, task):
        """A teacher's task (:class:`ludus.Task`) for environment ``env_id``'s next episode:
        its parameters and its exact seed."""
        self._batch.set_params(task.params, env_id)
        self._batch.set_next_seed(env_id, task.seed)

    def set_threads(self, threads):
        self._batch.set_threads(threads)

    def trajectory_hash(self, env_id):
        """Hex trajectory hash of environment ``env_id``'s current (or just ended) episode."""
        return self._batch.hash_hex(env_id)

    def call(self, env_id, name, *arguments, results=1):
        return self._batch.call(env_id, name, *arguments, results=results)

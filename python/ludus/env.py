"""``ludus.make``: one Ludus environment as a ``gymnasium.Env``."""

import numpy as np
import gymnasium

from .batch import Batch, reset_one
from .render import render
from .errors import SetupError

_MASK = (1 << 63) - 1


def _entropy_seed(np_random):
    return int(np_random.integers(0, _MASK, dtype=np.int64))


class LudusEnv(gymnasium.Env):
    """A Ludus environment (a Lua script) as a Gymnasium environment.

    Seeds: ``reset(seed=S)`` plays the first episode of ``ludus run --seed S``, and the
    resets after it (without a seed) episodes 2, 3... of that run, so the same seed and the
    same actions give the CLI's trajectory hash (``info["trajectory_hash"]``).
    ``options={"episode_seed": s}`` plays exactly seed ``s`` (as ``ludus replay``), and
    ``options={"params": {...}}`` sets parameters for this and later episodes.

    An action the environment refuses (outside its space, or illegal) ends the episode
    as a forfeit (``terminated``, ``info["forfeit"]``) with ``illegal="forfeit"`` (the
    default, as the CLI's loops do), or raises :class:`ludus.ActionError` with
    ``illegal="raise"``, nothing played. A failing script raises :class:`ludus.ScriptError`
    with the CLI's message; reset to go on.
    """

    metadata = {"render_modes": ["ansi", "rgb_array", "human"], "render_fps": 4}

    def __init__(self, env, render_mode=None, *, params=None, illegal="forfeit", dtype=np.float32, paths=None,
                 memory_limit=None, time_limit=None, **more_params):
        params = dict(params or {}, **more_params)
        self._batch = Batch(env, 1, params=params, autoreset="disabled", illegal=illegal, dtype=dtype, paths=paths,
                            memory_limit=memory_limit, time_limit=time_limit)
        spec = self._batch.spec
        self.ludus_spec = spec
        self.observation_space = self._batch.decoder.space
        self.action_space = self._batch.action_space
        functions = set(spec["functions"])
        modes = []
        if "render" in functions:
            modes += ["ansi", "human"]
        if "render_image" in functions:
            modes.append("rgb_array")
        self.metadata = {"render_modes": modes, "render_fps": 4, "ludus_id": spec["id"]}
        if render_mode is not None and render_mode not in modes:
            raise SetupError(f"{spec['id']} cannot render as {render_mode!r} (it can: {modes or 'none'})")
        self.render_mode = render_mode
        if spec.get("reward_range"):
            self.reward_range = tuple(spec["reward_range"])
        self._started = False
        self._over = False

    # -- Gymnasium

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        failures = reset_one(self._batch, seed, options, self._started, lambda: _entropy_seed(self.np_random))
        self._started = True
        if failures:
            self._over = True
            raise failures[0]
        self._over = False
        if self.render_mode == "human":
            self.render()
        return self._batch.observation(0), self._info(final=False)

    def step(self, action):
        if not self._started:
            raise gymnasium.error.ResetNeeded("call reset() before step()")
        if self._over:
            raise gymnasium.error.ResetNeeded("the episode is over: call reset()")
        b = self._batch
        failures = b.step(self._action(action))
        if failures:
            error = failures[0]
            if error.kind != "forfeit" and not isinstance(error, ActionErrorType):
                self._over = True
            raise error
        terminated, truncated = bool(b.terminated[0]), bool(b.truncated[0])
        self._over = terminated or truncated
        reward = float(b.rewards[0, 0]) if b.players == 1 else float(b.rewards[0, self._mover - 1])
        info = self._info(final=self._over)
        if self.render_mode == "human":
            self.render()
        return b.observation(0), reward, terminated, truncated, info

    def _action(self, action):
        b = self._batch
        if b.players > 1:
            self._mover = int(b.player[0]) or 1
        if b.action_kind == "discrete":
            return [int(np.asarray(action).reshape(()))]
        if b.action_kind == "vector":
            return np.asarray(action, dtype=np.float64).reshape(1, -1)
        return [action]

    def _info(self, final):
        b = self._batch
        info = {
            "trajectory_hash": b.hash_hex(0),
            "episode_seed": int(b.episode_seed[0]),
            "length": int(b.episode_length[0]),
        }
        if b.spec["has_legal_actions"] and b.mask is not None:
            info["action_mask"] = b.mask[0].astype(np.int8)
        if b.players > 1:
            info["player"] = int(b.player[0])
            info["rewards"] = b.rewards[0].copy()
        if final:
            info["episode"] = {"r": float(b.episode_return[0, 0]), "l": int(b.episode_length[0])}
            kind, message = b.note(0)
            if kind == "forfeit":
                info["forfeit"] = message
        return info

    def render(self):
        if self.render_mode is None:
            gymnasium.logger.warn("render() without a render_mode: make the environment with render_mode='ansi' or 'rgb_array'")
        return render(self._batch, self.render_mode)

    def close(self):
        self._batch.close()
        super().close()

    # -- Ludus extras

    @property
    def trajectory_hash(self):
        """The current episode's trajectory hash: the CLI's for the same seed and actions."""
        return self._batch.hash_hex(0)

    @property
    def action_mask(self):
        """Legal actions of the current state as an int8 mask (all ones without ``legal_actions``)."""
        return self._batch.mask[0].astype(np.int8) if self._batch.mask is not None else None

    def call(self, name, *arguments, results=1):
        """Calls the script's ``E.name(self, ...)`` (a solver, a verifier...)."""
        return self._batch.call(0, name, *arguments, results=results)


from .errors import ActionError as ActionErrorType  # noqa: E402

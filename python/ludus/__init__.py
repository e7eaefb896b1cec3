"""Ludus environments for Python trainers.

- :func:`make` — one environment as a ``gymnasium.Env``;
- :func:`make_vec` — N environments as a ``gymnasium.vector.VectorEnv``, stepped in one
  call on Swift threads into numpy buffers allocated once;
- :func:`aec_env` — a multi-player game as a PettingZoo ``AECEnv``;
- :func:`create_dataset` / :func:`score_answer` / :func:`score_answers` — reasoning-gym-style datasets;
  :mod:`ludus.rewards` — reward functions for TRL and verl;
- :class:`Teacher` — the curricula of ``ludus teach`` as a service.

Environments are found as the CLI finds them: ids from the bundled ``Environments/``
folder (``LUDUS_ENVIRONMENTS``), extra folders with ``paths=``, or a path to a ``.lua`` file.
"""

import json

from . import _native
from .datasets import LudusDataset, create_dataset, score_answer, score_answers
from .env import LudusEnv
from .errors import ActionError, BatchError, LudusError, ScriptError, SetupError
from .teacher import Task, Teacher
from .vector import LudusVectorEnv

__version__ = "0.1.0"


def make(env, render_mode=None, **kwargs):
    """One environment (an id such as ``"gridworld/door_key"``, or a ``.lua`` path) as a
    ``gymnasium.Env``; keyword arguments other than the options of :class:`LudusEnv` are
    the environment's parameters (``size=8``)."""
    return LudusEnv(env, render_mode=render_mode, **kwargs)


def make_vec(env, num_envs=1, threads=1, autoreset_mode=None, **kwargs):
    """``num_envs`` instances stepped together on ``threads`` Swift threads (see
    :class:`LudusVectorEnv`); ``params=`` is one dict for all or a list of one per environment."""
    from gymnasium.vector import AutoresetMode

    return LudusVectorEnv(env, num_envs, threads=threads,
                          autoreset_mode=AutoresetMode.NEXT_STEP if autoreset_mode is None else autoreset_mode, **kwargs)


def aec_env(env, render_mode=None, **kwargs):
    """A multi-player game as a PettingZoo ``AECEnv`` (needs ``pettingzoo``)."""
    from .pettingzoo import LudusAECEnv

    return LudusAECEnv(env, render_mode=render_mode, **kwargs)


def list_environments(paths=None):
    """What ``ludus list`` shows: ``[{"id", "path", "players", ...}]``."""
    return json.loads(_native.call_string("ludus_list_json", _native.options_json(paths)))


def spec(env, paths=None):
    """An environment's declared facts (spaces, parameters, players...) as a dict."""
    return json.loads(_native.call_string("ludus_spec_json", _native.encode(env), _native.options_json(paths)))


def episode_seed(root, episode=1):
    """The seed ``ludus run --seed ROOT`` plays episode ``episode`` (1-based) with."""
    return int(_native.lib().ludus_episode_seed(int(root), int(episode)))


__all__ = [
    "make", "make_vec", "aec_env", "list_environments", "spec", "episode_seed",
    "LudusEnv", "LudusVectorEnv", "LudusDataset", "create_dataset", "score_answer", "score_answers", "Teacher", "Task",
    "LudusError", "ScriptError", "SetupError", "ActionError", "BatchError",
]

"""Teachers as a service: the curricula of ``ludus teach`` (random, ALP-GMM, RIAC, SEC,
target, PLR) choosing tasks for any trainer."""

import ctypes
import dataclasses
import json
import math
import threading

from . import _native
from .batch import HandleOwner


@dataclasses.dataclass(frozen=True)
class Task:
    """One episode a teacher proposes: ``params`` (every parameter as the environment gets
    it), ``seed`` (the episode's seed), ``learn`` (False: play without learning, robust
    PLR), ``replay`` (a replayed level). ``index`` numbers tasks from 1, as teach's episodes."""

    index: int
    params: dict
    seed: int
    chosen: dict = dataclasses.field(default_factory=dict)
    learn: bool = True
    replay: bool = False


class Teacher(HandleOwner):
    """A curriculum over an environment's parameters.

    ``Teacher("alp-gmm", env="gridworld/door_key", vary={"size": (5, 8)}, seed=1)`` chooses
    what ``ludus teach gridworld/door_key --teacher alp-gmm --vary size=5..8 --seed 1``
    chooses: the same tasks in the same order for the same outcomes. ``vary`` limits the
    teacher to some parameters (a dict of ``(low, high)`` or None per name, or a list of
    names); ``params`` fixes others (``--param``).

    :meth:`sample` returns a :class:`Task`; play it (``reset(options={"params":
    task.params, "episode_seed": task.seed})`` or ``vec.set_task(i, task)``), then report it
    with :meth:`update`. SEC takes the trainer's ``advantage`` (verl's ``bandit.objective=adv``).
    """

    def __init__(self, name="random", env=None, vary=None, params=None, seed=0, paths=None):
        if env is None:
            raise ValueError("Teacher: give env=, the environment whose parameters it chooses")
        if isinstance(vary, (list, tuple, set)):
            vary = {name: None for name in vary}
        options = _native.options_json(paths, seed=int(seed), params=dict(params or {}),
                                       vary={k: (list(v) if v is not None else None) for k, v in (vary or {}).items()} if vary else None)
        handle = ctypes.c_void_p()
        _native.call("ludus_teacher_create", _native.encode(name), _native.encode(env), options, ctypes.byref(handle))
        self.handle = handle
        self.name = name
        self.env = env
        self.lib = _native.lib()
        self.lock = threading.Lock()

    def sample(self):
        """The next task."""
        with self.lock:
            data = json.loads(_native.call_string("ludus_teacher_sample", self.handle))
        return Task(index=data["index"], params=data["params"], seed=int(data["seed"]), chosen=data["chosen"],
                    learn=data["learn"], replay=data["replay"])

    def update(self, task, episode_return, success=None, length=0, student_score=None, advantage=None):
        """Reports how ``task`` went. ``success`` defaults to the environment's
        ``success_threshold``; ``student_score`` (mean |GAE advantage|) feeds PLR,
        ``advantage`` feeds SEC. Returns the return normalised with ``reward_range``."""
        normalized = ctypes.c_double()
        with self.lock:
            _native.call("ludus_teacher_update", self.handle, int(task.index), float(episode_return),
                         -1 if success is None else int(bool(success)), int(length),
                         math.nan if student_score is None else float(student_score),
                         math.nan if advantage is None else float(advantage), ctypes.byref(normalized))
        return normalized.value

    @property
    def summary(self):
        """One line of the teacher's state, as teach's progress shows it."""
        with self.lock:
            return _native.call_string("ludus_teacher_summary", self.handle)

    _free = "ludus_teacher_free"

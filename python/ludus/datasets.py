"""reasoning-gym-compatible datasets: ``create_dataset(name, size=..., seed=..., **params)``
yields ``{"question", "answer", "metadata"}`` items, the lines ``ludus generate`` writes, and
``score_answer(answer, entry)`` scores as ``ludus score`` does (items from Ludus or from
reasoning-gym)."""

import ctypes
import json
import os
import threading

import numpy as np

from . import _native
from .batch import HandleOwner
from .errors import BatchError, from_status


class _Source(HandleOwner):
    """A dataset environment loaded with its workers (one VM each)."""

    def __init__(self, name, workers=None, paths=None, memory_limit=None, time_limit=None):
        workers = int(workers or min(os.cpu_count() or 1, 8))
        handle = ctypes.c_void_p()
        _native.call("ludus_dataset_create", _native.encode(name), _native.options_json(paths, memory_limit, time_limit),
                     workers, ctypes.byref(handle))
        self.handle = handle
        self.lib = _native.lib()
        self.workers = workers
        self.lock = threading.Lock()
        self.spec = json.loads(_native.call_string("ludus_dataset_spec_json", handle))

    def items(self, first, count, seed, params):
        with self.lock:
            text = _native.call_string("ludus_dataset_items", self.handle, int(first), int(count), int(seed),
                                       _native.params_json(params))
        # One JSON array for the whole batch: one parse call, not one per line.
        lines = text.rstrip("\n")
        return json.loads("[" + lines.replace("\n", ",") + "]") if lines else []

    def score(self, answer, entry):
        if answer is None:
            return 0.0
        out = ctypes.c_double()
        with self.lock:
            _native.call("ludus_dataset_score", self.handle, json.dumps(entry, default=_native.to_json).encode(),
                         str(answer).encode("utf-8"), ctypes.byref(out))
        return out.value

    def score_many(self, answers, entries, errors="raise"):
        """Scores of ``answers[k]`` for ``entries[k]`` on the workers. A line that cannot be
        scored raises (``errors="raise"``) or scores NaN (``errors="nan"``)."""
        # An entry scored against many answers (a GRPO group) is encoded once.
        encoded = {}

        def entry_json(entry):
            key = id(entry)
            if key not in encoded:
                encoded[key] = (entry, json.dumps(entry, default=_native.to_json))
            return encoded[key][1]

        lines = ['{"item": ' + entry_json(e) + ', "answer": ' + json.dumps("" if a is None else str(a)) + "}"
                 for a, e in zip(answers, entries)]
        count = len(lines)
        scores = np.zeros(count, dtype=np.float64)
        status = np.zeros(count, dtype=np.int32)
        if count == 0:
            return scores
        messages = ctypes.c_void_p()
        buffer = _native.error_buffer()
        with self.lock:
            code = self.lib.ludus_dataset_score_batch(self.handle, "\n".join(lines).encode("utf-8"), count,
                                                      ctypes.c_void_p(scores.ctypes.data), ctypes.c_void_p(status.ctypes.data),
                                                      ctypes.byref(messages), buffer, _native.ERROR_CAPACITY)
        texts = json.loads(_native.take_string(messages.value) or "[]")
        if code not in (0, 5):
            _native.check(code, buffer)
        for k, a in enumerate(answers):
            if a is None:
                scores[k] = 0.0
        if code == 5 and errors == "raise":
            raise BatchError({k: from_status(int(status[k]), texts[k]) for k in range(count) if status[k] != 0})
        return scores

    _free = "ludus_dataset_free"


_sources = {}
_sources_lock = threading.Lock()


def _source(name, paths=None):
    key = (name, tuple(paths or ()))
    with _sources_lock:
        if key not in _sources:
            _sources[key] = _Source(name, paths=paths)  # one VM per core (at most 8): score_answers uses them all
        return _sources[key]


class LudusDataset:
    """``size`` items of a Ludus dataset environment (``countdown``, ``sudoku``...), item
    ``i`` made from a reset with a seed derived from ``seed`` and ``i``: the same items as
    ``ludus generate NAME --count SIZE --seed SEED --param ...``. Behaves like
    reasoning-gym's ``ProceduralDataset``: ``len``, indexing, iteration, ``score_answer``."""

    def __init__(self, name, size=500, seed=None, *, workers=None, paths=None, **params):
        self.name = name
        self.size = int(size)
        self.seed = 0 if seed is None else int(seed)
        self.params = params
        self._source = _Source(name, workers=workers, paths=paths)
        self.spec = self._source.spec
        self._items = self._source.items(0, self.size, self.seed, params)

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._items[i] for i in range(*index.indices(self.size))]
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise IndexError(index)
        return self._items[index]

    def __iter__(self):
        return iter(self._items)

    def score_answer(self, answer, entry):
        """The score in [0, 1] of ``answer`` for ``entry`` (0.0 for None)."""
        return self._source.score(answer, entry)

    def score_answers(self, answers, entries=None, errors="raise"):
        """Scores of many answers at once, on the dataset's workers (a numpy array)."""
        return self._source.score_many(answers, self._items if entries is None else entries, errors=errors)

    def close(self):
        self._source.close()


def create_dataset(name, size=500, seed=None, **params):
    """reasoning-gym's ``create_dataset``: a :class:`LudusDataset` of environment ``name``
    with its parameters (``min_numbers=3``...). Options: ``workers=``, ``paths=``."""
    return LudusDataset(name, size=size, seed=seed, **params)


def score_answer(answer, entry, env=None, paths=None):
    """Scores ``answer`` for ``entry`` with the environment named by ``env``, else by the
    entry's ``metadata["source_dataset"]`` (``countdown`` for Ludus and reasoning-gym items)."""
    name = env or entry.get("metadata", {}).get("source_dataset")
    if not name:
        raise ValueError("score_answer: give env= or an entry whose metadata names its source_dataset")
    return _source(name, paths).score(answer, entry)


def score_answers(answers, entries, env=None, paths=None, errors="raise"):
    """Scores of many answers (one entry each), in one call into the engine."""
    if not entries:
        return np.zeros(0)
    name = env or entries[0].get("metadata", {}).get("source_dataset")
    return _source(name, paths).score_many(answers, entries, errors=errors)

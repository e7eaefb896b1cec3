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
from .errors import BatchError, LudusError, from_status


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
        """Items ``first..first+count`` in one call (one string for them all)."""
        with self.lock:
            text = _native.call_string("ludus_dataset_items", self.handle, int(first), int(count), int(seed),
                                       _native.params_json(params))
        return _native.loads_lines(text.encode("utf-8"))

    def stream(self, first, count, seed, params, chunk=0):
        """The same items as :meth:`items`, made a chunk at a time as they are read."""
        return _Stream(self, first, count, seed, params, chunk)

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
        count = len(answers)
        if len(entries) != count:
            raise ValueError(f"score_answers: {count} answers for {len(entries)} entries")
        scores = np.zeros(count, dtype=np.float64)
        if count == 0:
            return scores
        # Each distinct entry is encoded once, however many answers it has (a GRPO group),
        # and the engine puts each line together from the entry and the answer.
        numbers, encoded = {}, []
        index = np.empty(count, dtype=np.int64)
        for k, entry in enumerate(entries):
            number = numbers.get(id(entry))
            if number is None:
                number = numbers[id(entry)] = len(encoded)
                encoded.append(json.dumps(entry, default=_native.to_json))
            index[k] = number
        texts = _native.dumps_strings(["" if a is None else a if type(a) is str else str(a) for a in answers])
        status = np.zeros(count, dtype=np.int32)
        messages = ctypes.c_void_p()
        buffer = _native.error_buffer()
        with self.lock:
            code = self.lib.ludus_dataset_score_entries(self.handle, "\n".join(encoded).encode("utf-8"), len(encoded), texts,
                                                        ctypes.c_void_p(index.ctypes.data), count,
                                                        ctypes.c_void_p(scores.ctypes.data), ctypes.c_void_p(status.ctypes.data),
                                                        ctypes.byref(messages), buffer, _native.ERROR_CAPACITY)
        lines = json.loads(_native.take_string(messages.value) or "[]")
        if code not in (0, 5):
            _native.check(code, buffer)
        for k, a in enumerate(answers):
            if a is None:
                scores[k] = 0.0
        if code == 5 and errors == "raise":
            raise BatchError({k: from_status(int(status[k]), lines[k]) for k in range(count) if status[k] != 0})
        return scores

    _free = "ludus_dataset_free"


class _Stream(HandleOwner):
    """Items of a :class:`_Source` a chunk at a time (``ludus_dataset_stream_*``): each chunk
    is made into the stream's buffer and parsed as it is read; a failure raises after the
    items made before it."""

    def __init__(self, source, first, count, seed, params, chunk=0):
        handle = ctypes.c_void_p()
        with source.lock:
            _native.call("ludus_dataset_stream_open", source.handle, int(first), int(count), int(seed),
                         _native.params_json(params), int(chunk), ctypes.byref(handle))
        self.handle = handle
        self.lib = source.lib
        self.source = source  # the stream holds the dataset's handle too; this keeps the order of frees

    def next_chunk(self):
        """The next chunk's items as JSON lines (bytes, each ending in a newline; b"" at the end)."""
        pointer, length = ctypes.c_void_p(), ctypes.c_int64()
        buffer = _native.error_buffer()
        with self.source.lock:
            status = self.lib.ludus_dataset_stream_next(self.handle, ctypes.byref(pointer), ctypes.byref(length),
                                                        buffer, _native.ERROR_CAPACITY)
            data = ctypes.string_at(pointer.value, length.value) if length.value else b""
        if status != 0:
            raise _Partial(data, from_status(status, buffer.value.decode("utf-8", "replace")))
        return data

    _free = "ludus_dataset_stream_free"


class _Partial(Exception):
    """A chunk that failed: the lines of the items made before the failure, and the error."""

    def __init__(self, data, error):
        super().__init__(str(error))
        self.data = data
        self.error = error


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
    reasoning-gym's ``ProceduralDataset``: ``len``, indexing, iteration, ``score_answer``;
    as there, reading an item gives a new dict each time (changing it changes no other).

    Items are made lazily, a chunk at a time (256 per worker) as they are first read (the
    engine makes the next chunk on a thread of its own while this one is parsed), and
    kept as their JSON lines, not as dicts: a dataset read once holds a third of the memory
    and gives the cyclic garbage collector no long-lived dicts to walk over and over (a
    tenth of the time of making countdown items). Iterating parses a chunk of lines in one
    call. What would fail before any item (unknown parameter, no ``E.item``) raises here; a
    script failing on item ``i`` raises when item ``i`` is read (the items before it stay
    readable), with the message ``ludus generate`` prints."""

    def __init__(self, name, size=500, seed=None, *, workers=None, paths=None, chunk=0, **params):
        self.name = name
        self.size = int(size)
        if self.size < 0:
            raise ValueError(f"size must be 0 or more, got {size}")
        self.seed = 0 if seed is None else int(seed)
        self.params = params
        self._source = _Source(name, workers=workers, paths=paths)
        self.spec = self._source.spec
        self._lines = []  # the items made so far, one JSON line (bytes, no newline) each
        self._error = None
        self._lock = threading.Lock()
        self._stream = self._source.stream(0, self.size, self.seed, params, chunk)

    def _fill(self, count):
        """Reads chunks until the lines of the first ``count`` items are in hand."""
        with self._lock:
            while len(self._lines) < count:
                if self._error is not None:
                    raise self._error
                try:
                    data = self._stream.next_chunk()
                except _Partial as partial:
                    # The items before the failing one are kept: read, they are returned;
                    # the failing one, and any after it, raise.
                    self._lines.extend(_split_lines(partial.data))
                    self._error = partial.error
                    self._stream.close()
                    continue
                if not data:  # pragma: no cover - the engine made fewer items than asked
                    raise LudusError(f"the dataset ended after {len(self._lines)} of {self.size} items")
                self._lines.extend(_split_lines(data))
            if len(self._lines) >= self.size:
                self._stream.close()  # every item made: the buffer goes now

    def _parse(self, start, stop):
        """Items ``start..<stop`` (made already) as new dicts, in one parse."""
        if start >= stop:
            return []
        return _native.loads_lines(b"\n".join(self._lines[start:stop]) + b"\n")

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if isinstance(index, slice):
            indices = range(*index.indices(self.size))
            if not indices:
                return []
            low, high = min(indices[0], indices[-1]), max(indices[0], indices[-1]) + 1
            self._fill(high)
            items = self._parse(low, high)
            return [items[i - low] for i in indices]
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise IndexError(index)
        if index >= len(self._lines):
            self._fill(index + 1)
        return self._parse(index, index + 1)[0]

    def __iter__(self):
        index = 0
        while index < self.size:
            if index >= len(self._lines):
                self._fill(index + 1)  # the next chunk (raises at a failing item)
            stop = min(len(self._lines), self.size)
            yield from self._parse(index, stop)
            index = stop

    def score_answer(self, answer, entry):
        """The score in [0, 1] of ``answer`` for ``entry`` (0.0 for None)."""
        return self._source.score(answer, entry)

    def score_answers(self, answers, entries=None, errors="raise"):
        """Scores of many answers at once, on the dataset's workers (a numpy array);
        ``entries`` defaults to the dataset's first ``len(answers)`` items, one answer each."""
        if entries is None:
            count = min(len(answers), self.size)
            self._fill(count)
            entries = self._parse(0, count)
        return self._source.score_many(answers, entries, errors=errors)

    def close(self):
        self._stream.close()
        self._source.close()


def _split_lines(data):
    """JSON lines (bytes, each ending in a newline) as a list of lines without their newline."""
    return data.split(b"\n")[:-1] if data else []


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

"""N environments behind one handle: buffers allocated once with numpy, written in place
by the engine; one call resets or steps any subset of the environments on Swift threads."""

import ctypes
import json
import threading

import numpy as np

from . import _native
from .errors import BatchError, SetupError, from_status
from .spaces import Decoder, action_space

AUTORESET = {"next_step": 0, "same_step": 1, "disabled": 2}
SEED_NEXT, SEED_ROOT, SEED_EXACT = 0, 1, 2


def reset_one(batch, seed, options, started, entropy):
    """The reset of a one-environment batch as Gymnasium and PettingZoo ask for it:
    ``options["params"]`` from now on; ``options["episode_seed"]`` exactly; ``seed`` as a run
    seed (episode 1 of ``ludus run --seed``); else the run's next episode, or a fresh run
    seed from ``entropy()`` the first time. Returns the failures."""
    options = dict(options or {})
    if "params" in options:
        batch.set_params(options["params"])
    if "episode_seed" in options:
        return batch.reset(seeds=[int(options["episode_seed"])], mode=SEED_EXACT)
    if seed is not None:
        return batch.reset(seeds=[int(seed) & ((1 << 63) - 1)], mode=SEED_ROOT)
    if not started:
        return batch.reset(seeds=[entropy()], mode=SEED_ROOT)
    return batch.reset(mode=SEED_NEXT)


class HandleOwner:
    """Frees a library handle once, on close or when collected."""

    _free = None

    def close(self):
        if getattr(self, "handle", None):
            getattr(self.lib, self._free)(self.handle)
            self.handle = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


def _ptr(array):
    return None if array is None else ctypes.c_void_p(array.ctypes.data)


class Batch(HandleOwner):
    """The engine's view of N instances of one environment.

    Rows of every buffer belong to environment ``i``. After :meth:`reset` or :meth:`step`,
    ``numbers``, ``texts()``, ``rewards``, ``terminated``, ``truncated``, ``mask``,
    ``player`` and the episode rows hold the result of the environments stepped.
    """

    def __init__(self, env, num_envs=1, *, threads=1, params=None, autoreset="next_step", illegal="forfeit",
                 dtype=np.float32, paths=None, memory_limit=None, time_limit=None, text_as_bytes=False):
        if autoreset not in AUTORESET:
            raise SetupError(f"autoreset must be one of {sorted(AUTORESET)}, got {autoreset!r}")
        if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise SetupError("dtype must be float32 or float64")
        self.lock = threading.RLock()
        handle = ctypes.c_void_p()
        options = _native.options_json(paths, memory_limit, time_limit, params=dict(params or {}),
                                       autoreset=AUTORESET[autoreset], illegal=illegal)
        _native.call("ludus_batch_create", _native.encode(env), options, int(num_envs), int(threads), ctypes.byref(handle))
        self.handle = handle
        self.lib = _native.lib()
        self.autoreset = autoreset
        self.spec = json.loads(_native.call_string("ludus_batch_spec_json", handle))
        self.num_envs = n = int(num_envs)
        self.players = p = int(self.spec["players"])
        self.decoder = Decoder(self.spec["observation_space"], dtype,
                               text_bytes=int(self.spec["text_stride"]) if text_as_bytes else None)
        assert self.decoder.number_count == self.spec["number_count"], "layout mismatch between the package and the library"
        self.action_space, self.action_kind, self.action_width = action_space(self.spec["action_space"])
        k, t, stride = self.decoder.number_count, self.decoder.text_count, int(self.spec["text_stride"])
        self.numbers = np.zeros((n, k), dtype=dtype)
        same = autoreset == "same_step"
        self.final_numbers = np.zeros((n, k), dtype=dtype) if same else None
        self.text = np.zeros((n, t, stride), dtype=np.uint8) if t else None
        self.text_length = np.zeros((n, t), dtype=np.int32) if t else None
        self.final_text = np.zeros((n, t, stride), dtype=np.uint8) if t and same else None
        self.final_text_length = np.zeros((n, t), dtype=np.int32) if t and same else None
        self.rewards = np.zeros((n, p), dtype=np.float64)
        self.terminated = np.zeros(n, dtype=np.uint8)
        self.truncated = np.zeros(n, dtype=np.uint8)
        self.ended = np.zeros(n, dtype=np.uint8)
        self.mask_width = int(self.spec["action_space"]["n"]) if self.action_kind == "discrete" else 0
        self.mask = np.zeros((n, self.mask_width), dtype=np.uint8) if self.mask_width else None
        self.player = np.zeros(n, dtype=np.int32)
        self.status = np.zeros(n, dtype=np.int32)
        self.episode_return = np.zeros((n, p), dtype=np.float64)
        self.episode_length = np.zeros(n, dtype=np.int64)
        self.episode_hash = np.zeros(n, dtype=np.uint64)
        self.episode_seed = np.zeros(n, dtype=np.uint64)
        _native.call(
            "ludus_batch_set_buffers", handle, 1 if np.dtype(dtype) == np.float64 else 0,
            _ptr(self.numbers), _ptr(self.final_numbers), _ptr(self.text), _ptr(self.text_length),
            _ptr(self.final_text), _ptr(self.final_text_length), _ptr(self.rewards), _ptr(self.terminated),
            _ptr(self.truncated), _ptr(self.ended), _ptr(self.mask), _ptr(self.player), _ptr(self.status),
            _ptr(self.episode_return), _ptr(self.episode_length), _ptr(self.episode_hash), _ptr(self.episode_seed),
        )
        # [0]: calls in which some text changed (equal: the texts decoded last time still hold);
        # [1]: environments of the last call that ended an episode.
        self.summary = np.zeros(2, dtype=np.int64)
        _native.call("ludus_batch_set_summary", handle, _ptr(self.summary))
        self._ids = np.zeros(n, dtype=np.int64)
        self._seeds = np.zeros(n, dtype=np.uint64)
        self._discrete = np.zeros(n, dtype=np.int64)
        self._vector = np.zeros((n, max(1, self.action_width)), dtype=np.float64)
        self._text_cache = None
        self._sent = None
        self._error = _native.error_buffer
        self._step = self.lib.ludus_batch_step
        self._ids_ptr = _ptr(self._ids)
        self._discrete_ptr = _ptr(self._discrete)
        self._vector_ptr = _ptr(self._vector)

    _free = "ludus_batch_free"

    # -- calls

    def _id_arguments(self, ids):
        if ids is None:
            return None, self.num_envs, None
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        self._ids[: len(ids)] = ids
        return self._ids_ptr, len(ids), ids

    def _finish(self, status, buffer, ids):
        if status == 0:
            return {}
        if status != 5:
            _native.check(status, buffer)
        rows = range(self.num_envs) if ids is None else ids
        return {int(i): self.error(int(i)) for i in rows if self.status[i] != 0}

    def reset(self, ids=None, seeds=None, mode=SEED_ROOT):
        """Resets environments ``ids`` (all when None); ``seeds`` one per id (run seeds with
        SEED_ROOT, exact episode seeds with SEED_EXACT), or None for each one's next episode.
        Returns ``{env: exception}`` for environments that failed."""
        if not self.handle:
            raise SetupError("the environment is closed")
        pointer, count, ids = self._id_arguments(ids)
        seed_pointer = None
        if seeds is not None:
            self._seeds[:count] = np.asarray(seeds, dtype=np.uint64).reshape(-1)[:count]
            seed_pointer = _ptr(self._seeds)
        buffer = self._error()
        status = self.lib.ludus_batch_reset(self.handle, pointer, count, seed_pointer, mode, buffer, _native.ERROR_CAPACITY)
        return self._finish(status, buffer, ids)

    def _actions(self, actions, count):
        """Writes ``actions`` into the action buffers; the text arrays for a text space."""
        text = offsets = None
        if self.action_kind == "discrete":
            self._discrete[:count] = actions
        elif self.action_kind == "vector":
            self._vector[:count] = np.asarray(actions, dtype=np.float64).reshape(count, self.action_width)
        else:
            encoded = [str(a).encode("utf-8") for a in (actions if isinstance(actions, (list, tuple, np.ndarray)) else [actions])]
            offsets = np.zeros(count + 1, dtype=np.int64)
            offsets[1:] = np.cumsum([len(e) for e in encoded])
            text = np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8).copy()
        return text, offsets

    def step(self, actions, ids=None):
        """Steps environments ``ids`` (all when None) with ``actions`` aligned with them.
        Returns ``{env: exception}`` for environments that failed (the others went on)."""
        if not self.handle:
            raise SetupError("the environment is closed")
        pointer, count, ids = self._id_arguments(ids)
        text, offsets = self._actions(actions, count)
        buffer = self._error()
        status = self._step(self.handle, pointer, count, self._discrete_ptr, self._vector_ptr,
                            _ptr(text), _ptr(offsets), buffer, _native.ERROR_CAPACITY)
        return self._finish(status, buffer, ids)

    def send(self, actions, ids=None):
        """Starts stepping environments ``ids`` (all when None) on the engine's threads and
        returns at once (the actions are copied first); :meth:`recv` collects the step.
        Raises :class:`ludus.LudusError` when a step is already in flight."""
        if not self.handle:
            raise SetupError("the environment is closed")
        pointer, count, ids = self._id_arguments(ids)
        text, offsets = self._actions(actions, count)
        _native.call("ludus_batch_send", self.handle, pointer, count, self._discrete_ptr, self._vector_ptr,
                     _ptr(text), _ptr(offsets))
        self._sent = ids

    def recv(self):
        """Waits for the step :meth:`send` started (the GIL is released meanwhile) and returns
        ``{env: exception}`` for environments that failed. Raises when nothing was sent."""
        if not self.handle:
            raise SetupError("the environment is closed")
        buffer = self._error()
        status = self.lib.ludus_batch_recv(self.handle, buffer, _native.ERROR_CAPACITY)
        if status != 0 and status != 5:
            _native.check(status, buffer)
        return self._finish(status, buffer, self._sent)

    def flight(self):
        """``"idle"`` (nothing sent), ``"running"`` (sent, still stepping) or ``"done"``
        (finished, waiting for :meth:`recv`). Never waits."""
        return ("idle", "running", "done")[self.lib.ludus_batch_flight(self.handle)] if self.handle else "idle"

    def error(self, i):
        """The exception for environment ``i``'s last failure (or forfeit, with kind ``forfeit``)."""
        kind, message = ctypes.c_void_p(), ctypes.c_void_p()
        _native.call("ludus_batch_error", self.handle, int(i), ctypes.byref(kind), ctypes.byref(message))
        kind_text, message_text = _native.take_string(kind.value), _native.take_string(message.value)
        return from_status(int(self.status[i]) or 1, message_text, kind=kind_text or None)

    def note(self, i):
        """Kind and message of environment ``i``'s last failure or forfeit ('' when none)."""
        kind, message = ctypes.c_void_p(), ctypes.c_void_p()
        _native.call("ludus_batch_error", self.handle, int(i), ctypes.byref(kind), ctypes.byref(message))
        return _native.take_string(kind.value), _native.take_string(message.value)

    def set_params(self, params, env=-1):
        _native.call("ludus_batch_set_params", self.handle, int(env), _native.params_json(params))

    def set_next_seed(self, env, seed):
        _native.call("ludus_batch_set_next_seed", self.handle, int(env), int(seed or 0), 0 if seed is None else 1)

    def set_threads(self, threads):
        _native.call("ludus_batch_set_threads", self.handle, int(threads))

    def render(self, env=0, image=False):
        return _native.call_string("ludus_batch_render", self.handle, int(env), 1 if image else 0)

    @property
    def private_observations(self):
        """Whether players see different things (the game defines ``E.observe``)."""
        return "observe" in self.spec.get("functions", [])

    def seat_observation(self, env, seat):
        """Seat ``seat``'s (1-based) own observation of environment ``env`` (``E.observe``)."""
        row = np.zeros(self.decoder.number_count, dtype=np.float64)
        _native.call("ludus_batch_seat_observation", self.handle, int(env), int(seat),
                     row.ctypes.data_as(ctypes.c_void_p), int(row.size))
        return self.decoder.one(row, ())

    def call(self, env, name, *arguments, results=1):
        """``E.name(self, *arguments)`` on environment ``env``: the list of its results."""
        text = _native.call_string("ludus_batch_call", self.handle, int(env), _native.encode(name),
                                   json.dumps(list(arguments), default=_native.to_json).encode(), int(results))
        return json.loads(text)

    # -- reading the buffers

    def texts(self, rows=None, final=False):
        """``texts[i][slot]`` of the rows (all when None). Only rows whose bytes changed
        since the last call are decoded again (a mission text is decoded once)."""
        if self.text is None:
            return [()] * (self.num_envs if rows is None else len(rows))
        data, lengths = (self.final_text, self.final_text_length) if final else (self.text, self.text_length)
        if final:
            picked = range(self.num_envs) if rows is None else rows
            return [self._decode_row(data, lengths, int(i)) for i in picked]
        cache = self._text_cache
        # The engine counts the calls in which a text changed: while the count stands, the
        # rows decoded last time are the texts, with nothing compared or decoded per call.
        generation = int(self.summary[0])
        if cache is not None and cache[4] == generation:
            return cache[2] if rows is None else [cache[2][int(i)] for i in rows]
        width = max(1, int(lengths.max()))
        view = data[:, :, :width]
        raw, raw_lengths = view.tobytes(), lengths.tobytes()
        if cache is not None and cache[0] == raw and cache[1] == raw_lengths:
            decoded = cache[2]
        elif cache is None or cache[3] != view.shape:
            decoded = [self._decode_row(data, lengths, i) for i in range(self.num_envs)]
        else:
            before = np.frombuffer(cache[0], dtype=view.dtype).reshape(view.shape)
            before_lengths = np.frombuffer(cache[1], dtype=lengths.dtype).reshape(lengths.shape)
            decoded = list(cache[2])
            for i in np.flatnonzero((view != before).any(axis=(1, 2)) | (lengths != before_lengths).any(axis=1)):
                decoded[i] = self._decode_row(data, lengths, int(i))
        self._text_cache = (raw, raw_lengths, decoded, view.shape, generation)
        return decoded if rows is None else [decoded[int(i)] for i in rows]

    @staticmethod
    def _decode_row(data, lengths, i):
        return tuple(bytes(data[i, s, : lengths[i, s]]).decode("utf-8", "replace") for s in range(data.shape[1]))

    def observation(self, i, final=False):
        numbers = self.final_numbers if final else self.numbers
        texts = self.texts([i], final=final)[0] if self.text is not None else ()
        return self.decoder.one(numbers[i], texts)

    def observations(self, ids=None):
        if ids is None:
            return self.decoder.many(self.numbers, self.texts() if self.text is not None else [()] * self.num_envs)
        ids = np.asarray(ids, dtype=np.int64)
        return self.decoder.many(self.numbers[ids], self.texts(ids) if self.text is not None else [()] * len(ids))

    def hash_hex(self, i):
        return f"{int(self.episode_hash[i]):016x}"

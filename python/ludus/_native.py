"""The C ABI of the Swift engine (``libludus_c.so``), loaded with ctypes.

Every function returns an int32 status (0: ok) and writes a message into the caller's
buffer; strings the library allocates are freed with ``ludus_string_free``. ctypes
releases the GIL for the duration of each call, so a batch steps on Swift threads while
other Python threads run. See ``_ludus.h`` for the documented signatures.
"""

import ctypes
import gc
import json
import os
import threading
from pathlib import Path

from .errors import LudusError, from_status

try:  # optional (`pip install ludus[fast]`): parses and encodes several times faster than json
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None

ABI_VERSION = 1
_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parent.parent

c_char_pp = ctypes.POINTER(ctypes.c_char_p)
_p = ctypes.c_void_p
_i32, _i64, _u64, _f64 = ctypes.c_int32, ctypes.c_int64, ctypes.c_uint64, ctypes.c_double
_str_out = ctypes.POINTER(ctypes.c_void_p)  # char ** (malloc'd)


def library_candidates():
    """Where the library is looked for, in order: ``LUDUS_LIBRARY``, the repository's
    ``make python`` build (an editable install), the package's own copy (a built wheel),
    then the repository's other build folders."""
    given = os.environ.get("LUDUS_LIBRARY")
    if given:
        return [Path(given)]
    names = ["libludus_c.so", "libludus_c.dylib"]
    folders = [
        _REPO / ".build" / "release",
        _HERE / "_lib",
        _REPO / ".build-python" / "release",
        _REPO / ".build" / "debug",
    ]
    return [folder / name for folder in folders for name in names]


def environments_root():
    """The bundled ``Environments/`` folder: ``LUDUS_ENVIRONMENTS``, the repository's, or the package's copy."""
    given = os.environ.get("LUDUS_ENVIRONMENTS")
    if given:
        return given
    for candidate in (_REPO / "Environments", _HERE / "Environments"):
        if candidate.is_dir():
            return str(candidate)
    return None


_SIGNATURES = {
    "ludus_abi_version": (_i32, []),
    "ludus_string_free": (None, [_p]),
    "ludus_episode_seed": (_u64, [_u64, _u64]),
    "ludus_list_json": (_i32, [ctypes.c_char_p, _str_out, ctypes.c_char_p, _i64]),
    "ludus_spec_json": (_i32, [ctypes.c_char_p, ctypes.c_char_p, _str_out, ctypes.c_char_p, _i64]),
    "ludus_batch_create": (_i32, [ctypes.c_char_p, ctypes.c_char_p, _i64, _i32, ctypes.POINTER(_p), ctypes.c_char_p, _i64]),
    "ludus_batch_free": (None, [_p]),
    "ludus_batch_spec_json": (_i32, [_p, _str_out, ctypes.c_char_p, _i64]),
    "ludus_batch_set_buffers": (_i32, [_p, _i32] + [_p] * 17 + [ctypes.c_char_p, _i64]),
    "ludus_batch_set_summary": (_i32, [_p, _p, ctypes.c_char_p, _i64]),
    "ludus_batch_set_params": (_i32, [_p, _i64, ctypes.c_char_p, ctypes.c_char_p, _i64]),
    "ludus_batch_reset": (_i32, [_p, _p, _i64, _p, _i32, ctypes.c_char_p, _i64]),
    "ludus_batch_step": (_i32, [_p, _p, _i64, _p, _p, _p, _p, ctypes.c_char_p, _i64]),
    "ludus_batch_send": (_i32, [_p, _p, _i64, _p, _p, _p, _p, ctypes.c_char_p, _i64]),
    "ludus_batch_recv": (_i32, [_p, ctypes.c_char_p, _i64]),
    "ludus_batch_flight": (_i32, [_p]),
    "ludus_batch_error": (_i32, [_p, _i64, _str_out, _str_out, ctypes.c_char_p, _i64]),
    "ludus_batch_render": (_i32, [_p, _i64, _i32, _str_out, ctypes.c_char_p, _i64]),
    "ludus_batch_call": (_i32, [_p, _i64, ctypes.c_char_p, ctypes.c_char_p, _i32, _str_out, ctypes.c_char_p, _i64]),
    "ludus_batch_set_threads": (_i32, [_p, _i32, ctypes.c_char_p, _i64]),
    "ludus_batch_seat_observation": (_i32, [_p, _i64, _i32, _p, _i64, ctypes.c_char_p, _i64]),
    "ludus_batch_set_next_seed": (_i32, [_p, _i64, _u64, _i32, ctypes.c_char_p, _i64]),
    "ludus_dataset_create": (_i32, [ctypes.c_char_p, ctypes.c_char_p, _i32, ctypes.POINTER(_p), ctypes.c_char_p, _i64]),
    "ludus_dataset_free": (None, [_p]),
    "ludus_dataset_items": (_i32, [_p, _i64, _i64, _u64, ctypes.c_char_p, _str_out, ctypes.c_char_p, _i64]),
    "ludus_dataset_score": (_i32, [_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_f64), ctypes.c_char_p, _i64]),
    "ludus_dataset_score_batch": (_i32, [_p, ctypes.c_char_p, _i64, _p, _p, _str_out, ctypes.c_char_p, _i64]),
    "ludus_dataset_spec_json": (_i32, [_p, _str_out, ctypes.c_char_p, _i64]),
    "ludus_dataset_stream_open": (_i32, [_p, _i64, _i64, _u64, ctypes.c_char_p, _i64, ctypes.POINTER(_p), ctypes.c_char_p, _i64]),
    "ludus_dataset_stream_next": (_i32, [_p, ctypes.POINTER(_p), ctypes.POINTER(_i64), ctypes.c_char_p, _i64]),
    "ludus_dataset_stream_free": (None, [_p]),
    "ludus_dataset_score_entries": (_i32, [_p, ctypes.c_char_p, _i64, ctypes.c_char_p, _p, _i64, _p, _p, _str_out,
                                           ctypes.c_char_p, _i64]),
    "ludus_teacher_create": (_i32, [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_p), ctypes.c_char_p, _i64]),
    "ludus_teacher_free": (None, [_p]),
    "ludus_teacher_sample": (_i32, [_p, _str_out, ctypes.c_char_p, _i64]),
    "ludus_teacher_update": (_i32, [_p, _i64, _f64, _i32, _i64, _f64, _f64, ctypes.POINTER(_f64), ctypes.c_char_p, _i64]),
    "ludus_teacher_summary": (_i32, [_p, _str_out, ctypes.c_char_p, _i64]),
}

_lib = None
_lock = threading.Lock()
ERROR_CAPACITY = 8192


def lib():
    """The loaded library (loaded on first use)."""
    global _lib
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        for candidate in library_candidates():
            if candidate.exists():
                loaded = ctypes.CDLL(str(candidate))
                break
            tried.append(str(candidate))
        else:
            raise LudusError(
                "cannot find libludus_c.so (tried " + ", ".join(tried) + "); build it with `make python` "
                "or point LUDUS_LIBRARY at it"
            )
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(loaded, name)
            function.restype = restype
            function.argtypes = argtypes
        version = loaded.ludus_abi_version()
        if version != ABI_VERSION:
            raise LudusError(f"libludus_c.so speaks ABI {version}, this package speaks {ABI_VERSION}: rebuild it")
        _lib = loaded
        return _lib


_buffers = threading.local()


def error_buffer():
    """A per-thread buffer for messages."""
    buffer = getattr(_buffers, "error", None)
    if buffer is None:
        buffer = _buffers.error = ctypes.create_string_buffer(ERROR_CAPACITY)
    return buffer


def check(status, buffer, kind=None):
    """Raises the exception for a non-zero status with the buffer's message."""
    if status != 0:
        raise from_status(status, buffer.value.decode("utf-8", "replace"), kind=kind)


def call(name, *args):
    """Calls ``name(*args, error, capacity)`` and raises on a non-zero status."""
    buffer = error_buffer()
    status = getattr(lib(), name)(*args, buffer, ERROR_CAPACITY)
    check(status, buffer)
    return status


def take_string(pointer):
    """The text of a string the library allocated, which is then freed."""
    if not pointer:
        return ""
    try:
        return ctypes.string_at(pointer).decode("utf-8", "replace")
    finally:
        lib().ludus_string_free(pointer)


def call_string(name, *args):
    """Calls a function whose last output is a malloc'd string; returns the string."""
    out = ctypes.c_void_p()
    buffer = error_buffer()
    status = getattr(lib(), name)(*args, ctypes.byref(out), buffer, ERROR_CAPACITY)
    text = take_string(out.value)
    check(status, buffer)
    return text


def encode(text):
    return None if text is None else str(text).encode("utf-8")


def options_json(paths=None, memory_limit=None, time_limit=None, **extra):
    """The JSON options object every loading function takes."""
    options = {"environments": environments_root()}
    if paths:
        options["paths"] = [str(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if memory_limit is not None:
        options["memory_limit"] = int(memory_limit)
    if time_limit is not None:
        options["time_limit"] = int(time_limit)
    options.update({k: v for k, v in extra.items() if v is not None})
    return json.dumps(options, default=to_json).encode("utf-8")


def to_json(value):
    """numpy scalars and other numbers as JSON."""
    try:
        import numpy as np

        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return float(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot pass {value!r} to the engine as JSON")


def params_json(params):
    return json.dumps(dict(params or {}), default=to_json).encode("utf-8")


def loads_lines(data):
    """JSON lines (bytes, each ending in a newline) as a list, parsed in one call: one JSON
    array, not one parse per line. orjson when installed; json otherwise, or when orjson
    refuses the text (invalid UTF-8: decoded with replacement, as ``take_string`` does), so
    both give the same values."""
    if not data:
        return []
    array = b"[" + data.rstrip(b"\n").replace(b"\n", b",") + b"]"  # JSON lines hold no raw newline
    # Parsed JSON holds no reference cycle, so the cyclic collector has nothing to find in
    # it; left on, it runs every few hundred new dicts and walks everything kept so far:
    # 60% of the parse (12.5 against 4.7 us per countdown item).
    enabled = gc.isenabled()
    gc.disable()
    try:
        if _orjson is not None:
            try:
                return _orjson.loads(array)
            except _orjson.JSONDecodeError:
                pass
        return json.loads(array.decode("utf-8", "replace"))
    finally:
        if enabled:
            gc.enable()


def dumps_strings(strings):
    """A list of strings as a JSON array (bytes). orjson writes non-ASCII characters as UTF-8
    where json writes ``\\u`` escapes: the engine decodes both to the same bytes. A string
    orjson refuses (a lone surrogate) sends the list to json."""
    if _orjson is not None:
        try:
            return _orjson.dumps(strings)
        except TypeError:
            pass
    return json.dumps(strings).encode("utf-8")

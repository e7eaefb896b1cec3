"""Ludus spaces as Gymnasium spaces, and the decoding of the flat buffers the engine
writes (numbers in the layout order of the space, texts in their own slots) back into
observations of those spaces."""

import string

import numpy as np
from gymnasium import spaces

from .errors import SetupError

# Gymnasium's Text checks every character against a charset; Ludus texts may hold any
# character, so the charset is only what `sample()` draws from.
_SAMPLE_CHARSET = string.ascii_letters + string.digits + string.punctuation + " \n"


class AnyText(spaces.Text):
    """A Text space whose members are any strings of a length in ``[min_length, max_length]``."""

    def __init__(self, max_length, min_length=0, seed=None):
        super().__init__(max_length, min_length=min_length, charset=_SAMPLE_CHARSET, seed=seed)

    def contains(self, x):
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self):
        return f"AnyText({self.min_length}, {self.max_length})"


def _bound(x):
    if isinstance(x, str):
        return float(x)  # "inf", "-inf"
    return float(x)


class Decoder:
    """Turns rows of the number buffer (and the text slots) into observations."""

    def __init__(self, space_json, dtype=np.float32, text_bytes=None):
        self.dtype = np.dtype(dtype)
        # With `text_bytes`, texts are uint8 arrays of that many UTF-8 bytes, zero-padded
        # (EnvPool's convention; PettingZoo's checks want numpy values everywhere).
        self.text_bytes = text_bytes
        self._numbers = 0
        self._texts = 0
        self.space, self.tree = self._build(space_json)
        self.number_count = self._numbers
        self.text_count = self._texts
        # The last batch of texts (the list the batch hands out again, as it is, while no
        # text changed) and the column of each slot built from it.
        self._columns = (None, {})
        self._many = self._compile(self.tree)

    def _build(self, s):
        kind = s["type"]
        if kind == "discrete":
            offset = self._numbers
            self._numbers += 1
            return spaces.Discrete(int(s["n"]), start=int(s["start"])), ("discrete", offset)
        if kind == "box":
            shape = tuple(int(d) for d in s["shape"])
            count = int(np.prod(shape)) if shape else 1
            low = np.array([_bound(x) for x in s["low"]], dtype=np.float64).reshape(shape)
            high = np.array([_bound(x) for x in s["high"]], dtype=np.float64).reshape(shape)
            offset = self._numbers
            self._numbers += count
            box = spaces.Box(low=low.astype(self.dtype), high=high.astype(self.dtype), shape=shape, dtype=self.dtype)
            return box, ("box", offset, count, shape)
        if kind == "multi_discrete":
            nvec = [int(n) for n in s["nvec"]]
            offset = self._numbers
            self._numbers += len(nvec)
            return spaces.MultiDiscrete(nvec), ("multi", offset, len(nvec), np.int64)
        if kind == "multi_binary":
            n = int(s["n"])
            offset = self._numbers
            self._numbers += n
            return spaces.MultiBinary(n), ("multi", offset, n, np.int8)
        if kind == "text":
            slot = self._texts
            self._texts += 1
            if self.text_bytes:
                return spaces.Box(0, 255, shape=(self.text_bytes,), dtype=np.uint8), ("bytes", slot)
            return AnyText(int(s["max_length"]), min_length=int(s["min_length"])), ("text", slot)
        if kind == "dict":
            parts = [(e["name"], self._build(e["space"])) for e in s["entries"]]
            return (
                spaces.Dict({name: part[0] for name, part in parts}),
                ("dict", [(name, part[1]) for name, part in parts]),
            )
        if kind == "tuple":
            parts = [self._build(p) for p in s["spaces"]]
            return spaces.Tuple([p[0] for p in parts]), ("tuple", [p[1] for p in parts])
        raise SetupError(f"unknown space type {kind!r}")

    def one(self, numbers, texts, tree=None):
        """One observation from one row of numbers and that row's texts."""
        node = self.tree if tree is None else tree
        kind = node[0]
        if kind == "discrete":
            return np.int64(numbers[node[1]])
        if kind == "box":
            _, offset, count, shape = node
            return numbers[offset : offset + count].reshape(shape).astype(self.dtype, copy=True)
        if kind == "multi":
            _, offset, count, dtype = node
            return numbers[offset : offset + count].astype(dtype)
        if kind == "text":
            return texts[node[1]]
        if kind == "bytes":
            return np.frombuffer(texts[node[1]].encode("utf-8")[: self.text_bytes].ljust(self.text_bytes, b"\0"), dtype=np.uint8).copy()
        if kind == "dict":
            return {name: self.one(numbers, texts, child) for name, child in node[1]}
        return tuple(self.one(numbers, texts, child) for child in node[1])

    def _compile(self, node):
        """``many`` of ``node`` as one function of (numbers, texts): the tree is walked once
        here, not on every step."""
        kind = node[0]
        if kind == "discrete":
            offset = node[1]
            return lambda numbers, texts: numbers[:, offset].astype(np.int64)
        if kind == "box":
            _, offset, count, shape = node
            dtype = self.dtype
            return lambda numbers, texts: numbers[:, offset : offset + count].reshape((numbers.shape[0],) + shape).astype(dtype, copy=True)
        if kind == "multi":
            _, offset, count, dtype = node
            return lambda numbers, texts: numbers[:, offset : offset + count].astype(dtype)
        if kind == "text":
            return lambda numbers, texts: self._text_column(texts, node[1])
        if kind == "bytes":
            return lambda numbers, texts: np.stack([self.one(None, row, node) for row in texts])
        if kind == "dict":
            parts = [(name, self._compile(child)) for name, child in node[1]]
            return lambda numbers, texts: {name: part(numbers, texts) for name, part in parts}
        parts = [self._compile(child) for child in node[1]]
        return lambda numbers, texts: tuple(part(numbers, texts) for part in parts)

    def _text_column(self, texts, slot):
        """Slot ``slot`` of every row, built once per list of texts (the batch hands out the
        same list while no text changed)."""
        rows, columns = self._columns
        if rows is not texts:
            self._columns = rows, columns = texts, {}
        column = columns.get(slot)
        if column is None:
            column = columns[slot] = tuple(row[slot] for row in texts)
        return column  # a tuple of strings: nothing a caller can change

    def many(self, numbers, texts):
        """A batch of observations (Gymnasium's batched layout) from rows of numbers and
        texts (``texts[i][slot]``)."""
        return self._many(numbers, texts)


def action_space(s):
    """The Gymnasium action space of a Ludus action space, and how actions are passed:
    ``"discrete"``, ``"vector"`` (with its width) or ``"text"``."""
    kind = s["type"]
    if kind == "discrete":
        return spaces.Discrete(int(s["n"]), start=int(s["start"])), "discrete", 0
    if kind == "box":
        shape = tuple(int(d) for d in s["shape"])
        low = np.array([_bound(x) for x in s["low"]], dtype=np.float64).reshape(shape)
        high = np.array([_bound(x) for x in s["high"]], dtype=np.float64).reshape(shape)
        box = spaces.Box(low=low.astype(np.float32), high=high.astype(np.float32), shape=shape, dtype=np.float32)
        return box, "vector", int(np.prod(shape)) if shape else 1
    if kind == "multi_discrete":
        nvec = [int(n) for n in s["nvec"]]
        return spaces.MultiDiscrete(nvec), "vector", len(nvec)
    if kind == "multi_binary":
        return spaces.MultiBinary(int(s["n"])), "vector", int(s["n"])
    if kind == "text":
        return AnyText(int(s["max_length"]), min_length=int(s["min_length"])), "text", 0
    raise SetupError(f"{kind} action spaces are not supported (use discrete, box, multi-discrete, multi-binary or text)")

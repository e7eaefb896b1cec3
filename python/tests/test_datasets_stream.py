"""Datasets made a chunk at a time and answers scored against entries encoded once: the
same bytes, items and scores as the one-call paths (`ludus_dataset_items`,
`ludus_dataset_score_batch`) and the CLI, with orjson and without."""

import ctypes
import json
import threading

import numpy as np
import pytest

import ludus
from ludus import _native, datasets

ITEMS = """
local made = 0
local E = {
  id = "test/items", description = "items that can fail", version = "1.0.0",
  observation_space = space.discrete(10), action_space = space.discrete(2),
  params = { fail_at = { kind = "int", min = -1, max = 100000, default = -1, description = "the call of E.item that fails" } },
  max_steps = 20,
}
function E.reset(self, params) self.fail_at = params.fail_at; return 0, {} end
function E.step(self, action) return 0, 0.0, true, false, {} end
function E.item(self)
  if made == self.fail_at then error("item boom") end
  made = made + 1
  return { question = "q\\n" .. made .. " \\u{e9}", answer = tostring(made), metadata = { made = made, half = made / 2 } }
end
function E.score_item(self, item, answer)
  if answer == "boom" then error("score boom") end
  return answer == item.answer and 1.0 or 0.0
end
return E
"""


@pytest.fixture
def items_script(tmp_path):
    path = tmp_path / "items.lua"
    path.write_text(ITEMS)
    return path


@pytest.fixture(params=["orjson", "json"])
def codec(request, monkeypatch):
    """Every test twice: with orjson (when installed) and with the json fallback."""
    if request.param == "json":
        monkeypatch.setattr(_native, "_orjson", None)
    elif _native._orjson is None:
        pytest.skip("orjson is not installed")
    return request.param


def raw_chunks(stream):
    """A stream's chunks as the engine wrote them (bytes), and the final status."""
    chunks = []
    while True:
        pointer, length = ctypes.c_void_p(), ctypes.c_int64()
        buffer = _native.error_buffer()
        status = stream.lib.ludus_dataset_stream_next(stream.handle, ctypes.byref(pointer), ctypes.byref(length),
                                                      buffer, _native.ERROR_CAPACITY)
        chunk = ctypes.string_at(pointer.value, length.value) if length.value else b""
        if status != 0:
            return chunks, chunk, status, buffer.value.decode()
        if not chunk:
            return chunks, b"", 0, ""
        chunks.append(chunk)


@pytest.mark.parametrize("first,count,chunk", [(0, 700, 0), (0, 700, 1), (3, 500, 37), (0, 513, 256), (10, 0, 0)])
def test_stream_bytes_equal_items_bytes(first, count, chunk):
    source = datasets._Source("countdown", workers=2)
    whole = _native.call_string("ludus_dataset_items", source.handle, first, count, 9, b"{}").encode("utf-8")
    chunks, tail, status, _ = raw_chunks(source.stream(first, count, 9, {}, chunk))
    assert status == 0 and tail == b""
    assert b"".join(chunks) == whole
    size = chunk or 512
    assert [c.count(b"\n") for c in chunks] == [min(size, count - k) for k in range(0, count, size)]


def test_lazy_items_equal_eager_items_and_the_cli(cli, codec):
    data = ludus.create_dataset("countdown", size=600, seed=5, min_numbers=3)
    assert data[550]["question"]  # made before the items before it are read
    assert len(data._lines) == 1024 or len(data._lines) >= 551
    eager = datasets._Source("countdown", workers=1).items(0, 600, 5, {"min_numbers": 3})
    assert list(data) == eager and data[10:20] == eager[10:20] and data[-1] == eager[-1]
    out = cli("generate", "countdown", "--count", 600, "--seed", 5, "--param", "min_numbers=3").stdout
    assert [json.loads(line) for line in out.splitlines()] == eager


def test_iteration_reads_a_chunk_at_a_time():
    data = ludus.LudusDataset("countdown", size=2000, seed=1, workers=1, chunk=100)
    it = iter(data)
    next(it)
    assert len(data._lines) == 100
    for _ in range(150):
        next(it)
    assert len(data._lines) == 200


def test_scoring_while_the_stream_makes_its_next_chunk():
    """The stream makes chunk k+1 on a thread of its own while chunk k is read; scoring on
    the same VMs meanwhile (one call, many answers, from other threads too) waits its turn
    and neither side sees the other's state: the same scores and the same items."""
    data = ludus.LudusDataset("countdown", size=1500, seed=4, workers=1, chunk=300)
    eager = datasets._Source("countdown", workers=1).items(0, 1500, 4, {})
    first = data[0]  # chunk 0 read; chunk 1 is being made now
    scores = [[], [], []]

    def score(mine):
        for _ in range(20):
            mine.append(data.score_answer(first["answer"], first))
            mine.append(data.score_answer(first["answer"] + " + 1", first))

    threads = [threading.Thread(target=score, args=(mine,)) for mine in scores]
    for thread in threads:
        thread.start()
    read = list(data)  # the chunks made while the threads score
    for thread in threads:
        thread.join()
    assert scores == [[1.0, 0.05] * 20] * 3
    assert read == eager and data.score_answers([e["answer"] for e in eager[:50]]).tolist() == [1.0] * 50


def test_reading_an_item_gives_a_new_dict():
    data = ludus.create_dataset("countdown", size=20, seed=2)
    first = data[3]
    first["answer"] = "changed"
    first["metadata"]["numbers"].append(-1)
    again = data[3]
    assert again["answer"] != "changed" and -1 not in again["metadata"]["numbers"]
    assert list(data)[3] == again and data[2:5][1] == again and data[4:1:-1][1] == again


def test_empty_dataset():
    data = ludus.create_dataset("countdown", size=0, seed=1)
    assert len(data) == 0 and list(data) == [] and data[0:5] == []
    with pytest.raises(IndexError):
        data[0]
    assert len(data.score_answers([])) == 0
    assert len(ludus.score_answers([], [])) == 0
    with pytest.raises(ValueError):
        ludus.create_dataset("countdown", size=-1)


def test_setup_errors_raise_at_creation():
    with pytest.raises(ludus.SetupError):
        ludus.create_dataset("countdown", size=5, no_such_param=1)
    with pytest.raises(ludus.LudusError, match="E.item"):
        ludus.create_dataset("corridor", size=0)


def test_a_failing_item_raises_the_clis_message_after_the_items_before_it(items_script, cli, codec):
    data = ludus.LudusDataset(str(items_script), size=10, workers=1, fail_at=6)
    assert [data[i]["answer"] for i in range(6)] == [str(k) for k in range(1, 7)]
    with pytest.raises(ludus.ScriptError) as caught:
        data[6]
    with pytest.raises(ludus.ScriptError):
        list(data)  # and again: the dataset stays broken past item 6
    done = cli("generate", items_script, "--count", 10, "--workers", 1, "--param", "fail_at=6", check=False)
    assert done.returncode != 0
    assert [json.loads(line) for line in done.stdout.splitlines()] == data[0:6]
    message = str(caught.value)
    assert "item boom" in message and "items.lua:" in message
    assert message.splitlines()[0] in done.stderr


def test_items_with_escapes_parse_alike(items_script, codec):
    data = ludus.LudusDataset(str(items_script), size=3, workers=1)
    assert data[0]["question"] == "q\n1 \u00e9" and data[1]["metadata"] == {"made": 2, "half": 1}


ANSWERS = ["", "1 + 2", "\u00e9t\u00e9", "\U0001F600 + 1", 'a "quoted" \\ back\nslash', "\t", None, 17]


def score_lines_reference(source, answers, entries):
    """What `ludus_dataset_score_batch` gives for the lines built the old way, in Python."""
    lines = ['{"item": ' + json.dumps(e) + ', "answer": ' + json.dumps("" if a is None else str(a)) + "}"
             for a, e in zip(answers, entries)]
    count = len(lines)
    scores, status = np.zeros(count), np.zeros(count, dtype=np.int32)
    messages = ctypes.c_void_p()
    buffer = _native.error_buffer()
    code = source.lib.ludus_dataset_score_batch(source.handle, "\n".join(lines).encode(), count, ctypes.c_void_p(scores.ctypes.data),
                                                ctypes.c_void_p(status.ctypes.data), ctypes.byref(messages), buffer,
                                                _native.ERROR_CAPACITY)
    texts = json.loads(_native.take_string(messages.value) or "[]")
    scores[[k for k, a in enumerate(answers) if a is None]] = 0.0
    return code, scores, status, texts


@pytest.mark.parametrize("name", ["countdown", "sudoku"])
def test_score_entries_equal_score_batch(name, codec):
    rg = pytest.importorskip("reasoning_gym")
    theirs = rg.create_dataset(name, size=20, seed=42)
    items = [theirs[i] for i in range(20)]
    answers, entries = [], []
    for k, item in enumerate(items):
        for answer in [item["answer"], item["answer"] + " + 1", ANSWERS[k % len(ANSWERS)]]:
            answers.append(answer)
            entries.append(item)
    source = datasets._Source(name, workers=2)
    code, expected, _, _ = score_lines_reference(source, answers, entries)
    assert code == 0
    mine = ludus.score_answers(answers, entries, env=name)
    assert mine.tobytes() == expected.tobytes()
    assert [s for s, a in zip(mine, answers) if isinstance(a, str)] == \
        [theirs.score_answer(a, e) for a, e in zip(answers, entries) if isinstance(a, str)]


def test_score_entries_failures_equal_score_batch_and_the_cli(items_script, cli, codec):
    data = ludus.LudusDataset(str(items_script), size=4, workers=2)
    entries = [data[0], {"question": "?"}, data[2], data[3], data[0]]
    answers = ["1", "x", "boom", "4", ANSWERS[4]]
    scores = data.score_answers(answers, entries, errors="nan")
    code, expected, status, texts = score_lines_reference(data._source, answers, entries)
    assert code == 5 and np.array_equal(scores, expected, equal_nan=True)
    with pytest.raises(ludus.BatchError) as caught:
        data.score_answers(answers, entries)
    errors = caught.value.errors
    assert sorted(errors) == [k for k in range(5) if status[k] != 0] and 2 in errors
    assert all(str(errors[k]) == texts[k] for k in errors)
    batch = items_script.parent / "batch.jsonl"
    batch.write_text("".join(json.dumps({"item": e, "answer": a}) + "\n" for a, e in zip(answers, entries)))
    out = cli("score", items_script, "--batch", batch, check=False)
    assert "score boom" in str(errors[2]) and str(errors[2]).splitlines()[0] in out.stdout + out.stderr


def test_score_entries_bad_arguments():
    source = datasets._Source("countdown", workers=1)
    scores, index = np.zeros(2), np.array([0, 3], dtype=np.int64)
    buffer = _native.error_buffer()
    call = source.lib.ludus_dataset_score_entries

    def run(entries, count, answers, index):
        return call(source.handle, entries, count, answers, ctypes.c_void_p(index.ctypes.data), len(index),
                    ctypes.c_void_p(scores.ctypes.data), None, None, buffer, _native.ERROR_CAPACITY)

    assert run(b'{"a": 1}', 1, b'["x", "y"]', index) == 3 and b"index[1] is 3" in buffer.value
    assert run(b'{"a": 1}', 1, b'["x", 2]', np.zeros(2, dtype=np.int64)) == 3 and b"element 1 is not a string" in buffer.value
    assert run(b'{"a": 1}', 1, b'["x"]', np.zeros(2, dtype=np.int64)) == 3 and b"2 answers expected, got 1" in buffer.value
    assert run(b'{"a": 1}', 2, b'["x", "y"]', np.zeros(2, dtype=np.int64)) == 3 and b"2 entries expected" in buffer.value
    with pytest.raises(ValueError):
        ludus.score_answers(["1", "2"], [{"metadata": {"source_dataset": "countdown"}}], env="countdown")


def test_answer_spans_keep_escapes():
    assert _native.dumps_strings(["a\"b", "\\"]) in (b'["a\\"b","\\\\"]', b'["a\\"b", "\\\\"]')
    source = datasets._Source("countdown", workers=1)
    entry = ludus.create_dataset("countdown", size=1, seed=2)[0]
    for answer in ['"', "\\", "\\\"", entry["answer"]]:
        assert source.score_many([answer], [entry])[0] == source.score(answer, entry)

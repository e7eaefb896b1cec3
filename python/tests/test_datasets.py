"""reasoning-gym-style datasets: the items of `ludus generate`, the scores of `ludus score`."""

import json

import pytest

import ludus


def test_items_equal_ludus_generate(cli):
    data = ludus.create_dataset("countdown", size=40, seed=7, min_numbers=3, max_numbers=4)
    out = cli("generate", "countdown", "--count", 40, "--seed", 7, "--param", "min_numbers=3", "--param", "max_numbers=4").stdout
    expected = [json.loads(line) for line in out.splitlines()]
    assert len(data) == 40 and list(data) == expected
    assert set(data[0]) == {"question", "answer", "metadata"}


def test_workers_do_not_change_items():
    one = ludus.LudusDataset("countdown", size=30, seed=1, workers=1)
    two = ludus.LudusDataset("countdown", size=30, seed=1, workers=2)
    assert list(one) == list(two)


def test_score_answer_equals_ludus_score(cli):
    data = ludus.create_dataset("countdown", size=5, seed=3)
    entry = data[0]
    for answer in [entry["answer"], "1 + 2", "", "-1 + 3", None]:
        mine = data.score_answer(answer, entry)
        if answer is None:
            assert mine == 0.0
            continue
        theirs = float(cli("score", "countdown", "--item", json.dumps(entry), "--answer", answer).stdout)
        assert mine == theirs
    assert data.score_answer(entry["answer"], entry) == 1.0
    assert ludus.score_answer(entry["answer"], entry) == 1.0


def test_scores_reasoning_gym_items():
    rg = pytest.importorskip("reasoning_gym")
    items = list(rg.create_dataset("countdown", size=5, seed=42))
    scores = ludus.datasets.score_answers([i["answer"] for i in items], items)
    assert list(scores) == [1.0] * 5
    assert ludus.score_answer("1 + 1", items[0]) == rg.create_dataset("countdown", size=5, seed=42).score_answer("1 + 1", items[0])


def test_batch_scoring_goes_on_past_a_bad_item():
    data = ludus.create_dataset("countdown", size=3, seed=0)
    entries = [data[0], {"question": "?"}, data[2]]
    scores = data.score_answers([data[0]["answer"], "1", data[2]["answer"]], entries, errors="nan")
    assert scores[0] == 1.0 and scores[2] == 1.0 and scores[1] != scores[1]
    with pytest.raises(ludus.BatchError):
        data.score_answers(["1", "1", "1"], entries)


def test_unknown_dataset():
    with pytest.raises(ludus.SetupError):
        ludus.create_dataset("nope", size=1)
    with pytest.raises(ludus.LudusError, match="E.item"):
        ludus.create_dataset("corridor", size=1)

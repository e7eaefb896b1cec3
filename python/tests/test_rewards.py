"""Reward adapters for TRL and verl, tested without either installed."""

import json

import ludus
from ludus import rewards


def test_trl_reward_function():
    data = ludus.create_dataset("countdown", size=4, seed=2)
    rows = rewards.to_trl_rows(data)
    reward = rewards.trl_reward("countdown")
    completions = [
        [{"role": "assistant", "content": f"thinking... <answer>{data[0]['answer']}</answer>"}],
        [{"role": "assistant", "content": "<answer>1 + 1</answer>"}],
        [{"role": "assistant", "content": data[2]["answer"]}],
        [{"role": "assistant", "content": "no idea"}],
    ]
    scores = reward(completions, prompts=[r["prompt"] for r in rows], ludus_entry=[r["ludus_entry"] for r in rows])
    assert scores[0] == 1.0 and scores[2] == 1.0 and scores[1] < 1.0 and scores[3] < 1.0
    # plain string completions and reasoning-gym-style columns
    scores = reward([data[1]["answer"]], question=[data[1]["question"]], answer=[data[1]["answer"]],
                    metadata=[data[1]["metadata"]])
    assert scores == [1.0]


def test_verl_compute_score():
    data = ludus.create_dataset("countdown", size=2, seed=5)
    row = rewards.to_verl_rows(data)[0]
    assert row["data_source"] == "ludus/countdown" and row["reward_model"]["style"] == "rule"
    good = rewards.compute_score(row["data_source"], f"<answer>{data[0]['answer']}</answer>",
                                 row["reward_model"]["ground_truth"], row["extra_info"])
    bad = rewards.compute_score(row["data_source"], "<answer>7</answer>", json.loads(row["reward_model"]["ground_truth"]))
    assert good == 1.0 and bad < 1.0


def test_extract_answer():
    assert rewards.extract_answer("a <answer> 1 </answer> b <answer>2</answer>") == "2"
    assert rewards.extract_answer("just this") == "just this"

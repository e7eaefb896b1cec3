"""Reward functions over Ludus datasets for language-model trainers, needing neither
installed: TRL's ``GRPOTrainer(reward_funcs=...)`` and verl's custom ``compute_score``.

A completion's answer is the text inside its last ``<answer>...</answer>`` (reasoning-gym's
convention), else the whole completion; it is scored by the environment's
``E.score_item``, as ``ludus score`` does.
"""

import json
import re

from .datasets import score_answers

_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def extract_answer(completion):
    """The answer of a completion: a string, or a conversation (a list of messages, the
    last assistant one's content)."""
    if isinstance(completion, list):
        contents = [m.get("content", "") for m in completion if isinstance(m, dict) and m.get("role", "assistant") == "assistant"]
        completion = contents[-1] if contents else ""
    if completion is None:
        return None
    found = _ANSWER.findall(str(completion))
    return found[-1].strip() if found else str(completion).strip()


def _entry(value):
    if isinstance(value, str):
        return json.loads(value)
    return value


def to_trl_rows(dataset, system_prompt=None):
    """Rows for a Hugging Face dataset used by TRL: ``prompt`` (a conversation),
    ``ludus_entry`` (the item as JSON: TRL hands every column to the reward function)."""
    rows = []
    for entry in dataset:
        prompt = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
            {"role": "user", "content": entry["question"]}
        ]
        rows.append({"prompt": prompt, "ludus_entry": json.dumps(entry)})
    return rows


def trl_reward(env=None, extract=extract_answer):
    """A TRL reward function ``reward(completions, **kwargs) -> list[float]``. The items come
    from the ``ludus_entry`` column (see :func:`to_trl_rows`), else from ``question``,
    ``answer`` and ``metadata`` columns."""

    def ludus_reward(completions, **kwargs):
        if "ludus_entry" in kwargs:
            entries = [_entry(e) for e in kwargs["ludus_entry"]]
        else:
            entries = [
                {"question": q, "answer": a, "metadata": _entry(m)}
                for q, a, m in zip(kwargs["question"], kwargs["answer"], kwargs["metadata"])
            ]
        answers = [extract(c) for c in completions]
        return [float(s) for s in score_answers(answers, entries, env=env, errors="nan")]

    ludus_reward.__name__ = f"ludus_{(env or 'dataset').replace('/', '_')}_reward"
    return ludus_reward


def to_verl_rows(dataset, data_source=None, system_prompt=None):
    """Rows in verl's RL dataset shape: ``data_source`` (``ludus/NAME``), ``prompt``,
    ``reward_model`` ``{"style": "rule", "ground_truth": the item as JSON}``, ``extra_info``."""
    name = data_source or f"ludus/{dataset.name}"
    rows = []
    for index, entry in enumerate(dataset):
        prompt = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
            {"role": "user", "content": entry["question"]}
        ]
        rows.append({
            "data_source": name,
            "prompt": prompt,
            "ability": "reasoning",
            "reward_model": {"style": "rule", "ground_truth": json.dumps(entry)},
            "extra_info": {"index": index},
        })
    return rows


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    """verl's ``custom_reward_function``: the score of ``solution_str`` for the item in
    ``ground_truth`` (JSON or a dict; or ``extra_info["ludus_entry"]``). ``data_source``
    ``ludus/NAME`` (or ``NAME``) names the environment; else the item's source_dataset."""
    entry = (extra_info or {}).get("ludus_entry") if isinstance(extra_info, dict) else None
    entry = _entry(entry if entry is not None else ground_truth)
    env = data_source[len("ludus/"):] if isinstance(data_source, str) and data_source.startswith("ludus/") else None
    return float(score_answers([extract_answer(solution_str)], [entry], env=env, errors="nan")[0])

#!/usr/bin/env python3
"""Parity of Ludus's board games with OpenSpiel's (connect_four, tic_tac_toe).

For each game: play --games seeded random games in OpenSpiel (game i uses
random.Random(i) and picks uniformly among `state.legal_actions()`), recording
at every state the sorted legal actions, the player to move and the board;
then replay the same actions in Ludus with

    ludus replay GAME --episodes FILE --trace OUT

and compare, state by state:

- legal actions: connect_four publishes its legal list in `info.legal` (the
  list `legal_actions` copies); tic_tac_toe has no `info.legal`, so its legal
  actions are derived from the traced board (the empty cells, none once
  `to_play` is 0). For connect_four the board-derived list (the columns whose
  top cell is empty) is compared too.
- the player to move (trace `player` / `to_play` against OpenSpiel's
  `current_player()`) and the board (the traced observation against OpenSpiel's
  board string; connect_four's `board` lists rows top to bottom, as OpenSpiel
  prints them);
- at the end: the returns (sum of the traced reward lists against
  `state.returns()`), `terminated` exactly on the last move, and the length.

Prints one line per game,

    connect_four games=N legal_mismatches=M outcome_mismatches=K states=S board_mismatches=B

(legal_mismatches counts states whose legal set or player to move differ;
outcome_mismatches counts games whose returns, termination or length differ;
board_mismatches counts states whose board differs) and exits 1 on any
mismatch, 2 if OpenSpiel or the ludus binary is missing.

    python3 bench/parity_openspiel.py [--games 1000] [--ludus PATH] [--game connect_four]

Needs: pip install open-spiel
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GAMES = ["connect_four", "tic_tac_toe"]
CELL = {".": 0, "x": 1, "o": 2}


def board_codes(state) -> list[int]:
    """OpenSpiel's board as cell codes (0 empty, 1 x, 2 o), rows top to bottom."""
    return [CELL[ch] for ch in str(state) if ch in CELL]


def record(game_name: str, games: int, first_seed: int):
    """Seeded random games in OpenSpiel: per game the actions and every state."""
    import pyspiel

    game = pyspiel.load_game(game_name)
    episodes = []
    for i in range(games):
        seed = first_seed + i
        rng = random.Random(seed)
        state = game.new_initial_state()
        states, actions = [], []
        while True:
            over = state.is_terminal()
            legal = [] if over else sorted(state.legal_actions())
            states.append({"legal": legal, "player": 0 if over else state.current_player() + 1,
                           "board": board_codes(state)})
            if over:
                break
            a = rng.choice(legal)
            actions.append(a)
            state.apply_action(a)
        episodes.append({"seed": seed, "actions": actions, "states": states,
                         "returns": [float(r) for r in state.returns()]})
    return episodes


def find_ludus(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    for rel in (".build/release/ludus", ".build-c4/release/ludus", ".build/debug/ludus"):
        path = os.path.join(ROOT, rel)
        if os.access(path, os.X_OK):
            return path
    return shutil.which("ludus")


def outcome_problems(recs, ep):
    """How a replayed trace's outcome differs from OpenSpiel's episode: the summed per-player
    returns, and termination on the last move only (never truncation)."""
    returns = [0.0] * len(ep["returns"])
    term_at = []
    for rec in recs[1:]:
        reward = rec["reward"] if isinstance(rec["reward"], list) else [rec["reward"]]
        returns = [a + float(b) for a, b in zip(returns, reward)]
        if rec["terminated"]:
            term_at.append(int(rec["step"]))
        if rec["truncated"]:
            term_at.append(-1)
    problems = []
    if any(abs(a - b) > 1e-9 for a, b in zip(returns, ep["returns"])):
        problems.append(f"returns {returns} != {ep['returns']}")
    if term_at != [len(ep["actions"])]:
        problems.append(f"terminated at steps {term_at}, OpenSpiel ended after {len(ep['actions'])}")
    return problems


def run_ludus(ludus: str, game_name: str, episodes, workdir: str):
    """Replays the episodes with `ludus replay`; returns the trace lines per episode."""
    safe = game_name.replace("/", "__")  # ids such as gridworld/empty
    ep_file = os.path.join(workdir, f"{safe}.episodes.jsonl")
    trace = os.path.join(workdir, f"{safe}.trace.jsonl")
    with open(ep_file, "w") as f:
        for ep in episodes:
            f.write(json.dumps({"seed": ep["seed"], "params": {}, "actions": ep["actions"]}) + "\n")
    subprocess.run([ludus, "replay", game_name, "--episodes", ep_file, "--trace", trace],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    by_episode: dict[int, list[dict]] = {}
    with open(trace) as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                by_episode.setdefault(int(rec["episode"]), []).append(rec)
    return [by_episode.get(k + 1, []) for k in range(len(episodes))]


def flat(board) -> list[int]:
    out: list[int] = []
    for v in board:
        if isinstance(v, list):
            out.extend(flat(v))
        else:
            out.append(int(v))
    return out


def board_legal(game_name: str, cells: list[int], to_play: int) -> list[int]:
    """Legal actions implied by a board: empty cells (tic_tac_toe) or columns with an empty top cell."""
    if to_play == 0:
        return []
    if game_name == "connect_four":
        return [c for c in range(7) if cells[c] == 0]  # row 1 is the top row
    return [i for i, v in enumerate(cells) if v == 0]


def compare(game_name: str, episodes, traces):
    legal_bad = outcome_bad = board_bad = states = 0
    notes: list[str] = []

    def note(text: str):
        if len(notes) < 8:
            notes.append(text)

    for ep, recs in zip(episodes, traces):
        seed, want_states = ep["seed"], ep["states"]
        if len(recs) != len(want_states):
            outcome_bad += 1
            note(f"seed={seed}: {len(recs)} trace lines in Ludus, {len(want_states)} states in OpenSpiel")
        for t, (want, rec) in enumerate(zip(want_states, recs)):
            states += 1
            obs, info = rec["observation"], rec.get("info") or {}
            cells, to_play = flat(obs["board"]), int(obs["to_play"])
            derived = board_legal(game_name, cells, to_play)
            bad = []
            if game_name == "connect_four":
                got = sorted(int(a) for a in info.get("legal", []))
                if got != want["legal"]:
                    bad.append(f"info.legal {got} != {want['legal']}")
            if derived != want["legal"]:
                bad.append(f"board-derived legal {derived} != {want['legal']}")
            if to_play != want["player"]:
                bad.append(f"to_play {to_play} != {want['player']}")
            if t > 0 and int(rec["player"]) != want_states[t - 1]["player"]:
                bad.append(f"player {rec['player']} moved, OpenSpiel: {want_states[t - 1]['player']}")
            if bad:
                legal_bad += 1
                note(f"seed={seed} step={t}: " + "; ".join(bad))
            if cells != want["board"]:
                board_bad += 1
                note(f"seed={seed} step={t}: board {cells} != {want['board']}")
        # outcome: returns, terminated on the last move only, length
        problems = outcome_problems(recs, ep)
        if problems:
            outcome_bad += 1
            note(f"seed={seed}: " + "; ".join(problems))
    if len(traces) != len(episodes):
        outcome_bad += abs(len(traces) - len(episodes))
    return legal_bad, outcome_bad, board_bad, states, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--games", type=int, default=1000, help="random games per game type (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first game (game i uses seed+i)")
    ap.add_argument("--ludus", help="path of the ludus binary (default: .build/release/ludus, .build-c4/..., PATH)")
    ap.add_argument("--game", action="append", choices=GAMES, help="only these games (repeatable)")
    ap.add_argument("--keep", help="keep the episode and trace files in this folder")
    args = ap.parse_args()

    try:
        import pyspiel  # noqa: F401
    except ImportError:
        print("parity: needs OpenSpiel: pip install open-spiel", file=sys.stderr)
        return 2
    ludus = find_ludus(args.ludus)
    if ludus is None:
        print("parity: no ludus binary found (swift build -c release, or --ludus PATH)", file=sys.stderr)
        return 2

    failed = False
    workdir = args.keep or tempfile.mkdtemp(prefix="parity-openspiel-")
    os.makedirs(workdir, exist_ok=True)
    try:
        for game_name in args.game or GAMES:
            episodes = record(game_name, args.games, args.seed)
            traces = run_ludus(ludus, game_name, episodes, workdir)
            legal_bad, outcome_bad, board_bad, states, notes = compare(game_name, episodes, traces)
            print(f"{game_name} games={len(episodes)} legal_mismatches={legal_bad} "
                  f"outcome_mismatches={outcome_bad} states={states} board_mismatches={board_bad}", flush=True)
            for text in notes:
                print("  " + text)
            failed = failed or legal_bad > 0 or outcome_bad > 0 or board_bad > 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Parity of Ludus's imperfect-information games with OpenSpiel's.

For each game: play --games seeded random games in OpenSpiel (game i uses
random.Random(seed + i): chance outcomes drawn by their probabilities, moves
uniformly among the legal actions), recording at every state the player to
move, the legal actions, the chance outcomes with their probabilities and every
player's information_state_string; then replay the same actions (chance
outcomes included, as in OpenSpiel's history) with

    ludus replay GAME --episodes FILE --trace OUT

whose trace records, per state, `to_move` (-1 chance, 0 over), `legal`,
`chance_outcomes` and `information_states`, and compare state by state:

- legal: the player to move (OpenSpiel's 0-based player + 1, -1 for chance, 0 once
  terminal) and the sorted legal actions;
- chance: the outcomes and their probabilities (within 1e-9);
- infostate: information-state *distinctions*: over all states of all games, two
  states share a Ludus information state for player p exactly when they share
  OpenSpiel's (the strings themselves may differ: the map between them must be a
  bijection); counts the states whose pairing contradicts an earlier one;
- outcome: the returns (sum of the traced rewards against `state.returns()`),
  termination on the last action, the length.

Prints one line per game

    kuhn_poker games=1000 states=S legal_mismatches=0 chance_mismatches=0 infostate_mismatches=0 outcome_mismatches=0

Then CFR against OpenSpiel's, in the same run: OpenSpiel's `cfr.CFRSolver` and
`ludus exploitability GAME --agent cfr:N` for the same N iterations (--cfr, per
game in CFR_GAMES), printing both NashConvs; more than 2x OpenSpiel's fails.

    kuhn_poker cfr iterations=1000 ludus_nash_conv=0.001875 openspiel_nash_conv=0.001875 ratio=1.000

Exits 1 on any mismatch, 2 if OpenSpiel or the ludus binary is missing.

    python3 bench/parity_openspiel_poker.py [--games 1000] [--ludus PATH] [--game kuhn_poker]
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_openspiel import find_ludus, outcome_problems, run_ludus  # noqa: E402  (the same replay, trace reading and outcome check)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Ludus id -> OpenSpiel game string.
GAMES = {
    "kuhn_poker": "kuhn_poker",
    "kuhn_poker(players=3)": "kuhn_poker(players=3)",
    "kuhn_poker(players=4)": "kuhn_poker(players=4)",
    "leduc_poker": "leduc_poker",
    "liars_dice": "liars_dice",
    "goofspiel": "turn_based:goofspiel(num_cards=4,imp_info=True,points_order=random)",
}


def record(spiel_name: str, games: int, first_seed: int):
    import pyspiel

    # "turn_based:GAME": OpenSpiel's simultaneous game as sequential moves (pyspiel.convert_to_turn_based).
    game = (pyspiel.convert_to_turn_based(pyspiel.load_game(spiel_name[len("turn_based:"):]))
            if spiel_name.startswith("turn_based:") else pyspiel.load_game(spiel_name))
    players = game.num_players()
    episodes = []
    for i in range(games):
        seed = first_seed + i
        rng = random.Random(seed)
        state = game.new_initial_state()
        states, actions = [], []
        while True:
            entry = {}
            if state.is_terminal():
                entry["to_move"] = 0
                entry["legal"] = []
            elif state.is_chance_node():
                entry["to_move"] = -1
                entry["legal"] = []
                entry["chance"] = sorted([int(a), float(p)] for a, p in state.chance_outcomes())
            else:
                entry["to_move"] = state.current_player() + 1
                entry["legal"] = sorted(int(a) for a in state.legal_actions())
            if not state.is_chance_node() and not state.is_terminal():
                entry["infostates"] = [state.information_state_string(p) for p in range(players)]
            states.append(entry)
            if state.is_terminal():
                break
            if state.is_chance_node():
                outcomes = state.chance_outcomes()
                a = rng.choices([o[0] for o in outcomes], weights=[o[1] for o in outcomes])[0]
            else:
                a = rng.choice(entry["legal"])
            actions.append(int(a))
            state.apply_action(a)
        episodes.append({"seed": seed, "actions": actions, "states": states,
                         "returns": [float(r) for r in state.returns()]})
    return episodes


# Ludus id -> CFR iterations compared with OpenSpiel's CFRSolver by default.
CFR_GAMES = {"kuhn_poker": 1000, "kuhn_poker(players=3)": 100, "leduc_poker": 20}


def cfr_parity(ludus: str, name: str, iterations: int) -> bool:
    import pyspiel
    from open_spiel.python.algorithms import cfr, exploitability

    game = pyspiel.load_game(GAMES[name])
    solver = cfr.CFRSolver(game)
    for _ in range(iterations):
        solver.evaluate_and_update_policy()
    theirs = exploitability.nash_conv(game, solver.average_policy())
    out = subprocess.run([ludus, "exploitability", name, "--agent", f"cfr:{iterations}", "--json"],
                         check=True, cwd=ROOT, capture_output=True, text=True).stdout
    mine = json.loads(out.strip().splitlines()[-1])["nash_conv"]
    ratio = mine / theirs if theirs > 0 else float("inf")
    print(f"{name} cfr iterations={iterations} ludus_nash_conv={mine:.6f} openspiel_nash_conv={theirs:.6f} ratio={ratio:.3f}")
    return ratio <= 2.0


def compare(episodes, traces):
    legal_bad = chance_bad = info_bad = outcome_bad = states = 0
    notes: list[str] = []
    ludus_to_spiel: dict[tuple[int, str], str] = {}
    spiel_to_ludus: dict[tuple[int, str], str] = {}

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
            got_legal = sorted(int(a) for a in rec.get("legal", []))
            if int(rec.get("to_move", -99)) != want["to_move"] or got_legal != want["legal"]:
                legal_bad += 1
                note(f"seed={seed} step={t}: to_move {rec.get('to_move')} legal {got_legal}; OpenSpiel {want['to_move']} {want['legal']}")
            if "chance" in want:
                got = sorted([int(a), float(p)] for a, p in rec.get("chance_outcomes", []))
                if [a for a, _ in got] != [a for a, _ in want["chance"]] or any(
                        abs(p - q) > 1e-9 for (_, p), (_, q) in zip(got, want["chance"])):
                    chance_bad += 1
                    note(f"seed={seed} step={t}: chance {got} != {want['chance']}")
            if "infostates" in want:
                got = rec.get("information_states", [])
                bad = False
                for p, (mine, theirs) in enumerate(zip(got, want["infostates"])):
                    paired, back = ludus_to_spiel.setdefault((p, mine), theirs), spiel_to_ludus.setdefault((p, theirs), mine)
                    if paired != theirs or back != mine:
                        bad = True
                        note(f"seed={seed} step={t} player={p + 1}: Ludus {mine!r} pairs with OpenSpiel {theirs!r}, "
                             f"before with {ludus_to_spiel[(p, mine)]!r} / {spiel_to_ludus[(p, theirs)]!r}")
                if bad or len(got) != len(want["infostates"]):
                    info_bad += 1
        problems = outcome_problems(recs, ep)
        if problems:
            outcome_bad += 1
            note(f"seed={seed}: " + "; ".join(problems))
    return legal_bad, chance_bad, info_bad, outcome_bad, states, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--games", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ludus")
    ap.add_argument("--game", action="append", choices=sorted(GAMES))
    ap.add_argument("--keep")
    ap.add_argument("--cfr", type=int, help="CFR iterations for every game in CFR_GAMES (default: per game)")
    ap.add_argument("--no-cfr", action="store_true", help="skip the CFR comparison")
    args = ap.parse_args()
    try:
        import pyspiel  # noqa: F401
    except ImportError:
        print("OpenSpiel is not installed (make peers)", file=sys.stderr)
        return 2
    ludus = find_ludus(args.ludus)
    if not ludus:
        print("no ludus binary (make release)", file=sys.stderr)
        return 2
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        for name in args.game or [g for g in GAMES if os.path.exists(os.path.join(ROOT, "Environments", g.split("(")[0] + ".lua"))]:
            episodes = record(GAMES[name], args.games, args.seed)
            traces = run_ludus(ludus, name, episodes, workdir)
            legal_bad, chance_bad, info_bad, outcome_bad, states, notes = compare(episodes, traces)
            print(f"{name} games={len(episodes)} states={states} legal_mismatches={legal_bad} chance_mismatches={chance_bad} "
                  f"infostate_mismatches={info_bad} outcome_mismatches={outcome_bad}")
            for text in notes:
                print("  " + text)
            failed = failed or legal_bad or chance_bad or info_bad or outcome_bad
            if not args.no_cfr and name in CFR_GAMES:
                failed = failed or not cfr_parity(ludus, name, args.cfr or CFR_GAMES[name])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

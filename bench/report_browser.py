#!/usr/bin/env python3
"""`ludus report` checked in a real browser (Debian's headless Chromium).

Builds a small demo-like database with the given ludus (a tournament, a critic run, teach
runs of two teachers over two seeds, a self-play run), writes its report, renders it and
asserts from the page itself that every section is present, every chart drew marks (SVG
elements under Vega's role-mark groups), and no script error, console error or Vega
warning was raised. Then the bad inputs: an empty file, a file that is not SQLite, a
foreign SQLite database, an older schema (v1: tournaments only), a partial run and a run
killed with SIGKILL mid-way: each report renders with no error and says what is missing.

    python3 bench/report_browser.py --ludus .build/debug/ludus [--screenshot docs/report.png] [--keep DIR]
"""
import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def ludus(binary, *args):
    result = subprocess.run([binary, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"ludus {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def render(page, screenshot=None):
    """The page's DOM after its scripts ran, its #ludus-status, and Chromium's console lines."""
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=30000", "--user-data-dir=" + tempfile.mkdtemp(prefix="ludus-chromium-")]
    result = subprocess.run(base + ["--dump-dom", "file://" + os.path.abspath(page)], capture_output=True, text=True, timeout=180)
    dom = result.stdout
    match = re.search(r'<pre id="ludus-status"[^>]*>(.*?)</pre>', dom, re.S)
    status = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&")) if match else {"state": "missing"}
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    if screenshot:
        subprocess.run(base + ["--window-size=1280,2600", "--screenshot=" + os.path.abspath(screenshot), "file://" + os.path.abspath(page)],
                       capture_output=True, timeout=180)
    return dom, status, console


def notes(dom):
    block = re.search(r'<section id="notes".*?</section>', dom, re.S)
    return re.sub(r"<[^>]+>", " ", block.group(0)) if block else ""


def clean_render(label, dom, status, console):
    check(status.get("state") == "done", f"{label}: the page's scripts ran to the end (status {status.get('state')})")
    check(status.get("errors") == [], f"{label}: no script or console error in the page ({status.get('errors')})")
    check(status.get("warnings") == [], f"{label}: no Vega warning ({status.get('warnings')})")
    bad = [line for line in console if re.search(r"Uncaught|Error|error", line)]
    check(not bad, f"{label}: no error on Chromium's console ({bad[:3]})")
    check(status.get("drawn") == status.get("charts"), f"{label}: every chart drew marks ({status.get('drawn')} of {status.get('charts')})")


def build_demo(binary, folder):
    db = os.path.join(folder, "demo.sqlite")
    ludus(binary, "tournament", "--env", "tic_tac_toe", "--agents", "random,mcts:5,mcts:20", "--games", "4", "--seed", "1", "--db", db, "--quiet")
    ludus(binary, "critic", "countdown/critic", "--rounds", "2", "--games-per-round", "40", "--heldout", "40", "--seed", "1", "--db", db)
    for seed in ("1", "2"):
        for teacher in ("random", "sec", "alp-gmm"):
            ludus(binary, "teach", "corridor", "--student", "q", "--teacher", teacher, "--vary", "length=5..20", "--episodes", "300",
                  "--test-set", "8", "--eval-every", "100", "--seed", seed, "--db", db, "--quiet")
    ludus(binary, "teach", "corridor", "--student", "q", "--teacher", "plr", "--vary", "length=5..20", "--episodes", "300",
          "--test-set", "8", "--eval-every", "100", "--seed", "1", "--db", db, "--quiet")
    ludus(binary, "selfplay", "tic_tac_toe", "--student", "q", "--opponents", "random,self", "--episodes", "200", "--eval-every", "100",
          "--eval-games", "10", "--seed", "1", "--db", db, "--out", os.path.join(folder, "selfplay"))
    return db


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ludus", required=True)
    parser.add_argument("--screenshot", help="also save a screenshot of the demo report here")
    parser.add_argument("--keep", help="build in this folder and keep it")
    args = parser.parse_args()
    if not CHROMIUM:
        sys.exit("chromium is not installed (make report-deps installs Debian's chromium)")
    folder = args.keep or tempfile.mkdtemp(prefix="ludus-report-")
    os.makedirs(folder, exist_ok=True)
    binary = os.path.abspath(args.ludus)
    start = time.time()

    db = build_demo(binary, folder)
    page = os.path.join(folder, "report.html")
    ludus(binary, "report", "--db", db, "--out", page)
    html = open(page).read()
    check(not re.search(r'<script[^>]+src=|<link[^>]+href=|@import|https?://(?!vega\.github\.io/schema)', html.split("<script type=\"module\">")[0]),
          "the page references nothing outside itself before the inlined runtime")
    dom, status, console = render(page, args.screenshot)
    clean_render("demo", dom, status, console)
    check(status.get("sections") == ["teach", "tournament", "critic", "selfplay"], f"demo: every section present ({status.get('sections')})")
    for kind in ("teach", "tournament", "critic", "selfplay"):
        section = re.search(rf'<section class="kind" id="{kind}".*?</section>', dom, re.S)
        figures = re.findall(r'<figure class="chart"[^>]*>', section.group(0)) if section else []
        drawn = [f for f in figures if 'data-status="drawn"' in f and not re.search(r'data-marks="0"', f)]
        check(len(figures) > 0 and len(drawn) == len(figures), f"demo: {kind} has {len(figures)} chart(s), {len(drawn)} drawn with marks")
    check("ludus teach corridor --teacher sec" in dom and "ludus tournament --env tic_tac_toe" in dom, "demo: reproduce-commands are on the page")
    check("SEC: arm probabilities" in dom and "ALP-GMM: the fitted Gaussians" in dom and "PLR: the level buffer" in dom,
          "demo: teacher states drawn (SEC arms, ALP-GMM Gaussians, PLR scores)")
    check("P(teacher &gt; random)" in dom, "demo: the final table has P(teacher > random)")

    # Bad input: each page renders cleanly and says what it shows and what is missing.
    cases = []
    empty = os.path.join(folder, "empty.sqlite"); open(empty, "w").close()
    cases.append(("empty database", empty, "is empty"))
    text = os.path.join(folder, "notes.sqlite"); open(text, "w").write("not a database\n" * 100)
    cases.append(("not SQLite", text, "cannot be read as an SQLite database"))
    foreign = os.path.join(folder, "foreign.sqlite")
    with sqlite3.connect(foreign) as c: c.execute("CREATE TABLE pets (name TEXT)")
    cases.append(("foreign database", foreign, "is not a Ludus database"))
    old = os.path.join(folder, "old.sqlite")
    with sqlite3.connect(old) as c:
        c.executescript("""
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE tournament (id INTEGER PRIMARY KEY AUTOINCREMENT, environment TEXT NOT NULL, agents TEXT NOT NULL, config TEXT NOT NULL,
                                     fingerprint TEXT NOT NULL, games_planned INTEGER NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE game (tournament_id INTEGER NOT NULL, game_index INTEGER NOT NULL, seed TEXT NOT NULL, seats TEXT NOT NULL, returns TEXT NOT NULL,
                               length INTEGER NOT NULL, outcome TEXT NOT NULL, forfeit_seat INTEGER, reason TEXT, trajectory_hash TEXT NOT NULL,
                               PRIMARY KEY (tournament_id, game_index));
            INSERT INTO tournament VALUES (1, 'tic_tac_toe', '["random","mcts:5"]', '{"gamesPerPair":4,"seed":3}', 'x', 4, '2026-01-01T00:00:00Z');
            INSERT INTO game VALUES (1, 0, '11', '[0,1]', '[1.0,-1.0]', 7, 'x wins', NULL, NULL, 'aa');
            INSERT INTO game VALUES (1, 1, '12', '[1,0]', '[1.0,-1.0]', 9, 'x wins', NULL, NULL, 'bb');
        """)
    cases.append(("older schema (v1)", old, "no teach_run, critic_run, selfplay_run, checkpoint table(s)"))
    partial = os.path.join(folder, "partial.sqlite")
    ludus(binary, "teach", "corridor", "--student", "q", "--episodes", "200", "--test-set", "5", "--eval-every", "50", "--seed", "4", "--db", partial, "--quiet")
    with sqlite3.connect(partial) as c:
        c.execute("DELETE FROM teach_episode WHERE episode > 120"); c.execute("DELETE FROM teach_eval WHERE episode > 100")
        c.execute("UPDATE checkpoint SET progress = 100")
    cases.append(("partial run", partial, None))
    killed = os.path.join(folder, "killed.sqlite")
    process = subprocess.Popen([binary, "teach", "corridor", "--student", "q", "--episodes", "10000000", "--test-set", "5", "--eval-every", "100000",
                                "--checkpoint-every", "20", "--seed", "5", "--db", killed, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:  # until the run has committed a checkpoint with episodes (no timing assumption)
        try:
            with sqlite3.connect(f"file:{killed}?mode=ro", uri=True) as c:
                if c.execute("SELECT COUNT(*) FROM teach_episode").fetchone()[0] >= 40: break
        except sqlite3.Error:
            pass
        if process.poll() is not None: sys.exit("the run to kill ended by itself")
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL); process.wait()
    cases.append(("killed run", killed, None))
    for label, path, expected in cases:
        page = os.path.join(folder, f"report-{label.split()[0]}.html")
        result = ludus(binary, "report", "--db", path, "--out", page)
        dom, status, console = render(page)
        clean_render(label, dom, status, console)
        said = notes(dom)
        if expected:
            check(expected in said, f"{label}: the page says '{expected}'")
        else:
            check("partial:" in dom, f"{label}: the page says the run is partial")
            check(status.get("sections") == ["teach"], f"{label}: the teach section is still drawn")
        check(len(dom) > 2000 and "What this report shows" in dom, f"{label}: not an empty page")
    missing = subprocess.run([binary, "report", "--db", os.path.join(folder, "nope.sqlite"), "--out", os.path.join(folder, "x.html")],
                             capture_output=True, text=True)
    check(missing.returncode != 0 and "no database at" in missing.stderr, "a missing file is an error naming it")

    print(f"report browser test: {len(failures)} failure(s) in {time.time() - start:.1f} s ({folder})")
    if not args.keep and not failures: shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

"""Every ``stackelberg ...`` command the README shows runs as shown (exit code 0).

The commands are read from the README's shell code blocks and from the inline code of its "Command line"
paragraph. A documented form ``a|b`` or ``[--flag a|b]`` is expanded into one command per alternative (the others
at their first alternative, optional parts present), plus the command without its optional parts. Each runs in a
temporary directory; long commands get small budgets through their own flags (appended, so they override the
README's values); the files a command reads (``game.nfg``, ``three.nfg``, ``types.json``, ``study.sqlite``,
``maintain.npz``) are made first.
"""

import itertools
import re
from pathlib import Path

import pytest

from stackelberg.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"

# budget flags appended per verb (sub-verb): same command, less work
BUDGETS = {
    ("study", "cooperation"): ["--trials", "2", "--rhos=-1,1", "--workers", "1"],
    ("learn",): ["--episodes", "40", "--runs", "10"],
    ("incentive", "example1"): ["--iterations", "20", "--grid-points", "5"],
    ("incentive", "gridworld"): ["--iterations", "3"],
    ("dynamics", "lio-ipd"): ["--steps", "50", "--points", "2"],
    ("dynamics", "escape-room"): ["--steps", "20", "--record-every", "10"],
}


def readme_commands() -> list[str]:
    """The ``stackelberg ...`` commands of the README, in order, whitespace collapsed."""
    text = README.read_text()
    commands = []
    for block in re.findall(r"```(?:bash|sh|console)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            for part in line.split("&&"):
                part = part.strip()
                if part.startswith("stackelberg "):
                    commands.append(part)
    paragraph = text[text.index("Command line"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    for span in re.findall(r"`([^`]+)`", paragraph, re.S):
        span = " ".join(span.split())
        if span.startswith("stackelberg "):
            commands.append(span)
    return commands


def _slots(command: str) -> list[list[list[str]]]:
    """The command as slots, each a list of alternatives (token lists); an optional slot may be empty."""
    tokens = command.split()[1:]
    slots, k = [], 0
    while k < len(tokens):
        token = tokens[k]
        if token.startswith("["):
            group = [token[1:]]
            while not group[-1].endswith("]"):
                k += 1
                group.append(tokens[k])
            group[-1] = group[-1][:-1]
            choices = [list(t) for t in itertools.product(*(t.split("|") for t in group))]
            slots.append(choices + [[]])
        else:
            slots.append([[alternative] for alternative in token.split("|")])
        k += 1
    return slots


def expand(command: str) -> list[list[str]]:
    """Every documented form of ``command`` as an argv."""
    slots = _slots(command)
    base = [slot[0] for slot in slots]
    forms = [base, [slot[0] for slot in slots if slot[-1] != []]]  # with and without the optional parts
    for k, slot in enumerate(slots):
        for alternative in slot[1:]:
            if alternative:
                forms.append(base[:k] + [alternative] + base[k + 1:])
    argvs = []
    for form in forms:
        argv = [token for part in form for token in part]
        if argv not in argvs:
            argvs.append(argv)
    return argvs


def _with_budget(argv: list[str]) -> list[str]:
    for key, extra in BUDGETS.items():
        if tuple(argv[:len(key)]) == key:
            return argv + extra
    if argv[0] == "reproduce" and "--only" not in argv:
        return argv + ["--only", "figB1_lio_pg"]
    return argv


def _prepare(directory: Path, argv: list[str]) -> None:
    """Make the files the command reads, as the README's own earlier commands would."""
    from stackelberg import catalog, save_game

    if "game.nfg" in argv:
        save_game(catalog.maintain(), directory / "game.nfg")
    if "three.nfg" in argv:  # a three-player game: each matches or mismatches the next (one mixed equilibrium)
        import numpy as np

        from stackelberg import NormalFormGame

        a = np.indices((2, 2, 2))
        save_game(NormalFormGame([(a[0] == a[1]) * 1, (a[1] == a[2]) * 1, (a[2] != a[0]) * 1]),
                  directory / "three.nfg")
    if "types.json" in argv:  # the README's example types file
        import json

        (directory / "types.json").write_text(json.dumps({
            "prior": ["1/2", "1/2"],
            "types": [{"leader": [[2, 4], [1, 3]], "follower": [[1, 0], [0, 1]]},
                      {"leader": [[1, 2], [0, 3]], "follower": [[0, 1], [1, 0]]}]}))
    if argv[:2] == ["study", "plot"]:
        assert main(["study", "cooperation", "--sizes", "3", "--rhos=-1,1", "--trials", "2", "--workers", "1",
                     "--out", "study.sqlite", "--no-progress"]) == 0
    if argv[:1] == ["markov"] and argv[1].endswith(".npz"):
        assert main(["markov", "repeated", "--stage", "maintain", "--save", "maintain.npz", "--no-progress"]) == 0


COMMANDS = readme_commands()
FORMS = []
for _command in COMMANDS:
    for _argv in expand(_command):
        if all(_argv != argv for _, argv in FORMS):
            FORMS.append((_command, _argv))


def test_the_readme_shows_every_verb():
    verbs = {command.split()[1] for command in COMMANDS}
    assert verbs >= {"solve", "games", "convert", "demo", "study", "markov", "learn", "incentive", "dynamics",
                     "reproduce"}
    assert len(FORMS) > 40


@pytest.mark.parametrize("command, argv", FORMS, ids=[" ".join(argv) for _, argv in FORMS])
def test_readme_command_runs(command, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _prepare(tmp_path, argv)
    capsys.readouterr()
    try:
        code = main(_with_budget(argv))
    except SystemExit as exit_:  # --help
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 0, f"{command!r} as {argv}: {err}"
    assert out.strip()

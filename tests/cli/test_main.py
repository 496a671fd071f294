"""Tests of stackelberg.cli (the package): the parser's help, the entry point, and one-line errors."""

import argparse
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from stackelberg.cli import VERBS, build_parser, main
from stackelberg.cli._common import flag_hint
from stackelberg.errors import IterationLimitError

ROOT = Path(__file__).resolve().parents[2]


def _parsers(parser, path=("stackelberg",)):
    """Every (command path, parser, its description line in the parent's list) of the command tree."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))


def test_every_verb_has_a_description_and_every_option_help():
    parser = build_parser()
    for path, sub in _parsers(parser):
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                listed = {a.dest: a.help for a in action._choices_actions}
                assert set(listed) == set(action.choices), path
                assert all(help_ and "\n" not in help_ for help_ in listed.values()), path
            elif not isinstance(action, argparse._HelpAction):
                assert action.help, (path, action.dest)
        if len(path) > 1:
            assert sub.description, path


def test_help_is_readable():
    for path, sub in _parsers(build_parser()):
        text = sub.format_help()
        assert "``" not in text and ":func:" not in text and ":mod:" not in text, path
        for line in text.splitlines():  # choices print once each (no {lio,lio,lio,pg,pg,pg})
            start = line.find("{")
            if start >= 0 and "}" in line[start:]:
                inside = line[start + 1:line.index("}", start)]
                choices = inside.split("|") if "|" in inside else inside.split(",")
                assert len(choices) == len(set(choices)), (path, line)


def test_every_verb_module_owns_its_parser_and_run():
    names = set(build_parser()._subparsers._group_actions[0].choices)
    assert names == {"solve", "games", "convert", "demo", "study", "dynamics", "markov", "learn", "train", "incentive",
                     "reproduce"}
    for module in VERBS:
        assert callable(module.add_parser)


def test_entry_point_and_python_m():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"stackelberg": "stackelberg.cli:main"}
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "stackelberg.cli", "solve", "maintain", "--concept", "pure-nash",
                           "--format", "csv"], capture_output=True, text=True, env=environment, timeout=120)
    assert done.returncode == 0 and done.stdout.splitlines()[1].startswith("B; Y,")


@pytest.mark.parametrize("argv, message", [
    (["solve", "nosuchgame"], "unknown game"),
    (["solve", "missing.nfg"], "does not exist"),
    (["solve", "shapley", "--concept", "stackelberg", "--leader", "5"], "leader"),
    (["solve", "maintain", "--tol", "-1", "--float"], "tol"),
    (["solve", "maintain", "--concept", "sequential", "--order", "0,x"], "--order"),
])
def test_errors_are_one_line(cli, argv, message):
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err and err.startswith("stackelberg: error:")


def test_malformed_file_is_one_line(cli, tmp_path):
    bad = tmp_path / "bad.nfg"
    bad.write_text('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3\n')
    code, _, err = cli("solve", bad)
    assert code == 2 and "line" in err and err.count("\n") == 1


def test_library_errors_become_one_line(monkeypatch, capsys):
    """Every StackelbergError (here a RuntimeError one) is a user-facing line and exit 2, not a traceback."""
    from stackelberg.cli import solve

    def exhausted(*args, **kwargs):
        raise IterationLimitError("Lemke-Howson used up\nits pivots", budget="max_pivots")

    monkeypatch.setattr(solve, "solve", exhausted)
    assert main(["solve", "maintain"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stackelberg: error: Lemke-Howson used up its pivots") and err.count("\n") == 1


def test_api_hints_become_flags():
    assert flag_hint("game must have 2 players (use solve_sequential for N players)") == (
        "game must have 2 players (use --solver sequential for N players)")
    assert flag_hint("(use nlevel_learning for N players)") == "(use --learner nlevel for N players)"
    assert flag_hint("use solve_sequentially") == "use solve_sequentially"

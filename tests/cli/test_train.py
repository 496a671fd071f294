"""``stackelberg train``: the share of seeds at the exact solution and the value gap, against the library's numbers."""

import json
import subprocess
import sys
import textwrap

import numpy as np

import stackelberg as sb


def test_train_bi_ac_on_escape_reports_the_exact_solution(cli):
    code, out, err = cli("train", "bi-ac", "escape", "--seeds", "4", "--steps", "2000", "--format", "json",
                         "--no-progress")
    assert code == 0, err
    report = json.loads(out)
    # the library's own answer: the pure strong Stackelberg equilibrium of Escape is C-Z, paying (30, 30)
    equilibria = sb.stackelberg_equilibria(sb.get_game("escape"))
    assert [float(v) for v in equilibria[0].payoffs] == [30.0, 30.0]
    assert report["exact_outcomes"] == ["C-Z"] and report["exact_values"] == [30.0, 30.0]
    assert report["seeds"] == 4 and report["steps"] == 2000
    assert report["share_at_exact"] >= 0.75
    assert report["outcome_shares"]["C-Z"] == report["share_at_exact"]
    gaps = np.asarray(report["exact_values"]) - np.asarray(report["mean_values"])
    assert np.allclose(report["mean_value_gaps"], gaps)
    assert report["share_at_exact"] < 1.0 or report["mean_value_gaps"] == [0.0, 0.0]
    # the table (the same seeds again: the compiled program is reused) starts with what a user looks for
    code, out, err = cli("train", "bi-ac", "escape", "--seeds", "4", "--steps", "2000", "--no-progress")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "bi-ac on Escape: 4 seeds x 2000 steps"
    assert lines[1].startswith("  share of seeds at the exact solution C-Z: ")
    assert lines[2].startswith("  value gap (exact - learned): mean ")
    assert "outcome shares:" in out


def test_train_mistakes_are_one_line(cli):
    code, out, err = cli("train", "no-such-learner", "escape", "--seeds", "1")
    assert code == 2 and err.count("\n") == 1 and "algorithm must be one of" in err
    code, _, err = cli("train", "bi-ac", "escape", "--seeds", "0")
    assert code == 2 and "--seeds must be at least 1" in err
    code, _, err = cli("train", "bi-ac", "escape", "--stage", "maintain")
    assert code == 2 and "--stage" in err
    code, _, err = cli("train", "bi-ac", "repeated")
    assert code == 2 and "--stage" in err


def test_train_without_jax_names_the_extra():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["jax"] = None  # importing jax now fails as if it were not installed
        from stackelberg.cli import main
        sys.exit(main(["train", "bi-ac", "escape", "--seeds", "1"]))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and 'pip install "stackelberg[neural]"' in out.stderr

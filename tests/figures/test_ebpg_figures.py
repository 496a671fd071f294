"""Tests of the tabular EBPG figures: stackelberg.figures.ebpg_rl_followers and stackelberg.figures.ebpg_ablations."""

import csv

import pytest

from stackelberg.figures import SCRIPTS, _ebpg_runs, ebpg_ablations, ebpg_rl_followers
from stackelberg.figures._account import verdict

TINY = dict(iterations=10, seeds=(0,), evaluate_every=5)


@pytest.mark.parametrize("module", [ebpg_rl_followers, ebpg_ablations])
def test_tiny_run_writes_png_and_csv_resumes_from_the_store_and_accounts(module, tmp_path, monkeypatch):
    monkeypatch.setattr(module, "QUICK", TINY)
    numbers = module.run(tmp_path, quick=True)
    name = module.__name__.rsplit(".", 1)[1]
    assert name in SCRIPTS
    assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(tmp_path / f"{name}_final.csv") as handle:
        table = list(csv.DictReader(handle))
    assert [row[next(iter(row))] for row in table] == list(module.VARIANTS)
    with open(tmp_path / f"{name}_curves.csv") as handle:
        curves = list(csv.DictReader(handle))
    assert len(curves) == len(module.VARIANTS) * 3  # iterations 0, 5, 10
    assert numbers["optimum"] == pytest.approx(12.0)

    def refuse(*args, **kwargs):
        raise AssertionError("a stored run was trained again")

    monkeypatch.setattr(_ebpg_runs, "train_coordination", refuse)
    again = module.run(tmp_path, quick=True)  # every run comes from the result store
    assert again["summary"] == numbers["summary"]
    rows = module.account(numbers, quick=True)
    assert rows and all(verdict(row, quick=True) in ("quick-only", "match", "differs") for row in rows)

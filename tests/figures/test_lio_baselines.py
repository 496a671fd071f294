"""Tests of stackelberg.figures.lio_baselines: LIO's baselines (Figs. 5.4-5.5, B.3, B.4c) under their own names."""

import csv

import numpy as np

from stackelberg.figures import SCRIPTS, lio_baselines
from stackelberg.figures._account import Row, verdict


def test_quick_run_writes_the_figure_and_separates_lio_from_its_baselines(tmp_path):
    numbers = lio_baselines.run(tmp_path, quick=True)
    assert (tmp_path / "lio_baselines.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(tmp_path / "lio_baselines.csv") as handle:
        rows = list(csv.DictReader(handle))
    learners = {row["learner"] for row in rows}
    assert {"LIO", "LIO-dec", "PG", "PG-d", "PG-c", "LOLA", "LOLA-d", "LIO-asym"} <= learners
    assert {"LIO (sampled)", "1-episode LIO (sampled)", "PG (sampled)", "2-TS"} <= learners  # Fig. B.3's rows
    sampled = numbers["sampled"]
    assert set(sampled) >= {"asym lio", "asym lio-1ep", "asym pg", "asym 2-ts"}
    assert sampled["asym lio"]["mean"] > sampled["asym 2-ts"]["mean"]  # the sampled LIO learns faster than 2-TS
    ipd = numbers["IPD"]["per_round"]
    assert np.mean(ipd["lio"]) < -1.9 and np.mean(ipd["lio-asym"]) < -2.8  # on their way to CC and DC
    assert max(np.mean(ipd[k]) for k in ("pg", "pg-d", "pg-c", "lola", "lola-d")) < -3.5
    assert numbers["IPD"]["memoryless_lola"] == -4.0
    assert numbers["asym"]["mean"]["lio"] > 8.5 and numbers["asym"]["mean"]["pg"] < -3.5
    assert "ER(3,2)" not in numbers and "ER(5,3)" not in numbers  # full run only
    account = lio_baselines.account(numbers, quick=True)
    assert all(isinstance(row, Row) for row in account)
    assert {verdict(row, quick=True) for row in account} <= {"quick-only", "not run"}
    assert "lio_baselines" in SCRIPTS

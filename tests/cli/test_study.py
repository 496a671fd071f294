"""Tests of stackelberg.cli.study: the store holds the library's study, and its plots are written."""

import json
from pathlib import Path

from stackelberg.analysis.cooperation_study import cooperation_study


def test_study_cooperation_stores_the_librarys_rows_and_plots(cli, tmp_path):
    store = tmp_path / "s.sqlite"
    code, out, _ = cli("study", "cooperation", "--sizes", "3", "--rhos=-1,0,1", "--trials", "4", "--workers", "1",
                       "--out", store, "--no-progress")
    assert code == 0
    fresh = cooperation_study([3], [-1.0, 0.0, 1.0], 4, 0, workers=1, progress=False)
    assert out.strip() == f"{len(fresh.rows)} games stored in {store} (study {fresh.study_key})"
    stored = cooperation_study([3], [-1.0, 0.0, 1.0], 4, 0, workers=1, store=str(store), progress=False)
    def timeless(rows):
        """Rows without their timings, as JSON text (so NaN equals NaN)."""
        return [json.dumps({key: value for key, value in row.items() if key != "seconds"}, sort_keys=True)
                for row in rows]

    assert timeless(stored.rows) == timeless(fresh.rows) and len(stored.rows) == 12
    code, out, _ = cli("study", "plot", store, "--out", tmp_path / "plots")
    assert code == 0
    written = [line.removeprefix("wrote ") for line in out.splitlines()]
    assert written and all(Path(p).is_file() for p in written)
    assert list((tmp_path / "plots").glob("*.png"))


def test_study_errors_are_one_line(cli, tmp_path):
    code, _, err = cli("study", "plot", tmp_path / "missing.sqlite")
    assert code == 2 and "does not exist" in err and err.count("\n") == 1
    code, _, err = cli("study", "cooperation", "--trials", "x", "--out", tmp_path / "s.sqlite")
    assert code == 2 and "--trials" in err and err.count("\n") == 1

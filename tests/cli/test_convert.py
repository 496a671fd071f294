"""Tests of stackelberg.cli.convert: the converted file holds the same game."""

import numpy as np

from stackelberg import catalog, load_game, save_game


def test_convert_round_trip(cli, tmp_path):
    nfg, js = tmp_path / "g.nfg", tmp_path / "g.json"
    save_game(catalog.mixing(), nfg)
    code, out, _ = cli("convert", nfg, js)
    assert code == 0 and out.strip() == f"wrote {js}"
    for original, converted in zip(catalog.mixing().bimatrix(), load_game(js).bimatrix()):
        assert np.array_equal(np.asarray(original, dtype=object), np.asarray(converted, dtype=object))
    code, out, _ = cli("solve", js, "--concept", "stackelberg")
    assert code == 0 and "0; 5" in out


def test_missing_input_is_one_line(cli, tmp_path):
    code, _, err = cli("convert", tmp_path / "missing.nfg", tmp_path / "out.json")
    assert code == 2 and "does not exist" in err and err.count("\n") == 1

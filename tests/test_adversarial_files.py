"""Adversarial game files: .nfg and JSON documents built to hang, exhaust memory or corrupt a terminal.

(``.npz`` Markov-game files are fuzzed in tests/games/test_markov_fuzz.py.) Each file must give one documented
error naming where the problem is, quickly and in bounded memory: huge titles and strategy counts are refused
before anything is allocated, control characters in titles and names are refused (never printed raw), deep JSON
does not reach a RecursionError, random bytes are a format error.
"""

import os
import time
import tracemalloc

import numpy as np
import pytest

from stackelberg.errors import JsonFormatError, MarkovFormatError, NfgFormatError
from stackelberg.games.io import MAX_LABEL_LENGTH, load_game, read_json, read_nfg
from stackelberg.games.markov_io import load_markov_game

TAIL = ' { "A" "B" } { 1 1 } 1 0'


def _bounded(call, error, match, *, seconds=2.0, megabytes=None):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(error, match=match) as caught:
            call()
        elapsed, peak = time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, elapsed
    if megabytes is not None:
        assert peak < megabytes * 2**20, peak
    return caught.value


def test_a_50_megabyte_title_is_refused_before_it_is_copied():
    text = 'NFG 1 R "' + "x" * 50_000_000 + '"' + TAIL
    error = _bounded(lambda: read_nfg(text), NfgFormatError, "max_label_length=10000", megabytes=20)
    assert error.line == 1
    assert read_nfg('NFG 1 R "' + "y" * 20_000 + '"' + TAIL, max_label_length=20_000).title == "y" * 20_000
    assert MAX_LABEL_LENGTH == 10_000


@pytest.mark.parametrize("counts", ["{ 99999999999999999999999999 2 }", "{ 1000000 1000000 }", "{ 2 2 2 2 2 2 2 2 2 }"])
def test_huge_strategy_counts_are_refused_before_allocating(counts):
    players = " ".join(f'"P{k}"' for k in range(counts.count(" ") - 1))
    text = f'NFG 1 R "" {{ {players} }} {counts} 1 2 3 4'
    _bounded(lambda: read_nfg(text), NfgFormatError, r"(tokens left in the file|contingencies but only)", megabytes=5)


@pytest.mark.parametrize("where", ["title", "player", "label"])
@pytest.mark.parametrize("character", ["\x1b", "\x07", "\x00", "\x9b", "\x7f"])
def test_control_characters_in_nfg_names_are_refused(where, character):
    title, player, label = '"t"', '"A"', '"s"'
    if where == "title":
        title = f'"t{character}[31m"'
    elif where == "player":
        player = f'"A{character}"'
    else:
        label = f'"s{character}"'
    text = f'NFG 1 R {title} {{ {player} "B" }} {{ {{ {label} }} {{ "t" }} }} 1 0'
    with pytest.raises(NfgFormatError, match=rf"contains the control character U\+00{ord(character):02X}"):
        read_nfg(text)


def test_tabs_and_newlines_stay_allowed_in_titles():
    assert read_nfg('NFG 1 R "two\n\tlines"' + TAIL).title == "two\n\tlines"


@pytest.mark.parametrize("key, value", [("title", '"a\\u001b[2J"'), ("players", '["A\\u0007", "B"]'),
                                        ("actions", '[["x\\u009b"], ["y"]]')])
def test_control_characters_in_json_names_are_refused(key, value):
    text = '{"format_version": 1, "%s": %s, "payoffs": [[[1]], [[0]]]}' % (key, value)
    with pytest.raises(JsonFormatError, match=r"contains the control character U\+00"):
        read_json(text)


def test_overlong_json_names_are_refused():
    text = '{"format_version": 1, "title": "%s", "payoffs": [[[1]], [[0]]]}' % ("t" * 10_001)
    with pytest.raises(JsonFormatError, match="title has 10001 characters, more than max_label_length=10000"):
        read_json(text)


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deeply_nested_json_is_a_format_error(depth):
    text = '{"format_version": 1, "payoffs": ' + "[" * depth + "]" * depth + "}"
    _bounded(lambda: read_json(text), JsonFormatError, "nested too deeply")


def test_random_bytes_are_format_errors(tmp_path):
    rng = np.random.default_rng(5)
    for k in range(20):
        raw = rng.bytes(int(rng.integers(1, 2000)))
        for suffix, error in ((".nfg", NfgFormatError), (".json", JsonFormatError)):
            path = tmp_path / f"noise{k}{suffix}"
            path.write_bytes(raw)
            with pytest.raises(error):
                load_game(path)
        path = tmp_path / f"noise{k}.npz"
        path.write_bytes(raw)
        with pytest.raises(MarkovFormatError, match=f"noise{k}.npz"):
            load_markov_game(path)


def test_truncated_nfg_and_json_files_are_format_errors(tmp_path):
    nfg = 'NFG 1 R "game" { "A" "B" } { { "x" "y" } { "l" "r" } } 1 2 3 4 5 6 7 8'
    for cut in range(1, len(nfg) - 1, 3):
        with pytest.raises(NfgFormatError):
            read_nfg(nfg[:cut] + "\n{")  # the brace keeps the text from being taken for a path
    document = '{"format_version": 1, "title": "g", "payoffs": [[[1, 2]], [[3, 4]]]}'
    for cut in range(1, len(document) - 1, 3):
        with pytest.raises(JsonFormatError):
            read_json(document[:cut] + "\n{")


def test_an_npy_file_renamed_npz_is_named(tmp_path):
    path = tmp_path / "game.npz"
    with open(path, "wb") as handle:
        np.save(handle, np.ones((2, 2)))
    with pytest.raises(MarkovFormatError, match=r"game\.npz: .*single \.npy array"):
        load_markov_game(path)
    assert os.path.getsize(path) > 0

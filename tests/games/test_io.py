"""Tests of stackelberg/games/io.py: Gambit .nfg and JSON reading and writing."""

import io
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pygambit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg.games import catalog
from stackelberg.games.generators import random_game, random_integer_game
from stackelberg.games.io import (
    JsonFormatError,
    NfgFormatError,
    load_game,
    read_json,
    read_nfg,
    save_game,
    write_json,
    write_nfg,
)
from stackelberg.games.normal_form import NormalFormGame

DATA = Path(__file__).parent.parent / "data"

# Selten (IJGT 1975), Figure 2: the example of Gambit's format documentation.
E02_A = [[1, 1], [0, 0], [0, 2]]
E02_B = [[1, 1], [2, 3], [2, 0]]


def same_game(a: NormalFormGame, b: NormalFormGame) -> bool:
    """Equal payoffs (exact when both are exact, else bit-identical floats), names and title."""
    if a.is_exact != b.is_exact or a.shape != b.shape:
        return False
    payoffs_equal = all(
        np.array_equal(x, y)
        for x, y in zip(a.exact_payoffs if a.is_exact else a.payoffs, b.exact_payoffs if b.is_exact else b.payoffs)
    )
    return payoffs_equal and a.player_names == b.player_names and a.action_names == b.action_names and a.title == b.title


# ---------------------------------------------------------------------------- real Gambit files
class TestGambitFiles:
    def test_payoff_version(self):
        game = read_nfg(DATA / "e02.nfg")
        assert game.is_exact and game.shape == (3, 2)
        assert game.title == "Selten (IJGT, 75), Figure 2, normal form"
        assert game.player_names == ("Player 1", "Player 2")
        assert game.action_names == (("a1", "a2", "a3"), ("a1", "a2"))  # counted strategies get default names
        A, B = game.bimatrix(exact=True)
        assert A.tolist() == E02_A and B.tolist() == E02_B

    def test_outcome_version_is_the_same_game(self):
        payoff = read_nfg(DATA / "e02.nfg")
        outcome = read_nfg(DATA / "e02_outcomes.nfg")
        assert outcome == payoff
        assert outcome.action_names == (("1", "2", "3"), ("1", "2"))

    def test_three_players_rationals_decimals_comment_and_quotes(self):
        game = read_nfg(str(DATA / "three_player.nfg"))
        assert game.shape == (2, 2, 2)
        assert game.title == 'A 2x2x2 game with "quoted" labels'
        assert game.player_names == ("Alice", 'Bob "B"', "Carol")
        assert game.action_names == (("Up", "Down"), ("Left", "Right"), ("West", "East"))
        win, loss, null = (Fraction(1, 2), Fraction(3, 2), -2), (Fraction(-1, 10), Fraction(3, 4), Fraction(45, 2)), (0, 0, 0)
        # outcome indices 1 2 3 0 0 3 2 1 in the order where player 0's action varies fastest
        expected = {(0, 0, 0): win, (1, 0, 0): null, (0, 1, 0): loss, (1, 1, 0): null,
                    (0, 0, 1): null, (1, 0, 1): loss, (0, 1, 1): null, (1, 1, 1): win}
        for cell, profile in expected.items():
            assert game.pure_payoffs(cell, exact=True) == tuple(Fraction(v) for v in profile)

    def test_exact_decimal_and_exponent_forms(self):
        game = read_nfg('NFG 1 R "" { "A" } { 5 } 1.5 -.25 1e-3 2.5E+2 +7/3')
        assert game.exact_payoffs[0].tolist() == [Fraction(3, 2), Fraction(-1, 4), Fraction(1, 1000), 250, Fraction(7, 3)]

    def test_commas_are_optional_and_trailing_commas_allowed(self):
        with_commas = read_nfg('NFG 1 R "" { "A" "B" } { 2 1 } 1, 2, 3, 4,')
        without = read_nfg('NFG 1 R "" { "A" "B" } { 2 1 } 1 2 3 4')
        outcomes = read_nfg('NFG 1 R "" { "A" "B" } { 2 1 } { { "" 1, 2, } { "x" 3 4 } } 1, 2')
        assert with_commas == without == outcomes

    def test_header_d_gives_a_float_game_and_exact_overrides(self):
        text = 'NFG 1 D "" { "A" "B" } { 1 1 } 0.1 1/3'
        assert not read_nfg(text).is_exact
        assert read_nfg(text).payoffs[0][0, 0] == 0.1
        exact = read_nfg(text, exact=True)
        assert exact.is_exact and exact.pure_payoffs((0, 0), exact=True) == (Fraction(1, 10), Fraction(1, 3))
        assert not read_nfg(text.replace(" D ", " R "), exact=False).is_exact

    def test_null_outcome_and_shared_outcomes(self):
        game = read_nfg('NFG 1 R "" { "A" "B" } { { "x" "y" } { "z" } } "" { { "o" 5 6 } } 0 1')
        assert game.bimatrix(exact=True)[0].tolist() == [[0], [5]]
        assert game.bimatrix(exact=True)[1].tolist() == [[0], [6]]

    def test_empty_and_duplicate_labels_are_made_unique(self):
        game = read_nfg('NFG 1 R "" { "" "" } { { "x" "x" "" } { "a1" "" } } 1 1 1 1 1 1 1 1 1 1 1 1')
        assert game.player_names == ("Player 1", "Player 2")
        assert game.action_names == (("x", "x_2", "a3"), ("a1", "a2"))
        game = read_nfg('NFG 1 R "" { "P" "P" } { { "" "a1" } { "b" } } 1 1 1 1')
        assert game.player_names == ("P", "P_2")
        assert game.action_names == (("a1_2", "a1"), ("b",))

    def test_escapes_and_multiline_strings(self):
        game = read_nfg('NFG 1 R "a \\"q\\" \\\\ b \\n" { "line\none" "B" } { 1 1 } 0 0')
        assert game.title == 'a "q" \\ b \\n'
        assert game.player_names == ("line\none", "B")

    def test_latin1_file(self, tmp_path):
        path = tmp_path / "latin.nfg"
        path.write_bytes('NFG 1 R "Caf\u00e9" { "A" } { 1 } 3'.encode("latin-1"))
        assert read_nfg(path).title == "Caf\u00e9"


# ---------------------------------------------------------------------------- malformed files
def nfg_error(text: str) -> NfgFormatError:
    with pytest.raises(NfgFormatError) as info:
        read_nfg(text)
    assert isinstance(info.value, ValueError)
    return info.value


HEAD = 'NFG 1 R "t" { "A" "B" } { 2 2 }\n'


@pytest.mark.parametrize(
    "text, line, token, words",
    [
        ('NGF 1 R "t" { "A" } { 1 } 0', 1, "'NGF'", "header"),
        ("", 1, "end of file", "header"),
        ('NFG 2 R "t" { "A" } { 1 } 0', 1, "'2'", "version"),
        ('NFG "1" R "t" { "A" } { 1 } 0', 1, "the string '1'", "version"),
        ('NFG 1 X "t" { "A" } { 1 } 0', 1, "'X'", "'R'"),
        ('NFG 1 R { "A" } { 1 } 0', 1, "'{'", "title"),
        ('NFG 1 R "t"\n"A" "B" } { 1 } 0', 2, "the string 'A'", "'{'"),
        ('NFG 1 R "t" { "A" 3 } { 1 } 0', 1, "'3'", "player name"),
        ('NFG 1 R "t" { } { 1 } 0', 1, "'{'", "at least one player"),
        ('NFG 1 R "t" { "A" "B" } { 2 2 2 } 0', 1, "'{'", "dimensions mismatch"),
        ('NFG 1 R "t" { "A" "B" }\n{ { "x" } }\n 0 0', 2, "'{'", "dimensions mismatch"),
        ('NFG 1 R "t" { "A" } { 0 } ', 1, "'0'", "positive integer"),
        ('NFG 1 R "t" { "A" } { 2.5 } 1 2', 1, "'2.5'", "positive integer"),
        ('NFG 1 R "t" { "A" } { "x" "y" } 1 2', 1, "the string 'x'", "strategy count"),
        ('NFG 1 R "t" { "A" } { { "x" } { } } 1', 1, "'{'", "no strategies"),
        ('NFG 1 R "t" { "A" } { { "x" 2 } } 1', 1, "'2'", "strategy label"),
        ('NFG 1 R "t" { "A" } { 1 }', 1, "end of file", "payoffs"),
        ('NFG 1 R "t" { "A" } { 1 } "c" "d" 1', 1, "the string 'd'", "payoffs"),
    ],
)
def test_malformed_header(text, line, token, words):
    error = nfg_error(text)
    assert error.line == line and error.token == token
    assert words in str(error) and f"line {line}" in str(error) and token in str(error)


@pytest.mark.parametrize(
    "body, line, token, words",
    [
        ("1 2 3 4 5 6 7", 2, "end of file", "wrong number of payoffs: expected 8"),
        ("1 2 3 4 5 6 7 8 9", 2, "'9'", "wrong number of payoffs"),
        ("1 2 3 4\n5 6 7 abc", 3, "'abc'", "bad number"),
        ("1 2 3 1/0 5 6 7 8", 2, "'1/0'", "bad number"),
        ("1 2 3 1.2.3 5 6 7 8", 2, "'1.2.3'", "bad number"),
        ("1 2 3 --4 5 6 7 8", 2, "'--4'", "bad number"),
        ("1 2 3 4e 5 6 7 8", 2, "'4e'", "bad number"),
        ("1 2 3 4 5 6 7 8 }", 2, "'}'", "end of the file"),
        ('1 2 3 "x" 5 6 7 8', 2, "the string 'x'", "expected a payoff"),
    ],
)
def test_malformed_payoff_body(body, line, token, words):
    error = nfg_error(HEAD + body)
    assert (error.line, error.token) == (line, token)
    assert words in str(error) and f"line {line}" in str(error)


OUTCOMES = '{\n{ "o1" 1, 2 }\n{ "o2" 3, 4 }\n}\n'


@pytest.mark.parametrize(
    "body, line, token, words",
    [
        (OUTCOMES + "1 2 0 3", 7, "'3'", "bad outcome index"),
        (OUTCOMES + "1 2 0 -1", 7, "'-1'", "bad outcome index"),
        (OUTCOMES + "1 2 0 1.5", 7, "'1.5'", "bad outcome index"),
        (OUTCOMES + "1 2 0 x", 7, "'x'", "bad number"),
        (OUTCOMES + "1 2 0", 7, "end of file", "wrong number of outcome indices: expected 4"),
        (OUTCOMES + "1 2 0 1 2", 7, "'2'", "wrong number of outcome indices"),
        ('{\n{ "o1" 1, 2, 3 }\n}\n1 1 1 1', 4, "'{'", "outcome 1 has 3 payoffs"),
        ('{\n{ "o1" 1 }\n}\n1 1 1 1', 4, "'{'", "outcome 1 has 1 payoffs"),
        ('{\n{ 1, 2 }\n}\n1 1 1 1', 4, "'1'", "name of outcome 1"),
        ('{\n{ "o1" 1, 2 }\n{ "o2" 1, zz }\n}\n1 1 1 1', 5, "'zz'", "bad number"),
        ('{\n{ "o1" 1, 2 \n', 5, "end of file", "unterminated '{' opened at line 4"),
        ('{\n{ "o1" 1, 2 }\n', 5, "end of file", "unterminated '{' opened at line 3"),
    ],
)
def test_malformed_outcome_body(body, line, token, words):
    error = nfg_error(HEAD.replace("{ 2 2 }", '{ 2 2 }\n""') + body)
    assert (error.line, error.token) == (line, token)
    assert words in str(error) and f"line {line}" in str(error)


def test_unterminated_string_names_its_line():
    error = nfg_error('NFG 1 R "t" { "A" }\n{ 1 }\n"comment without end\n1 2')
    assert error.line == 3 and "unterminated string" in str(error) and '"comment' in error.token


def test_unterminated_brace_names_the_opening_line():
    error = nfg_error('NFG 1 R "t"\n{ "A" "B"\n')
    assert "unterminated '{' opened at line 2" in str(error) and error.token == "end of file"


# ---------------------------------------------------------------------------- round trips
label = st.text(alphabet=st.sampled_from(list('ab "\\\n{},é0')), max_size=5)


@st.composite
def labelled_games(draw, exact: bool):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    n = len(shape)
    size = int(np.prod(shape))
    if exact:
        number = st.fractions(min_value=-50, max_value=50, max_denominator=12)
    else:
        number = st.floats(allow_nan=False, allow_infinity=False, width=64)
    tensors = [np.array(draw(st.lists(number, min_size=size, max_size=size)), dtype=object).reshape(shape) for _ in shape]
    players = draw(st.lists(label, min_size=n, max_size=n, unique=True))
    actions = [draw(st.lists(label, min_size=k, max_size=k, unique=True)) for k in shape]
    return NormalFormGame(
        tensors if exact else [t.astype(float) for t in tensors],
        player_names=players, action_names=actions, title=draw(label), exact=exact,
    )


@pytest.mark.parametrize("version", ["payoff", "outcome"])
@given(data=st.data())
def test_nfg_round_trip(version, data):
    exact = data.draw(st.booleans())
    game = data.draw(labelled_games(exact))
    text = write_nfg(game, version=version)
    back = read_nfg(text)
    assert back == game and back.is_exact == exact
    assert back.title == game.title
    # every non-empty label survives; labels come back unique and non-empty
    for original, read in zip((game.player_names, *game.action_names), (back.player_names, *back.action_names)):
        assert all(r == o for o, r in zip(original, read) if o)
        assert all(read) and len(set(read)) == len(read)
    if not exact:
        assert all(np.array_equal(a, b) for a, b in zip(back.payoffs, game.payoffs))  # bit for bit
    assert write_nfg(back, version=version) == write_nfg(read_nfg(write_nfg(back, version=version)), version=version)


@pytest.mark.parametrize("name", catalog.game_names())
@pytest.mark.parametrize("version", ["payoff", "outcome"])
def test_catalog_round_trip(name, version):
    game = catalog.GAMES[name]()
    text = write_nfg(game, version=version)
    assert text.endswith("\n") and text.startswith("NFG 1 R ")
    assert same_game(read_nfg(text), game)


def test_float_round_trip_extremes():
    values = [0.1, -0.0, 1e-300, 5e-324, 1.7976931348623157e308, -2.5e17, 1 / 3]
    game = NormalFormGame([np.array(values)], exact=False)
    for version in ("payoff", "outcome"):
        back = read_nfg(write_nfg(game, version=version))
        assert not back.is_exact and back.payoffs[0].tobytes() == game.payoffs[0].tobytes()  # bit for bit, -0.0 too
    assert read_json(write_json(game)) == game


def test_three_player_float_game_round_trip():
    game = random_game((2, 3, 4), seed=3)
    for version in ("payoff", "outcome"):
        assert same_game(read_nfg(write_nfg(game, version=version)), game)


def test_write_nfg_layout_and_escaping():
    game = NormalFormGame.from_bimatrix(
        [[1, 2]], [[3, 4]], player_names=["", 'Q"'], action_names=[[""], ["x\\y", "z"]], title='t "1"'
    )
    text = write_nfg(game)
    assert text == 'NFG 1 R "t \\"1\\"" { "Player 1" "Q\\"" }\n{ { "a1" } { "x\\\\y" "z" } }\n\n1 3\n2 4\n'
    outcome = write_nfg(game, version="outcome")
    assert outcome.endswith('{\n{ "" 1, 3 }\n{ "" 2, 4 }\n}\n1 2\n')


def test_write_to_path(tmp_path):
    game = catalog.maintain()
    path = tmp_path / "maintain.nfg"
    text = write_nfg(game, path)
    assert path.read_text(encoding="utf-8") == text
    assert same_game(read_nfg(path), game) and same_game(read_nfg(str(path)), game)
    json_path = tmp_path / "maintain.json"
    assert write_json(game, str(json_path)) == json_path.read_text(encoding="utf-8")
    assert same_game(read_json(json_path), game)


# ---------------------------------------------------------------------------- cross-check with pygambit 17.0.0b2
def gambit_arrays(game, shape) -> list:
    """pygambit's payoffs as Fraction tensors (pygambit 17's ``to_arrays``; cells without an outcome pay 0)."""
    tensors = [np.vectorize(lambda v: Fraction(str(v)), otypes=[object])(array) for array in game.to_arrays()]
    assert all(t.shape == tuple(shape) for t in tensors)
    return tensors


@pytest.mark.parametrize("seed", range(5))
def test_pygambit_reads_our_files(seed):
    game = random_integer_game((3, 4), -9, 9, seed=seed)
    game.title = f'game "{seed}"'
    for version in ("payoff", "outcome"):
        theirs = pygambit.read_nfg(io.StringIO(write_nfg(game, version=version)))
        assert all(np.array_equal(a, b) for a, b in zip(gambit_arrays(theirs, game.shape), game.exact_payoffs))
        assert theirs.title == game.title
        assert list(theirs.players) == list(game.player_names)
        assert [list(theirs.get_strategies(p)) for p in theirs.players] == [list(a) for a in game.action_names]


@pytest.mark.parametrize("version", ["payoff", "outcome"])
def test_pygambit_reads_our_float_files_bit_for_bit(version):
    game = random_game((2, 3, 2), seed=11)
    theirs = pygambit.read_nfg(io.StringIO(write_nfg(game, version=version)))
    arrays = theirs.to_arrays()
    for cell in np.ndindex(*game.shape):
        assert tuple(float(Fraction(str(a[cell]))) for a in arrays) == game.pure_payoffs(cell)


@pytest.mark.parametrize("seed", range(5))
def test_we_read_pygambit_files(seed):
    rng = np.random.default_rng(seed)
    A = np.vectorize(lambda v: Fraction(int(v), 7), otypes=[object])(rng.integers(-20, 20, size=(3, 2)))
    B = rng.integers(-20, 20, size=(3, 2))
    theirs = pygambit.StrategicGame.from_arrays(A, B, title=f"seed {seed}")
    ours = read_nfg(theirs.to_nfg())
    assert ours.title == f"seed {seed}" and ours.shape == (3, 2)
    assert ours.bimatrix(exact=True)[0].tolist() == A.tolist()
    assert ours.bimatrix(exact=True)[1].tolist() == B.tolist()


@pytest.mark.parametrize("seed", range(3))
def test_we_read_pygambit_float_files(seed):
    game = random_game((2, 3), seed=seed)
    A, B = game.bimatrix()
    theirs = pygambit.StrategicGame.from_arrays(A, B)
    ours = read_nfg(theirs.to_nfg())
    assert np.array_equal(ours.payoffs[0], A) and np.array_equal(ours.payoffs[1], B)


def test_pygambit_agrees_on_three_player_files():
    ours = read_nfg(DATA / "three_player.nfg")
    theirs = pygambit.read_nfg(str(DATA / "three_player.nfg"))
    assert all(np.array_equal(a, b) for a, b in zip(gambit_arrays(theirs, ours.shape), ours.exact_payoffs))
    assert list(theirs.players) == list(ours.player_names)


# ---------------------------------------------------------------------------- JSON
@given(data=st.data())
def test_json_round_trip(data):
    exact = data.draw(st.booleans())
    game = data.draw(labelled_games(exact))
    back = read_json(write_json(game))
    assert same_game(back, game)
    json.loads(write_json(game))  # valid JSON


def test_json_schema_example():
    text = write_json(catalog.prisoners_dilemma())
    document = json.loads(text)
    assert document == {
        "format_version": 1,
        "title": "Prisoner's Dilemma",
        "players": ["Agent 1", "Agent 2"],
        "actions": [["C", "D"], ["C", "D"]],
        "exact": True,
        "payoffs": [[[-1, -3], [0, -2]], [[-1, 0], [-3, -2]]],
    }


def test_json_minimal_documents_and_inference():
    game = read_json('{"format_version": 1, "payoffs": [[[1, "2.5"]], [[3, "-1/3"]]]}')
    assert game.is_exact and game.bimatrix(exact=True)[0].tolist() == [[1, Fraction(5, 2)]]
    assert game.player_names == ("Player 1", "Player 2") and game.title == ""
    floats = read_json('{"format_version": 1, "payoffs": [[[1, 2.5]], [[3, 4]]]}')
    assert not floats.is_exact and floats.payoffs[0].tolist() == [[1.0, 2.5]]
    forced = read_json('{"format_version": 1, "exact": false, "payoffs": [[[1, 2]], [[3, 4]]]}')
    assert not forced.is_exact


@pytest.mark.parametrize(
    "document, words",
    [
        ('[{"format_version": 1}]', "must be a JSON object"),
        ("{", "not valid JSON"),
        ('{"payoffs": [[1]]}', "no 'format_version'"),
        ('{"format_version": 1}', "no 'payoffs'"),
        ('{"format_version": 2, "payoffs": [[1]]}', "format_version must be 1"),
        ('{"format_version": 1.0, "payoffs": [[1]]}', "format_version must be 1"),
        ('{"format_version": 1, "payoffs": [[1]], "payofs": 1}', "unknown keys ['payofs']"),
        ('{"format_version": 1, "payoffs": []}', "non-empty list"),
        ('{"format_version": 1, "payoffs": [[[1, 2]], [[1]]]}', "payoffs[1][0] must be a list of 2 entries"),
        ('{"format_version": 1, "payoffs": [[[1, 2]], [[1, [2]]]]}', "payoffs[1][0][1] must be a number"),
        ('{"format_version": 1, "payoffs": [[1, 2], [3, 4]]}', "nested 2 levels deep"),
        ('{"format_version": 1, "payoffs": [[[1, 2]], [[1, "x"]]]}', "payoffs[1][0][1] must be an integer, a decimal"),
        ('{"format_version": 1, "payoffs": [[[1, 2]], [[1, true]]]}', "payoffs[1][0][1] must be a number"),
        ('{"format_version": 1, "payoffs": [[[1, 2]], [[1, null]]]}', "payoffs[1][0][1] must be a number"),
        ('{"format_version": 1, "exact": true, "payoffs": [[[1, 2.5]], [[1, 2]]]}', "payoffs[0][0][1] is the JSON float 2.5"),
        ('{"format_version": 1, "exact": false, "payoffs": [[[1, "2"]], [[1, 2]]]}', "must be a JSON number in a float game"),
        ('{"format_version": 1, "payoffs": [[[1, 2.5]], [[1, "2"]]]}', "must be a JSON number in a float game"),
        ('{"format_version": 1, "payoffs": [[[1, NaN]], [[1, 2]]]}', "contains NaN"),
        ('{"format_version": 1, "payoffs": [[[1, -Infinity]], [[1, 2]]]}', "contains -Infinity"),
        ('{"format_version": 1, "payoffs": [[[1, 1e400]], [[1, 2]]]}', "must be a finite number"),
        ('{"format_version": 1, "exact": 1, "payoffs": [[1]]}', "exact must be true or false"),
        ('{"format_version": 1, "title": 3, "payoffs": [[1]]}', "title must be a string"),
        ('{"format_version": 1, "title": 3.5, "payoffs": [[1]]}', "title must be a string"),
        ('{"format_version": 1, "players": ["A", "B"], "payoffs": [[1]]}', "players must be a list of 1 strings"),
        ('{"format_version": 1, "players": [1.5], "payoffs": [[1]]}', "players must be a list of 1 strings"),
        ('{"format_version": 1, "players": ["A", "A"], "payoffs": [[[1]], [[1]]]}', "player_names must be unique"),
        ('{"format_version": 1, "actions": [["x"]], "payoffs": [[[1]], [[1]]]}', "actions must be a list of 2 lists"),
        ('{"format_version": 1, "actions": [["x", "y"]], "payoffs": [[1]]}', "actions[0] must be a list of 1 strings"),
    ],
)
def test_json_errors(document, words):
    with pytest.raises(JsonFormatError) as info:
        read_json(document)
    assert isinstance(info.value, ValueError)
    assert words in str(info.value)


# ---------------------------------------------------------------------------- sources, dispatch, bad arguments
def test_load_and_save_dispatch_on_suffix(tmp_path):
    game = catalog.penalty(-50)
    for name in ("penalty.nfg", "penalty.json", "PENALTY.NFG"):
        save_game(game, tmp_path / name)
        assert same_game(load_game(tmp_path / name), game)
        assert same_game(load_game(str(tmp_path / name)), game)
    assert (tmp_path / "penalty.nfg").read_text().startswith("NFG 1 R")
    assert json.loads((tmp_path / "penalty.json").read_text())["format_version"] == 1


def test_bad_suffix_and_types(tmp_path):
    with pytest.raises(ValueError, match=r"\.nfg or \.json"):
        save_game(catalog.escape(), tmp_path / "escape.txt")
    with pytest.raises(ValueError, match=r"\.nfg or \.json"):
        load_game(tmp_path / "escape")
    with pytest.raises(TypeError, match="path must be"):
        load_game(3)
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        save_game([[1]], tmp_path / "x.nfg")
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        write_nfg("not a game")
    with pytest.raises(TypeError, match="game must be a NormalFormGame"):
        write_json(None)
    with pytest.raises(ValueError, match="version must be one of"):
        write_nfg(catalog.escape(), version="table")
    with pytest.raises(TypeError, match="path must be"):
        write_nfg(catalog.escape(), 3)
    with pytest.raises(TypeError, match="path_or_text must be a path"):
        read_nfg(b"NFG 1 R")
    with pytest.raises(TypeError, match="path_or_text must be a path"):
        read_json(None)
    with pytest.raises(TypeError, match="exact must be"):
        read_nfg(DATA / "e02.nfg", exact="yes")


def test_missing_files(tmp_path):
    for reader in (read_nfg, read_json, load_game):
        with pytest.raises(FileNotFoundError, match="no such file"):
            reader(tmp_path / "missing.nfg" if reader is not read_json else tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_nfg("games/missing.nfg")

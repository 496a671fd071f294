"""Tests of stackelberg.cli.demo: each demo game with its known equilibria."""

import stackelberg as sb
from stackelberg.cli.demo import DEMO_GAMES


def test_demo_prints_every_game_with_its_equilibria(cli):
    code, out, _ = cli("demo")
    assert code == 0
    for spec in DEMO_GAMES:
        assert f"=== {spec}:" in out
    maintain = out.split("=== maintain:")[1].split("===")[0]
    # maintain: its pure NE as the library finds it; the strong mixed SSE pays the leader 55/2 (README)
    game = sb.get_game("maintain")
    pure = maintain.split("Nash equilibria (all extreme")[0]
    for equilibrium in sb.pure_nash_equilibria(game):
        actions = "; ".join(game.action_names[p][equilibrium.support[p][0]] for p in range(2))
        payoffs = "; ".join(str(v) for v in equilibrium.payoffs)
        assert any(line.split() == [*actions.split(), *payoffs.split(), "0"] for line in pure.splitlines())
    mixed = maintain.split("Stackelberg equilibria (mixed commitment")[1]
    assert "55/2" in mixed

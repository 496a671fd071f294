"""Tests of stackelberg.analysis.lio_study: vector fields (Figs. 5.2, B.1) and the Prop. 3 check."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackelberg import NormalFormGame
from stackelberg.analysis.lio_study import cooperation_margin, lio_convergence_study, lio_vector_field

PD = NormalFormGame.from_bimatrix([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])


@given(fixed=st.floats(0, 3), gamma=st.floats(0, 0.95), alpha=st.floats(0.001, 0.05), beta=st.floats(0, 0.1))
def test_cooperation_field_is_the_closed_form(fixed, gamma, alpha, beta):
    field = lio_vector_field(PD, fixed_incentive=fixed, gamma=gamma, alpha=alpha, beta=beta, incentive_bounds=None)
    eta_c, theta = np.meshgrid(field.incentive, field.theta)
    expected_theta = np.clip(theta + alpha / (1 - gamma) * (eta_c - fixed - 1), 0, 1) - theta
    np.testing.assert_allclose(field.d_theta, expected_theta, atol=1e-12)
    np.testing.assert_allclose(field.d_incentive, 2 * beta * alpha / (1 - gamma) ** 2, atol=1e-12)


def test_defection_field_decreases_the_incentive_for_defection():
    field = lio_vector_field(PD, incentive_action=1, fixed_incentive=2.0, incentive_grid=np.linspace(0.5, 3, 6))
    assert (field.d_incentive < 0).all()  # Fig. B.1, lower row
    # theta^2 rises where eta_C - eta_D - 1 > 0, i.e. eta_D < 1 (away from the boundaries 0 and 1)
    inside = (field.theta > 0) & (field.theta < 1)
    rising = field.d_theta[inside][:, field.incentive < 1]
    falling = field.d_theta[inside][:, field.incentive > 1]
    assert (rising > 0).all() and (falling < 0).all()


def test_field_with_cost_depends_on_recipient_policy():
    field = lio_vector_field(PD, cost=1.0, theta_grid=[0.2, 0.8], incentive_grid=[1.0, 2.0])
    # d eta_C = beta * (2 alpha/(1-g)^2 - cost * theta^2/(1-g)): smaller where the recipient cooperates more
    assert field.d_incentive[1, 0] < field.d_incentive[0, 0]
    np.testing.assert_allclose(field.d_incentive[:, 0], 0.01 * (2 * 0.01 / 0.01 - 1.0 * np.array([0.2, 0.8]) / 0.1))


def test_proposition_3_every_initial_condition_reaches_cooperation():
    study = lio_convergence_study(PD, n_steps=400, points_per_axis=3)
    assert study.n_runs == 3**6
    assert study.fractions["00"] == 1.0
    np.testing.assert_allclose(study.final_margin, 2.0)  # eta_C -> 3, eta_D -> 0
    np.testing.assert_allclose(study.final_collective_reward, -2.0)


def test_lio_pg_ends_at_defect_cooperate_from_every_initial_condition():
    study = lio_convergence_study(PD, n_steps=600, points_per_axis=3, learners=("lio", "pg"))
    assert study.n_runs == 3**4
    assert study.fractions["10"] == 1.0  # LIO (row) defects, PG (column) cooperates
    np.testing.assert_allclose(study.final_collective_reward, -3.0)
    np.testing.assert_array_equal(study.final_eta[:, 1], 0.0)


def test_heavy_cost_can_prevent_cooperation():
    # cost/(1-g) * y_C > 2 alpha/(1-g)^2 makes eta_C fall wherever the recipient cooperates
    study = lio_convergence_study(PD, n_steps=600, points_per_axis=2, cost=5.0)
    assert study.fractions["00"] < 1.0
    assert sum(study.fractions.values()) == pytest.approx(1.0)


def test_cooperation_margin_general_2x2():
    stag = NormalFormGame.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    # column player: min over rows of B[:,0] - B[:,1] = min(1, -3) = -3
    assert float(cooperation_margin(stag, [1.0, 0.0])) == pytest.approx(-2.0)
    assert float(cooperation_margin(stag, [0.0, 0.0], recipient=0)) == pytest.approx(-3.0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(incentive_action=2), ValueError, "incentive_action must be 0"),
        (dict(learners=("pg", "lio")), ValueError, "learners\\[0\\] must be 'lio'"),
        (dict(theta_grid=[0.0, 1.5]), ValueError, "theta_grid must lie in"),
        (dict(incentive_grid=[1.0]), ValueError, "incentive_grid must hold at least 2"),
        (dict(fixed_incentive="x"), TypeError, "fixed_incentive must be a real number"),
    ],
)
def test_vector_field_validates(kwargs, error, match):
    with pytest.raises(error, match=match):
        lio_vector_field(PD, **kwargs)


def test_study_rejects_non_2x2():
    game = NormalFormGame.from_bimatrix(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="2x2"):
        lio_convergence_study(game)
    with pytest.raises(ValueError, match="points_per_axis must be an integer >= 2"):
        lio_convergence_study(PD, points_per_axis=1)

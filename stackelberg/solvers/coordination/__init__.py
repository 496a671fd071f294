"""Expensive coordination: the leader's exact MDP against rule-based followers and the event-based policy gradient.

:mod:`.leader_mdp` builds the leader's MDP over (followers' cells, contracts in force) and solves it with the MDP
core; :mod:`.ebpg` holds the tabular event-based leader, the exact and sampled forms of Proposition 1 and
Remark 2, and the REINFORCE trainer; :mod:`.followers` the Lemma-3 followers (a meta-policy over goals on a fixed
shortest-path level) and the vanilla Q-learning followers over primitive moves, with their exact best responses;
:mod:`.cotraining` the tabular event leader learning while learning followers learn (two time scales).
"""

from .ebpg import (
    EBPGGradient,
    EBPGTrainingResult,
    EventTrajectories,
    TabularEventLeader,
    ebpg_estimate,
    ebpg_samples,
    ebpg_expectation,
    exact_gradient,
    finite_difference_gradient,
    leader_policy_value,
    sample_event_trajectories,
    tabular_event_leader,
    train_event_leader,
)
from .cotraining import FOLLOWER_KINDS, CoTrainingResult, train_coordination
from .followers import (
    FollowerTrainingResult,
    VanillaFollowerTrainingResult,
    follower_best_response,
    follower_meta_mdp,
    train_abstraction_follower,
    train_vanilla_follower,
    vanilla_follower_best_response,
    vanilla_follower_mdp,
)
from .leader_mdp import LeaderOptimum, leader_mdp, leader_optimum, leader_slot_mdp, uninformed_slot_optimum

__all__ = [
    "CoTrainingResult",
    "EBPGGradient",
    "EBPGTrainingResult",
    "EventTrajectories",
    "FOLLOWER_KINDS",
    "FollowerTrainingResult",
    "LeaderOptimum",
    "TabularEventLeader",
    "VanillaFollowerTrainingResult",
    "ebpg_estimate",
    "ebpg_samples",
    "ebpg_expectation",
    "exact_gradient",
    "finite_difference_gradient",
    "follower_best_response",
    "follower_meta_mdp",
    "leader_mdp",
    "leader_optimum",
    "leader_policy_value",
    "leader_slot_mdp",
    "sample_event_trajectories",
    "tabular_event_leader",
    "train_abstraction_follower",
    "train_coordination",
    "train_event_leader",
    "train_vanilla_follower",
    "uninformed_slot_optimum",
    "vanilla_follower_best_response",
    "vanilla_follower_mdp",
]

"""The Fig. 2 reproduction (SE vs NE against the cooperation level) on a small quick run."""

from pathlib import Path

from stackelberg.figures import fig2_se_vs_ne as script


def test_figure_script_quick_run(tmp_path):
    numbers = script.run(tmp_path, quick=True, trials=60, workers=1)
    assert set(numbers["sizes"]) == {5, 10}
    for summary in numbers["sizes"].values():
        # the paper's claims: SE beats the average NE at high cooperation; more NE when cooperative
        assert summary["se_leader_rho_1"] > summary["ne_leader_rho_1"]
        assert summary["se_follower_rho_1"] > summary["ne_follower_rho_1"]
        assert summary["se_better_from_rho"] is not None and summary["se_better_from_rho"] <= 0.9
        assert summary["ne_count_rho_correlation"] > 0.5
    assert all(Path(p).exists() for p in numbers["files"].values())
    assert (tmp_path / "numbers.json").exists()
    # the account states the claims per size; sizes the quick run leaves out have no number of ours
    rows = {row.item: row for row in script.account(numbers, quick=True)}
    assert rows["5x5: SE beats the average NE for both players at rho = 1"].ours is True
    assert rows["10x10: the mean NE count grows with rho (correlation > 0)"].ours is True
    assert rows["100x100: SE beats the average NE for both players at rho = 1"].ours is None

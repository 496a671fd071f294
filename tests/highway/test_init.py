"""Registration and the missing-extra error."""

import subprocess
import sys

import gymnasium

import stackelberg.highway as hw


def test_every_id_is_registered():
    assert set(hw.ENV_IDS) <= set(gymnasium.registry)
    hw.register_environments()  # idempotent
    assert gymnasium.spec("stackelberg/OnRampMerge-hard-v0").kwargs == {"density": "hard"}
    # a config given to make keeps the id's density
    env = gymnasium.make("stackelberg/OnRampMerge-hard-v0", config={"controlled_vehicles": 4})
    assert env.unwrapped.config["density"] == "hard" and env.unwrapped.n_agents == 4


def test_missing_highway_env_names_the_extra():
    code = (
        "import sys\n"
        "sys.modules['highway_env'] = None\n"  # makes `import highway_env` fail
        "from stackelberg.errors import MissingExtraError\n"
        "try:\n"
        "    import stackelberg.highway\n"
        "except MissingExtraError as error:\n"
        "    print(type(error).__name__, error.extra, '|', error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "PYTHONPATH": ":".join(sys.path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("MissingExtraError highway | stackelberg.highway needs")
    assert 'pip install "stackelberg[highway]"' in result.stdout

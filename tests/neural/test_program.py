"""The learner registry of :mod:`stackelberg.neural.program`."""

import importlib.util
import sys

from stackelberg.neural.train import algorithm_names


def test_a_second_execution_of_the_module_keeps_the_one_registry(monkeypatch):
    # pytest's importlib import mode executes a collected submodule again after its package imported it; the
    # learners registered before and after must stay in the dictionary train() reads
    loaded = sys.modules["stackelberg.neural.program"]
    names = algorithm_names()
    spec = importlib.util.spec_from_file_location("stackelberg.neural.program", loaded.__file__)
    again = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "stackelberg.neural.program", again)
    spec.loader.exec_module(again)
    assert again.ALGORITHMS is loaded.ALGORITHMS
    again.register_algorithm("test-only", object, lambda env, config: None)
    try:
        assert "test-only" in algorithm_names() and set(names) < set(algorithm_names())
    finally:
        loaded.ALGORITHMS.pop("test-only")

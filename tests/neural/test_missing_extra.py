"""Without JAX, importing stackelberg still works and stackelberg.neural names the pip extra."""

import subprocess
import sys
import textwrap


def _run(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


def test_stackelberg_never_imports_jax():
    out = _run(
        """
        import sys
        import stackelberg, stackelberg.cli
        print("jax" in sys.modules, "flax" in sys.modules, "optax" in sys.modules)
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "False"]


def test_missing_jax_raises_missing_extra_error():
    out = _run(
        """
        import sys
        sys.modules["jax"] = None  # importing jax now fails as if it were not installed
        from stackelberg.errors import MissingExtraError
        try:
            import stackelberg.neural
        except MissingExtraError as error:
            print(type(error).__name__, error.extra, isinstance(error, ImportError))
            print(error)
        """
    )
    assert out.returncode == 0, out.stderr
    first, message = out.stdout.splitlines()[:2]
    assert first == "MissingExtraError neural True"
    assert 'pip install "stackelberg[neural]"' in message and "stackelberg.neural" in message

"""Run every example script as a test (each has a main() and prints something)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


def test_there_are_examples() -> None:
    """The examples folder is not empty."""
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_prints(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example has a docstring and a main(), runs without error, and prints output."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = runpy.run_path(str(path), run_name="example")
    assert namespace.get("__doc__"), f"{path.name} has no docstring"
    assert callable(namespace.get("main")), f"{path.name} has no main()"
    namespace["main"]()
    assert capsys.readouterr().out.strip()


def test_readme_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's Python example runs as written and prints what its comment says."""
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.startswith("door_slammed 1.00 1")
    assert "differs" in out

"""The documentation: its code runs, its reference covers the API, and the site builds strictly."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import negotiation_model as nm

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Pages whose ```python blocks are run, in order, in one namespace per page.
RUNNABLE_PAGES = sorted(
    [DOCS / "index.md", DOCS / "tutorial.md", *(DOCS / "how-to").glob("*.md")],
    key=lambda p: p.relative_to(DOCS).as_posix(),
)

_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^:::\s*negotiation_model\.(?P<path>[\w.]+)\s*$", re.MULTILINE)
#: A pymdownx.snippets include line: ``--8<-- "examples/x.py"`` (paths from the repository root).
_SNIPPET = re.compile(r'^--8<-- "(?P<path>[^"]+)"$', re.MULTILINE)
#: A command of a ```console block, with an optional ``# exit N`` for the exit code it must give.
_COMMAND = re.compile(r"^\$ negotiation-model (?P<args>.*?)(?:\s+#\s*exit\s+(?P<code>\d+))?\s*$")
#: Submodules documented on their own (they need an optional dependency, so they are not at the root).
DOCUMENTED_SUBMODULES = ("strategies",)


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    language: str
    info: str
    code: str
    line: int

    @property
    def is_output(self) -> bool:
        """Return True for a block that shows the output of the Python block before it."""
        return self.language == "text" and self.title == "Output"

    @property
    def title(self) -> str | None:
        """Return the block's ``title="..."``, if any."""
        m = re.search(r'title="([^"]*)"', self.info)
        return m[1] if m else None

    @property
    def file_name(self) -> str | None:
        """Return the file name a block titled like a file stands for (``title="my-episode.yaml"``)."""
        title = self.title
        if self.language != "python" and title and re.fullmatch(r"[\w.-]+\.\w+", title):
            return title
        return None


def fenced_blocks(text: str) -> list[Block]:
    """Return the fenced code blocks of a markdown page that start at the margin, in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m["fence"], i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].rstrip() != fence:
            body.append(lines[i])
            i += 1
        blocks.append(Block(m["lang"], m["info"], "\n".join(body) + "\n", start + 1))
        i += 1
    return blocks


def python_blocks(page: Path) -> list[tuple[Block, Block | None]]:
    """Return each ```python block of a page with the output block that follows it, if any.

    A block titled like a file (```` ```yaml title="my-episode.yaml" ````) is
    returned too, paired with nothing: running the page writes it to that file.
    So is a ```console block: running the page runs its ``$ negotiation-model`` lines.
    """
    blocks = fenced_blocks(page.read_text(encoding="utf-8"))
    out = []
    for k, block in enumerate(blocks):
        if block.language == "python":
            following = blocks[k + 1] if k + 1 < len(blocks) and blocks[k + 1].is_output else None
            out.append((block, following))
        elif block.file_name or block.language == "console":
            out.append((block, None))
    return out


def expand_snippets(code: str) -> str:
    """Return code with each ``--8<-- "path"`` line replaced by that file, as the docs build does."""
    return _SNIPPET.sub(lambda m: (ROOT / m["path"]).read_text(encoding="utf-8"), code)


def run_console(block: Block, where: str) -> None:
    """Run each ``$ negotiation-model ...`` line of a console block in-process and check its exit code."""
    from negotiation_model.cli import main

    commands = [m for line in block.code.splitlines() if (m := _COMMAND.match(line))]
    assert commands, f"{where}: a console block without a $ negotiation-model command"
    for m in commands:
        expected = int(m["code"] or 0)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            code = main(shlex.split(m["args"]))
        assert code == expected, (
            f"{where}: `negotiation-model {m['args']}` exited {code}, not {expected}\n{err.getvalue()}"
        )


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def test_fenced_blocks_pairs_code_with_its_output():
    """The page parser finds python blocks and the output block right after each."""
    page = 'Intro\n\n```python\nprint(1)\n```\n\n```text title="Output"\n1\n```\n\n```bash\nls\n```\n'
    blocks = fenced_blocks(page)
    assert [b.language for b in blocks] == ["python", "text", "bash"]
    assert blocks[0].code == "print(1)\n"
    assert blocks[1].is_output
    assert not blocks[2].is_output
    assert fenced_blocks('```yaml title="ep.yaml"\nid: x\n```\n')[0].file_name == "ep.yaml"
    assert _COMMAND.match("$ negotiation-model validate a.yaml  # exit 1")["code"] == "1"
    assert _COMMAND.match("$ negotiation-model list")["args"] == "list"


@pytest.mark.parametrize("page", RUNNABLE_PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_python_block_runs_and_prints_what_the_page_shows(page, tmp_path, monkeypatch):
    """Each ```python block runs after the ones before it; a block's shown output is what it prints."""
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict[str, object] = {"__name__": "__docs__"}
    pairs = python_blocks(page)
    for block, expected in pairs:
        where = f"{page.relative_to(ROOT)}, line {block.line}"
        if block.file_name:
            Path(block.file_name).write_text(block.code, encoding="utf-8")
            continue
        if block.language == "console":
            run_console(block, where)
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(expand_snippets(block.code), where, "exec"), namespace)
        if expected is not None:
            assert _normalise(printed.getvalue()) == _normalise(expected.code), (
                f"{where}: the block printed something else than the output shown under it "
                f"(line {expected.line}); update the page.\n--- printed:\n{printed.getvalue()}"
            )


def test_tutorial_and_how_to_pages_have_code_to_run():
    """The tutorial and each how-to guide have at least one runnable block (else the run test proves nothing)."""
    empty = [
        p.name
        for p in RUNNABLE_PAGES
        if p.name != "index.md" and not any(b.language == "python" for b, _ in python_blocks(p))
    ]
    assert empty == []


def reference_directives() -> list[tuple[Path, str]]:
    """Return every ``::: negotiation_model.X`` directive in the reference pages."""
    return [
        (page, m["path"])
        for page in sorted((DOCS / "reference").glob("*.md"))
        for m in _DIRECTIVE.finditer(page.read_text(encoding="utf-8"))
    ]


def test_every_public_name_is_in_the_reference():
    """Every name in ``negotiation_model.__all__`` has a ``:::`` directive in docs/reference/."""
    documented = {path.split(".")[0] for _, path in reference_directives()}
    missing = sorted(set(nm.__all__) - documented)
    assert missing == [], f"not documented in docs/reference/: {missing}"


def _import_submodule(name: str) -> object:
    """Import a documented submodule the way its users do: hypothesis first.

    Importing hypothesis runs its entry points, one of which imports
    ``negotiation_model.strategies``; importing the submodule first would
    re-enter it half-initialised.
    """
    import importlib

    import hypothesis  # noqa: F401

    return importlib.import_module(f"negotiation_model.{name}")


def test_every_reference_directive_names_a_public_object():
    """No directive documents a private or vanished name: each starts at a name in ``__all__`` and resolves."""

    stale = []
    for page, path in reference_directives():
        head, *rest = path.split(".")
        obj: object = nm
        ok = head in nm.__all__ or head in DOCUMENTED_SUBMODULES
        if head in DOCUMENTED_SUBMODULES:
            obj, head = _import_submodule(head), rest.pop(0) if rest else ""
            ok = ok and head in getattr(obj, "__all__", ())
        for part in [head, *rest] if ok else []:
            obj = getattr(obj, part, None)
            ok = ok and obj is not None
        if not ok:
            stale.append(f"{page.name}: negotiation_model.{path}")
    assert stale == []


def test_documented_submodules_are_covered():
    """Every name in a documented submodule's ``__all__`` (the hypothesis strategies) is in the reference too."""
    documented = {path for _, path in reference_directives()}
    missing = [
        f"{sub}.{name}"
        for sub in DOCUMENTED_SUBMODULES
        for name in _import_submodule(sub).__all__  # type: ignore[attr-defined]
        if f"{sub}.{name}" not in documented
    ]
    assert missing == []


def test_example_scripts_are_named_in_the_docs():
    """Every script in examples/ is shown or named on some page of the docs."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md") if "notes" not in p.parts)
    unnamed = [p.name for p in sorted((ROOT / "examples").glob("*.py")) if f"examples/{p.name}" not in text]
    assert unnamed == []


@pytest.mark.slow
def test_site_builds_strictly(tmp_path):
    """``mkdocs build --strict`` succeeds, with a generated page per bundled episode and no internal notes."""
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    for episode_id in nm.list_episodes():
        page = site / "datasets" / episode_id / "index.html"
        assert page.is_file(), f"no generated page for {episode_id}"
        assert 'class="mermaid"' in page.read_text(encoding="utf-8")
    assert (site / "datasets" / "door-slam-pattern" / "index.html").is_file()
    assert not (site / "notes").exists()
    assert not (site / "hooks").exists()

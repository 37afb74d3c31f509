"""Security: files are data, never code. YAML tags that build Python objects are refused, and the
source never evaluates, unpickles or imports anything a file names."""

from __future__ import annotations

import io as stdlib_io
import re
import tokenize
from pathlib import Path

import pytest
import yaml

import negotiation_model as nm
from negotiation_model import io as nm_io

SRC = Path(__file__).parents[1] / "src" / "negotiation_model"
GOOD = Path(__file__).parent / "data" / "good"

#: YAML that PyYAML's unsafe loaders would turn into a call, a Python object or a module.
#: {canary} is a file that the payload would create if it ran.
PAYLOADS = {
    "object_apply": 'title: !!python/object/apply:os.system ["touch {canary}"]',
    "object_apply_in_a_list": 'notes: [!!python/object/apply:os.system ["touch {canary}"]]',
    "object_apply_as_a_key": '? !!python/object/apply:os.system ["touch {canary}"]\n: 1',
    "object_new": 'title: !!python/object/new:subprocess.check_output [["touch", "{canary}"]]',
    "name": "title: !!python/name:os.system",
    "module": "title: !!python/module:os",
    "object": "title: !!python/object:argparse.Namespace {{path: {canary}}}",
    "verbatim_tag": 'title: !<tag:yaml.org,2002:python/object/apply:os.system> ["touch {canary}"]',
    "tag_directive": '%TAG !py! tag:yaml.org,2002:python/\n---\ntitle: !py!object/apply:os.system ["touch {canary}"]',
    "local_tag": "title: !include /etc/passwd",
    "python_tuple": "title: !!python/tuple [a, b]",
}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_yaml_tags_that_build_python_objects_are_refused(tmp_path: Path, name: str) -> None:
    """Each tag gives a DataError naming the file, and the payload never runs."""
    canary = tmp_path / "canary"
    body = PAYLOADS[name].format(canary=canary)
    path = tmp_path / f"{name}.yaml"
    path.write_text(body if body.startswith("%TAG") else f"id: x\n{body}\n", encoding="utf-8")
    with pytest.raises(nm.DataError) as info:
        nm.load_episode(path)
    assert str(path) in str(info.value)
    assert "tag" in str(info.value) or "constructor" in str(info.value)
    assert not canary.exists()


@pytest.mark.parametrize("name", ["object_apply", "name", "module"])
def test_machine_files_refuse_python_tags_too(tmp_path: Path, name: str) -> None:
    """PatternMachine.from_file reads YAML through the same safe loader."""
    canary = tmp_path / "canary"
    path = tmp_path / "machine.yaml"
    path.write_text("initial: a\n" + PAYLOADS[name].format(canary=canary).replace("title", "name") + "\n")
    with pytest.raises(nm.DataError):
        nm.PatternMachine.from_file(path)
    assert not canary.exists()


def test_the_yaml_loader_is_a_safe_loader() -> None:
    """The loader io uses derives from PyYAML's safe loaders (pure Python or libyaml)."""
    safe = tuple(c for c in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None)) if c is not None)
    assert issubclass(nm_io._SafeLoader, safe)
    assert not issubclass(nm_io._SafeLoader, (yaml.FullLoader, yaml.UnsafeLoader, yaml.Loader))


def test_text_that_looks_like_a_tag_round_trips_as_text(tmp_path: Path) -> None:
    """A summary that spells out a python tag is saved quoted and read back as the same plain string."""
    episode = nm.load_episode(GOOD / "minimal.yaml")
    sly = '!!python/object/apply:os.system ["touch /tmp/never"]'
    changed = episode.replace(episode.events[0].id, summary=sly)
    path = nm.save_episode(changed, tmp_path / "sly.yaml")
    assert "!!python" not in path.read_text(encoding="utf-8").replace(sly, "")
    assert nm.load_episode(path).events[0].summary == sly


# -- the source code itself ------------------------------------------------------------------

#: Calls that would run code, load code-bearing data, or import modules named at run time.
FORBIDDEN = {
    "eval(": re.compile(r"(?<![\w.])eval\s*\("),
    "exec(": re.compile(r"(?<![\w.])exec\s*\("),
    "yaml.unsafe_load": re.compile(r"\byaml\s*\.\s*(unsafe_load|unsafe_load_all|full_load|full_load_all)\b"),
    "unsafe yaml loaders": re.compile(
        r"\b(UnsafeLoader|FullLoader|CLoader|CFullLoader|CUnsafeLoader)\b|yaml\.Loader\b"
    ),
    "pickle.loads": re.compile(r"\b(pickle|cPickle|dill|marshal|shelve)\s*\.\s*(loads?|Unpickler|open)\b"),
    "__import__": re.compile(r"__import__"),
    "importlib.import_module": re.compile(r"\bimport_module\s*\("),
    "os.system": re.compile(r"\bos\s*\.\s*(system|popen)\s*\("),
    "shell=True": re.compile(r"shell\s*=\s*True"),
}


def code_without_strings_and_comments(path: Path) -> str:
    """Return a file's code with string literals and comments blanked (docstrings may mention eval)."""
    out = []
    tokens = tokenize.generate_tokens(stdlib_io.StringIO(path.read_text(encoding="utf-8")).readline)
    for tok in tokens:
        if tok.type in (tokenize.STRING, tokenize.COMMENT):
            out.append('""' if tok.type == tokenize.STRING else "")
        elif tok.type in (tokenize.NEWLINE, tokenize.NL):
            out.append("\n")
        else:
            out.append(tok.string + " ")
    return "".join(out)


def python_sources() -> list[Path]:
    """Return every Python file of the package."""
    files = sorted(SRC.rglob("*.py"))
    assert files
    return files


@pytest.mark.parametrize("path", python_sources(), ids=lambda p: p.name)
def test_source_never_evaluates_unpickles_or_imports_by_name(path: Path) -> None:
    """No eval/exec, unsafe YAML loading, unpickling, __import__, os.system or shell=True in src/."""
    code = code_without_strings_and_comments(path)
    found = [name for name, pattern in FORBIDDEN.items() if pattern.search(code)]
    assert not found, f"{path.name}: {found}"


@pytest.mark.parametrize("path", python_sources(), ids=lambda p: p.name)
def test_every_yaml_load_names_a_safe_loader(path: Path) -> None:
    """Each yaml.load( call passes Loader= a safe loader; nothing imports load from yaml bare."""
    code = code_without_strings_and_comments(path)
    assert not re.search(r"from\s+yaml\s+import\s+[^\n]*\b(load|load_all|unsafe_load|full_load)\b", code)
    for match in re.finditer(r"\byaml\s*\.\s*load(_all)?\s*\(", code):
        call = code[match.end() : match.end() + 200].split(")")[0]
        loader = re.search(r"Loader\s*=\s*([\w.]+)", call)
        assert loader is not None, f"{path.name}: yaml.load without Loader="
        assert "Safe" in loader.group(1), f"{path.name}: yaml.load with Loader={loader.group(1)}"


def test_the_scanner_catches_what_it_looks_for(tmp_path: Path) -> None:
    """The scan is not vacuous: planted calls are found, and the same words in strings are not."""
    planted = tmp_path / "planted.py"
    planted.write_text('x = eval("1")\ny = "eval( in a string"\nimport pickle\npickle.loads(b"")\n')
    code = code_without_strings_and_comments(planted)
    assert FORBIDDEN["eval("].search(code)
    assert FORBIDDEN["pickle.loads"].search(code)
    assert code.count("eval") == 1

"""Documentation that cannot drift: generated files match the code, and the README's promises hold."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED = _generator().generated()


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: str(p.relative_to(ROOT)))
def test_generated_file_is_up_to_date(path: Path) -> None:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make docs`"
    assert path.read_text(encoding="utf-8") == GENERATED[path], (
        f"{path.relative_to(ROOT)} drifted: run `make docs`"
    )


def test_readme_has_exactly_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]

    assert re.findall(r"```console\n(.*?)\n```", setup, flags=re.DOTALL) == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: ", makefile, flags=re.MULTILINE) and re.search(
        r"^test: ", makefile, flags=re.MULTILINE
    )
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_local_link_in_the_docs_exists() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://")):
                assert (page.parent / target).exists(), f"{page.name} links to missing {target}"

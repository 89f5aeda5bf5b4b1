"""Each distribution's README is its manual on PyPI; the root README's links resolve.

PyPI renders a distribution's README with no repository around it, so a relative link
there is a dead link: the package READMEs link only to absolute addresses. The root README
is read on GitHub, where relative links work, so each must name a file that exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tomllib
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DISTS = ("obs-core", "obs-flask", "obs-ci", "obs-stack")

# Link targets in Markdown: inline links and images, reference definitions, HTML attributes.
_INLINE = re.compile(r"\]\(\s*<?([^)\s>]+)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_HTML = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)""")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_ABSOLUTE = ("https://", "http://", "mailto:")


def _link_targets(markdown: str) -> list[str]:
    """Every link target outside code blocks."""
    prose = _FENCE.sub("", markdown)
    return [*_INLINE.findall(prose), *_REFERENCE.findall(prose), *_HTML.findall(prose)]


def _readme(dist: str) -> str:
    return (ROOT / "packages" / dist / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("dist", DISTS)
def test_each_distribution_publishes_its_readme_as_its_pypi_page(dist: str) -> None:
    pyproject = tomllib.loads((ROOT / "packages" / dist / "pyproject.toml").read_text())
    assert pyproject["project"]["readme"] == "README.md"


@pytest.mark.parametrize("dist", DISTS)
def test_each_distribution_readme_is_a_manual_with_its_install_line(dist: str) -> None:
    readme = _readme(dist)
    assert readme.startswith(f"# {dist}\n")
    assert len(readme.splitlines()) > 40, "a stub, not a manual"
    assert re.search(rf"^pip install '?{re.escape(dist)}\b", readme, re.MULTILINE), (
        f"no `pip install {dist}` line"
    )


@pytest.mark.parametrize("dist", DISTS)
def test_a_distribution_readme_has_no_relative_link_to_break_on_pypi(dist: str) -> None:
    relative = [t for t in _link_targets(_readme(dist)) if not t.startswith(_ABSOLUTE)]
    assert relative == [], f"packages/{dist}/README.md: link by address, not path: {relative}"


def test_the_link_finder_sees_every_kind_of_relative_link() -> None:
    markdown = "[a](../../README.md) ![b](./x.png) [c](docs/x.md#y)\n[d]: e.md\n<a href='f'>"
    assert _link_targets(markdown) == ["../../README.md", "./x.png", "docs/x.md#y", "e.md", "f"]


def test_every_relative_link_in_the_root_readme_names_an_existing_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    relative = [t for t in _link_targets(readme) if not t.startswith((*_ABSOLUTE, "#"))]
    assert relative, "the root README links each package's README"
    missing = [t for t in relative if not (ROOT / t.partition("#")[0]).exists()]
    assert missing == []


def test_the_root_readme_links_every_distribution_readme() -> None:
    targets = _link_targets((ROOT / "README.md").read_text(encoding="utf-8"))
    for dist in DISTS:
        assert f"packages/{dist}/README.md" in targets


def test_the_root_readme_keeps_the_two_quick_start_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert "python3 -m pip install uv && uv run obs demo" in lines
    assert "python3 -m pip install uv && bash scripts/test.sh" in lines


@pytest.mark.slow
def test_the_built_distributions_carry_their_readme_as_the_long_description(
    tmp_path: Path,
) -> None:
    uv = shutil.which("uv")
    assert uv, "uv is not on PATH: python3 -m pip install uv"
    for dist in DISTS:
        subprocess.run(
            [uv, "build", "--offline", "-q", "--sdist", "--package", dist, "-o", str(tmp_path)],
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        [sdist] = tmp_path.glob(f"{dist.replace('-', '_')}-*.tar.gz")
        with tarfile.open(sdist) as archive:
            names = archive.getnames()
            member = archive.extractfile(f"{sdist.name.removesuffix('.tar.gz')}/PKG-INFO")
            assert member is not None
            pkg_info = Parser().parsestr(member.read().decode("utf-8"))
        assert pkg_info["Description-Content-Type"] == "text/markdown"
        assert pkg_info.get_payload().strip() == _readme(dist).strip()
        if dist == "obs-stack":  # the README sends readers to the runbooks in the archive
            assert any(name.endswith("/RUNBOOKS.md") for name in names)

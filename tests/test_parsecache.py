"""The parser's tables kept between runs: only in a private folder, never read from anyone else's file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from parrules import parsecache
from parrules.grammar import grammar_text

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "rulesets").rglob("*.par"))
posix = pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")


def check(cache: Path, *files: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "parrules.cli", "--lang", "en", "check", *map(str, files)],
                          capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
                               "PARRULES_CACHE_DIR": str(cache), **env})


@posix
def test_the_first_run_saves_the_tables_privately_and_the_next_reads_the_same(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = check(cache, *SHIPPED)
    saved = list(cache.glob("par-lark-*.pickle"))
    assert len(saved) == 1
    assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600 and stat.S_IMODE(cache.stat().st_mode) == 0o700
    second = check(cache, *SHIPPED)
    assert (second.returncode, second.stdout, second.stderr) == (first.returncode, first.stdout, first.stderr)
    off = check(tmp_path / "unused", *SHIPPED, PARRULES_CACHE="0")
    assert off.stdout == first.stdout and not (tmp_path / "unused").exists()


def test_a_cached_parser_reads_every_shipped_ruleset_as_a_new_one(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARRULES_CACHE_DIR", str(tmp_path))
    options = {"propagate_positions": True, "maybe_placeholders": False}
    built = parsecache.lalr(grammar_text(), "test", **options)  # builds and saves
    assert list(tmp_path.glob("test-lark-*.pickle"))
    loaded = parsecache.lalr(grammar_text(), "test", **options)  # loads
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        assert loaded.parse(text) == built.parse(text), path.name


@posix
def test_a_file_or_folder_others_can_write_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARRULES_CACHE_DIR", str(tmp_path / "c"))
    path = parsecache.cache_file("par")
    assert path is not None
    Path(path).write_bytes(b"not tables")
    os.chmod(path, 0o666)  # a file someone else could have written: a pickle would run their code
    assert parsecache.cache_file("par") is None
    os.chmod(path, 0o600)
    assert parsecache.cache_file("par") == path
    os.chmod(tmp_path / "c", 0o777)
    assert parsecache.folder() is None and parsecache.cache_file("par") is None
    os.chmod(tmp_path / "c", 0o700)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "c")
    monkeypatch.setenv("PARRULES_CACHE_DIR", str(link))
    assert parsecache.folder() is None  # a link may point anywhere
    monkeypatch.setenv("PARRULES_CACHE", "0")
    assert parsecache.folder() is None


def test_a_cache_folder_that_cannot_be_made_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("PARRULES_CACHE_DIR", str(blocker / "below"))
    assert parsecache.folder() is None
    assert parsecache.lalr('start: "a"', "tiny").parse("a") is not None

"""Where the parser's tables are kept between runs: a private folder of the user's cache.

Building the LALR tables of the grammar takes about 0.1–0.2 s, more than the rest of `parrules
check` on a large ruleset; Lark can save them and load them back in about 10 ms. Lark's cache is a
pickle, which can run code when loaded, so it is only ever read from a folder that this user owns
and nobody else can write to (`$XDG_CACHE_HOME/parrules` or `~/.cache/parrules`, made with mode
0700), from a file this user owns that nobody else can write to; anything else, and the tables are
built as before. Lark itself checks that the file is for this grammar, these options and this
version of Lark, and rebuilds (and rewrites) it otherwise. `PARRULES_CACHE=0` turns the cache off;
`PARRULES_CACHE_DIR` puts it elsewhere (tests do).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import lark


def folder() -> Path | None:
    """The cache folder, made if missing; None when caching is off or the folder is not private."""
    if os.environ.get("PARRULES_CACHE", "1") in ("0", "no", "off", "false"):
        return None
    chosen = os.environ.get("PARRULES_CACHE_DIR")
    if chosen:
        base = Path(chosen)
    else:
        root = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
        base = (Path(root) if root else Path.home() / ".cache") / "parrules"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        return base if private(base) else None
    except (OSError, RuntimeError):  # no home, a read-only disk: build the tables as before
        return None


def private(path: Path) -> bool:
    """Owned by this user and writable by no one else (on Windows, where there is no such mode: as found)."""
    if not hasattr(os, "getuid"):
        return True
    try:
        info = path.lstat()
    except OSError:
        return False
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cache_file(name: str) -> str | None:
    """The cache file for one parser, or None where it must not be read."""
    base = folder()
    if base is None:
        return None
    path = base / f"{name}-lark-{lark.__version__}.pickle"
    if path.exists() and not private(path):
        return None
    return str(path)


def lalr(grammar: str, name: str, **options: object) -> lark.Lark:
    """A LALR parser of `grammar`, its tables loaded from the private cache when they are there."""
    cached = cache_file(name)
    if cached is None:
        return lark.Lark(grammar, parser="lalr", **options)
    if os.path.exists(cached):
        return lark.Lark(grammar, parser="lalr", cache=cached, **options)
    # First run: Lark writes the tables to a file of this process's own, which then takes the cache's
    # name in one step, so that a process starting at the same time never reads a half-written file.
    own = f"{cached}.{os.getpid()}.tmp"
    parser = lark.Lark(grammar, parser="lalr", cache=own, **options)
    try:
        os.chmod(own, 0o600)  # written with the umask (often group-writable): this user's alone
        os.replace(own, cached)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(own)
    return parser

"""Reading and writing files safely: bounded reads of regular files only, all-or-nothing writes.

Reading: a path is opened without blocking (a FIFO would otherwise wait forever for a writer),
then refused unless it is a regular file (a symlink to `/dev/zero` would read until memory runs
out), and refused before reading when it is larger than the caller's limit. A file that grows while
it is read is still cut at the limit.

Writing: the whole file or nothing. The bytes go to an unnamed temporary file in the target's
folder (Linux `O_TMPFILE`, so a process killed mid-write leaves nothing behind; elsewhere a hidden
temporary file that is removed on any error), are flushed to disk, and only then replace the
target. A symlink is written through (the link stays, its target is replaced); a new file gets the
usual permissions (0666 less the umask), a replaced one keeps its own. A character device or a
FIFO (`/dev/null`, `/dev/stdout`, a pipe) is written to as a stream; a folder, a block device or
one of the command's own input files is refused before anything is computed.

Standard input: the path `-` stands for it (`read_stdin`), as in most command-line tools. It is read
once, within the same limits, and its bytes are kept, so that the code that tells a data file's
format and the reader of that format see the same bytes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from parrules.i18n import N_, _, number

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


class ReadError(Exception):
    """Why a file could not be read: `kind` is missing, folder, not_regular, too_large or unreadable.

    For `not_regular`, `detail` says what the file is instead: fifo, device, socket or other.
    """

    def __init__(self, kind: str, detail: str = "", size: int = 0) -> None:
        super().__init__(kind, detail, size)
        self.kind, self.detail, self.size = kind, detail, size


def _kind(mode: int) -> str:
    """What a file that is not a regular file is: fifo, device, socket or other."""
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "other"


# Why such a file is not read, one whole clause per kind (the reason of "cannot read …: {reason}").
_NOT_REGULAR = {
    "fifo": N_("it is a pipe (FIFO), not a regular file"),
    "device": N_("it is a device, not a regular file"),
    "socket": N_("it is a socket, not a regular file"),
    "other": N_("it is not a regular file"),
}


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; raises `ReadError` otherwise."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        raise ReadError("missing") from None
    except IsADirectoryError:
        raise ReadError("folder") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise ReadError("unreadable", getattr(exc, "strerror", None) or str(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadError("folder")
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("not_regular", _kind(info.st_mode))
        if info.st_size > limit:
            raise ReadError("too_large", size=info.st_size)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise ReadError("too_large", size=len(data))
        return data
    except OSError as exc:
        raise ReadError("unreadable", exc.strerror or exc.__class__.__name__) from None
    finally:
        os.close(fd)


# ---- standard input -------------------------------------------------------------------------------

STDIN = "-"  # the path that means standard input, on the command line and in `read_data`
STDIN_NAME = "<stdin>"  # how messages name it (as Python and compilers do), never a made-up file name


def is_stdin(path: Path | str) -> bool:
    """Whether `path` is `-`, standard input (`./-` is a file of that name: see `cli._input`)."""
    return str(path) == STDIN


def shown_name(path: Path | str) -> str:
    """A path as messages name it: `<stdin>` for `-`."""
    return STDIN_NAME if is_stdin(path) else str(path)


# What was read from standard input, with the stream it came from: a stream can be read only once.
# Keyed on the stream object, so that a caller who replaces `sys.stdin` (a test, an embedding
# program) is read afresh.
_stdin_read: list[tuple[object, bytes]] = []


def read_stdin(limit: int) -> bytes:
    """The bytes of standard input, at most `limit` of them; raises `ReadError` otherwise.

    Unlike a file, a stream has no size to check first: it is read up to one byte past the limit,
    and a longer one is `too_large` with `detail` "more" (its real size is unknown, and reading on
    to learn it could take for ever).
    """
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # no standard input at all (pythonw, a closed descriptor)
        raise ReadError("unreadable", _("there is no standard input"))
    if _stdin_read and _stdin_read[0][0] is stream:
        data = _stdin_read[0][1]
    else:
        try:
            data = stream.read(limit + 1)
        except (OSError, ValueError) as exc:  # ValueError: the stream was closed
            raise ReadError("unreadable", getattr(exc, "strerror", None) or str(exc)) from None
        _stdin_read[:] = [(stream, data)]
    if len(data) > limit:
        raise ReadError("too_large", "more", size=len(data))
    return data


def size_text(problem: ReadError, limit: int) -> str:
    """A too large file's size for a message: "52,428,801", or "more than 52,428,800" for a stream."""
    if problem.detail == "more":
        return _("more than {count}").format(count=number(limit))
    return number(problem.size)


def read_utf8(path: Path, limit: int) -> str:
    """A regular file's UTF-8 text (a byte-order mark is dropped); raises `ReadError` (kind not_utf8 too)."""
    data = read_bounded(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError("not_utf8", _("it is not UTF-8 text (byte {byte} on line {line})").format(
            byte=f"0x{data[exc.start]:02X}", line=line)) from None


def describe_read_problem(problem: ReadError, limit: int) -> str:
    """The problem in words, for a message: "no such file", "a device, not a regular file", …"""
    if problem.kind == "missing":
        return _("no such file")
    if problem.kind == "folder":
        return _("it is a folder, not a file")
    if problem.kind == "not_regular":
        return _(_NOT_REGULAR.get(problem.detail, _NOT_REGULAR["other"]))
    if problem.kind == "too_large":
        return _("it is {size} bytes; the limit is {limit}").format(size=size_text(problem, limit),
                                                                     limit=number(limit))
    return problem.detail or _("it cannot be read")


# ---- writing ------------------------------------------------------------------------------------


class OutputError(Exception):
    """An output path that cannot or must not be written; the message says why, in plain words."""


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def check_output(path: Path, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse, before any work is done, an output that would destroy an input or cannot be a file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
        if os.path.islink(path):
            raise OutputError(_("`{path}` is a link to `{target}`, which does not exist; give a file name, or make "
                                "the link point at a file").format(path=path, target=os.readlink(path))) from None
    except NotADirectoryError:
        raise OutputError(_("cannot write `{path}`: a part of that path is a file, not a folder").format(
            path=path)) from None
    except (OSError, ValueError) as exc:
        raise OutputError(_("cannot write `{path}`: {reason}").format(
            path=path, reason=getattr(exc, "strerror", None) or exc)) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(_("`{path}` is a folder; give the name of the file to write, e.g. {path}/results.csv"
                                ).format(path=path))
        if stat.S_ISBLK(info.st_mode):
            raise OutputError(_("`{path}` is a device; results are written to a file").format(path=path))
        if stat.S_ISSOCK(info.st_mode):
            raise OutputError(_("`{path}` is a socket; results are written to a file").format(path=path))
        for given in inputs:
            if given is None:
                continue
            with contextlib.suppress(OSError, ValueError):
                if _same_file(info, os.stat(given)):
                    raise OutputError(_("`{path}` is an input of this command; writing the results there would "
                                        "destroy it: give another file name").format(path=path))
    parent = path.parent
    for folder in (parent, *parent.parents):
        try:
            folder_info = os.stat(folder)
        except FileNotFoundError:
            continue  # created on writing
        except (OSError, ValueError) as exc:
            raise OutputError(_("cannot write `{path}`: {reason}").format(
                path=path, reason=getattr(exc, "strerror", None) or exc)) from None
        if not stat.S_ISDIR(folder_info.st_mode):
            raise OutputError(_("cannot write `{path}`: `{folder}` is a file, not a folder").format(
                path=path, folder=folder))
        break


def write_atomically(path: Path, payload: bytes | Iterable[bytes]) -> None:
    """Write the whole file or nothing (see the module's docstring); raises `OutputError`.

    `payload` may come in pieces (a million units' table, made as it is written); the file is named
    only once the last piece is in. Pieces from something that can be gone through again (a list,
    not a generator): where the kernel's unnamed file fails late, the file is written once more.
    """
    if not isinstance(payload, bytes) and iter(payload) is payload:
        raise TypeError("write_atomically takes bytes or an iterable it can go through twice, not an iterator")
    try:
        _write(path, payload)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(_("cannot write `{path}`: {reason}").format(
            path=path, reason=exc.strerror or exc.__class__.__name__)) from None


def _write(path: Path, payload: bytes | Iterable[bytes]) -> None:
    check_output(path)
    target = Path(os.path.realpath(path))  # through a symlink: the link stays, its target is replaced
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        _write_stream(target, payload, fifo=stat.S_ISFIFO(info.st_mode))
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    # A replaced file keeps its mode: whoever made results.csv private (or writable by the office's
    # group) meant it, and a yearly rerun must not undo that. A new file gets what the umask gives.
    mode = stat.S_IMODE(info.st_mode) if info is not None and stat.S_ISREG(info.st_mode) else None
    if not _write_unnamed(target, payload, mode):
        _write_named(target, payload, mode)
    _sync_folder(target.parent)


def _write_stream(target: Path, payload: bytes | Iterable[bytes], *, fifo: bool) -> None:
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | (getattr(os, "O_NONBLOCK", 0) if fifo else 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(_("cannot write `{path}`: nothing is reading that pipe").format(path=target)) from None
        raise
    try:
        if fifo:
            os.set_blocking(fd, True)
        _write_pieces(fd, payload)
    finally:
        os.close(fd)


def _write_pieces(fd: int, payload: bytes | Iterable[bytes]) -> None:
    for piece in (payload,) if isinstance(payload, bytes) else payload:
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view):]


def _write_all(fd: int, payload: bytes | Iterable[bytes]) -> None:
    _write_pieces(fd, payload)
    os.fsync(fd)


def _write_unnamed(target: Path, payload: bytes | Iterable[bytes], mode: int | None) -> bool:
    """Linux: write an unnamed file, then give it a name only once it is complete. False if unsupported."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not Path("/proc/self/fd").is_dir():
        return False
    try:
        # 0666: the kernel takes the umask (or the folder's default ACL) off, as for any new file.
        fd = os.open(target.parent, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError:
        return False  # a file system without O_TMPFILE support
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        _write_all(fd, payload)
        temporary = target.parent / f".{target.name}.{os.getpid()}.tmp"
        try:
            os.link(f"/proc/self/fd/{fd}", temporary)
        except OSError:
            return False
        try:
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return True
    finally:
        os.close(fd)


def _write_named(target: Path, payload: bytes | Iterable[bytes], mode: int | None) -> None:
    import tempfile

    # mkstemp makes the file 0600 whatever the umask (it must: the name is guessable until it is
    # opened). Left so, the results a clerk writes for the office would be unreadable to colleagues;
    # so the mode is set to what a new file gets (0666 less the umask), or to the replaced file's.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        fchmod = getattr(os, "fchmod", None)  # not on Windows before Python 3.13
        if fchmod is not None:
            fchmod(fd, mode)
        _write_all(fd, payload)
        os.close(fd)
        fd = -1
        if fchmod is None:
            os.chmod(temporary, mode)  # Windows: only the read-only flag, which 0666 less a umask leaves off
        os.replace(temporary, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        temporary.unlink(missing_ok=True)
        raise


def _sync_folder(folder: Path) -> None:
    """The rename itself reaches the disk only when the folder is flushed too."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)

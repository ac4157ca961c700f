"""Data files: the TOML files that ship inside the package, and atomic writes of outputs and caches."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .errors import BeamdumpInputError


def package_data(*parts: str) -> Path:
    """Path of a file or folder under ``beamdump/data``."""
    return Path(str(resources.files("beamdump").joinpath("data", *parts)))


def load_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file; a malformed file raises BeamdumpInputError naming the file and line."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise BeamdumpInputError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise BeamdumpInputError(f"{path}: not valid TOML ({exc})") from None


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Write a file through ``write(f)`` on a temporary file in the same folder, then rename it
    into place: readers see the old file or the whole new one, never a half-written one (an
    interrupted write leaves no trace). The file mode follows the umask."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path

"""Data files: the TOML files that ship inside the package, atomic writes of outputs and caches,
the table format and binning shared by the meson and shower tables, and the disk cache."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import sys
import uuid
import warnings
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping, Protocol, Sequence, TypeVar

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .errors import BeamdumpInputError, CacheError


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


def array_checksum(arrays: Mapping[str, Any], names: Sequence[str]) -> str:
    """sha256 over name, dtype, shape and bytes of each named array (in the given order)."""
    h = hashlib.sha256()
    for name in names:
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def write_table(path: str | Path, arrays: dict[str, Any], meta: dict[str, Any]) -> Path:
    """Cache table: a compressed ``.npz`` of ``arrays`` with ``meta`` (plus the arrays' checksum)
    embedded as JSON, written atomically."""
    meta = dict(meta, checksum=array_checksum(arrays, list(arrays)))
    payload = np.array(json.dumps(meta, sort_keys=True))
    return atomic_write(path, lambda f: np.savez_compressed(f, meta=payload, **arrays))


def read_table(path: str | Path, names: Sequence[str], what: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(meta, arrays) of a table written by :func:`write_table`; an unreadable or damaged file
    (truncated zip, bad JSON, missing member, checksum mismatch) raises :class:`CacheError`."""
    path = Path(path)
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"][()]))
            arrays = {name: z[name] for name in names}
        if not isinstance(meta, dict):
            raise TypeError(f"metadata is a {type(meta).__name__}, not a table")
    except Exception as exc:
        raise CacheError(f"{path}: unreadable {what} ({type(exc).__name__}: {exc})") from exc
    if meta.get("checksum") != array_checksum(arrays, names):
        raise CacheError(f"{path}: array checksum mismatch (file damaged)")
    return meta, arrays


def check_table_key(
    path: str | Path, meta: dict[str, Any], settings_key: str, format_version: int, expected_key: str | None
) -> None:
    """A :class:`CacheError` unless the table's format is ``format_version``, its stored key is the
    key of its stored settings, and (if given) that key is ``expected_key``."""
    if meta.get("format") != format_version:
        raise CacheError(f"{path}: table format {meta.get('format')!r}, expected {format_version}")
    key = meta.get("key")
    if key != settings_key:
        raise CacheError(f"{path}: stored key does not match the stored settings")
    if expected_key is not None and key != expected_key:
        raise CacheError(f"{path}: key {str(key)[:12]}… differs from the requested {expected_key[:12]}…")


def bin_edges(lo: float, hi: float, width: float) -> np.ndarray:
    """Bin edges on the grid lo + k·width, the last edge clipped to hi (the last bin may be narrower)."""
    n = max(1, math.ceil((hi - lo) / width - 1e-9))
    return np.append(np.round(lo + width * np.arange(n), 12), hi)


def cache_dir() -> Path:
    """Cache root: ``$BEAMDUMP_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("beamdump")``."""
    env = os.environ.get("BEAMDUMP_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("beamdump"))


class _Table(Protocol):
    def save(self, path: Path) -> Path: ...


T = TypeVar("T", bound=_Table)


def load_or_make(
    subdir: str, key: str, load: Callable[..., T], make: Callable[[], T], what: str, regenerate: bool = False,
    shipped: Path | None = None,
) -> T:
    """The table of ``key``, looked up in this order:

    1. ``<cache>/<subdir>/<key>.npz`` read with ``load(path, expected_key=key)`` if valid;
    2. ``shipped`` (a file in the package, read-only) if it holds the table of ``key``
       (:func:`shipped_table`);
    3. ``make()``, saved atomically in the cache (by the table's ``save``) and returned.

    A damaged or stale cache file is reported with a warning naming ``what`` and made again; a
    cache that cannot be read or written (no permission, a file where the folder should be) with
    a warning, and the table is made and returned uncached. ``regenerate`` skips 1 and 2."""
    path = cache_dir() / subdir / f"{key}.npz"
    if not regenerate and _exists(path, what):
        try:
            return load(path, expected_key=key)
        except CacheError as exc:
            warnings.warn(f"regenerating damaged {what} cache: {exc}", RuntimeWarning, stacklevel=3)
    if not regenerate and shipped is not None:
        table = shipped_table(shipped, key, load, what)
        if table is not None:
            return table
    table = make()
    try:
        table.save(path)
    except OSError as exc:
        warnings.warn(f"{what} table not cached: {path} cannot be written ({exc.strerror or exc})", RuntimeWarning, stacklevel=3)
    return table


def stored_meta(path: str | Path) -> Any:
    """The parsed JSON metadata of a table written by :func:`write_table`, its arrays not read
    (any JSON value: the caller checks it is a table's); the file's read or parse error if not."""
    with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
        return json.loads(str(z["meta"][()]))


def stored_key(path: str | Path) -> str | None:
    """The ``key`` in the metadata of a table written by :func:`write_table` (its arrays are not
    read); None if the file cannot be read or has none."""
    try:
        meta = stored_meta(path)
        return str(meta["key"]) if isinstance(meta, dict) and "key" in meta else None
    except Exception:
        return None


def shipped_table(path: Path, key: str, load: Callable[..., T], what: str) -> T | None:
    """The table of ``key`` in the package file ``path`` (never written to), or None: quietly if
    there is no such file or it holds the table of other settings, with a warning if it is
    damaged (the caller then makes the table)."""
    if not path.is_file():
        return None
    found = stored_key(path)
    if found is not None and found != key:
        return None
    try:
        return load(path, expected_key=key)
    except CacheError as exc:
        warnings.warn(f"shipped {what} table not used: {exc}", RuntimeWarning, stacklevel=4)
        return None


def _exists(path: Path, what: str) -> bool:
    """Whether a cache file exists; a folder that cannot be searched is a warning and "no"."""
    try:
        return path.exists()
    except OSError as exc:
        warnings.warn(f"{what} cache {path.parent} not read ({exc.strerror or exc})", RuntimeWarning, stacklevel=4)
        return False

"""Reading the TOML data files that ship inside the package (presets, parameters, channels)."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path
from typing import Any

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

"""beamdump: event yields and exclusion regions for feebly coupled particles at beam dumps."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("beamdump")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"

__all__ = ["__version__"]

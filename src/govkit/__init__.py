"""govkit: the rules as code."""

from importlib.metadata import PackageNotFoundError, version

try:
    # Set at build time from the release tag (hatch-vcs); see docs/releasing.md.
    __version__ = version("govkit")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0.0.0"

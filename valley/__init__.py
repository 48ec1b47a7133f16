"""Valley: optimizers racing across loss surfaces, and a live neural-network diagram.

The installed package joins three folders of the repository under one name:
`valley.core` (core/, the numpy engine), `valley.app` (app/, the PyQt6 application)
and `valley.resources` (resources/, scenes and icons). pyproject.toml maps them.
"""
from importlib import metadata

try:
    __version__ = metadata.version("valley")
except metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

"""Optional dependencies (the extras in pyproject.toml): import one, or fail with one line naming the extra."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import ConfigError


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import and return ``module``, an optional dependency that ``pip install 'nktk[extra]'`` installs.

    The heavy parts (PDF and HTML reading, Parquet, the report's charts, Dask)
    are extras so that a plain ``pip install nktk`` stays small. When one is
    missing, the user gets one line saying what needs it and what to install,
    not an ImportError traceback.

    Raises:
        ConfigError: ``module`` cannot be imported, e.g. ``reading PDF files
        needs the optional package pypdf: pip install 'nktk[pdf]'``.

    >>> require("json", "none", "testing").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.partition(".")[0]
        missing = (exc.name or package).partition(".")[0]
        # installed but broken (one of its own dependencies is missing): say which, on the same line
        cause = "" if missing == package else f" ({(str(exc) or missing).splitlines()[0]})"
        raise ConfigError(f"{purpose} needs the optional package {package}{cause}: pip install 'nktk[{extra}]'"
                          ) from None

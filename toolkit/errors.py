"""The exceptions nktk raises for user errors; the CLI prints them as one line."""

from __future__ import annotations


class NktkError(Exception):
    """Base class of every user-facing error nktk raises."""


class InputError(NktkError, ValueError):
    """An input file or record cannot be read or decoded (names the file and record)."""


class InputNotFoundError(NktkError, FileNotFoundError):
    """An input path does not exist."""


class ConfigError(NktkError, ValueError):
    """An option, backend or setting is unknown or unusable on this machine."""


class ModelError(NktkError, ValueError):
    """A model file is missing, corrupted, or carries types that are not trusted."""


class OutputExistsError(NktkError, FileExistsError):
    """The output exists and neither ``--resume`` nor ``--overwrite`` was given."""


class OutputError(NktkError, OSError):
    """An output cannot be written (full disk, read-only folder, closed stream); names the file."""


class OutputLockedError(NktkError, RuntimeError):
    """Another running job holds the output (names its process id)."""

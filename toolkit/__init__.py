"""nktk: bilingual (English/Korean) text mining for research on North Korean migration.

Three entry points share one pipeline: :func:`tokenize`, :func:`extract_entities`
and :func:`classify` for single texts, and :func:`load` for an :class:`Analyzer`
that runs whole records (one at a time or many, on several processes).

``import toolkit`` is cheap: spaCy, scikit-learn and the model load when a
name that needs them is first used (PEP 562 ``__getattr__``), so the command
line starts fast and a script pays only for what it calls.

>>> import toolkit
>>> [t.text for t in toolkit.tokenize("함경북도에서 왔다")][:2]
['함경북도', '에서']
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InputError, InputNotFoundError, ModelError, NktkError, OutputExistsError

if TYPE_CHECKING:
    from .analyzer import Analyzer, classify, load
    from .entities import extract_entities
    from .io import BadRecord, Record, read_records
    from .parsing import tokenize
    from .results import Analysis, Entity, Evidence, Failure, Passage, Token

# public name -> the submodule that defines it (imported on first use)
_LAZY = {
    "Analyzer": "analyzer", "Failure": "results", "classify": "analyzer", "load": "analyzer",
    "extract_entities": "entities",
    "BadRecord": "io", "Record": "io", "read_records": "io",
    "Analysis": "results", "Entity": "results", "Evidence": "results", "Passage": "results", "Token": "results",
    "tokenize": "parsing",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("nktk")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
            return "0.0.0+unknown"
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Analysis",
    "Analyzer",
    "BadRecord",
    "ConfigError",
    "Entity",
    "Evidence",
    "Failure",
    "InputError",
    "InputNotFoundError",
    "ModelError",
    "NktkError",
    "OutputExistsError",
    "Passage",
    "Record",
    "Token",
    "__version__",
    "classify",
    "extract_entities",
    "load",
    "read_records",
    "tokenize",
]

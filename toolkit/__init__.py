"""nktk: bilingual (English/Korean) text mining for research on North Korean migration.

Three entry points share one pipeline: :func:`tokenize`, :func:`extract_entities`
and :func:`classify` for single texts, and :func:`load` for an :class:`Analyzer`
that runs whole records (one at a time or many, on several processes).

>>> import toolkit
>>> [t.text for t in toolkit.tokenize("함경북도에서 왔다")][:2]
['함경북도', '에서']
"""

from importlib.metadata import PackageNotFoundError, version

from .analyzer import Analyzer, Failure, classify, load
from .entities import extract_entities
from .errors import ConfigError, InputError, InputNotFoundError, ModelError, NktkError, OutputExistsError
from .io import BadRecord, Record, read_records
from .results import Analysis, Entity, Evidence, Passage, Token
from .tokenize import tokenize

try:
    __version__ = version("nktk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

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

"""nktk: bilingual (English/Korean) text mining for research on North Korean migration.

>>> import toolkit
>>> [t.text for t in toolkit.tokenize("함경북도에서 왔다")][:2]
['함경북도', '에서']
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import ConfigError, InputError, InputNotFoundError, ModelError, NktkError, OutputExistsError
from .results import Analysis, Entity, Passage, Token
from .tokenize import tokenize

try:
    __version__ = version("nktk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "Analysis",
    "ConfigError",
    "Entity",
    "InputError",
    "InputNotFoundError",
    "ModelError",
    "NktkError",
    "OutputExistsError",
    "Passage",
    "Token",
    "__version__",
    "tokenize",
]

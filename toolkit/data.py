"""Where the bundled data lives: inside the installed package, else in the source tree."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# name -> folder in the source tree; the wheel carries each under toolkit/_data/<name>.
SOURCE_DIRS = {"gazetteer": "corpora/gazetteer", "lexicon": "corpora/lexicon", "models": "models"}


def data_dir(name: str) -> Path:
    """The folder of bundled data ``name`` (``gazetteer``, ``lexicon`` or ``models``).

    ``pip install .`` copies them into the package (see ``pyproject.toml``); a
    source checkout or editable install reads them from the repository.
    """
    packaged = Path(str(resources.files("toolkit"))) / "_data" / name
    if packaged.is_dir() and any(packaged.iterdir()):
        return packaged
    return Path(__file__).resolve().parent.parent / SOURCE_DIRS[name]

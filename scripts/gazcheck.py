"""Lint the gazetteer files: ``python scripts/gazcheck.py corpora/gazetteer/*.tsv``."""

import sys
import tempfile
from pathlib import Path
from shutil import copy

from toolkit.errors import ConfigError
from toolkit.gazetteer import lint, load_entries

with tempfile.TemporaryDirectory() as tmp:
    for name in sys.argv[1:]:
        copy(name, Path(tmp) / Path(name).name)
    try:
        entries = load_entries(Path(tmp))
    except ConfigError as exc:
        print(exc)
        sys.exit(1)
problems = lint(entries)
for p in problems:
    print(p)
print(f"{len(entries)} rows, {len(problems)} errors")
sys.exit(1 if problems else 0)

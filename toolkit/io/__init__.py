"""All file formats: reading records from inputs and writing results."""

from .decode import decode
from .records import BadRecord, Record, expand, read_records
from .write import atomic_write_text, dumps, write_conllu, write_json, write_text

__all__ = [
    "BadRecord",
    "Record",
    "atomic_write_text",
    "decode",
    "dumps",
    "expand",
    "read_records",
    "write_conllu",
    "write_json",
    "write_text",
]

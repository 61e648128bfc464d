"""Validate a delivered data set folder against the contract and store it as normalised, versioned Parquet.

Everything runs as SQL in DuckDB over the files, so a national data set of tens of millions of rows is checked
without a Python loop over rows. Errors are codes with parameters (`errors.DatasetError`); the web layer words them.
"""

from .errors import MAX_ERRORS, MESSAGES, PROGRESS, DatasetError, DatasetRefused
from .prepare import MANIFEST, covered_period, prepare_dataset, read_manifest

__all__ = [
    "MANIFEST",
    "MAX_ERRORS",
    "MESSAGES",
    "PROGRESS",
    "DatasetError",
    "DatasetRefused",
    "covered_period",
    "prepare_dataset",
    "read_manifest",
]

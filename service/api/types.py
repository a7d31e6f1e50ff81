"""Identifier types for paths and bodies.

Ids are bounded to PostgreSQL's INTEGER range: a larger number can never name a record, and letting
it through would make SQLite raise OverflowError and PostgreSQL "integer out of range" (a 500)
instead of a clear 400.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import PathParameter

MAX_ID = 2**31 - 1

PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]

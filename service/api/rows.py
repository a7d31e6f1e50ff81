"""API structs built by one builder each, from a loaded object or from a row shaped like one.

The review room's read (service/domain/reviews/detail.py) selects plain columns instead of loading
objects, because it is the request Debrief serves most; everything else builds the same structs from
loaded objects. A schema's builder reads attributes by the model's names, which a loaded object and
a row of `Columns.select()` both carry, and reads a related row as `Related` names it, like the
relationship (`row.llm_call.model` as `draft.llm_call.model`). So each struct's fields are listed
once, in the struct, and a field added there reaches both paths.
"""

from __future__ import annotations

from functools import cached_property
from operator import attrgetter
from typing import Any, Generic, TypeVar

import msgspec
from sqlalchemy import inspect
from sqlalchemy.orm import Bundle

S = TypeVar("S", bound=msgspec.Struct)


class Columns(Generic[S]):
    """The fields of ``struct`` that copy the column of the same name of ``model``.

    `build` copies those from an object or row and takes the struct's other fields as keywords (a
    keyword wins over a copied column of the same name). ``extra`` names model columns a builder
    reads besides the copied ones, so that `select()` gives a row everything the builder reads.
    """

    def __init__(self, struct: type[S], model: type[Any], *, extra: tuple[str, ...] = ()) -> None:
        self.struct, self.model, self.extra = struct, model, extra

    @cached_property
    def copied(self) -> tuple[str, ...]:
        # Found on first use, not at import: inspecting a mapper configures every mapper.
        mapped = {attr.key for attr in inspect(self.model).column_attrs}
        return tuple(name for name in self.struct.__struct_fields__ if name in mapped)

    @cached_property
    def _read(self) -> Any:
        read = attrgetter(*self.copied)
        return read if len(self.copied) > 1 else lambda source: (read(source),)

    def select(self, entity: Any = None) -> list[Any]:
        """The columns `build` reads, of ``entity`` (an alias of the model) or of the model."""
        of = self.model if entity is None else entity
        return [getattr(of, name) for name in (*self.copied, *self.extra)]

    def build(self, source: Any, **rest: Any) -> S:
        """``struct`` from ``source`` (a model object, or a row of `select()`), plus the fields in ``rest``."""
        return self.struct(**dict(zip(self.copied, self._read(source), strict=True), **rest))


class Related(Bundle[Any]):
    """Columns of a to-one related row, read as one value named like the relationship.

    Like the relationship, the value is None when an outer join found no row, which is told by its
    first column: give a column a found row never has null (its key) first.
    """

    def create_row_processor(self, query: Any, procs: Any, labels: Any) -> Any:
        make = super().create_row_processor(query, procs, labels)
        key = procs[0]

        def proc(row: Any) -> Any:
            return None if key(row) is None else make(row)

        return proc

"""Check a Chroma persistence directory before Chroma opens it.

Why before: Chroma reports a damaged SQLite file or HNSW header as an exception, but a damaged
neighbour list in an HNSW segment's `data_level0.bin` crashes the whole process (SIGSEGV) at the
first query — no `except` can catch that. So the checks here read the files themselves:

- `chroma.sqlite3`: SQLite's own `PRAGMA quick_check`, read-only;
- each HNSW segment directory (hnswlib's on-disk format as chroma-hnswlib 0.7 writes it, header
  version 1): header fields consistent with file sizes, every level-0 neighbour count within the
  graph's degree and every neighbour id inside the graph, every stored vector finite.

Not covered: the upper-level link lists (`link_lists.bin`, well under 1 % of the bytes, whose
layout is private to chroma-hnswlib). FailureIndex adds a probe query after opening, which catches
a missing segment. The database stays the source of truth: whatever is flagged gets rebuilt.
"""

from __future__ import annotations

import enum
import sqlite3
import struct
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SQLITE_FILE = "chroma.sqlite3"
HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
HNSW_PICKLE = "index_metadata.pickle"
# version:int32, then offsetLevel0, max_elements, cur_element_count, size_data_per_element,
# label_offset, offsetData (size_t each), maxlevel:int32, enterpoint:uint32, maxM, maxM0, M
# (size_t), mult:double, ef_construction:size_t. Little-endian, as written on x86-64 and arm64.
_HEADER = struct.Struct("<i QQQQQQ iI QQQ d Q")
_KNOWN_HEADER_VERSION = 1


class IndexState(enum.StrEnum):
    """What was found on disk."""

    MISSING = "missing"  # no directory, or an empty one: start a fresh index
    PRESENT = "present"  # files look sound
    CORRUPT = "corrupt"  # files are damaged: move them aside and rebuild


@dataclass(frozen=True, slots=True)
class DirectoryCheck:
    state: IndexState
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def check_index_dir(path: Path) -> DirectoryCheck:
    """Inspect a Chroma persistence directory without opening it through Chroma."""
    if not path.exists():
        return DirectoryCheck(IndexState.MISSING, notes=(f"{path} does not exist",))
    if not path.is_dir():
        return DirectoryCheck(IndexState.CORRUPT, problems=(f"{path} is not a directory",))
    entries = list(path.iterdir())
    if not entries:
        return DirectoryCheck(IndexState.MISSING, notes=(f"{path} is empty",))
    sqlite_path = path / SQLITE_FILE
    if not sqlite_path.is_file():
        # Chroma would silently start an empty database beside the orphaned segment files.
        return DirectoryCheck(IndexState.CORRUPT, problems=(f"{SQLITE_FILE} is missing but {path} is not empty",))
    problems = list(_check_sqlite(sqlite_path))
    notes: list[str] = []
    for segment in sorted(p for p in entries if p.is_dir()):
        found, noted = _check_hnsw_segment(segment)
        problems += found
        notes += noted
    return DirectoryCheck(IndexState.CORRUPT if problems else IndexState.PRESENT, tuple(problems), tuple(notes))


def _check_sqlite(path: Path) -> list[str]:
    try:
        # closing(): sqlite3's own context manager ends a transaction but leaves the file open.
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed", ...
        return [f"{path.name}: {exc}"]
    verdict = [row[0] for row in rows]
    return [] if verdict == ["ok"] else [f"{path.name}: quick_check says {verdict[:3]}"]


def _check_hnsw_segment(segment: Path) -> tuple[list[str], list[str]]:
    name = segment.name
    present = {f for f in HNSW_FILES if (segment / f).is_file()}
    if not present:
        return [], [f"{name}: not an HNSW segment directory, skipped"]
    if missing := [f for f in HNSW_FILES if f not in present]:
        return [f"{name}: missing {', '.join(missing)}"], []
    raw = (segment / "header.bin").read_bytes()
    if len(raw) < _HEADER.size:
        return [f"{name}/header.bin: {len(raw)} bytes, expected {_HEADER.size}"], []
    (
        version,
        _offset0,
        max_elements,
        count,
        per_element,
        label_offset,
        data_offset,
        max_level,
        entry,
        _max_m,
        max_m0,
        _m,
        _mult,
        _ef,
    ) = _HEADER.unpack_from(raw)
    if count > max_elements or data_offset != 4 + 4 * max_m0 or label_offset <= data_offset:
        return [
            f"{name}/header.bin: inconsistent fields (count {count}, capacity "
            f"{max_elements}, degree {max_m0}, offsets {data_offset}/{label_offset})"
        ], []
    if version != _KNOWN_HEADER_VERSION:
        # A sane header of another version: a newer Chroma may lay elements out differently,
        # so say so rather than call it damaged (which would trigger a rebuild on every start).
        return [], [f"{name}: header version {version} unknown, deep check skipped"]
    if count == 0:
        return [], []
    problems = []
    if not (segment / HNSW_PICKLE).is_file():
        problems.append(f"{name}: {HNSW_PICKLE} is missing for {count} stored vectors")
    if entry >= count or max_level < 0:
        problems.append(f"{name}/header.bin: entry point {entry} outside {count} vectors")
    problems += _check_level0(segment / "data_level0.bin", count, per_element, data_offset, label_offset, max_m0)
    if (segment / "length.bin").stat().st_size < 4 * count:
        problems.append(f"{name}/length.bin: shorter than {count} entries")
    return problems, []


def _check_level0(
    path: Path, count: int, per_element: int, data_offset: int, label_offset: int, max_m0: int
) -> list[str]:
    if path.stat().st_size < count * per_element:
        return [f"{path.parent.name}/{path.name}: shorter than {count} elements"]
    data = np.fromfile(path, dtype=np.uint8, count=count * per_element).reshape(count, per_element)
    problems = []
    # Each element starts with its neighbour count (uint16; byte 2 is the deleted mark), then
    # max_m0 neighbour ids (uint32). A count or an id out of range is what crashes hnswlib.
    counts = data[:, 0:2].copy().view(np.uint16).ravel()
    if (bad := int((counts > max_m0).sum())) > 0:
        problems.append(f"{path.parent.name}/{path.name}: {bad} neighbour counts above {max_m0}")
        counts = np.minimum(counts, max_m0)
    ids = data[:, 4:data_offset].copy().view(np.uint32).reshape(count, max_m0)
    used = np.arange(max_m0)[None, :] < counts[:, None]
    if (bad := int((ids[used] >= count).sum())) > 0:
        problems.append(f"{path.parent.name}/{path.name}: {bad} neighbour ids outside the graph")
    vectors = data[:, data_offset:label_offset].copy().view(np.float32)
    if (bad := int((~np.isfinite(vectors)).any(axis=1).sum())) > 0:
        problems.append(f"{path.parent.name}/{path.name}: {bad} vectors hold NaN or infinity")
    return problems

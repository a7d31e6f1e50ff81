from __future__ import annotations

import struct
from pathlib import Path

import pytest

from retrieval.integrity import IndexState, check_index_dir
from retrieval.store import FailureIndex, IndexSettings


@pytest.fixture()
def built_index(tmp_path: Path, embedder, unit_vectors) -> Path:
    """A closed on-disk index of 1,200 vectors: enough for Chroma to write its HNSW files."""
    path = tmp_path / "index"
    with FailureIndex.open(IndexSettings(path=path), embedder) as index:
        index.upsert_vectors([f"v{i}" for i in range(1200)], unit_vectors(1200))
    return path


def segment_dir(path: Path) -> Path:
    (segment,) = [p for p in path.iterdir() if (p / "header.bin").is_file()]
    return segment


def test_missing_and_empty_directories_are_missing(tmp_path: Path) -> None:
    assert check_index_dir(tmp_path / "nowhere").state is IndexState.MISSING
    (tmp_path / "empty").mkdir()
    assert check_index_dir(tmp_path / "empty").state is IndexState.MISSING


def test_a_sound_index_is_present(built_index: Path) -> None:
    check = check_index_dir(built_index)
    assert check.state is IndexState.PRESENT, check.problems
    assert check.problems == ()


def test_garbage_in_the_sqlite_header_is_corrupt(built_index: Path) -> None:
    with (built_index / "chroma.sqlite3").open("r+b") as handle:
        handle.write(b"\x13" * 100)
    check = check_index_dir(built_index)
    assert check.state is IndexState.CORRUPT
    assert "not a database" in check.problems[0]


def test_out_of_range_neighbours_are_corrupt(built_index: Path) -> None:
    # This is the damage that makes hnswlib crash the process (SIGSEGV) at the first query.
    level0 = segment_dir(built_index) / "data_level0.bin"
    header = (segment_dir(built_index) / "header.bin").read_bytes()
    per_element = struct.unpack_from("<Q", header, 4 + 3 * 8)[0]
    with level0.open("r+b") as handle:
        for element in range(50):
            handle.seek(element * per_element + 4)
            handle.write(b"\xff" * 64)
    check = check_index_dir(built_index)
    assert check.state is IndexState.CORRUPT
    assert any("neighbour ids outside the graph" in p for p in check.problems)


def test_a_truncated_segment_file_is_corrupt(built_index: Path) -> None:
    level0 = segment_dir(built_index) / "data_level0.bin"
    with level0.open("r+b") as handle:
        handle.truncate(1000)
    assert check_index_dir(built_index).state is IndexState.CORRUPT


def test_a_scrambled_hnsw_header_is_corrupt(built_index: Path) -> None:
    (segment_dir(built_index) / "header.bin").write_bytes(bytes(range(100)))
    check = check_index_dir(built_index)
    assert check.state is IndexState.CORRUPT
    assert "header.bin" in check.problems[0]


def test_segments_without_the_database_are_corrupt(built_index: Path) -> None:
    (built_index / "chroma.sqlite3").unlink()
    assert check_index_dir(built_index).state is IndexState.CORRUPT

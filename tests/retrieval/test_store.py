from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.embedding import Embedder
from retrieval.errors import IndexCorruptError, IndexUnavailableError
from retrieval.model_files import bundled_model_files, custom_model_files
from retrieval.store import FailureIndex, IndexSettings, IndexStatus

FAILURES = [
    ("PF-1", "Clock drift on one node pool made API tokens look expired.", {"team": "payments"}),
    ("PF-2", "Two drugs with look-alike names were stored side by side.", {"team": "nursing"}),
    ("PF-3", "A config change reached every region at once, with no canary.", {"team": "payments"}),
    ("PF-4", "The build runner's disk filled up and every pipeline failed.", {"team": "platform"}),
]


def open_index(path: Path, embedder: Embedder, **kwargs) -> FailureIndex:
    return FailureIndex.open(IndexSettings(path=path), embedder, **kwargs)


def test_upsert_query_delete_round_trip(tmp_path: Path, embedder: Embedder) -> None:
    with open_index(tmp_path / "index", embedder) as index:
        assert index.health.status is IndexStatus.CREATED and index.health.needs_rebuild
        assert index.upsert_many(FAILURES) == 4
        assert index.count() == 4
        found = index.query("servers' clocks were out of sync so tokens were rejected", k=3)
        assert found[0][0] == "PF-1"
        scores = [score for _, score in found]
        assert scores == sorted(scores, reverse=True) and -1.0 <= scores[-1] <= scores[0] <= 1.0
        index.delete("PF-1")
        index.delete("PF-unknown")  # not there: nothing happens
        assert index.count() == 3
        assert "PF-1" not in [fid for fid, _ in index.query("clock drift tokens", k=3)]


def test_where_filters_on_metadata(tmp_path: Path, embedder: Embedder) -> None:
    with open_index(tmp_path / "index", embedder) as index:
        index.upsert_many(FAILURES)
        found = index.query("clock drift", k=4, where={"team": "payments"})
        assert {fid for fid, _ in found} == {"PF-1", "PF-3"}


def test_upsert_replaces_text_and_metadata(tmp_path: Path, embedder: Embedder) -> None:
    with open_index(tmp_path / "index", embedder) as index:
        index.upsert("PF-9", "The certificate expired over the weekend.", {"team": "a", "old": 1})
        index.upsert("PF-9", "A forklift tipped over in the warehouse.", {"team": "b"})
        assert index.count() == 1
        assert index.query("warehouse forklift accident", k=1)[0][1] > 0.6
        assert index.query("anything", k=1, where={"old": 1}) == []  # removed key is gone
        assert [fid for fid, _ in index.query("forklift", k=1, where={"team": "b"})] == ["PF-9"]


def test_collection_uses_cosine_and_the_configured_hnsw(tmp_path: Path, embedder) -> None:
    settings = IndexSettings(path=tmp_path / "index", ef_construction=150, ef_search=60, max_neighbors=24)
    with FailureIndex.open(settings, embedder) as index:
        params = index.hnsw_parameters()
    assert (params["space"], params["ef_construction"], params["max_neighbors"]) == ("cosine", 150, 24)
    assert params["ef_search"] == 60
    # ef_search is a query-time setting: a new value applies when the index is reopened.
    reopened = IndexSettings(path=tmp_path / "index", ef_construction=150, ef_search=90, max_neighbors=24)
    with FailureIndex.open(reopened, embedder) as index:
        assert index.health.status is IndexStatus.READY
        assert index.hnsw_parameters()["ef_search"] == 90


def test_reopening_keeps_the_vectors(tmp_path: Path, embedder: Embedder) -> None:
    with open_index(tmp_path / "index", embedder) as index:
        index.upsert_many(FAILURES)
    with open_index(tmp_path / "index", embedder) as index:
        assert index.health.status is IndexStatus.READY and not index.health.needs_rebuild
        assert index.count() == 4


def test_deleted_directory_is_detected_and_rebuilt(tmp_path: Path, embedder: Embedder) -> None:
    path = tmp_path / "index"
    with open_index(path, embedder) as index:
        index.upsert_many(FAILURES)
    shutil.rmtree(path)
    with open_index(path, embedder) as index:
        assert index.health.status is IndexStatus.CREATED and index.health.needs_rebuild
        assert index.count() == 0
        assert index.rebuild(FAILURES) == 4
        assert not index.health.needs_rebuild
        assert index.query("disk full on the CI machine", k=1)[0][0] == "PF-4"


def test_corrupt_database_file_is_moved_aside(tmp_path: Path, embedder: Embedder) -> None:
    path = tmp_path / "index"
    with open_index(path, embedder) as index:
        index.upsert_many(FAILURES)
    with (path / "chroma.sqlite3").open("r+b") as handle:
        handle.write(b"\x00garbage" * 20)
    with pytest.raises(IndexCorruptError, match="rebuild"):
        open_index(path, embedder, on_corrupt="raise")
    with open_index(path, embedder) as index:
        assert index.health.status is IndexStatus.RECREATED
        assert index.health.moved_to is not None and index.health.moved_to.is_dir()
        assert "not a database" in index.health.problems[0]
        assert index.count() == 0
        index.rebuild(FAILURES)
        assert index.count() == 4


def test_lost_segment_is_caught_by_the_probe(tmp_path: Path, embedder, unit_vectors) -> None:
    path = tmp_path / "index"
    with open_index(path, embedder) as index:
        index.upsert_vectors([f"v{i}" for i in range(1200)], unit_vectors(1200))
    (segment,) = [p for p in path.iterdir() if (p / "header.bin").is_file()]
    shutil.rmtree(segment)  # the files pass as "no segment yet", but the vectors are gone
    with open_index(path, embedder) as index:
        assert index.health.status is IndexStatus.RECREATED
        assert "probe" in index.health.problems[0]


def test_damaged_graph_is_caught_before_chroma_crashes(tmp_path: Path, embedder, unit_vectors):
    path = tmp_path / "index"
    with open_index(path, embedder) as index:
        index.upsert_vectors([f"v{i}" for i in range(1200)], unit_vectors(1200))
    (segment,) = [p for p in path.iterdir() if (p / "header.bin").is_file()]
    with (segment / "data_level0.bin").open("r+b") as handle:
        handle.seek(40_000)
        handle.write(b"\xff" * 400_000)
    # In a child process: if detection failed, Chroma's query would kill it with SIGSEGV.
    code = (
        "import sys; from pathlib import Path; from retrieval import *; "
        f"ix = FailureIndex.open(IndexSettings(path=Path({str(path)!r})), Embedder()); "
        "print(ix.health.status.value, ix.count())"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["recreated", "0"]


def test_vectors_from_another_model_are_dropped(tmp_path: Path, embedder: Embedder) -> None:
    with open_index(tmp_path / "index", embedder) as index:
        index.upsert_many(FAILURES)
    bundled = bundled_model_files()
    other = Embedder(custom_model_files(bundled.model, bundled.tokenizer, model_id="other-model"))
    with open_index(tmp_path / "index", other) as index:
        assert index.health.status is IndexStatus.EMPTIED and index.count() == 0


def test_unreachable_server_says_what_to_do(embedder: Embedder) -> None:
    with pytest.raises(IndexUnavailableError, match="chroma run"):
        FailureIndex.open(IndexSettings(host="127.0.0.1", port=free_port()), embedder)


def test_server_mode_round_trip(tmp_path: Path, embedder: Embedder) -> None:
    chroma = Path(sys.executable).parent / "chroma"
    # The CLI ships in the chromadb wheel, so its absence is a broken install: fail, never skip.
    assert chroma.exists(), f"the chroma CLI is missing from {chroma.parent}; reinstall with `make install`"
    port = free_port()
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        index = connect_when_up(IndexSettings(host="127.0.0.1", port=port), embedder)
        with index:
            index.upsert_many(FAILURES)
            assert index.query("look-alike medicine names", k=1)[0][0] == "PF-2"
        with FailureIndex.open(IndexSettings(host="127.0.0.1", port=port), embedder) as index:
            assert index.health.status is IndexStatus.READY and index.count() == 4
    finally:
        server.terminate()
        server.wait(timeout=10)


def connect_when_up(settings: IndexSettings, embedder: Embedder) -> FailureIndex:
    deadline = time.monotonic() + 15
    while True:
        try:
            return FailureIndex.open(settings, embedder)
        except IndexUnavailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

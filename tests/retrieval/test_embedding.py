from __future__ import annotations

import subprocess
import sys

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings

from retrieval.embedding import ChromaEmbeddingFunction, Embedder
from retrieval.errors import EmbeddingModelError
from retrieval.model_files import BUNDLED_MODEL_ID, bundled_model_files, custom_model_files


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_importing_and_constructing_loads_nothing() -> None:
    code = (
        "import sys; import retrieval; from retrieval import Embedder; e = Embedder(); "
        "assert not e.is_loaded; assert 'onnxruntime' not in sys.modules, 'onnxruntime imported'; "
        "assert 'tokenizers' not in sys.modules, 'tokenizers imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_vectors_are_unit_length_float32(embedder: Embedder) -> None:
    vectors = embedder.embed(["The deploy failed.", "", "A much longer sentence " * 40])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_matches_the_similarities_sentence_transformers_documents(embedder: Embedder) -> None:
    # sentence-transformers' quickstart prints these cosine similarities for all-MiniLM-L6-v2
    # (float weights): 0.6660, 0.1046, 0.1411. Getting them with int8 weights checks the model,
    # the tokenizer settings (see MAX_TOKENS) and the pooling in one go.
    weather, sunny, stadium = embedder.embed(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    assert cosine(weather, sunny) == pytest.approx(0.6660, abs=0.01)
    assert cosine(weather, stadium) == pytest.approx(0.1046, abs=0.01)
    assert cosine(sunny, stadium) == pytest.approx(0.1411, abs=0.01)


def test_paraphrase_is_closer_than_an_unrelated_failure(embedder: Embedder) -> None:
    anchor, paraphrase, unrelated = embedder.embed(
        [
            "The config change went to every region at once, without a canary.",
            "A configuration update was rolled out globally with no staged rollout.",
            "The night nurse never got the handover note about the pending blood test.",
        ]
    )
    # Measured: 0.52 for the paraphrase, 0.08 for the unrelated failure.
    assert cosine(anchor, paraphrase) > 0.4
    assert cosine(anchor, paraphrase) > cosine(anchor, unrelated) + 0.3


def test_a_vector_does_not_depend_on_its_batch(embedder: Embedder) -> None:
    texts = [f"Incident {i}: the {'very ' * (i % 7)}slow query timed out." for i in range(20)]
    alone = np.stack([embedder.embed_one(t) for t in texts])
    batched = Embedder(threads=1, batch_size=7)
    np.testing.assert_allclose(batched.embed(texts), alone, atol=1e-5)
    np.testing.assert_allclose(embedder.embed(texts), alone, atol=1e-5)


def test_text_beyond_128_tokens_still_counts(embedder: Embedder) -> None:
    # The upstream tokenizer.json truncates at 128 tokens; the model is meant to read 256.
    prefix = "The team met to review the outage and talked through the timeline. " * 11
    first, second = embedder.embed(
        [prefix + "The root cause was an expired certificate.", prefix + "Bananas are yellow."]
    )
    assert cosine(first, second) < 0.999


def test_rejects_a_bare_string_and_bad_settings(embedder: Embedder) -> None:
    with pytest.raises(TypeError, match="embed_one"):
        embedder.embed("one text")
    with pytest.raises(ValueError, match="threads"):
        Embedder(threads=0)
    with pytest.raises(ValueError, match="batch_size"):
        Embedder(batch_size=0)


def test_chroma_uses_the_adapter_and_never_its_default(embedder: Embedder, tmp_path) -> None:
    settings = Settings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(path=str(tmp_path), settings=settings)
    try:
        adapter = ChromaEmbeddingFunction(embedder)
        collection = client.create_collection("docs", embedding_function=adapter)
        # Chroma embeds documents and query texts itself here; its default would try to download.
        documents = ["The CI runner's disk filled up.", "Two look-alike drugs were mixed up."]
        collection.add(ids=["disk", "drug"], documents=documents)
        found = collection.query(query_texts=["build machine out of storage"], n_results=1)
        assert found["ids"] == [["disk"]]
        # Reopened without naming an embedding function, Chroma rebuilds ours from the config.
        reopened = client.get_collection("docs")
        assert isinstance(reopened.configuration["embedding_function"], ChromaEmbeddingFunction)
    finally:
        client.close()


def test_adapter_config_round_trips_for_bundled_and_custom_models() -> None:
    bundled = ChromaEmbeddingFunction.build_from_config({"model_id": BUNDLED_MODEL_ID})
    assert bundled.embedder.model_id == BUNDLED_MODEL_ID
    files = bundled_model_files(verify=False)
    custom = ChromaEmbeddingFunction(Embedder(custom_model_files(files.model, files.tokenizer, model_id="mine")))
    rebuilt = ChromaEmbeddingFunction.build_from_config(custom.get_config())
    assert rebuilt.embedder.model_id == "mine" and rebuilt.embedder.files == custom.embedder.files
    assert not custom.is_legacy()  # Chroma stores it as a known function, not a legacy one


def test_adapter_refuses_a_collection_whose_model_it_cannot_find() -> None:
    with pytest.raises(EmbeddingModelError, match="rebuild"):
        ChromaEmbeddingFunction.build_from_config({"model_id": "some-other-model"})

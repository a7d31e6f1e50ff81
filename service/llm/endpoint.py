"""The configured model endpoint: any OpenAI-compatible URL, or the embedded server by default."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from service.llm.client import LLMClient, LLMResult, Schema
from service.llm.embedded import EmbeddedServer
from service.llm.model import default_model, user_model
from service.llm.prompts import PromptFile
from service.settings import Settings


class ModelEndpoint:
    """What drafting calls. Build one per process with ``from_settings`` and ``close`` it on shutdown."""

    def __init__(
        self, *, base_url: str, model: str, api_key: str = "", timeout_s: float = 60.0,
        server: EmbeddedServer | None = None,
    ) -> None:  # fmt: skip
        self._settings: dict[str, Any] = {
            "base_url": base_url,
            "model": model,
            "api_key": api_key,
            "timeout_s": timeout_s,
        }
        self.server = server
        self.answer_budget_s = 9.0  # model time per drafted answer (see drafting.compose); settable per process
        self._client: LLMClient | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelEndpoint:
        """An empty DEBRIEF_LLM_BASE_URL means the embedded server; nothing starts until the first call."""
        llm = settings.llm
        if llm.base_url:
            endpoint = cls(base_url=llm.base_url, model=llm.model, api_key=llm.api_key, timeout_s=llm.timeout_s)
            endpoint._settings["redact_remote"] = llm.redact_remote
            endpoint._settings["redact_terms"] = tuple(t for t in llm.redact_terms.split(",") if t.strip())
            return endpoint.with_budget(settings)
        # gguf_path, context_tokens and threads are proposed LLMSettings fields; until they exist the defaults hold.
        gguf_path = str(getattr(llm, "gguf_path", "") or "")
        server = EmbeddedServer(
            user_model(Path(gguf_path)) if gguf_path else default_model(),
            log_path=settings.data_dir / "logs" / "llm-server.log",
            context_tokens=int(getattr(llm, "context_tokens", 2048)),
            threads=int(getattr(llm, "threads", 2)),
            nice=llm.nice,
        )
        endpoint = cls(base_url="", model=llm.model or server.alias, timeout_s=llm.timeout_s, server=server)
        return endpoint.with_budget(settings)

    def with_budget(self, settings: Settings) -> ModelEndpoint:
        """Take the per-answer budget from settings once LLMSettings has ``answer_budget_s``."""
        self.answer_budget_s = float(getattr(settings.llm, "answer_budget_s", self.answer_budget_s))
        return self

    @property
    def model(self) -> str:
        return str(self._settings["model"])

    def complete(
        self,
        prompt: PromptFile,
        *,
        schema: type[Schema],
        variables: dict[str, Any],
        timeout_s: float | None = None,
    ) -> LLMResult[Schema]:
        """Render, call, validate (see ``LLMClient.complete``), starting the embedded server if needed."""
        return self.client().complete(prompt, schema=schema, variables=variables, timeout_s=timeout_s)

    def client(self) -> LLMClient:
        with self._lock:
            base_url = self.server.base_url() if self.server else str(self._settings["base_url"])
            # A restarted embedded server listens on a new port, so the client follows the URL.
            if self._client is None or self._client.base_url != base_url:
                self._client = LLMClient(**{**self._settings, "base_url": base_url})  # type: ignore[arg-type]
            return self._client

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()

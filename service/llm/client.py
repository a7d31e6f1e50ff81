"""The one place Debrief calls a language model.

Render a prompt file → call the model through LangChain's ``ChatOpenAI`` with a schema (tool calling,
which every OpenAI-compatible server we target supports, llama.cpp's included) → validate → return an
``LLMResult`` that carries everything the caller logs as an ``LLMCall`` row.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from typing import Any, Generic, TypeVar

import openai
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from service.llm.errors import LLMBadOutput, LLMTimeout, LLMUnavailable
from service.llm.prompts import PromptFile
from service.llm.redaction import is_local, redact

Schema = TypeVar("Schema", bound=BaseModel)
LOCAL_API_KEY = "sk-no-key-needed"  # the OpenAI client insists on a key; local servers ignore it


@dataclass(frozen=True)
class LLMResult(Generic[Schema]):
    """One validated model answer, with the facts needed to log the call (the fields of ``ModelCall``)."""

    prompt_id: str
    prompt_version: str
    model: str
    input_hash: str
    raw_output: str
    parsed: Schema
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: float
    redactions: int = 0  # spans redacted before the prompt left the machine (remote endpoints only)

    def call_record(self) -> dict[str, Any]:
        """Keyword arguments for ``ModelCall`` / the ``LLMCall`` row."""
        record = asdict(self)
        record["parsed_output"] = self.parsed.model_dump()
        del record["parsed"]
        return record


class LLMClient:
    """Calls one OpenAI-compatible endpoint; built once per process and shared (it holds no state)."""

    def __init__(
        self, *, base_url: str, model: str, api_key: str = "", timeout_s: float = 60.0, max_tokens: int = 120,
        redact_remote: bool = True, redact_terms: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.base_url = base_url
        self.redact = redact_remote and not is_local(base_url)
        self.redact_terms = redact_terms
        self.model = model or "local"
        self.timeout_s = timeout_s
        self._chat = ChatOpenAI(
            model=self.model,
            base_url=base_url or None,
            api_key=api_key or LOCAL_API_KEY,
            timeout=timeout_s,
            max_retries=0,  # the caller decides about retrying; a hidden retry doubles a 60 s wait
            temperature=0,
            max_tokens=max_tokens,
        )

    def complete(
        self,
        prompt: PromptFile,
        *,
        schema: type[Schema],
        variables: dict[str, Any],
        timeout_s: float | None = None,
    ) -> LLMResult[Schema]:
        """Ask the model for a ``schema`` object; raise LLMUnavailable or LLMBadOutput with what to do.

        ``timeout_s`` shortens this one call (a drafting budget); the client's own timeout is the default.
        """
        rendered = prompt.render(**variables)
        system, user, redactions = rendered.system, rendered.user, 0
        if self.redact:  # the endpoint is off this machine: personal data and named secrets stay here
            system, n_system = redact(system, terms=self.redact_terms)
            user, n_user = redact(user, terms=self.redact_terms)
            redactions = n_system + n_user
        messages = [SystemMessage(system), HumanMessage(user)]
        timeout = min(timeout_s or self.timeout_s, self.timeout_s)
        structured = self._chat.with_structured_output(
            schema, method="function_calling", include_raw=True, timeout=timeout
        )  # extra keywords reach the openai client's create() as request options
        started = time.perf_counter()
        answer = self._invoke(structured, messages, timeout_s=timeout)
        latency_ms = (time.perf_counter() - started) * 1000
        raw = answer["raw"]
        raw_output = _raw_output(raw)
        if answer.get("parsing_error") is not None or answer.get("parsed") is None:
            raise LLMBadOutput(
                f"The model's answer did not fit the {schema.__name__} schema "
                f"({_short(str(answer.get('parsing_error') or 'no tool call in the answer'))}). "
                "Nothing was saved; retry, or configure a stronger model.",
                raw_output=raw_output,
            )
        usage = getattr(raw, "usage_metadata", None) or {}
        return LLMResult(
            prompt_id=rendered.prompt_id,
            prompt_version=rendered.version,
            model=self.model,
            input_hash=input_hash(self.model, rendered.system, rendered.user, schema),
            raw_output=raw_output,
            parsed=answer["parsed"],
            prompt_tokens=usage.get("input_tokens"),
            completion_tokens=usage.get("output_tokens"),
            latency_ms=round(latency_ms, 1),
            redactions=redactions,
        )

    def _invoke(self, structured: Any, messages: list[Any], *, timeout_s: float) -> dict[str, Any]:
        """Call the endpoint, turning the openai client's errors into ones a person can act on."""
        try:
            return dict(structured.invoke(messages))
        except openai.APITimeoutError as exc:  # before APIConnectionError, its base class
            raise LLMTimeout(
                f"The model at {self._where} did not answer within {timeout_s:g} s; nothing was saved. "
                "Retry, or raise DEBRIEF_LLM_TIMEOUT_S for a slow model."
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailable(
                f"The model at {self._where} cannot be reached ({exc.__cause__ or exc}); nothing was saved. "
                "Retry in a moment, or check DEBRIEF_LLM_BASE_URL."
            ) from exc
        except openai.AuthenticationError as exc:
            raise LLMUnavailable(f"The model at {self._where} refused the API key; check DEBRIEF_LLM_API_KEY.") from exc
        except openai.APIStatusError as exc:
            raise LLMUnavailable(
                f"The model at {self._where} answered HTTP {exc.status_code}: {_short(exc.message)}. "
                "Nothing was saved; retry, or check the endpoint and DEBRIEF_LLM_MODEL."
            ) from exc

    @property
    def _where(self) -> str:
        return self.base_url or "the default OpenAI endpoint"


def input_hash(model: str, system: str, user: str, schema: type[BaseModel]) -> str:
    """sha256 of everything that determines the answer: same hash, same question to the same model."""
    payload = json.dumps([model, system, user, schema.model_json_schema()], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _raw_output(message: Any) -> str:
    """The model's arguments exactly as sent (servers differ: ``tool_calls`` or legacy ``function_call``)."""
    extra = getattr(message, "additional_kwargs", {}) or {}
    calls = extra.get("tool_calls") or []
    if calls:
        return str(calls[0].get("function", {}).get("arguments", ""))
    if extra.get("function_call"):
        return str(extra["function_call"].get("arguments", ""))
    if getattr(message, "tool_calls", None):
        return json.dumps(message.tool_calls[0].get("args"))
    if getattr(message, "invalid_tool_calls", None):  # arguments that were not JSON, kept as sent
        return str(message.invalid_tool_calls[0].get("args") or "")
    return str(getattr(message, "content", "") or "")


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"

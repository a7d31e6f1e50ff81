"""The one LLM call site: prompt files, the OpenAI-compatible client, the embedded local server."""

from service.llm.client import LLMClient, LLMResult
from service.llm.endpoint import ModelEndpoint
from service.llm.errors import LLMBadOutput, LLMTimeout, LLMUnavailable
from service.llm.prompts import PromptError, load_prompt

__all__ = [
    "LLMBadOutput",
    "LLMClient",
    "LLMResult",
    "LLMTimeout",
    "LLMUnavailable",
    "ModelEndpoint",
    "PromptError",
    "load_prompt",
]

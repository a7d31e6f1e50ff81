"""What ``debrief draft CALL.json [--json] [--extractive]`` does, ready for the CLI to call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.domain.drafting.call import draft_call
from service.errors import InvalidInput
from service.settings import Settings


def draft_file(path: Path, *, settings: Settings, as_json: bool = False, extractive: bool = False) -> str:
    """Draft a call file with the configured model (the embedded one by default) and render the result."""
    try:
        case = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"Cannot read {path} as a call: {exc}. Give a JSON file with participants and turns."
        ) from exc
    if not isinstance(case, dict) or not {"participants", "turns"} <= case.keys():
        raise InvalidInput(f"{path} is not a call: it needs 'participants' and 'turns' (see evals/datasets/cases).")
    call = {"participants": case["participants"], "turns": case["turns"]}  # a truth key is never passed on
    if extractive:
        result = draft_call(call)
    else:
        from service.llm import ModelEndpoint  # imported here: extractive drafting needs no model stack

        endpoint = ModelEndpoint.from_settings(settings)
        try:
            result = draft_call(call, llm=endpoint)
        finally:
            endpoint.close()
    return json.dumps(result, indent=2, ensure_ascii=False) if as_json else render_text(result, call["turns"])


def render_text(result: dict[str, Any], turns: list[dict[str, Any]]) -> str:
    """The drafts as a facilitator would read them, with the turns each one cites."""
    lines = [f"Drafted by: {result['model']}", ""]
    for n, failure in enumerate(result["failures"], start=1):
        lines.append(f"Failure {n}")
        for key in ("intended", "actual", "gap"):
            answer = failure[key]
            lines.append(f"  {key} [{answer['grounding']}; turns {answer['citations']}]: {answer['text']}")
        category = failure["category"]
        value = category["value"] if category["value"] != "ambiguous" else f"ambiguous, leaning {category['leaning']}"
        lines.append(f"  category: {value} [turns {category['citations']}] {category['rationale']}")
        learning = failure["learning"]
        lines.append(f"  learning (owner: {learning['owner'] or 'nobody named'}) [turns {learning['citations']}]:")
        lines.append(f"    {learning['text']}")
        lines.append("")
    for flag in result["blame_flags"]:
        said = turns[flag["segment_id"]]["text"]
        lines.append(f"Blame flag (facilitator only), turn {flag['segment_id']} {flag['speaker']}: “{said}”")
        lines.append(f"  try instead: {flag['rewording']}")
    return "\n".join(lines).rstrip() + "\n"

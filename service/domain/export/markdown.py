"""Render the review document as a Markdown after-action review."""

from __future__ import annotations

from typing import Any

from service.models.vocabulary import Question

KIND_LABEL = {
    "process_change": "Process change",
    "named_constraint": "Named constraint",
    "experiment_knowledge": "What the experiment taught",
}
GROUNDING_LABEL = {
    "grounded": "checked against the transcript",
    "extractive": "built from the speakers' own sentences",
    "unverified": "NOT verified against the transcript",
}


def provenance_mark(prov: dict[str, Any]) -> str:
    """The provenance line in Markdown (italics)."""
    return f"_{provenance_text(prov)}_"


def provenance_text(prov: dict[str, Any]) -> str:
    """One line saying who wrote the text: a person, or an AI draft and the person who decided on it."""
    who = prov["decided_by"]["name"] if prov["decided_by"] else "unknown"
    when = (prov["decided_at"] or "")[:16].replace("T", " ")
    draft = prov["draft"]
    if draft is None:
        return f"Written by {who}, {when} UTC."
    call = draft["llm_call"]
    made_by = f"{call['model']}, prompt {call['prompt_id']} v{call['prompt_version']}" if call else "extracted by code"
    cites = ", ".join(f"#{c}" for c in draft["citations"]) or "none"
    grounding = GROUNDING_LABEL.get(draft["grounding"], draft["grounding"])
    verb = "accepted as drafted" if prov["origin"] == "accepted" else "edited"
    return f"AI draft ({made_by}; cites segments {cites}; {grounding}) — {verb} by {who}, {when} UTC."


def render_markdown(doc: dict[str, Any]) -> str:
    lines = [
        f"# After-action review: {doc['title']}",
        "",
        f"- **Team:** {doc['team']}",
        f"- **Facilitator:** {doc['facilitator']}",
        f"- **Participants:** {', '.join(doc['participants'])}",
        f"- **Failure at:** {doc['failed_at']} · **due:** {doc['due_at']} · **held:** {doc['held_at'] or 'not yet'}"
        f" ({doc['timeliness']['label']})",
        f"- **Status:** {doc['status'].replace('_', ' ')}",
    ]
    if doc["what_failed"]:
        lines += ["", doc["what_failed"]]
    for number, failure in enumerate(doc["failures"], start=1):
        lines += ["", f"## Failure {number}: {failure['title']}"]
        for key, answer in failure["answers"].items():
            if key == "category":
                continue
            lines += ["", f"### {Question[key.upper()].prompt}", ""]
            if answer is None:
                lines.append("_Not answered yet._")
            else:
                lines += [answer["text"], "", provenance_mark(answer["provenance"])]
        lines += ["", "### Category", ""]
        category_answer = failure["answers"]["category"]
        if failure["category"] and category_answer:
            lines += [
                f"**{failure['category'].capitalize()}** — {failure['category_rationale']}",
                "",
                provenance_mark(category_answer["provenance"]),
            ]
        else:
            lines.append("_Not decided yet._")
        lines += ["", "### Learnings", ""]
        if not failure["learnings"]:
            lines.append("_None recorded yet._")
        for learning in failure["learnings"]:
            due = f", due {learning['due_on']}" if learning["due_on"] else ""
            source = " (from an AI draft)" if learning["from_ai_draft"] else ""
            note = f" — {learning['status_note']}" if learning["status_note"] else ""
            lines.append(
                f"- **{KIND_LABEL[learning['kind']]}:** {learning['text']} — owner: "
                f"**{learning['owner']}**{due}; {learning['status']}{note}{source}"
            )
        hypotheses = [s for s in failure["similar_failures"] if s["status"] == "hypothesis"]
        confirmed = [s for s in failure["similar_failures"] if s["status"] == "confirmed"]
        if confirmed:
            lines += ["", "### Confirmed similar past failures", ""]
            lines += [f"- {s['title']} ({s['team']}) — {s['reason']}" for s in confirmed]
        if hypotheses:
            lines += ["", "### Open hypotheses: similar past failures (unconfirmed)", ""]
            lines += [f"- {s['title']} ({s['team']}), similarity {s['score']:.2f} — {s['reason']}" for s in hypotheses]
    if doc["undecided_drafts"]:
        lines += ["", f"_{doc['undecided_drafts']} AI draft(s) were left undecided; they are not part of this record._"]
    return "\n".join(lines) + "\n"

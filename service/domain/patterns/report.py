"""The pattern report as Markdown: each pattern, its status, who decided, and its member failures."""

from __future__ import annotations

from service.domain.patterns.schemas import PatternOut


def render_report(patterns: list[PatternOut]) -> str:
    lines = ["# Cross-team patterns", ""]
    if not patterns:
        lines += ["No pattern yet: a pattern needs at least three failures from at least two teams.", ""]
    for p in patterns:
        status = p.status if p.status != "proposed" else "proposed — not yet reviewed by a person"
        lines += [f"## {p.theme}", "", f"*Status: {status}. Proposed by {p.proposed_by}.*", "", p.description, ""]
        lines += [f"Teams: {', '.join(p.teams)}", "", "| failure | team | date | evidence |", "|---|---|---|---|"]
        for m in p.members:
            name = f"{m.external_id}: {m.title}" if m.external_id else m.title
            lines.append(f"| {_cell(name)} | {_cell(m.team)} | {m.occurred_on or ''} | {_cell(m.evidence)} |")
        if p.hidden_members:
            lines += ["", f"{p.hidden_members} more failures from teams that do not share with you."]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")

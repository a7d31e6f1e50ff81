"""Score drafted calls against the dev truth. Only this module reads a case's ``truth`` key."""

from __future__ import annotations

import re
from typing import Any

from service.domain.drafts.grounding import draft_problems, grounding_problems

ANSWERS = ("intended", "actual", "gap")
_FIGURE = re.compile(r"\d+(?:[.,:]\d+)*%?")
_WRONG = re.compile(r"\bnot (?:about )?(\d+(?:[.,:]\d+)*%?)|\bthe (\d+(?:[.,:]\d+)*%?) first quoted")


def match_failures(drafted: list[dict[str, Any]], truth: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """For each true failure, the drafted failure whose citations overlap its evidence most."""
    free = list(range(len(drafted)))
    matched: list[dict[str, Any] | None] = []
    for true in truth:
        evidence = set(true["evidence_turns"])
        if not free:
            matched.append(None)
            continue
        best = max(free, key=lambda i: (len(_cited(drafted[i]) & evidence), -i))
        free.remove(best)
        matched.append(drafted[best])
    return matched


def _cited(failure: dict[str, Any]) -> set[int]:
    return {c for part in failure.values() if isinstance(part, dict) for c in part.get("citations", [])}


def draft_text(failure: dict[str, Any] | None) -> str:
    if failure is None:
        return ""
    parts = [failure[k]["text"] for k in ANSWERS] + [failure["category"]["rationale"], failure["learning"]["text"]]
    return "\n".join(parts)


def grounding_checks(case: dict[str, Any], result: dict[str, Any]) -> tuple[int, int, list[str]]:
    """(drafts shown as grounded, of which pass, problems) — re-checked here, not taken from the drafter."""
    turns = {i: t["text"] for i, t in enumerate(case["turns"])}
    speakers = {i: t["speaker"] for i, t in enumerate(case["turns"])}
    shown = passed = 0
    problems: list[str] = []
    for n, failure in enumerate(result["failures"]):
        items = [(k, failure[k], failure[k].get("grounding")) for k in ANSWERS]
        items += [("category", {**failure["category"], "text": failure["category"]["rationale"]}, "extractive")]
        items += [("learning", failure["learning"], failure["learning"].get("grounding"))]
        for name, item, kind in items:
            # Only what is shown as grounded must pass; "unverified" is shown as such, never as fact.
            if not item["text"]:
                continue
            if item.get("grounding") == "unverified":
                problems.append(f"failure {n} {name}: shown as unverified")
                continue
            shown += 1
            found = grounding_problems(item["text"], item["citations"], turns)
            found += draft_problems(item["text"], item["citations"], turns, speakers=speakers)[len(found) :]
            if kind == "extractive":
                found += _not_verbatim(item["text"], item["citations"], turns, name)
            if found:
                problems.append(f"failure {n} {name}: {'; '.join(found)}")
            else:
                passed += 1
    return shown, passed, problems


def _not_verbatim(text: str, citations: list[int], turns: dict[int, str], name: str) -> list[str]:
    """An extractive answer must be the speakers' own sentences, word for word."""
    if name == "category":  # a frame ("Avoidable: X said “...”") around a verbatim quotation
        return []
    cited = " ".join(_norm(turns[c]) for c in citations if c in turns)
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return [f"not said verbatim: {s[:60]!r}" for s in sentences if _norm(s) not in cited]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def corrections_handled(case: dict[str, Any], result: dict[str, Any]) -> list[bool]:
    """Per correction: the drafts state a corrected figure and never state the wrong one as fact."""
    turns = case["turns"]
    text = "\n".join(draft_text(f) for f in result["failures"])
    outcomes = []
    for correction in case["truth"]["corrections"]:
        stated, _, _ = correction["fact"].partition(";")
        wrong_turn = set(_FIGURE.findall(turns[correction["wrong_turn"]]["text"]))
        right_turn = set(_FIGURE.findall(turns[correction["corrected_in_turn"]]["text"]))
        new = (set(_FIGURE.findall(stated)) & right_turn) - wrong_turn
        wrong = {a or b for a, b in _WRONG.findall(correction["fact"])}
        sentences = re.split(r"(?<=[.!?])\s+", text)
        states_new = any(re.search(rf"(?<![\d.,]){re.escape(n)}(?![\d])", text) for n in new)
        states_wrong = any(
            re.search(rf"(?<![\d.,]){re.escape(w)}(?![\d])", s) and not any(n in s for n in new)
            for s in sentences
            for w in wrong
        )
        outcomes.append(states_new and not states_wrong)
    return outcomes

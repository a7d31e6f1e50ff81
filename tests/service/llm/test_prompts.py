from pathlib import Path

import pytest

from service.llm.prompts import PROMPTS_DIR, PromptError, load_prompt


def test_every_prompt_file_has_its_metadata_and_renders():
    for path in PROMPTS_DIR.glob("*.toml"):
        prompt = load_prompt(path.stem)
        assert prompt.id == path.stem and prompt.version and prompt.description


def test_the_answer_prompt_renders_its_evidence_lines():
    rendered = load_prompt("draft_answer").render(
        question="What did we intend?",
        failure="failure 1",
        evidence=[{"id": 3, "speaker": "Eli", "text": "Recover within 30 minutes."}],
        problems=["the number 45 does not occur in the cited segments"],
    )
    assert "[3] Eli: Recover within 30 minutes." in rendered.user
    assert "the number 45 does not occur" in rendered.user
    assert (rendered.prompt_id, rendered.version) == ("draft_answer", "1")


def test_a_missing_variable_fails_loudly_naming_it():
    with pytest.raises(PromptError, match="'evidence' is undefined"):
        load_prompt("draft_answer").render(question="Q", failure="f", problems=[])


def test_a_file_whose_id_does_not_match_is_refused(tmp_path: Path):
    (tmp_path / "x.toml").write_text('id = "y"\nversion = "1"\ndescription = "d"\nsystem = "s"\nuser = "u"\n')
    with pytest.raises(PromptError, match="must match"):
        load_prompt("x", directory=tmp_path)
    with pytest.raises(PromptError, match="No prompt file"):
        load_prompt("absent", directory=tmp_path)

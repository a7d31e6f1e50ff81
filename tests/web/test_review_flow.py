"""A whole review in a real browser: sign in, start, answer, decide on AI drafts, own, close, export."""

import pytest

from service.db.engine import make_engine, make_session_factory
from service.domain.drafts.service import ModelCall
from service.domain.services import provide_services
from service.models import DraftKind, Role
from tests.helpers import create_person
from tests.web.conftest import shot

PASSWORD = "a long passphrase"
CALL = ModelCall(
    prompt_id="draft_answer", prompt_version="1", model="smollm2-135m-instruct", input_hash="0" * 64, raw_output="{}"
)

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


def _people(settings):  # type: ignore[no-untyped-def]
    ids = {
        name: create_person(settings, name, email=f"{name.split()[0].lower()}@example.org", password=PASSWORD)
        for name in ("Rosa Delgado", "Joy Santos", "Kofi Mensah")
    }
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        team = services.people.create_team(name="Membership Committee")
        for name, pid in ids.items():
            role = Role.FACILITATOR if name.startswith("Rosa") else Role.PARTICIPANT
            services.people.add_member(team_id=team.id, person_id=pid, role=role)
    engine.dispose()
    return ids


def _add_ai_drafts(settings, review_id: int, question: int, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """What the drafting pipeline does: record drafts citing the transcript segments that hold their numbers."""
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        review = services.reviews.get(review_id)
        segments = services.transcripts.list_segments(review)
        for text in texts:
            numbers = [w.strip(".,") for w in text.split() if w.strip(".,").isdigit()]
            cited = [s.id for s in segments if numbers and all(n in s.text for n in numbers)]
            services.drafts.record(
                review.failures[0],
                kind=DraftKind.ANSWER,
                question=question,
                text=text,
                citations=cited or [segments[0].id],
                call=CALL,
            )
    engine.dispose()


def test_a_full_review_in_the_browser(server, browser, settings, backend):
    _people(settings)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    assert "/login" in page.url
    page.get_by_label("E-mail").fill("rosa@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/")
    shot(page, "home-empty")

    page.get_by_label("What failed (a short title)").fill("Spring drive signed 11 of 40")
    page.get_by_label("When did it fail?").fill("2026-11-23T18:00")
    page.get_by_label("Joy Santos").check()
    page.get_by_label("Kofi Mensah").check()
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_url("**/reviews/*")
    review_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    for line in (
        "We intended to sign 40 new members by June 30.",
        "We signed 11 of 40.",
        "People needed more than three weeks to read 34 pages.",
    ):
        page.get_by_label("Add to the transcript as Rosa Delgado").fill(line)
        page.get_by_role("button", name="Add", exact=True).click()
        page.locator(".transcript .said", has_text=line).wait_for()
    page.get_by_label("Name a failure").fill("Signup window too short")
    page.get_by_role("button", name="Add failure").click()
    page.get_by_role("heading", name="1. Signup window too short").wait_for()
    page.locator("details.rename summary").click()
    page.get_by_label("New name").fill("Signup window too short for new workers")
    page.get_by_role("button", name="Rename").click()
    page.get_by_role("heading", name="1. Signup window too short for new workers").wait_for()

    # Question 1: an AI draft, accepted as it stands.
    _add_ai_drafts(settings, review_id, 1, ["We intended to sign 40 new members by June 30."])
    page.reload()
    draft = page.locator(".draft").first
    assert "AI draft" in draft.inner_text()
    draft.locator("a.chip").first.click()  # the citation chip jumps to (and highlights) its segment
    shot(page, "room-draft")
    draft.get_by_role("button", name="Accept").click()
    page.get_by_text("accepted by Rosa Delgado").wait_for()
    page.get_by_role("button", name="Next question →").click()
    page.locator(".stepper li.current", has_text="What actually happened?").wait_for()

    # Question 2: two drafts; one edited into the group's words, one rejected.
    _add_ai_drafts(settings, review_id, 2, ["We signed 11 of 40.", "Things went badly."])
    page.reload()
    page.locator(".draft", has_text="Things went badly.").get_by_role("button", name="Reject").click()
    page.locator(".draft", has_text="Things went badly.").wait_for(state="detached")
    edit = page.locator(".draft", has_text="We signed 11 of 40.")
    edit.get_by_text("Edit").click()
    edit.get_by_label("Your words").fill("We signed 11 of the 40 we intended (7 on time, 4 late).")
    edit.get_by_role("button", name="Save as our answer").click()
    page.get_by_text("edited by Rosa Delgado").wait_for()
    page.get_by_role("button", name="Next question →").click()

    # Question 3: said in the call, drafted on request, then typed in the group's own words instead.
    page.locator(".stepper li.current", has_text="What gap exists").wait_for()
    page.get_by_label("Add to the transcript as Rosa Delgado").fill(
        "The gap is that we assumed three weeks was enough, but people needed six weeks to read 34 pages."
    )
    page.get_by_role("button", name="Add", exact=True).click()
    page.locator(".transcript .said", has_text="six weeks").wait_for()
    page.get_by_role("button", name="✦ Draft with AI from what was said").click()
    page.locator(".draft", has_text="34 pages").wait_for()
    assert "built from the speakers' own sentences" in page.locator(".draft").first.inner_text()
    shot(page, "room-ai-draft")
    page.get_by_label("Answer in the group's words").fill("We assumed three weeks was enough to decide.")
    page.get_by_role("button", name="Save answer").click()
    page.get_by_text("Written by Rosa Delgado").wait_for()
    page.get_by_role("button", name="Next question →").click()
    page.get_by_label("Avoidable").check()
    page.get_by_label("Why, in one sentence").fill("The decision window was an untested assumption.")
    page.get_by_role("button", name="Save category").click()
    page.locator("strong.category", has_text="Avoidable").wait_for()
    page.get_by_label("Process change").fill("Extend the decision window from three to six weeks.")
    page.get_by_label("Owner (one person)").select_option(label="Joy Santos")
    page.get_by_label("Due", exact=True).fill("2026-12-15")
    page.get_by_role("button", name="Add learning").click()
    page.get_by_text("owner Joy Santos").wait_for()
    shot(page, "room-decided")
    page.get_by_role("button", name="Close the review").click()
    page.locator(".room-head strong", has_text="closed").wait_for()

    page.goto(f"{server}/reviews/{review_id}/document")
    text = page.inner_text("article")
    assert "AI draft (smollm2-135m-instruct" in text and "accepted as drafted by Rosa Delgado" in text
    assert "edited by Rosa Delgado" in text and "owner Joy Santos" in text
    shot(page, "review-document")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Markdown").click()
    with open(download.value.path()) as handle:
        assert handle.read().startswith("# After-action review: Spring drive signed 11 of 40")

    page.goto(f"{server}/dashboard")
    assert "Learnings by owner" in page.inner_text("main")
    shot(page, "dashboard")
    narrow = browser.new_context(viewport={"width": 360, "height": 800})
    narrow.add_cookies(page.context.cookies())
    small = narrow.new_page()
    small.goto(f"{server}/reviews/{review_id}")
    assert small.evaluate("document.documentElement.scrollWidth") <= 360 + 1, "the room scrolls sideways at 360 px"
    shot(small, "room-360px")

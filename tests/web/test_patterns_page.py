"""The cross-team pattern report in the browser: members from each team, and a person's verdict."""

import pytest

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.models import Failure, Pattern, PatternMember
from tests.helpers import create_person
from tests.web.conftest import shot

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


def test_a_person_accepts_a_proposed_pattern(server, browser, settings, backend):
    create_person(settings, "Ada Admin", email="ada@example.org", password="a long passphrase", is_admin=True)
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        teams = [services.people.create_team(name=n) for n in ("Payments", "Platform")]
        failures = [
            Failure(team_id=teams[i % 2].id, title=t)
            for i, t in enumerate(
                (
                    "Config pushed to every region at once",
                    "Feature flag flipped for all tenants",
                    "Firewall rule applied fleet-wide without a canary",
                )
            )
        ]
        services.session.add_all(failures)
        services.session.flush()
        services.session.add(
            Pattern(
                theme="Changes applied everywhere at once",
                description="No staged rollout.",
                members=[PatternMember(failure_id=f.id, evidence="confirmed link") for f in failures],
            )
        )
    engine.dispose()

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(server + "/login")
    page.get_by_label("E-mail").fill("ada@example.org")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/")
    page.get_by_role("link", name="Patterns").click()
    card = page.locator(".pattern", has_text="Changes applied everywhere at once")
    assert "3 failure(s) from Payments, Platform" in card.inner_text()
    shot(page, "patterns")
    card.get_by_role("button", name="Accept").click()
    page.locator(".pattern .badge", has_text="accepted").wait_for()


@pytest.fixture
def history(settings):
    """The small similarity history and Bea of Benefits, in the database before the server starts."""
    from service.domain.similarity.history import import_history, parse_records
    from service.models import Team
    from tests.service.similarity.conftest import history_records

    bea = create_person(settings, "Bea Benefits", email="bea@example.org", password="a long passphrase")
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        import_history(services.session, parse_records(history_records()))
        benefits = services.session.query(Team).filter_by(name="Benefits").one()
        services.people.add_member(team_id=benefits.id, person_id=bea)
    engine.dispose()


def test_a_person_confirms_and_dismisses_suggested_links(history, server, browser, settings, backend):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(server + "/login")
    page.get_by_label("E-mail").fill("bea@example.org")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/")
    page.goto(server + "/patterns")
    page.get_by_role("link", name="Review suggested links between past failures").click()
    title = page.get_by_role("heading", name="Eligibility rule edit applied to every county")
    card = page.locator(".past-failure").filter(has=title)  # other cards may list it as a suggestion
    hypothesis = card.locator(".hypothesis", has_text="Remote config flag flipped for all users")
    hypothesis.get_by_label("Note").fill("same: no staged rollout")
    hypothesis.get_by_role("button", name="Confirm").click()
    card.locator(".hypothesis", has_text="Remote config flag flipped for all users").locator(
        "strong", has_text="confirmed"
    ).wait_for()
    shot(page, "link-review")
    nursing = card.locator(".hypothesis", has_text="Pending potassium dose")
    nursing.get_by_role("button", name="Dismiss").click()
    nursing.locator("strong", has_text="dismissed").wait_for()
    page.reload()  # decided links stay decided
    assert "dismissed" in nursing.inner_text()
    assert "1</strong> confirmed" in page.content()

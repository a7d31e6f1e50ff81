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

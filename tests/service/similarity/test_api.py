"""Similar failures through the API, end to end: hypotheses, decisions that stick, sharing, outsiders."""

from __future__ import annotations

from service.domain.services import provide_services
from service.domain.similarity.history import import_history, parse_records
from service.models import Failure, Role, ShareLevel, Team
from tests.helpers import make_cast, ok
from tests.service.similarity.conftest import history_records


def _world(client, settings):
    """The small history imported and one review whose failure's gap is a config push to everyone."""
    with provide_services(client.app.state.session_factory, settings) as services:
        import_history(services.session, parse_records(history_records()))
        cast = make_cast(services)
        failure = services.failures.create(cast.review, title="Timeout change hit all regions", actor=cast.alice)
        cast.review.current_question = 3
        private = services.session.query(Team).filter_by(name="Campaigns").one()
        private.share_level = ShareLevel.NOTHING.value
        services.people.add_member(team_id=private.id, person_id=cast.outsider.id, role=Role.ADMIN)
        return {"failure": failure.id, "alice": cast.alice.id, "outsider": cast.outsider.id}


def test_hypotheses_decisions_and_refresh(client, settings, auth):
    ids = _world(client, settings)
    alice, url = auth(ids["alice"]), f"/api/failures/{ids['failure']}/similar"
    for question, text in (
        (2, "The timeout change went to all six regions within 90 seconds and declines spiked."),
        (3, "We believed config followed the staged pipeline, but config has no canary or staged rollout."),
    ):
        ok(
            client.post(
                f"/api/failures/{ids['failure']}/answers", json={"question": question, "text": text}, headers=alice
            ),
            201,
        )
    links = ok(client.get(url, headers=alice))
    assert len(links) == 5 and all(link["status"] == "hypothesis" for link in links)
    assert {link["similar_title"] for link in links[:3]} >= {"Rate limit change reached every region at once"}
    assert all(link["reason"] for link in links)
    # Campaigns shares nothing: its failures are never offered to another team.
    assert "Campaigns" not in {link["similar_team"] for link in links}

    by_title = {link["similar_title"]: link for link in links}
    confirmed = by_title["Rate limit change reached every region at once"]
    dismissed = next(link for link in links if link["similar_team"] == "Nursing")
    ok(client.post(f"/api/similarity-links/{confirmed['id']}/confirm", json={"note": "same cause"}, headers=alice), 201)
    ok(client.post(f"/api/similarity-links/{dismissed['id']}/dismiss", headers=alice), 201)

    # New answers refresh the hypotheses; the decided links stay exactly as decided.
    ok(client.post(f"/api/failures/{ids['failure']}/answers",
                   json={"question": 3, "text": "The handover template had no slot for pending work."},
                   headers=alice), 201)  # fmt: skip
    again = {link["id"]: link for link in ok(client.get(url, headers=alice))}
    assert again[confirmed["id"]]["status"] == "confirmed" and again[confirmed["id"]]["note"] == "same cause"
    assert again[dismissed["id"]]["status"] == "dismissed"
    statuses = [
        link["status"] for link in again.values() if link["similar_failure_id"] == dismissed["similar_failure_id"]
    ]
    assert statuses == ["dismissed"]  # never offered again as a hypothesis
    open_ones = [link for link in ok(client.get(url, headers=alice)) if link["status"] == "hypothesis"]
    assert open_ones[0]["similar_title"] == "Open incident action dropped at on-call handover"  # follows the new gap


def test_an_outsider_is_refused_on_every_similarity_and_pattern_route(client, settings, auth):
    ids = _world(client, settings)
    outsider, alice = auth(ids["outsider"]), auth(ids["alice"])
    links = ok(client.get(f"/api/failures/{ids['failure']}/similar", headers=alice))
    link_id = links[0]["id"]
    for method, path in (
        ("GET", f"/api/failures/{ids['failure']}/similar"),
        ("POST", f"/api/similarity-links/{link_id}/confirm"),
        ("POST", f"/api/similarity-links/{link_id}/dismiss"),
        ("POST", "/api/patterns/refresh"),
    ):
        response = client.request(method, path, headers=outsider)
        assert response.status_code in (403, 404), f"{method} {path}: {response.status_code}"
        assert "Timeout change" not in response.text
    # Someone in no team at all may not read pattern reports.
    with provide_services(client.app.state.session_factory, settings) as services:
        nobody = services.people.create_person(name="Nora Nobody").id
    for path in ("/api/patterns", "/api/patterns/export", "/api/patterns/1"):
        assert client.get(path, headers=auth(nobody)).status_code in (403, 404), path
    for method, path in (
        ("POST", "/api/patterns/1/accept"),
        ("POST", "/api/patterns/1/reject"),
        ("PATCH", "/api/patterns/1"),
    ):
        assert client.request(method, path, headers=auth(nobody), json={"theme": "x"}).status_code in (403, 404)


def test_other_teams_see_a_shared_failure_only_as_title_and_gap(client, settings, auth):
    ids = _world(client, settings)
    links = ok(client.get(f"/api/failures/{ids['failure']}/similar", headers=auth(ids["alice"])))
    with provide_services(client.app.state.session_factory, settings, write=False) as services:
        summaries = {f.title: f.summary for f in services.session.query(Failure)}
    for link in links:
        assert set(link) >= {"similar_title", "similar_gap"} and "summary" not in link
        assert link["similar_gap"] == summaries[link["similar_title"]]  # an imported record's summary is its gap


def test_confirmed_links_become_a_pattern_people_decide_and_export(client, settings, auth, admin):
    ids = _world(client, settings)
    alice, url = auth(ids["alice"]), f"/api/failures/{ids['failure']}/similar"
    gap = "Config has no canary or staged rollout, so the change reached everyone at once."
    ok(client.post(f"/api/failures/{ids['failure']}/answers", json={"question": 3, "text": gap}, headers=alice), 201)
    links = ok(client.get(url, headers=alice))
    config_titles = {
        "Rate limit change reached every region at once",
        "Eligibility rule edit applied to every county on the same day",
    }
    config = [link for link in links if link["similar_title"] in config_titles]
    assert len(config) == 2
    for link in config:
        ok(client.post(f"/api/similarity-links/{link['id']}/confirm", headers=alice), 201)
    assert ok(client.post("/api/patterns/refresh", headers=admin), 201) == {"proposed": 1, "kept": 0, "withdrawn": 0}
    [pattern] = ok(client.get("/api/patterns", headers=alice))
    assert pattern["status"] == "proposed" and pattern["proposed_by"].startswith("machine")
    assert len(pattern["member_ids"]) == 3 and {"Payments SRE", "Benefits", "Payments"} == set(pattern["teams"])
    accepted = ok(client.post(f"/api/patterns/{pattern['id']}/accept", headers=admin), 201)
    assert accepted["status"] == "accepted" and accepted["decided_by"] is not None
    markdown = client.get("/api/patterns/export", headers=alice)
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert f"## {pattern['theme']}" in markdown.text and "Status: accepted" in markdown.text

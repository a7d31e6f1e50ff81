"""Link review between past failures, through the API and the page: suggestions, verdicts that stick, access."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.domain.services import provide_services
from service.domain.similarity.history import import_history, parse_records
from service.domain.similarity.text import text_query
from service.models import AuditEvent, Failure, Role, ShareLevel, SimilarityLink, Team
from tests.helpers import make_cast, ok
from tests.service.similarity.conftest import history_records

HTML = {"accept": "text/html"}


def _world(client, settings):
    """The small history; Bea works in Benefits, Rita reads there, Bob is in Payments SRE, Olga in no team."""
    with provide_services(client.app.state.session_factory, settings) as services:
        import_history(services.session, parse_records(history_records()))
        teams = {t.name: t for t in services.session.scalars(select(Team))}
        teams["Campaigns"].share_level = ShareLevel.NOTHING.value
        people = {n: services.people.create_person(name=n) for n in ("Bea", "Rita", "Bob", "Olga")}
        services.people.add_member(team_id=teams["Benefits"].id, person_id=people["Bea"].id)
        services.people.add_member(team_id=teams["Benefits"].id, person_id=people["Rita"].id, role=Role.READER)
        services.people.add_member(team_id=teams["Payments SRE"].id, person_id=people["Bob"].id)
        failures = {f.external_id: f.id for f in services.session.scalars(select(Failure))}
        return {name: p.id for name, p in people.items()}, failures


def _links_of(client, headers, failure_id):
    return ok(client.get(f"/api/past-failures/{failure_id}/similar", headers=headers))


def test_people_work_through_suggestions_and_verdicts_stick(client, settings, auth):
    people, failures = _world(client, settings)
    bea = auth(people["Bea"])
    listed = ok(client.get("/api/past-failures", headers=bea))
    # Campaigns shares nothing: its failure is neither listed nor suggested to other teams.
    assert [f["title"] for f in listed][:2] == [
        "Rate limit change reached every region at once",
        "Eligibility rule edit applied to every county on the same day",
    ]
    assert "Rain cancelled the outdoor rally" not in {f["title"] for f in listed}
    assert all(link["similar_team"] != "Campaigns" for f in listed for link in f["links"])
    assert all(link["status"] == "hypothesis" for f in listed for link in f["links"])

    eligibility = failures["H-2"]
    links = {link["similar_title"]: link for link in _links_of(client, bea, eligibility)}
    config = links["Remote config flag flipped for all users"]
    nursing = links["Pending potassium dose lost at shift handover"]
    note = {"note": "same: no staged rollout"}
    ok(client.post(f"/api/similarity-links/{config['id']}/confirm", json=note, headers=bea), 201)
    ok(client.post(f"/api/similarity-links/{nursing['id']}/dismiss", headers=bea), 201)
    again = client.post(f"/api/similarity-links/{nursing['id']}/confirm", headers=bea)
    assert again.status_code == 409 and "already dismissed" in again.text

    # Shown again: decided links stay as decided (who and when recorded), the dismissed one is never re-offered.
    after = {link["id"]: link for link in _links_of(client, bea, eligibility)}
    assert after[config["id"]]["status"] == "confirmed" and after[config["id"]]["decided_by"] == people["Bea"]
    assert after[config["id"]]["decided_at"] and after[config["id"]]["note"] == "same: no staged rollout"
    assert [link["status"] for link in after.values() if link["similar_title"] == nursing["similar_title"]] == [
        "dismissed"
    ]
    with provide_services(client.app.state.session_factory, settings, write=False) as services:
        events = services.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == people["Bea"]))
        actions = [e.action for e in events]
        assert actions == ["link.confirmed", "link.dismissed"]
        # A pair is offered once: the nursing failure is not offered the dismissed partner back the other way.
        for failure_id in (failures["H-4"], failures["H-3"]):
            _links_of(client, auth(people["Bob"]), failure_id)
        pairs = [
            (link.failure_id, link.similar_failure_id) for link in services.session.scalars(select(SimilarityLink))
        ]
    assert (failures["H-4"], eligibility) not in pairs and (failures["H-3"], eligibility) not in pairs


def test_confirmed_links_between_past_failures_make_a_pattern(client, settings, auth, admin):
    people, failures = _world(client, settings)
    bea = auth(people["Bea"])
    for a, b in (("H-2", "H-1"), ("H-2", "H-3")):
        [link] = [x for x in _links_of(client, bea, failures[a]) if x["similar_failure_id"] == failures[b]]
        ok(client.post(f"/api/similarity-links/{link['id']}/confirm", headers=bea), 201)
    assert ok(client.post("/api/patterns/refresh", headers=admin), 201)["proposed"] == 1
    [pattern] = ok(client.get("/api/patterns", headers=bea))
    assert set(pattern["member_ids"]) == {"H-1", "H-2", "H-3"}
    # What people confirmed now informs every search, and the reason says so.
    with provide_services(client.app.state.session_factory, settings, write=False) as services:
        query = text_query("A config change went to every region at once with no staged rollout.")
        reasons = {h.failure.external_id: h.reason for h in services.similar.search(query, team_ids=None)}
    assert "a person confirmed it shares a cause with" in reasons["H-2"]


def test_readers_may_look_but_not_decide_and_others_are_refused(client, settings, auth):
    people, failures = _world(client, settings)
    rita, olga, bob = auth(people["Rita"]), auth(people["Olga"]), auth(people["Bob"])
    link = _links_of(client, rita, failures["H-2"])[0]
    refused = client.post(f"/api/similarity-links/{link['id']}/confirm", headers=rita)
    assert refused.status_code == 403 and "not a reader" in refused.text
    # Olga is in no team: no link review at all.
    assert client.get("/api/past-failures", headers=olga).status_code == 403
    assert client.post(f"/api/similarity-links/{link['id']}/confirm", headers=olga).status_code in (403, 404)
    # Bob's team is not one of the pair's (Benefits → Mobile/Payments SRE...): he may decide only pairs he is part of.
    other = next(x for x in _links_of(client, bob, failures["H-2"]) if x["similar_team"] != "Payments SRE")
    assert client.post(f"/api/similarity-links/{other['id']}/dismiss", headers=bob).status_code == 403
    # A team that shares nothing: its failures are not found by other teams.
    assert client.get(f"/api/past-failures/{failures['H-6']}/similar", headers=bob).status_code == 404
    assert client.get("/api/past-failures?page=-1", headers=bob).status_code == 400


def test_the_link_review_page_confirms_and_dismisses(client, settings, auth):
    people, failures = _world(client, settings)
    bea = auth(people["Bea"])
    page = client.get("/patterns/links", headers={**bea, **HTML})
    assert page.status_code == 200 and "unconfirmed hypotheses" in page.text
    assert "Eligibility rule edit applied to every county on the same day" in page.text
    assert "Rain cancelled the outdoor rally" not in page.text
    link_ids = [int(i) for i in re.findall(r'action="/patterns/links/(\d+)/confirm"', page.text)]
    with provide_services(client.app.state.session_factory, settings, write=False) as services:
        mine = next(
            i
            for i in link_ids
            if failures["H-2"] in (services.session.get(SimilarityLink, i).failure_id,
                                   services.session.get(SimilarityLink, i).similar_failure_id)
        )  # fmt: skip
    swapped = client.post(
        f"/patterns/links/{mine}/confirm", headers={**bea, "hx-request": "true"}, data={"note": "yes", "page": "0"}
    )
    assert swapped.status_code == 200 and 'id="link-review"' in swapped.text
    assert "<strong>confirmed</strong>" in swapped.text and "by you" in swapped.text
    assert "1</strong> confirmed" in swapped.text
    # Without JavaScript: a redirect back to the same page; a reader's attempt comes back as an error.
    plain = client.post(f"/patterns/links/{mine}/dismiss", headers=bea, data={"page": "0"}, follow_redirects=False)
    assert plain.status_code == 303 and "already+confirmed" in plain.headers["location"]
    rita = auth(people["Rita"])
    other = next(i for i in link_ids if i != mine)
    answer = client.post(f"/patterns/links/{other}/dismiss", headers={**rita, "hx-request": "true"}, data={})
    assert answer.status_code == 200 and "not a reader" in answer.text
    assert client.post(f"/patterns/links/{other}/maybe", headers=bea, data={}).status_code == 404
    assert client.post(f"/links/{other}/confirm", headers=bea, data={}).status_code == 404  # the room's route
    patterns = client.get("/patterns", headers={**bea, **HTML})
    assert 'href="/patterns/links"' in patterns.text


def test_the_room_offers_the_same_link_partial(client, settings, auth):
    with provide_services(client.app.state.session_factory, settings) as services:
        import_history(services.session, parse_records(history_records()))
        cast = make_cast(services)
        failure = services.failures.create(cast.review, title="Timeout change hit all regions", actor=cast.alice)
        past = services.session.scalars(select(Failure).where(Failure.external_id == "H-1")).one()
        link = services.similarity.propose(failure, similar=past, score=0.61, reason="both: region, config")
        ids = {"review": cast.review.id, "link": link.id, "alice": cast.alice.id}
    room = client.get(f"/reviews/{ids['review']}", headers={**auth(ids["alice"]), **HTML})
    assert room.status_code == 200
    assert f'hx-post="/links/{ids["link"]}/confirm" hx-target="#room"' in room.text
    assert "Rate limit change reached every region at once" in room.text and "similarity 0.61" in room.text

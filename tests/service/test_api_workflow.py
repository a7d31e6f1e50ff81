"""A whole review driven through the HTTP API, on SQLite and PostgreSQL."""

from tests.helpers import ok

CALL = {
    "prompt_id": "draft_answer",
    "prompt_version": "1",
    "model": "smollm2-135m-instruct",
    "input_hash": "ab" * 32,
    "raw_output": '{"text": "..."}',
    "latency_ms": 812.0,
}


def test_a_review_from_creation_to_exported_document(client, auth, admin):
    team = ok(client.post("/api/teams", headers=admin, json={"name": "Membership"}), 201)
    fran, alice, bob = (
        ok(client.post("/api/people", headers=admin, json={"name": n}), 201)
        for n in ("Fran Facilitator", "Alice Okafor", "Bob Lindqvist")
    )
    for person in (fran, alice, bob):
        ok(client.post(f"/api/teams/{team['id']}/members", headers=admin, json={"person_id": person["id"]}), 201)
    review = ok(
        client.post(
            "/api/reviews",
            headers=auth(fran["id"]),
            json={
                "team_id": team["id"],
                "title": "Spring membership drive",
                "what_failed": "Signed far fewer members",
                "failed_at": "2026-11-23T18:00:00Z",
                "facilitator_id": fran["id"],
                "participant_ids": [alice["id"], bob["id"]],
            },
        ),
        201,
    )
    rid = review["review"]["id"]
    client.headers.update(auth(alice["id"]))  # reads are Alice's
    assert review["review"]["due_at"].startswith("2026-11-26T18:00:00")
    assert [p["name"] for p in review["participants"]] == ["Fran Facilitator", "Alice Okafor", "Bob Lindqvist"]

    segs = ok(
        client.post(
            f"/api/reviews/{rid}/segments",
            headers=auth(alice["id"]),
            json={
                "segments": [
                    {
                        "speaker": "Alice Okafor",
                        "text": "We intended to sign 50 members by the end of the drive.",
                        "start_s": 0,
                        "end_s": 4,
                    },
                    {
                        "speaker": "Bob Lindqvist",
                        "text": "We signed 12. People needed two weeks to read the materials.",
                        "start_s": 4,
                        "end_s": 9,
                    },
                ]
            },
        ),
        201,
    )
    failure = ok(
        client.post(
            f"/api/reviews/{rid}/failures", headers=auth(alice["id"]), json={"title": "Signup timeline too short"}
        ),
        201,
    )
    fid = failure["id"]

    intended = ok(
        client.post(
            f"/api/failures/{fid}/drafts",
            headers=auth(alice["id"]),
            json={
                "question": 1,
                "text": "We intended to sign 50 members.",
                "citations": [segs[0]["id"]],
                "model_call": CALL,
            },
        ),
        201,
    )
    assert intended["grounding"] == "grounded" and intended["decision"] is None
    detail = ok(client.get(f"/api/reviews/{rid}"))
    assert detail["failures"][0]["answers"] == []  # a draft is not an answer

    ok(client.post(f"/api/drafts/{intended['id']}/accept", headers=auth(bob["id"])), 201)
    ok(client.post(f"/api/reviews/{rid}/advance", headers=auth(fran["id"])), 201)

    actual = ok(
        client.post(
            f"/api/failures/{fid}/drafts",
            headers=auth(alice["id"]),
            json={"question": 2, "text": "We signed some members.", "citations": [segs[1]["id"]], "model_call": CALL},
        ),
        201,
    )
    ok(
        client.post(
            f"/api/drafts/{actual['id']}/edit",
            headers=auth(alice["id"]),
            json={"text": "We signed 12 members, not 50."},
        ),
        201,
    )
    ok(client.post(f"/api/reviews/{rid}/advance", headers=auth(fran["id"])), 201)
    ok(
        client.post(
            f"/api/failures/{fid}/answers",
            headers=auth(bob["id"]),
            json={"question": 3, "text": "People needed two weeks to decide; our timeline gave them three days."},
        ),
        201,
    )
    ok(client.post(f"/api/reviews/{rid}/advance", headers=auth(fran["id"])), 201)
    ok(
        client.put(
            f"/api/failures/{fid}/category",
            headers=auth(fran["id"]),
            json={"category": "avoidable", "rationale": "We assumed people decide on the spot; nobody checked."},
        )
    )

    for bad_owner in ([alice["id"], bob["id"]], None):
        problem = client.post(
            f"/api/failures/{fid}/learnings",
            headers=auth(fran["id"]),
            json={"text": "Add two weeks to the signup timeline.", "owner_id": bad_owner},
        )
        assert problem.status_code == 400
        assert problem.headers["content-type"].startswith("application/problem+json")
        assert "exactly one owner" in problem.json()["detail"]
    missing = client.post(
        f"/api/failures/{fid}/learnings",
        headers=auth(fran["id"]),
        json={"text": "Add two weeks to the signup timeline."},
    )
    assert missing.status_code == 400 and "exactly one owner" in missing.json()["detail"]
    learning = ok(
        client.post(
            f"/api/failures/{fid}/learnings",
            headers=auth(fran["id"]),
            json={
                "text": "Add two weeks to the signup timeline in the drive playbook.",
                "owner_id": alice["id"],
                "due_on": "2026-12-05",
            },
        ),
        201,
    )
    assert learning["kind"] == "process_change" and learning["owner"] == "Alice Okafor"
    ok(client.post(f"/api/reviews/{rid}/close", headers=auth(fran["id"])), 201)

    answers = ok(client.get(f"/api/reviews/{rid}"))["failures"][0]["answers"]
    provenance = {a["key"]: a["provenance"] for a in answers}
    assert provenance["intended"]["origin"] == "accepted"
    assert provenance["intended"]["decided_by"]["name"] == "Bob Lindqvist"
    assert provenance["intended"]["draft"]["llm_call"]["model"] == "smollm2-135m-instruct"
    assert provenance["actual"]["origin"] == "edited" and provenance["gap"]["draft"] is None

    markdown = client.get(f"/api/reviews/{rid}/export", params={"format": "md"})
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    md = markdown.text
    assert "We intended to sign 50 members." in md
    assert "AI draft (smollm2-135m-instruct, prompt draft_answer v1" in md
    assert "accepted as drafted by Bob Lindqvist" in md
    assert "edited by Alice Okafor" in md
    assert "_Written by Bob Lindqvist" in md
    assert "owner: **Alice Okafor**, due 2026-12-05" in md
    assert "**Avoidable**" in md

    doc = ok(client.get(f"/api/reviews/{rid}/export", params={"format": "json"}))
    assert doc["status"] == "closed"
    assert doc["failures"][0]["answers"]["intended"]["provenance"]["draft"]["citations"] == [segs[0]["id"]]

    actions = [e["action"] for e in ok(client.get(f"/api/reviews/{rid}/audit", headers=admin))]
    for expected in (
        "review.created",
        "draft.accepted",
        "draft.edited",
        "category.set",
        "learning.assigned",
        "review.closed",
        "review.exported",
    ):
        assert expected in actions

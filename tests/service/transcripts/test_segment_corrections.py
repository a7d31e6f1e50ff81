"""Correcting or striking a transcript segment over the API: the room sees it; outsiders cannot."""

from __future__ import annotations

from tests.helpers import ok

ORIGIN = {"origin": "http://testserver.local"}


def test_a_participant_corrects_a_segment_and_the_room_sees_it_replaced(client, cast_ids, auth):
    alice, bob, rid = auth(cast_ids["alice"]), auth(cast_ids["bob"]), cast_ids["review"]
    said = {"speaker": "Alice Okafor", "text": "We signed it well.", "start_s": 4.0, "end_s": 5.0, "source": "typed"}
    [segment] = ok(client.post(f"/api/reviews/{rid}/segments", json={"segments": [said]}, headers=alice), 201)
    assert segment["corrected_by"] is None
    url = f"/api/reviews/{rid}/segments/{segment['id']}"
    with client.websocket_connect(f"/api/reviews/{rid}/events", headers={**alice, **ORIGIN}) as reader:
        assert reader.receive_json(timeout=10)["type"] == "subscribed"
        corrected = ok(client.patch(url, json={"text": "We signed twelve."}, headers=bob))
        event = reader.receive_json(timeout=10)
    assert corrected["text"] == "We signed twelve." and corrected["corrected_by"] == cast_ids["bob"]
    assert event == {"type": "segment", "segment": corrected}
    assert ok(client.get(f"/api/reviews/{rid}/segments", headers=alice)) == [corrected]
    assert client.patch(url, json={"text": "x"}, headers=auth(cast_ids["outsider"])).status_code == 404
    assert client.patch(url, json={"text": ""}, headers=bob).status_code == 400
    assert client.patch(f"/api/reviews/{rid}/segments/999", json={"text": "x"}, headers=bob).status_code == 404


def test_its_speaker_strikes_a_segment_and_the_room_hears_of_it(client, cast_ids, auth):
    alice, bob, rid = auth(cast_ids["alice"]), auth(cast_ids["bob"]), cast_ids["review"]
    said = {"speaker": "Alice Okafor", "text": "Off the record.", "person_id": cast_ids["alice"]}
    [segment] = ok(client.post(f"/api/reviews/{rid}/segments", json={"segments": [said]}, headers=alice), 201)
    url = f"/api/reviews/{rid}/segments/{segment['id']}"
    assert client.delete(url, headers=bob).status_code == 403  # not his words, not the facilitator
    assert client.delete(url, headers=auth(cast_ids["outsider"])).status_code == 404
    with client.websocket_connect(f"/api/reviews/{rid}/events", headers={**bob, **ORIGIN}) as reader:
        assert reader.receive_json(timeout=10)["type"] == "subscribed"
        assert client.delete(url, headers=alice).status_code == 204
        assert reader.receive_json(timeout=10) == {"type": "segment_removed", "segment_id": segment["id"]}
    assert ok(client.get(f"/api/reviews/{rid}/segments", headers=bob)) == []
    assert client.delete(url, headers=alice).status_code == 404

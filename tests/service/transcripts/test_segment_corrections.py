"""Correcting a transcript segment over the API: the room sees the new text; outsiders cannot."""

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

"""service/pages/room.py: the transcript list carries an ETag per review revision and viewer."""

from __future__ import annotations

from tests.helpers import committed_cast, ok, token_headers
from tests.service.domain.test_room_reads import LINE


def test_an_unchanged_transcript_list_is_a_304_until_a_segment_comes(client, settings):
    room = committed_cast(settings)
    alice = token_headers(settings, room["alice"])
    url = f"/reviews/{room['review']}/transcript"
    first = client.get(url, headers=alice)
    etag = first.headers["etag"]
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-cache"
    assert 'id="transcript"' in first.text

    again = client.get(url, headers=alice | {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""

    ok(client.post(f"/api/reviews/{room['review']}/segments", json={"segments": [LINE]}, headers=alice), 201)
    changed = client.get(url, headers=alice | {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag and LINE["text"] in changed.text


def test_each_viewer_has_their_own_etag_and_access_is_checked_before_a_304(client, settings):
    room = committed_cast(settings)
    url = f"/reviews/{room['review']}/transcript"
    alice, fran = token_headers(settings, room["alice"]), token_headers(settings, room["facilitator"])
    ok(client.post(f"/api/reviews/{room['review']}/segments", json={"segments": [LINE]}, headers=alice), 201)
    hers = client.get(url, headers=alice)
    his = client.get(url, headers=fran)
    # What each may do to a segment differs (the facilitator may strike anyone's), so must the tags.
    assert hers.headers["etag"] != his.headers["etag"]
    assert client.get(url, headers=fran | {"If-None-Match": hers.headers["etag"]}).status_code == 200

    outsider = token_headers(settings, room["outsider"])
    refused = client.get(url, headers=outsider | {"If-None-Match": hers.headers["etag"]})
    assert refused.status_code == 404


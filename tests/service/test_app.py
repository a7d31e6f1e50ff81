from tests.helpers import ok


def test_health_reports_the_database(client, backend):
    body = ok(client.get("/health"))
    assert body["status"] == "ok" and body["database"] == backend


def test_home_page_shows_an_empty_state_then_reviews(client):
    page = client.get("/")
    assert page.status_code == 200 and "No reviews yet" in page.text

import re

from tests.helpers import ok

HTML = {"accept": "text/html"}


def test_health_reports_the_database(client, backend):
    body = ok(client.get("/health"))
    assert body["status"] == "ok" and body["database"] == backend


def _csrf(page_text: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page_text).group(1)


def test_first_run_offers_setup_then_signs_the_admin_in(client):
    landing = client.get("/", headers=HTML)  # follows /login?next=/ → /setup
    assert landing.status_code == 200 and "Create the first administrator" in landing.text
    assert str(landing.url).endswith("/setup")
    short = client.post(
        "/setup",
        data={"name": "Ada", "email": "ada@example.org", "password": "short", "_csrf_token": _csrf(landing.text)},
    )
    assert short.status_code == 400 and "at least 10 characters" in short.text
    done = client.post(
        "/setup",
        data={
            "name": "Ada",
            "email": "ada@example.org",
            "password": "correct horse battery",
            "_csrf_token": _csrf(landing.text),
        },
    )
    assert done.status_code == 200 and "No open reviews" in done.text and "Ada" in done.text
    assert ok(client.get("/api/session/me"))["is_admin"] is True
    again = client.get("/setup", headers=HTML)
    assert str(again.url).endswith("/login")  # setup is a one-time door


def test_sign_in_out_and_wrong_password(client, settings):
    from tests.helpers import create_person

    create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    page = client.get("/login", headers=HTML)
    token = _csrf(page.text)
    wrong = client.post("/login", data={"email": "bea@example.org", "password": "nope", "_csrf_token": token})
    assert wrong.status_code == 401 and "do not match" in wrong.text
    right = client.post(
        "/login", data={"email": "BEA@example.org", "password": "a long passphrase", "next": "/", "_csrf_token": token}
    )
    assert right.status_code == 200 and "Bea" in right.text
    cookie = client.cookies.get("debrief_session")
    assert cookie
    signed_out = client.post("/logout", data={"_csrf_token": _csrf(right.text)})
    assert "Sign in" in signed_out.text
    assert client.get("/api/session/me").status_code == 401


def test_forms_without_the_csrf_token_are_refused(client, settings):
    from tests.helpers import create_person

    create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    response = client.post("/login", data={"email": "bea@example.org", "password": "a long passphrase"})
    assert response.status_code == 403 and "CSRF" in response.text


def test_session_cookie_is_httponly_and_samesite(client, settings):
    from tests.helpers import create_person

    create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    token = _csrf(client.get("/login", headers=HTML).text)
    response = client.post(
        "/login",
        data={"email": "bea@example.org", "password": "a long passphrase", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    set_cookie = response.headers["set-cookie"].lower()
    assert "debrief_session=" in set_cookie and "httponly" in set_cookie and "samesite=lax" in set_cookie


def test_sign_in_is_rate_limited(client, settings):
    settings.auth.login_attempts_per_minute = 3
    from litestar.testing import TestClient

    from service.app import create_app

    with TestClient(app=create_app(settings)) as limited:
        codes = [
            limited.post(
                "/api/session",
                json={"email": "x@example.org", "password": "wrong"},
                headers={"Authorization": "Bearer none"},
            ).status_code
            for _ in range(5)
        ]
    assert codes[-1] == 429, codes


def test_a_new_admin_creates_a_team_adds_a_person_who_sets_a_password_and_signs_in(client):
    setup = client.get("/", headers=HTML)
    token = _csrf(setup.text)
    home = client.post(
        "/setup",
        data={"name": "Ada", "email": "ada@example.org", "password": "correct horse battery", "_csrf_token": token},
    )
    assert "Teams and people" in home.text  # the admin is told where to start
    admin = client.get("/admin", headers=HTML)
    assert "No team yet" in admin.text
    token = _csrf(admin.text)
    client.post("/admin/teams", data={"name": "Membership", "_csrf_token": token})
    page = client.get("/admin", headers=HTML)
    team_id = re.search(r'<option value="(\d+)">Membership</option>', page.text).group(1)
    added = client.post(
        "/admin/people",
        data={
            "name": "Joy Santos",
            "email": "joy@example.org",
            "team_id": team_id,
            "role": "participant",
            "_csrf_token": token,
        },
    )
    link = re.search(r"<code>[^<]*(/password/[^<]+)</code>", added.text).group(1)
    client.post("/logout", data={"_csrf_token": token})

    form = client.get(link, headers=HTML)
    assert "Set your password" in form.text
    done = client.post(link, data={"password": "joy's own passphrase", "_csrf_token": _csrf(form.text)})
    assert str(done.url).endswith("/login")
    signed_in = client.post(
        "/login", data={"email": "joy@example.org", "password": "joy's own passphrase", "_csrf_token": _csrf(done.text)}
    )
    assert "Joy Santos" in signed_in.text and "Start a review" in signed_in.text
    assert client.get("/admin", headers=HTML).status_code == 403  # not a site admin


def test_app_processes_starting_together_on_a_new_data_dir_agree_on_one_secret(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    from service.app import _persistent_secret

    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(4) as pool:
        secrets_read = set(pool.map(_persistent_secret, [path] * 12))
    assert secrets_read == {path.read_text().strip()} and len(path.read_text().strip()) >= 48
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no candidate left behind
    assert path.stat().st_mode & 0o077 == 0

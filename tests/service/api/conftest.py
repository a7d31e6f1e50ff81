"""Signing a browser in, as the sign-in page does (the form carries the CSRF token)."""

from __future__ import annotations

import re

from litestar.testing import TestClient


def sign_in(client: TestClient, email: str, password: str) -> None:
    page = client.get("/login", headers={"Accept": "text/html"})
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text[:500]
    done = client.post("/login", data={"email": email, "password": password, "_csrf_token": csrf.group(1)})
    assert done.status_code == 200, done.text[:500]

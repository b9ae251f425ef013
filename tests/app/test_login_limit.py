"""Login rate limit: five wrong passwords for one address from one IP within five minutes, then
429 (even with the right password) until the window has passed; other IPs are not affected."""

from __future__ import annotations

from datetime import timedelta

from tests.app.jury_setup import PASSWORD, make_user


def _login(client, email, password, ip="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_five_failures_lock_the_address_from_that_ip(app, client, monkeypatch):
    from app.core import login_limit

    make_user(app, "juror@example.org", "juror")
    for _ in range(5):
        resp = _login(client, "juror@example.org", "wrong password")
        assert resp.status_code == 400 and b'data-field="password"' in resp.data
    resp = _login(client, "Juror@Example.org", PASSWORD)
    assert resp.status_code == 429
    assert b'data-field="password"' in resp.data and int(resp.headers["Retry-After"]) > 0
    assert "Te veel mislukte pogingen" in resp.get_data(as_text=True)
    # another IP logs in; an unknown address from the blocked IP is counted separately
    assert _login(client, "juror@example.org", PASSWORD, ip="10.0.0.2").status_code == 302
    assert _login(client, "someone@example.org", "x", ip="10.0.0.1").status_code == 400
    # five minutes later the address may try again, and a success clears the count
    later = login_limit._now() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(login_limit, "_now", lambda: later)
    assert _login(client, "juror@example.org", PASSWORD).status_code == 302
    for _ in range(4):
        _login(client, "juror@example.org", "wrong password")
    assert _login(client, "juror@example.org", PASSWORD).status_code == 302  # 4 < 5

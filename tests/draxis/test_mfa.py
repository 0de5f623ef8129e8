"""MFA: enrollment, verification, recovery codes, policies by level, admin reset, lockout."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, enroll_mfa, login, totp_code

MFA_REQUIRED = "https://draxis.dev/problems/mfa-required"


def test_enrollment_seals_the_secret_and_issues_ten_recovery_codes(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    token = login(client, user.email)["access_token"]
    started = client.post("/api/auth/mfa/enroll", headers=bearer(token)).json()
    assert started["provisioning_uri"].startswith("otpauth://totp/")
    sealed = observer_conn.execute(
        "select mfa_secret from platform.users where id = %s", (user.id,)
    ).fetchone()
    assert sealed is not None
    assert started["secret"].encode() not in bytes(sealed[0])  # encrypted at rest
    confirmed = client.post(
        "/api/auth/mfa/enroll/confirm",
        headers=bearer(token),
        json={"code": totp_code(started["secret"])},
    )
    assert confirmed.status_code == 200
    body = confirmed.json()
    assert len(set(body["recovery_codes"])) == 10
    assert body["mfa"] == {"required": True, "enrolled": True, "verified": True}
    stored = observer_conn.execute(
        "select count(*) from platform.mfa_recovery_codes where user_id = %s", (user.id,)
    ).fetchone()
    assert stored == (10,)
    again = client.post("/api/auth/mfa/enroll", headers=bearer(body["access_token"]))
    assert again.status_code == 409


def test_an_enrolled_user_must_verify_before_reaching_data_and_a_code_works_once(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    secret, _, _ = enroll_mfa(client, login(client, user.email)["access_token"])
    signed_in = login(client, user.email)
    assert signed_in["mfa"] == {"required": True, "enrolled": True, "verified": False}
    token = signed_in["access_token"]
    blocked = client.get("/api/dashboard", headers=bearer(token))
    assert blocked.status_code == 403
    assert blocked.json()["type"] == MFA_REQUIRED
    assert client.get("/api/me", headers=bearer(token)).status_code == 200  # completion route
    code = totp_code(secret, steps_ahead=1)  # the enrollment used this step's code
    verified = client.post("/api/auth/mfa/verify", headers=bearer(token), json={"code": code})
    assert verified.status_code == 200
    fresh = verified.json()["access_token"]
    assert client.get("/api/dashboard", headers=bearer(fresh)).status_code == 200
    # The same code again (another sign-in) is a replay.
    other = login(client, user.email)["access_token"]
    replay = client.post("/api/auth/mfa/verify", headers=bearer(other), json={"code": code})
    assert replay.status_code == 401
    # A refresh keeps the session's verified state.
    refreshed = client.post("/api/auth/refresh").json()
    assert refreshed["mfa"]["verified"] is False  # the cookie now belongs to `other`'s session


def test_recovery_codes_are_single_use(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    _, codes, _ = enroll_mfa(client, login(client, user.email)["access_token"])
    token = login(client, user.email)["access_token"]
    used = client.post(
        "/api/auth/mfa/recover", headers=bearer(token), json={"recovery_code": codes[0]}
    )
    assert used.status_code == 200
    assert used.json()["recovery_codes_left"] == 9
    token = login(client, user.email)["access_token"]
    again = client.post(
        "/api/auth/mfa/recover", headers=bearer(token), json={"recovery_code": codes[0]}
    )
    assert again.status_code == 401


def test_policy_by_level_most_specific_wins(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin_user = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    analyst = create_user(app_conn, "tenant_user", tenant=tenant_a)
    _, _, admin = enroll_mfa(client, login(client, admin_user.email)["access_token"])
    _, _, org_admin = enroll_mfa(client, login(client, master.email)["access_token"])
    assert login(client, analyst.email)["mfa"]["required"] is False
    org_rule = client.put(
        f"/api/orgs/{tenant_a.org_id}/mfa-policy",
        headers=bearer(org_admin),
        json={"required": True},
    )
    assert org_rule.status_code == 200
    assert login(client, analyst.email)["mfa"]["required"] is True
    exempt = client.put(
        f"/api/tenant/users/{analyst.id}/mfa-policy",
        headers=bearer(admin),
        json={"required": False},
    )
    assert exempt.status_code == 200
    assert login(client, analyst.email)["mfa"]["required"] is False
    client.put(
        f"/api/tenant/users/{analyst.id}/mfa-policy", headers=bearer(admin), json={"required": None}
    )
    assert login(client, analyst.email)["mfa"]["required"] is True


def test_admin_reset_is_audited_and_ends_the_users_sessions(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    _, _, user_token = enroll_mfa(client, login(client, user.email)["access_token"])
    admin = login(client, tenant_a.user_email)["access_token"]
    reset = client.post(f"/api/tenant/users/{user.id}/mfa-reset", headers=bearer(admin))
    assert reset.status_code == 204
    assert client.get("/api/me", headers=bearer(user_token)).status_code == 401
    assert login(client, user.email)["mfa"]["enrolled"] is False
    audit = observer_conn.execute(
        "select actor_user_id, target_id from tenant.audit_log where action = 'mfa.reset'"
        " and tenant_id = %s",
        (tenant_a.id,),
    ).fetchall()
    assert [(str(a), t) for a, t in audit][-1][1] == str(user.id)


def test_repeated_bad_codes_lock_the_account_with_retry_after(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, settings: Settings
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    enroll_mfa(client, login(client, user.email)["access_token"])
    token = login(client, user.email)["access_token"]
    statuses = [
        client.post("/api/auth/mfa/verify", headers=bearer(token), json={"code": "000000"})
        for _ in range(settings.lockout_threshold + 1)
    ]
    assert [r.status_code for r in statuses[: settings.lockout_threshold]] == [401] * 5
    locked = statuses[-1]
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0

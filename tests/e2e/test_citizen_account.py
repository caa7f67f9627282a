"""Citizens sign in with OpenID Connect against a real OpenID provider started locally
(oidc-provider-mock: discovery, JWKS, authorize, token, userinfo), then see "Hồ sơ của
tôi"; the ID token's signature, issuer, audience, expiry and nonce are checked and a
tampered token is refused (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import parse_qs, urlparse

import httpx
import oidc_provider_mock
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from motcua.channels.oidc import OidcClient, SignInFailed
from motcua.services import dossiers as uc
from motcua.simulators.providers import Served
from motcua.web.app import create_app
from tests.personas import CITIZEN
from tests.ports import free_port

CLAIMS = {"SoDinhDanh": CITIZEN["id_number"], "HoVaTen": CITIZEN["name"],
          "SoDienThoai": CITIZEN["phone"], "acr": "2"}


@pytest.fixture
def provider():
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def test_a_citizen_signs_in_and_sees_their_dossiers(app, world, provider):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app.settings = replace(app.settings, public_url=base, oidc_client_secret="bi-mat-thu",
                           oidc_discovery_url=f"{provider}/.well-known/openid-configuration")
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code
    assisted = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                  channel="desk", applicant=CITIZEN, on_behalf=True,
                                  official=world["tiepnhan"]).code
    other = dict(CITIZEN, id_number="066190009999", name="Người Khác")
    theirs = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                channel="desk", applicant=other,
                                official=world["tiepnhan"]).code
    assert httpx.put(f"{provider}/users/vneid-sub-1", json=CLAIMS).status_code == 204
    web = Served(create_app(app, "khoa-dinh-danh"), port).start()
    try:
        citizen = httpx.Client(base_url=base, timeout=10)
        assert citizen.get("/ho-so-cua-toi").headers["location"] == "/dang-nhap-cong-dan"
        go = citizen.get("/dang-nhap-cong-dan")
        authorize = go.headers["location"]
        query = parse_qs(urlparse(authorize).query)
        assert query["code_challenge_method"] == ["S256"] and query["nonce"][0]
        # the person approves at the provider, which sends them back with a code
        back = httpx.post(authorize, data={"sub": "vneid-sub-1"}).headers["location"]
        # a forged state is refused, the right one signs in
        forged = back.replace(f"state={query['state'][0]}", "state=gia-mao")
        refused = citizen.get(forged.replace(base, ""))
        assert refused.status_code == 422 and "Phiên đăng nhập không khớp" in refused.text
        citizen.get("/dang-nhap-cong-dan")  # start again: the refused state was spent
        authorize = citizen.get("/dang-nhap-cong-dan").headers["location"]
        back = httpx.post(authorize, data={"sub": "vneid-sub-1"}).headers["location"]
        signed = citizen.get(back.replace(base, ""), follow_redirects=True)
        assert signed.status_code == 200, signed.text[-1500:]
        assert "Hồ sơ của tôi" in signed.text
        assert code in signed.text and theirs not in signed.text
        # filed for them by an official; the messages sent to them; their payments
        mine_rows = signed.text.split(f">{assisted}</a>")[1][:300]
        assert "cán bộ Tiepnhan nộp hộ" in mine_rows
        assert "Thông báo đã gửi cho bạn" in signed.text and "Phí, lệ phí đã thanh toán" in signed.text
        notices = signed.text.split("Thông báo đã gửi cho bạn")[1]
        assert f"hồ sơ {code}: Đã tiếp nhận, hẹn trả" in notices and theirs not in notices
        assert CITIZEN["name"] in signed.text and "VNeID" in signed.text
        assert signed.headers["cache-control"] == "private, no-store"
        filing = citizen.get("/thu-tuc/1.001193/nop-truc-tuyen")
        assert "lấy từ định danh điện tử" in filing.text
        assert f'value="{CITIZEN["id_number"]}"' in filing.text
        assert filing.headers["cache-control"] == "private, no-store"
        anonymous = httpx.get(f"{base}/thu-tuc/1.001193/nop-truc-tuyen")
        assert "Đăng nhập bằng định danh điện tử" in anonymous.text
        assert CITIZEN["id_number"] not in anonymous.text
        with app.uow() as uow:
            account = uow.accounts.get(1)
        assert account.subject == "vneid-sub-1" and account.level == "2"
        # a filing records the sign-in only under the citizen's own verified number
        from motcua.services.accounts import filing_identity
        assert filing_identity(app, 1, CITIZEN["id_number"]) == {
            "provider": account.provider, "level": "2", "account_id": 1,
            "id_number": CITIZEN["id_number"]}
        assert filing_identity(app, 1, "066190009999") is None
        # a provider that vouches for an impossible ID number gets nobody signed in
        httpx.put(f"{provider}/users/vneid-sub-2", json=dict(CLAIMS, SoDinhDanh="999190001234"))
        authorize = citizen.get("/dang-nhap-cong-dan").headers["location"]
        back = httpx.post(authorize, data={"sub": "vneid-sub-2"}).headers["location"]
        refused = citizen.get(back.replace(base, ""))
        assert refused.status_code == 422 and "999" in refused.text
    finally:
        web.stop()


def _client_with(key: RSAKey, issuer: str = "https://vneid.test") -> OidcClient:
    client = OidcClient("https://vneid.test/.well-known/openid-configuration", "motcua", "bi-mat")
    client._meta = {"issuer": issuer}
    client._keys = KeySet([key])
    client._fetched = time.monotonic()
    return client


def _token(key: RSAKey, **claims) -> str:
    now = int(time.time())
    body = {"iss": "https://vneid.test", "aud": "motcua", "sub": "s1", "iat": now,
            "exp": now + 300, "nonce": "n1", **claims}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, body, key)


def test_tampered_expired_foreign_or_replayed_tokens_are_refused():
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    client = _client_with(key)
    assert client.verify(_token(key), "n1")["sub"] == "s1"
    token = _token(key)
    head, body, sig = token.split(".")
    tampered = ".".join((head, body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB"), sig))
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    for bad, nonce in ((tampered, "n1"), (_token(stranger), "n1"),
                       (_token(key, exp=int(time.time()) - 60), "n1"),
                       (_token(key, aud="ung-dung-khac"), "n1"),
                       (_token(key, iss="https://gia-mao.test"), "n1"),
                       (_token(key), "nonce-khac")):
        with pytest.raises(SignInFailed, match="không hợp lệ"):
            client.verify(bad, nonce)


def test_a_procedure_may_require_an_e_id_level_and_the_sign_in_enters_the_audit_chain(
        app, world):
    """Filed online under a minimum assurance level: refused without a sign-in or below
    the level, or for someone else's number; accepted with it, and the receipt's audit
    event records the provider and the level."""
    from fastapi.testclient import TestClient

    from motcua.domain.documents import Upload
    from motcua.services import submissions
    from motcua.services.procedures import procedure_from_dict, save_procedures
    from tests.e2e.test_web import PDF
    from tests.personas import BIRTH

    save_procedures(app, [procedure_from_dict({**BIRTH, "min_assurance_level": 2})])
    uploads = [Upload("Tờ khai đăng ký khai sinh", "to-khai.pdf", PDF),
               Upload("Giấy chứng sinh", "chung-sinh.pdf", PDF)]

    def file(key: str, identity):
        return submissions.submit(app, procedure_code="1.001193", unit_code="24175",
                                  applicant=CITIZEN, uploads=uploads,
                                  submission_key=f"khoa-muc-dinh-danh-{key}",
                                  identity=identity)[0]

    for key, identity in (("an-danh", None), ("muc-1", {"provider": "VNeID", "level": "1"})):
        with pytest.raises(Exception) as refused:
            file(key, identity)
        assert "định danh điện tử mức 2" in str(refused.value)
    view = file("muc-2", {"provider": "VNeID", "level": "2", "account_id": 1})
    code = submissions.accept(app, view.ref, world["tiepnhan"]).code
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        [received] = [e for e in uow.audit.events(dossier.id, code) if e.action == "receive"]
    assert received.data["identity"] == {"provider": "VNeID", "level": "2"}
    page = TestClient(create_app(app, "khoa")).get("/thu-tuc/1.001193/nop-truc-tuyen").text
    assert "tài khoản định danh điện tử mức 2" in page
    assert "/dang-nhap-cong-dan?tiep=/thu-tuc/1.001193/nop-truc-tuyen" in page


def test_a_signed_in_citizen_files_online_with_a_stored_document_instead_of_a_file(
        app, world, provider):
    """The online form offers the citizen's own stored documents for the procedure's
    documents; one chosen stands for the file, is kept with the filing, and is recorded
    as reused when the desk accepts (Decision 766 6.4); someone else's is refused."""
    import re

    from motcua.domain.documents import Upload
    from motcua.services import digitisation as digi
    from motcua.services import submissions
    from tests.e2e.test_web import FORM, PDF, form_tokens
    from tests.scans import page as scanned_page
    from tests.scans import pdf_of

    first = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                               channel="desk", applicant=CITIZEN,
                               official=world["tiepnhan"]).code
    component = digi.scan(app, first, world["tiepnhan"], name="Giấy chứng sinh",
                          original=True, uploads=[Upload("", "cs.pdf",
                                                         pdf_of([scanned_page(noise=0)]))])
    digi.certify(app, component, world["tiepnhan"])  # now in the citizen's store
    other = dict(CITIZEN, id_number="066190009999", name="Người Khác", phone="0987654321")
    theirs_code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                     channel="desk", applicant=other,
                                     official=world["tiepnhan"]).code
    digi.certify(app, digi.scan(app, theirs_code, world["tiepnhan"], name="Giấy chứng sinh",
                                original=True, uploads=[Upload("", "x.pdf",
                                                               pdf_of([scanned_page()]))]),
                 world["tiepnhan"])
    with app.uow() as uow:
        [mine] = [d.id for d in uow.digitisation.stored(CITIZEN["id_number"]) if d.signed]
        [not_mine] = [d.id for d in uow.digitisation.stored(other["id_number"]) if d.signed]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app.settings = replace(app.settings, public_url=base, oidc_client_secret="bi-mat-thu",
                           oidc_discovery_url=f"{provider}/.well-known/openid-configuration")
    httpx.put(f"{provider}/users/vneid-sub-1", json=CLAIMS)
    web = Served(create_app(app, "khoa-dung-lai"), port).start()
    try:
        citizen = httpx.Client(base_url=base, timeout=10)
        authorize = citizen.get("/dang-nhap-cong-dan").headers["location"]
        back = httpx.post(authorize, data={"sub": "vneid-sub-1"}).headers["location"]
        citizen.get(back.replace(base, ""), follow_redirects=True)
        form = citizen.get("/thu-tuc/1.001193/nop-truc-tuyen").text
        assert "Dùng giấy tờ đã lưu trong kho dữ liệu" in form
        slot, options = re.search(r'name="(dung_lai_\d+)">(.*?)</select>', form, re.S).groups()
        values = re.findall(r'<option value="(\d+)"', options)
        assert values[0] == str(mine) and str(not_mine) not in values  # theirs never
        assert "(đã ký số)" in options
        data = {**FORM, **form_tokens(form)}
        forged = citizen.post("/thu-tuc/1.001193/nop-truc-tuyen",
                              data={**data, slot: str(not_mine)},
                              files=[("tep_0", ("to-khai.pdf", PDF, "application/pdf"))])
        assert forged.status_code in (403, 422) and "không phải của Ông/Bà" in forged.text
        sent = citizen.post("/thu-tuc/1.001193/nop-truc-tuyen",
                            data={**data, slot: str(mine)},
                            files=[("tep_0", ("to-khai.pdf", PDF, "application/pdf"))])
        assert sent.status_code == 303, sent.text[-800:]
    finally:
        web.stop()
    [waiting] = submissions.waiting(app, world["tiepnhan"])
    assert sorted(slot for slot, _ in waiting.files) == ["Giấy chứng sinh",
                                                         "Tờ khai đăng ký khai sinh"]
    assert "identity" not in waiting.applicant or "id_number" not in waiting.applicant["identity"]
    code = submissions.accept(app, waiting.ref, world["tiepnhan"]).code
    [reused] = digi.of_dossier(app, code)
    assert reused.source == "reuse" and reused.reused_from_id == mine
    with app.uow() as uow:
        [row] = uow.digitisation.reuses(code)
    assert row.citizen_document_id == mine
    assert row.reused_by_name == f"{CITIZEN['name']} (chọn khi nộp trực tuyến)"

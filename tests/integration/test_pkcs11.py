"""Signing with a key on a PKCS#11 token (SoftHSM, Debian's software token, standing for
a USB token or an HSM): a certified copy signed by the token's key verifies against the
CA that issued its certificate (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from motcua import signing
from motcua.domain.documents import Upload
from motcua.domain.errors import ValidationError
from motcua.services import digitisation as digi
from motcua.services import dossiers as uc
from tests.personas import CITIZEN
from tests.scans import page, pdf_of

MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def test_a_certified_copy_signed_with_a_key_on_a_pkcs11_token(app, world, tmp_path,
                                                               monkeypatch):
    # a token, and the desk officer's key and certificate put on it as a CA would issue
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))  # read when the module loads
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "motcua",
                    "--so-pin", "123456", "--pin", "654321"], check=True, capture_output=True,
                   env=env)
    ca = signing.TestAuthority(tmp_path / "ca")
    issued = ca.issue(tmp_path / "issued.p12", "Tiepnhan", "Xã Hòa Phú")
    key, cert, _ = pkcs12.load_key_and_certificates(issued.read_bytes(), ca.passphrase())
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    signers = tmp_path / "nguoi-ky"
    signers.mkdir()
    (signers / "tiepnhan.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    subprocess.run(["softhsm2-util", "--import", str(tmp_path / "key.pem"), "--token",
                    "motcua", "--label", "tiepnhan", "--id", "01", "--pin", "654321"],
                   check=True, capture_output=True, env=env)
    (tmp_path / "key.pem").unlink()
    app.settings = replace(app.settings, sign_pkcs11_library=MODULE,
                           sign_pkcs11_token="motcua", sign_pkcs11_pin="654321",
                           sign_dir=str(signers), sign_trust_roots=str(ca.root_file))
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code
    component = digi.scan(app, code, world["tiepnhan"], name="Giấy chứng sinh", original=True,
                          uploads=[Upload("", "scan.pdf", pdf_of([page(noise=0)]))])
    digi.certify(app, component, world["tiepnhan"])
    [row] = digi.of_dossier(app, code)
    assert row.verification.valid, row.verification.text
    assert [s.signer for s in row.verification.signatures] == ["Tiepnhan (THỬ NGHIỆM)"]
    # a wrong PIN is said plainly, and nothing is signed
    app.settings = replace(app.settings, sign_pkcs11_pin="000000")
    app.catalogue_cache.clear()
    other = digi.scan(app, code, world["tiepnhan"], name="Tờ khai đăng ký khai sinh",
                      original=True, uploads=[Upload("", "scan.pdf", pdf_of([page(noise=0)]))])
    with pytest.raises(ValidationError, match="thiết bị ký số"):
        digi.certify(app, other, world["tiepnhan"])

"""PAdES signatures (pyHanko): certified copies ("sao y từ bản chính") and electronic
results, signed by the official and by the agency, and verified fail-closed.

Keys and certificates come, in production, from CA-issued PKCS#12 files per official
(``{username}.p12``) and per agency seal (``co-quan-{unit code}.p12``) in
``MOTCUA_SIGN_DIR``, opened with ``MOTCUA_SIGN_PASSPHRASE``, or from a PKCS#11 token
(``MOTCUA_SIGN_PKCS11_LIBRARY``, ``MOTCUA_SIGN_PKCS11_TOKEN``, ``MOTCUA_SIGN_PKCS11_PIN``)
holding the keys under the same labels; trusted through the roots in
``MOTCUA_SIGN_TRUST_ROOTS`` (PEM). Without them (the demo, the tests) motcua makes its
own local CA under ``data_dir/pki`` on first use, every certificate of which says
"THỬ NGHIỆM" (test) in its name: a signature by it verifies only against that CA and
is shown as a test signature.

Verification is fail-closed: a file whose signatures cannot all be checked — no
signature, a modified document, an unknown or untrusted signer, an error — is not valid.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TEST_MARK = "THỬ NGHIỆM"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_lock = threading.RLock()


class SigningError(Exception):
    """The document could not be signed; ``str()`` says why in Vietnamese."""


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
                      x509.NameAttribute(NameOID.COMMON_NAME, common[:64])])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TestAuthority:
    """motcua's own local CA for the demo and the tests, kept under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.passphrase_file = self.folder / "passphrase"

    @property
    def root_file(self) -> Path:
        return self.folder / "ca-thu-nghiem.pem"

    def passphrase(self) -> bytes:
        self._ensure_root()
        return self.passphrase_file.read_bytes()

    def _ensure_root(self) -> None:
        with _lock:
            if self.root_file.exists():
                return
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = _key()
            name = _name(f"motcua CA {TEST_MARK}", f"motcua ({TEST_MARK}, không có giá trị "
                                                     f"pháp lý)")
            now = datetime.now(UTC)
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                    .public_key(key.public_key()).serial_number(x509.random_serial_number())
                    .not_valid_before(now - timedelta(days=1))
                    .not_valid_after(now + timedelta(days=3650))
                    .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
                    .add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                                 False, False), True)
                    .sign(key, hashes.SHA256()))
            (self.folder / "ca-thu-nghiem.key").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
            (self.folder / "ca-thu-nghiem.key").chmod(0o600)
            self.passphrase_file.write_bytes(secrets.token_urlsafe(24).encode())
            self.passphrase_file.chmod(0o600)
            self.root_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    def root(self) -> x509.Certificate:
        self._ensure_root()
        return x509.load_pem_x509_certificate(self.root_file.read_bytes())

    def issue(self, file: Path, common: str, organisation: str) -> Path:
        """A PKCS#12 file for a signer (an official or an agency seal), made once."""
        self._ensure_root()
        with _lock:
            if file.exists():
                return file
            ca_key = serialization.load_pem_private_key(
                (self.folder / "ca-thu-nghiem.key").read_bytes(), None)
            ca = self.root()
            key = _key()
            now = datetime.now(UTC)
            cert = (x509.CertificateBuilder()
                    .subject_name(_name(f"{common} ({TEST_MARK})", organisation))
                    .issuer_name(ca.subject).public_key(key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(now - timedelta(days=1))
                    .not_valid_after(now + timedelta(days=730))
                    .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                    .add_extension(x509.KeyUsage(True, True, False, False, False, False, False,
                                                 False, False), True)
                    .add_extension(x509.ExtendedKeyUsage(
                        [ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
                    .sign(ca_key, hashes.SHA256()))
            file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            file.write_bytes(pkcs12.serialize_key_and_certificates(
                common.encode(), key, cert, [ca],
                serialization.BestAvailableEncryption(self.passphrase_file.read_bytes())))
            file.chmod(0o600)
            return file


@dataclass(frozen=True)
class Token:
    """A PKCS#11 token (a USB token, a smart card, an HSM): its module, label and PIN."""

    library: str
    label: str
    pin: str


@dataclass(frozen=True)
class SignerKey:
    """Where one signer's key is: a PKCS#12 file, or a key on the token under ``label``
    (its certificate on the token too, or ``{label}.pem`` in the signers' folder)."""

    label: str
    file: Path
    passphrase: bytes
    token: Token | None = None

    @contextlib.contextmanager
    def signer(self):
        from pyhanko.sign import signers

        if self.token is None:
            if not self.file.exists():
                raise SigningError(f"Không có chứng thư số để ký ({self.file.name}).")
            try:
                found = signers.SimpleSigner.load_pkcs12(str(self.file),
                                                         passphrase=self.passphrase)
            except Exception as exc:  # noqa: BLE001 - a wrong passphrase or file, said plainly
                raise SigningError(f"Không mở được chứng thư số {self.file.name}: {exc}") \
                    from exc
            if found is None:
                raise SigningError(f"Không mở được chứng thư số {self.file.name}.")
            yield found
            return
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign import pkcs11

        pem = self.file.with_suffix(".pem")
        cert = asn1_x509.Certificate.load(x509.load_pem_x509_certificate(
            pem.read_bytes()).public_bytes(serialization.Encoding.DER)) if pem.exists() \
            else None
        try:
            session = pkcs11.open_pkcs11_session(
                self.token.library, token_criteria=pkcs11.TokenCriteria(label=self.token.label),
                user_pin=self.token.pin)
        except Exception as exc:  # noqa: BLE001 - no token, a wrong PIN: said plainly
            raise SigningError(f"Không mở được thiết bị ký số “{self.token.label}”: "
                               f"{exc.__class__.__name__}.") from exc
        try:
            yield pkcs11.PKCS11Signer(session, key_label=self.label, signing_cert=cert,
                                      cert_label=None if cert is not None else self.label,
                                      embed_roots=False)
        finally:
            session.close()


@dataclass(frozen=True)
class Keys:
    """Where the signers' keys are (PKCS#12 files, or a PKCS#11 token), the files'
    passphrase and the trusted roots."""

    folder: Path
    passphrase: bytes
    roots: tuple[x509.Certificate, ...]
    test: TestAuthority | None  # the local test CA, when no production keys are set
    token: Token | None = None

    @classmethod
    def from_settings(cls, settings) -> Keys:
        if settings.sign_dir or settings.sign_pkcs11_library:
            roots = tuple(x509.load_pem_x509_certificates(
                Path(settings.sign_trust_roots).read_bytes())) if settings.sign_trust_roots \
                else ()
            token = Token(settings.sign_pkcs11_library, settings.sign_pkcs11_token,
                          settings.sign_pkcs11_pin) if settings.sign_pkcs11_library else None
            return cls(Path(settings.sign_dir or "."), settings.sign_passphrase.encode(),
                       roots, None, token)
        test = TestAuthority(settings.data_dir / "pki")
        return cls(test.folder / "nguoi-ky", test.passphrase(), (test.root(),), test)

    def _key(self, label: str, common: str, organisation: str) -> SignerKey:
        file = self.folder / f"{label}.p12"
        if self.test is not None:
            self.test.issue(file, common, organisation)
        return SignerKey(label, file, self.passphrase, self.token)

    def official(self, username: str, full_name: str, unit_name: str) -> SignerKey:
        return self._key(username, full_name, unit_name)

    def agency(self, unit_code: str, unit_name: str) -> SignerKey:
        return self._key(f"co-quan-{unit_code}", unit_name, unit_name)


Stamp = tuple[list[str], tuple[float, float, float, float]]
SIGNER_BOX = (330.0, 28.0, 575.0, 88.0)
AGENCY_BOX = (330.0, 94.0, 575.0, 140.0)


def stamped(pdf: bytes, stamps: list[Stamp]) -> bytes:
    """``pdf`` with bordered stamps (Vietnamese text, drawn by ReportLab in DejaVu Sans)
    laid over its last page, each at its box (x1, y1, x2, y2 in points from the lower
    left). Done before the first signature, so every signature covers every stamp."""
    import pikepdf
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "Motcua-Sans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Motcua-Sans", str(FONT)))
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            page = doc.pages[-1]
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            drawn = io.BytesIO()
            c = canvas.Canvas(drawn, pagesize=(x1 - x0, y1 - y0))
            c.setStrokeColorRGB(0.7, 0, 0)
            c.setFillColorRGB(0.7, 0, 0)
            for lines, (bx1, by1, bx2, by2) in stamps:
                c.rect(bx1, by1, bx2 - bx1, by2 - by1)
                y = by2 - 12
                for n, line in enumerate(lines):
                    c.setFont("Motcua-Sans", 9 if n == 0 else 8)
                    c.drawString(bx1 + 5, y, line)
                    y -= 11
            c.save()
            with pikepdf.open(io.BytesIO(drawn.getvalue())) as overlay:
                page.add_overlay(overlay.pages[0])
                out = io.BytesIO()
                doc.save(out)
    except pikepdf.PdfError as exc:
        raise SigningError(f"Tệp PDF hỏng hoặc có mật khẩu, không đóng dấu được: {exc}") from exc
    return out.getvalue()


def sign(pdf: bytes, key: SignerKey, *, field: str, reason: str, location: str) -> bytes:
    """``pdf`` with one more PAdES signature by ``key``, in an invisible field (the visible
    stamp is drawn beforehand by ``stamped``), as an incremental update: earlier signatures
    stay valid."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    with key.signer() as signer:
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            meta = signers.PdfSignatureMetadata(field_name=field, reason=reason,
                                                location=location,
                                                subfilter=fields.SigSeedSubFilter.PADES)
            out = signers.PdfSigner(meta, signer=signer,
                                    new_field_spec=fields.SigFieldSpec(field)).sign_pdf(
                writer, existing_fields_only=False)
        except Exception as exc:  # noqa: BLE001 - a broken or protected PDF
            raise SigningError(f"Không ký được tệp PDF: {exc}") from exc
    return out.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    signer: str
    signed_at: datetime | None
    valid: bool
    test: bool
    problem: str = ""


@dataclass(frozen=True)
class Verification:
    valid: bool  # every signature intact and trusted, and at least one
    signatures: tuple[SignatureCheck, ...]
    problem: str = ""

    @property
    def test(self) -> bool:
        return any(s.test for s in self.signatures)

    @property
    def text(self) -> str:
        if not self.valid:
            return "Chữ ký số không hợp lệ" + (f": {self.problem}" if self.problem else "")
        names = ", ".join(s.signer for s in self.signatures)
        return ("Chữ ký số hợp lệ (chứng thư THỬ NGHIỆM, không có giá trị pháp lý): "
                if self.test else "Chữ ký số hợp lệ: ") + names


def verify(pdf: bytes, roots: tuple[x509.Certificate, ...]) -> Verification:
    """Every signature of ``pdf`` checked against ``roots``; the last one must cover the
    whole file. Anything that cannot be checked is not valid."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        trust = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                 for c in roots]
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
        if not embedded:
            return Verification(False, (), "tệp không có chữ ký số")
        checks, last_coverage = [], None
        for sig in embedded:
            status = validate_pdf_signature(sig, ValidationContext(
                trust_roots=trust, allow_fetching=False, revocation_mode="soft-fail"))
            last_coverage = status.coverage
            cert = status.signing_cert
            signer = cert.subject.native.get("common_name", "?") if cert is not None else "?"
            ok = bool(status.bottom_line)
            problem = "" if ok else ("tài liệu đã bị sửa sau khi ký" if not status.intact else
                                     "người ký không thuộc tổ chức cung cấp chứng thư số được "
                                     "tin cậy")
            checks.append(SignatureCheck(signer, status.signer_reported_dt, ok,
                                         TEST_MARK in signer, problem))
        whole = last_coverage == SignatureCoverageLevel.ENTIRE_FILE
        problem = next((c.problem for c in checks if not c.valid), "") or \
            ("" if whole else "có nội dung được thêm sau chữ ký cuối")
        return Verification(all(c.valid for c in checks) and whole, tuple(checks), problem)
    except Exception as exc:  # noqa: BLE001 - fail closed: what cannot be checked is not valid
        return Verification(False, (), f"không kiểm tra được ({exc.__class__.__name__})")

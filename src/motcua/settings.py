"""Settings, read from the environment (``MOTCUA_*``) and overridable per command."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"MOTCUA_{name}", default)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", "sqlite:///var/motcua.sqlite3"))
    province_code: int = field(default_factory=lambda: int(_env("PROVINCE", "66")))
    place_name: str = field(default_factory=lambda: _env("PLACE_NAME", "Buôn Ma Thuột"))
    office_hours: str = field(default_factory=lambda: _env("OFFICE_HOURS", "07:30-11:30,13:30-17:30"))
    calendar_first_year: int = field(default_factory=lambda: int(_env("CALENDAR_FIRST_YEAR", "2015")))
    calendar_last_year: int = field(default_factory=lambda: int(_env("CALENDAR_LAST_YEAR", "2035")))
    due_soon_share: float = field(default_factory=lambda: float(_env("DUE_SOON_SHARE", "0.2")))
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", "var")))
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "http://127.0.0.1:8000"))
    upload_dir: Path | None = field(
        default_factory=lambda: Path(v) if (v := os.environ.get("MOTCUA_UPLOAD_DIR")) else None)
    max_upload_mb: float = field(default_factory=lambda: float(_env("MAX_UPLOAD_MB", "20")))
    print_receipt: bool = field(
        default_factory=lambda: _env("PRINT_RECEIPT", "0").lower() in ("1", "true", "yes"))
    # the province's choice: dossier codes start with the unit's code ("unit") or with its
    # national agency identifier where it has one ("agency"); codes already given never change
    dossier_code_prefix: str = field(default_factory=lambda: _env("DOSSIER_CODE_PREFIX", "unit"))

    # secrets kept outside the database (motcua.keys); default: in the data folder
    audit_key_file: Path | None = field(
        default_factory=lambda: Path(v) if (v := os.environ.get("MOTCUA_AUDIT_KEY_FILE")) else None)
    session_key_file: Path | None = field(
        default_factory=lambda: Path(v) if (v := os.environ.get("MOTCUA_SESSION_KEY_FILE")) else None)
    # cookies only over HTTPS (production behind TLS); off for http://127.0.0.1 demos
    secure_cookies: bool = field(
        default_factory=lambda: _env("SECURE_COOKIES", "0").lower() in ("1", "true", "yes"))
    # addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated
    # addresses or networks, e.g. "127.0.0.1,10.0.0.0/24"); nobody else's is
    trusted_proxies: str = field(default_factory=lambda: _env("TRUSTED_PROXIES", ""))
    # anonymous online filings per client address and hour; files and megabytes per filing
    filings_per_hour: int = field(default_factory=lambda: int(_env("FILINGS_PER_HOUR", "10")))
    max_files: int = field(default_factory=lambda: int(_env("MAX_FILES", "20")))
    # threads per server process for the (synchronous) request handlers; fewer threads
    # than the pool's 40 keep requests in arrival order under load (a shorter tail)
    threads: int = field(default_factory=lambda: int(_env("THREADS", "4")))
    max_submission_mb: float = field(
        default_factory=lambda: float(_env("MAX_SUBMISSION_MB", "50")))

    # -- notifications (motcua.channels): a channel with no URL or host is not used ----------
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "25")))
    smtp_user: str = field(default_factory=lambda: _env("SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: _env("SMTP_PASSWORD", ""))
    smtp_starttls: bool = field(
        default_factory=lambda: _env("SMTP_STARTTLS", "0").lower() in ("1", "true", "yes"))
    mail_from: str = field(default_factory=lambda: _env("MAIL_FROM", "Một cửa <motcua@localhost>"))
    # SMS brandname through an eSMS-style HTTP API (ApiKey, SecretKey, Brandname, RequestId)
    sms_url: str = field(default_factory=lambda: _env("SMS_URL", ""))
    sms_api_key: str = field(default_factory=lambda: _env("SMS_API_KEY", ""))
    sms_secret_key: str = field(default_factory=lambda: _env("SMS_SECRET_KEY", ""))
    sms_brandname: str = field(default_factory=lambda: _env("SMS_BRANDNAME", "MOTCUA"))
    # Zalo ZNS (the OA's access token; the app id and OA secret check delivery receipts)
    zns_url: str = field(default_factory=lambda: _env("ZNS_URL", ""))
    zns_access_token: str = field(default_factory=lambda: _env("ZNS_ACCESS_TOKEN", ""))
    zns_app_id: str = field(default_factory=lambda: _env("ZNS_APP_ID", ""))
    zns_secret: str = field(default_factory=lambda: _env("ZNS_SECRET", ""))
    # the secret part of the SMS delivery-receipt URL given to the provider
    receipt_token: str = field(default_factory=lambda: _env("RECEIPT_TOKEN", ""))
    # reminders and escalation: a step overdue by this many working hours goes to the unit
    # head, twice as many to the leader; the worker's jobs run this often (minutes)
    # "due soon" also when fewer than this many working hours are left (0: the share only)
    due_soon_hours: float = field(default_factory=lambda: float(_env("DUE_SOON_HOURS", "0")))
    escalate_after_hours: float = field(
        default_factory=lambda: float(_env("ESCALATE_AFTER_HOURS", "4")))
    reminder_every_minutes: float = field(
        default_factory=lambda: float(_env("REMINDER_EVERY_MINUTES", "5")))
    # the public post (motcua.channels.post): the carrier's API, its name on pages, the
    # secret its webhook sends, the fee shown to the citizen (VND), failed deliveries
    # before the result comes back to the desk, days without news before a parcel is lost
    post_url: str = field(default_factory=lambda: _env("POST_URL", ""))
    post_username: str = field(default_factory=lambda: _env("POST_USERNAME", ""))
    post_password: str = field(default_factory=lambda: _env("POST_PASSWORD", ""))
    post_carrier: str = field(default_factory=lambda: _env("POST_CARRIER", "VNPost"))
    post_webhook_token: str = field(default_factory=lambda: _env("POST_WEBHOOK_TOKEN", ""))
    postal_fee: int = field(default_factory=lambda: int(_env("POSTAL_FEE", "25000")))
    # the post's tariff for returning a result, by how far it goes from the unit (JSON:
    # {"noi_xa": …, "noi_tinh": …, "ngoai_tinh": …} in đồng; a zone left out costs
    # POSTAL_FEE): the province's contract with its carrier sets it
    postal_tariff: str = field(default_factory=lambda: _env("POSTAL_TARIFF", ""))
    postal_max_attempts: int = field(default_factory=lambda: int(_env("POSTAL_MAX_ATTEMPTS", "2")))
    postal_lost_days: int = field(default_factory=lambda: int(_env("POSTAL_LOST_DAYS", "7")))
    # the national public-service portal (motcua.channels.portal): its integration and
    # authentication endpoints (directly or through the province's LGSP), the account, the
    # ``dstcode`` header, the sending agency's identifier (mã định danh), the service that
    # answers counts for the nightly reconciliation, and how soon after receipt a dossier
    # must reach the portal to count as synchronised "in real time" (Decision 766, 1.4)
    dvcqg_url: str = field(default_factory=lambda: _env("DVCQG_URL", ""))
    dvcqg_auth_url: str = field(default_factory=lambda: _env("DVCQG_AUTH_URL", ""))
    dvcqg_username: str = field(default_factory=lambda: _env("DVCQG_USERNAME", ""))
    dvcqg_password: str = field(default_factory=lambda: _env("DVCQG_PASSWORD", ""))
    dvcqg_dstcode: str = field(default_factory=lambda: _env("DVCQG_DSTCODE", ""))
    dvcqg_madonvi: str = field(default_factory=lambda: _env("DVCQG_MADONVI", ""))
    dvcqg_count_service: str = field(
        default_factory=lambda: _env("DVCQG_COUNT_SERVICE", "ThongKeHoSoDongBo"))
    sync_realtime_minutes: int = field(
        default_factory=lambda: int(_env("SYNC_REALTIME_MINUTES", "60")))
    # digitisation (services/digitisation.py; a scan may be as large as a whole filing):
    # pages the OCR reads (beyond: kept, for a person), the OCR's time limits (whole file,
    # one page), attempts before a person is asked; the signers' PKCS#12 files (a folder),
    # their passphrase and the trusted roots (PEM): without them, motcua's own test CA
    ocr_max_pages: int = field(default_factory=lambda: int(_env("OCR_MAX_PAGES", "200")))
    ocr_timeout_s: float = field(default_factory=lambda: float(_env("OCR_TIMEOUT_S", "900")))
    ocr_page_timeout_s: float = field(
        default_factory=lambda: float(_env("OCR_PAGE_TIMEOUT_S", "120")))
    ocr_attempts: int = field(default_factory=lambda: int(_env("OCR_ATTEMPTS", "3")))
    sign_dir: str = field(default_factory=lambda: _env("SIGN_DIR", ""))
    sign_passphrase: str = field(default_factory=lambda: _env("SIGN_PASSPHRASE", ""))
    sign_trust_roots: str = field(default_factory=lambda: _env("SIGN_TRUST_ROOTS", ""))
    # or the keys on a PKCS#11 token: its module (.so), label and PIN
    sign_pkcs11_library: str = field(default_factory=lambda: _env("SIGN_PKCS11_LIBRARY", ""))
    sign_pkcs11_token: str = field(default_factory=lambda: _env("SIGN_PKCS11_TOKEN", ""))
    sign_pkcs11_pin: str = field(default_factory=lambda: _env("SIGN_PKCS11_PIN", ""))
    # citizens' sign-in (OpenID Connect: channels/oidc.py): the provider's discovery URL,
    # this system's client id and secret, its name on pages, and which claim carries what
    # (JSON: id_number, name, phone, email, level -> claim names of the provider)
    oidc_discovery_url: str = field(default_factory=lambda: _env("OIDC_DISCOVERY_URL", ""))
    oidc_client_id: str = field(default_factory=lambda: _env("OIDC_CLIENT_ID", "motcua"))
    oidc_client_secret: str = field(default_factory=lambda: _env("OIDC_CLIENT_SECRET", ""))
    oidc_provider_name: str = field(default_factory=lambda: _env("OIDC_PROVIDER_NAME", "VNeID"))
    oidc_claims: str = field(default_factory=lambda: _env(
        "OIDC_CLAIMS", '{"id_number": "SoDinhDanh", "name": "HoVaTen", "phone": "SoDienThoai",'
                       ' "email": "ThuDienTu", "level": "acr"}'))
    # the online payment gateway (channels/payment.py, VNPAY's merchant API): its payment
    # page, its query API, this merchant's code and secret; how long a payment may wait
    # for the gateway's callback before the worker asks (minutes)
    payment_url: str = field(default_factory=lambda: _env("PAYMENT_URL", ""))
    payment_api_url: str = field(default_factory=lambda: _env("PAYMENT_API_URL", ""))
    payment_tmn_code: str = field(default_factory=lambda: _env("PAYMENT_TMN_CODE", ""))
    payment_secret: str = field(default_factory=lambda: _env("PAYMENT_SECRET", ""))
    payment_wait_minutes: int = field(
        default_factory=lambda: int(_env("PAYMENT_WAIT_MINUTES", "15")))
    # the population database's look-up at receipt (channels/population.py)
    population_url: str = field(default_factory=lambda: _env("POPULATION_URL", ""))
    population_token: str = field(default_factory=lambda: _env("POPULATION_TOKEN", ""))
    # feedback and complaints (services/feedback.py): working days to acknowledge and to
    # answer (each province sets them by its regulation; these are defaults)
    feedback_ack_days: int = field(default_factory=lambda: int(_env("FEEDBACK_ACK_DAYS", "3")))
    feedback_answer_days: int = field(
        default_factory=lambda: int(_env("FEEDBACK_ANSWER_DAYS", "10")))
    # "working" (default) or "calendar": how those days count, where the province's
    # regulation or a specific law counts feedback deadlines in calendar days (the Civil
    # Code's rule then: a last day off moves to the next working day)
    feedback_days: str = field(default_factory=lambda: _env("FEEDBACK_DAYS", "working"))
    # the issuing agency of reports (Decree 30/2020/NĐ-CP): its two header lines ("|"),
    # the symbol after "Số …/", who signs, and the "Nơi nhận" list (";")
    report_agency: str = field(
        default_factory=lambda: _env("REPORT_AGENCY", "UBND TỈNH ĐẮK LẮK|SỞ NỘI VỤ"))
    report_symbol: str = field(default_factory=lambda: _env("REPORT_SYMBOL", "BC-SNV"))
    report_signer_title: str = field(
        default_factory=lambda: _env("REPORT_SIGNER_TITLE", "GIÁM ĐỐC"))
    report_signer_name: str = field(default_factory=lambda: _env("REPORT_SIGNER_NAME", ""))
    report_recipients: str = field(default_factory=lambda: _env(
        "REPORT_RECIPIENTS", "Bộ Nội vụ;Thường trực Tỉnh ủy;Thường trực HĐND tỉnh;"
        "Chủ tịch, các Phó Chủ tịch UBND tỉnh;Lưu: VT, CCHC"))
    # the demo's SMTP server keeps what it receives here (/hop-thu-thu-nghiem shows it)
    demo_mailbox: Path | None = field(
        default_factory=lambda: Path(v) if (v := os.environ.get("MOTCUA_DEMO_MAILBOX")) else None)

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "audit.key"

    @property
    def session_key_path(self) -> Path:
        return self.session_key_file or self.data_dir / "secret.key"

    @property
    def max_request_bytes(self) -> int:
        """The largest request body accepted: a whole filing plus its form fields."""
        return int(self.max_submission_mb * 1024 * 1024) + 1024 * 1024

    @property
    def files_dir(self) -> Path:
        """Where uploads are kept: MOTCUA_UPLOAD_DIR, else ``files`` in the data folder."""
        return self.upload_dir or self.data_dir / "files"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def with_database(self, url: str | None) -> Settings:
        return replace(self, database_url=url) if url else self

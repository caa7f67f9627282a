"""Uploaded documents: which kinds are accepted, recognised by their content, not their name.

Only PDF, JPEG and PNG are accepted (scans and electronic documents); the
signature bytes decide, so a renamed executable or a Word file is refused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from motcua.domain.errors import ValidationError
from motcua.domain.text import vn_number

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {content_type: extension for _, content_type, extension in SIGNATURES}
_SAME_EXTENSIONS = {".jpg": {"jpg", "jpeg"}}


class AttachmentKind(enum.StrEnum):
    INPUT = "input"
    SUPPLEMENT = "supplement"
    RESULT = "result"

    @property
    def label(self) -> str:
        return {"input": "Thành phần hồ sơ", "supplement": "Bổ sung",
                "result": "Kết quả giải quyết"}[self.value]


@dataclass(frozen=True)
class Upload:
    """A file as received: the document it stands for, its name and its bytes."""

    name: str
    filename: str
    data: bytes
    declared_size: int | None = None  # when the data was cut short at the size limit

    @property
    def size(self) -> int:
        return max(len(self.data), self.declared_size or 0)


@dataclass(frozen=True)
class StoredFile:
    """An upload once its bytes are stored: what the dossier's record keeps of it."""

    name: str
    filename: str
    sha256: str
    size: int
    content_type: str


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) of a PDF, JPEG or PNG; anything else is refused."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    raise ValidationError(
        "Chỉ nhận tệp PDF, JPEG hoặc PNG; tệp đã gửi không phải một trong các loại này "
        "(kiểm tra theo nội dung tệp, không theo tên).", reason="loai_tep")


def check(upload: Upload, max_bytes: int) -> str:
    """The content type of an acceptable upload; a clear error otherwise."""
    if not upload.data:
        raise ValidationError(f"Tệp “{upload.filename}” rỗng.", reason="tep_rong")
    check_size(upload.filename, upload.size, max_bytes)
    return sniff(upload.data)[0]


def check_batch(uploads: list[Upload], max_files: int, max_total_bytes: int) -> None:
    """One submission's files: how many and how large together."""
    if len(uploads) > max_files:
        raise ValidationError(f"Mỗi lần nộp tối đa {max_files} tệp; đã chọn {len(uploads)} tệp.",
                              reason="qua_so_tep")
    total = sum(u.size for u in uploads)
    if total > max_total_bytes:
        raise ValidationError(
            f"Tổng dung lượng các tệp {vn_number(total / 1048576, 1)} MB, vượt giới hạn "
            f"{vn_number(max_total_bytes / 1048576, 0)} MB cho một lần nộp.",
            reason="qua_dung_luong")


def stored_name(filename: str, content_type: str) -> str:
    """The name a file is kept and offered under: its own name when its extension says
    what the content is, else the content's extension in place of the misleading one
    ("poly.html" holding a PDF becomes "poly.pdf")."""
    extension = EXTENSIONS[content_type]
    stem, dot, ext = filename.rpartition(".")
    if dot and ext.lower() in _SAME_EXTENSIONS.get(extension, {extension[1:]}):
        return filename
    return f"{stem if dot and stem else filename}{extension}"


def check_size(filename: str, size: int, max_bytes: int) -> None:
    """A clear error when a file is larger than the office allows."""
    if size > max_bytes:
        raise ValidationError(
            f"Tệp “{filename}” dung lượng {vn_number(size / 1048576, 1)} MB, "
            f"vượt giới hạn {vn_number(max_bytes / 1048576, 0)} MB.", reason="qua_dung_luong")

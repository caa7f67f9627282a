"""Notifications: channels, statuses, the templates and what each channel can carry.

A notification is a row of the outbox (``services.notifications``) naming a
template and its version and carrying only the parameters the template shows.
Templates are Vietnamese text with ``{name}`` fields from a fixed list; an
administrator edits them (each edit a new version), so a template is checked
before it is kept: only known fields, no attribute or index access.
"""

from __future__ import annotations

import enum
import html
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from motcua.domain.errors import ValidationError


class Channel(enum.StrEnum):
    ZNS = "zns"
    SMS = "sms"
    EMAIL = "email"
    PRINT = "print"  # could not be sent: the desk prints it and hands it over

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {Channel.ZNS: "Zalo (ZNS)", Channel.SMS: "Tin nhắn SMS",
                  Channel.EMAIL: "Thư điện tử", Channel.PRINT: "In và trao tay"}
# what a citizen may choose at filing, in the default order
CITIZEN_CHANNELS = (Channel.ZNS, Channel.SMS, Channel.EMAIL)


class Status(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED_RETRYABLE = "failed_retryable"
    DEAD = "dead"
    CANCELLED = "cancelled"
    SUPPRESSED = "suppressed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.PENDING: "Chờ gửi", Status.SENDING: "Đang gửi", Status.SENT: "Đã gửi",
    Status.DELIVERED: "Đã đến người nhận", Status.FAILED_RETRYABLE: "Lỗi tạm thời, sẽ gửi lại",
    Status.DEAD: "Không gửi được", Status.CANCELLED: "Đã hủy",
    Status.SUPPRESSED: "Không gửi (người nhận không đồng ý hoặc thiếu địa chỉ)",
}
DUE = (Status.PENDING, Status.FAILED_RETRYABLE)


class Recipient(enum.StrEnum):
    CITIZEN = "citizen"
    OFFICIAL = "official"


# -- addresses ------------------------------------------------------------------------------

_PHONE = re.compile(r"(?:\+?84|0)(\d{9})")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def msisdn(phone: str) -> str:
    """A Vietnamese mobile number as providers want it: ``84`` and nine digits."""
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    match = _PHONE.fullmatch(digits)
    if not match:
        raise ValidationError(f"Số điện thoại “{phone}” không hợp lệ: cần 10 chữ số bắt đầu "
                              "bằng 0 (hoặc +84 và 9 chữ số).", field="phone")
    return "84" + match.group(1)


def valid_email(address: str) -> bool:
    return bool(_EMAIL.fullmatch(address or ""))


# -- limits of each channel ---------------------------------------------------------------

# SMS brandname "chăm sóc khách hàng" is sent without diacritics (GSM 7-bit: a Unicode SMS
# carries 70 characters, not 160); at most three concatenated parts of 153 characters.
SMS_MAX_CHARS = 459
# ZNS template parameters: Zalo's limits per parameter type (name and code 30, address and
# product 200); a longer value is cut with "…" (the template shows it as it is)
ZNS_PARAM_LIMITS = {"ten": 30, "ma_ho_so": 30, "ngay_hen": 30, "ngay_hen_moi": 30,
                    "han_bo_sung": 30, "han_buoc": 30, "thu_tuc": 200, "co_quan": 200,
                    "giay_to_thieu": 200, "ly_do": 200, "noi_nhan": 200, "lien_ket": 200,
                    "buoc": 200, "qua_han": 30, "so_buu_gui": 30, "don_vi_buu_chinh": 30}
ZNS_DEFAULT_LIMIT = 100
EMAIL_SUBJECT_MAX = 200


def unaccent(text: str) -> str:
    """Vietnamese without diacritics, case kept (``Đã tiếp nhận`` -> ``Da tiep nhan``)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def zns_data(params: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The ``template_data`` of a ZNS message: the template's parameters within limits."""
    return {n: cut(params.get(n, ""), ZNS_PARAM_LIMITS.get(n, ZNS_DEFAULT_LIMIT)) or "-"
            for n in names}


# -- templates ----------------------------------------------------------------------------

# the fields a template may use, with what they say (shown to the administrator)
FIELDS = {
    "ten": "Tên người nhận", "ma_ho_so": "Mã hồ sơ", "thu_tuc": "Tên thủ tục",
    "co_quan": "Cơ quan tiếp nhận, giải quyết", "ngay_hen": "Ngày hẹn trả kết quả",
    "ngay_hen_moi": "Ngày hẹn mới", "lien_ket": "Đường dẫn tra cứu hoặc xử lý",
    "giay_to_thieu": "Giấy tờ cần bổ sung", "ly_do": "Lý do", "han_bo_sung": "Hạn bổ sung",
    "noi_nhan": "Nơi và cách nhận kết quả", "buoc": "Bước xử lý", "han_buoc": "Hạn của bước",
    "qua_han": "Thời gian quá hạn", "huy_dang_ky": "Đường dẫn hủy nhận tin không bắt buộc",
    "so_buu_gui": "Số hiệu bưu gửi", "don_vi_buu_chinh": "Đơn vị bưu chính",
}


@dataclass(frozen=True)
class Template:
    key: str
    version: int
    subject: str
    body: str
    sms: str
    zns_template_id: str = ""

    def fields(self) -> tuple[str, ...]:
        """The fields the template uses, in order of first use (the ZNS parameters)."""
        seen: dict[str, None] = {}
        for text in (self.subject, self.body, self.sms):
            for name in _field_names(text):
                seen.setdefault(name)
        return tuple(seen)


def _field_names(text: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(f"Mẫu có dấu ngoặc nhọn không khớp: {exc}.") from exc
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            raise ValidationError(
                f"Trường “{{{name}}}” không dùng được trong mẫu; các trường: "
                + ", ".join(f"{{{f}}}" for f in FIELDS) + ".")
        names.append(name)
    return names


def check_template(subject: str, body: str, sms: str) -> None:
    """Refuse a template an administrator wrote that could not be rendered or sent."""
    if not subject.strip() or not body.strip() or not sms.strip():
        raise ValidationError("Mẫu cần đủ tiêu đề thư, nội dung thư và nội dung tin nhắn.")
    if len(subject) > EMAIL_SUBJECT_MAX:
        raise ValidationError(f"Tiêu đề thư dài quá {EMAIL_SUBJECT_MAX} ký tự.")
    for text in (subject, body, sms):
        _field_names(text)


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def render(template: Template, params: Mapping[str, str]) -> Rendered:
    """The message in each channel's form: subject, plain and HTML email, SMS text."""
    values = _Params({k: str(v) for k, v in params.items()})
    subject = " ".join(template.subject.format_map(values).split())
    text = template.body.format_map(values).strip()
    escaped = _Params({k: html.escape(v) for k, v in values.items()})
    paragraphs = [p.strip() for p in template.body.format_map(escaped).split("\n\n")]
    body_html = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs if p)
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{html.escape(subject)}</title></head><body>{body_html}</body></html>")
    sms = cut(" ".join(unaccent(template.sms.format_map(values)).split()), SMS_MAX_CHARS)
    return Rendered(cut(subject, EMAIL_SUBJECT_MAX), text, page, sms)


_SIGN = "\n\nĐây là thư tự động của hệ thống một cửa; xin đừng trả lời thư này."

# The templates as shipped (version 1 of each key); an administrator's edits are newer
# versions (services.notifications).
DEFAULT_TEMPLATES: dict[str, Template] = {t.key: t for t in (
    Template("cho_tiep_nhan", 1, "Đã nhận hồ sơ trực tuyến {ma_ho_so}, chờ tiếp nhận",
             "Kính gửi {ten},\n\n{co_quan} đã nhận hồ sơ trực tuyến {ma_ho_so} "
             "(thủ tục: {thu_tuc}). Cán bộ một cửa sẽ kiểm tra và tiếp nhận hoặc báo lý do "
             "chưa tiếp nhận; thời hạn giải quyết tính từ khi hồ sơ được tiếp nhận.\n\n"
             "Theo dõi tại: {lien_ket}" + _SIGN,
             "{co_quan}: da nhan ho so truc tuyen {ma_ho_so}, cho can bo kiem tra tiep nhan. "
             "Tra cuu: {lien_ket}", "motcua_cho_tiep_nhan"),
    Template("tu_choi_tiep_nhan", 1, "Hồ sơ trực tuyến {ma_ho_so} chưa được tiếp nhận",
             "Kính gửi {ten},\n\nHồ sơ trực tuyến {ma_ho_so} (thủ tục: {thu_tuc}) chưa được "
             "{co_quan} tiếp nhận.\n\nLý do: {ly_do}\n\nPhiếu từ chối tiếp nhận (Mẫu 03) "
             "xem tại: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} chua duoc tiep nhan. Ly do: {ly_do}. Chi tiet: {lien_ket}",
             "motcua_tu_choi_tiep_nhan"),
    Template("da_tiep_nhan", 1, "Hồ sơ {ma_ho_so} đã được tiếp nhận, hẹn trả {ngay_hen}",
             "Kính gửi {ten},\n\n{co_quan} đã tiếp nhận hồ sơ {ma_ho_so} (thủ tục: "
             "{thu_tuc}).\n\nNgày hẹn trả kết quả: {ngay_hen}.\n\nTra cứu tiến độ tại: "
             "{lien_ket} (nhập mã hồ sơ và 4 số cuối số giấy tờ hoặc số điện thoại)." + _SIGN,
             "{co_quan} da tiep nhan ho so {ma_ho_so}, hen tra ket qua {ngay_hen}. "
             "Tra cuu: {lien_ket}", "motcua_da_tiep_nhan"),
    Template("yeu_cau_bo_sung", 1, "Hồ sơ {ma_ho_so} cần bổ sung giấy tờ",
             "Kính gửi {ten},\n\nHồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) cần bổ sung, hoàn "
             "thiện.\n\nGiấy tờ cần bổ sung: {giay_to_thieu}\nLý do: {ly_do}\nHạn bổ sung: "
             "{han_bo_sung}; quá hạn này hồ sơ có thể bị đóng.\n\nBổ sung trực tuyến hoặc tại "
             "bộ phận một cửa; xem tại: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} can bo sung: {giay_to_thieu}. Han {han_bo_sung}. "
             "Chi tiet: {lien_ket}", "motcua_yeu_cau_bo_sung"),
    Template("da_nhan_bo_sung", 1, "Đã nhận hồ sơ bổ sung {ma_ho_so}, hẹn trả {ngay_hen_moi}",
             "Kính gửi {ten},\n\n{co_quan} đã nhận đủ hồ sơ bổ sung của hồ sơ {ma_ho_so} "
             "(thủ tục: {thu_tuc}).\n\nNgày hẹn trả kết quả mới: {ngay_hen_moi}.\n\n"
             "Tra cứu tại: {lien_ket}" + _SIGN,
             "Da nhan ho so bo sung {ma_ho_so}, hen tra moi {ngay_hen_moi}. Tra cuu: {lien_ket}",
             "motcua_da_nhan_bo_sung"),
    Template("xin_loi_gia_han", 1, "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {ma_ho_so}",
             "Kính gửi {ten},\n\n{co_quan} xin lỗi vì hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) "
             "chưa có kết quả đúng hẹn.\n\nLý do: {ly_do}\nNgày hẹn trả kết quả mới: "
             "{ngay_hen_moi}.\n\nPhiếu xin lỗi và hẹn lại ngày trả (Mẫu 04) xem tại: "
             "{lien_ket}" + _SIGN,
             "{co_quan} xin loi: ho so {ma_ho_so} hen lai ngay tra {ngay_hen_moi}. "
             "Chi tiet: {lien_ket}", "motcua_xin_loi_gia_han"),
    Template("dung_giai_quyet", 1, "Hồ sơ {ma_ho_so} dừng giải quyết",
             "Kính gửi {ten},\n\nHồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) dừng giải quyết.\n\n"
             "Lý do: {ly_do}\n\nThông báo (Mẫu 05) xem tại: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} dung giai quyet. Ly do: {ly_do}. Chi tiet: {lien_ket}",
             "motcua_dung_giai_quyet"),
    Template("tu_choi_giai_quyet", 1, "Hồ sơ {ma_ho_so} không được giải quyết",
             "Kính gửi {ten},\n\nHồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) không được giải quyết."
             "\n\nLý do: {ly_do}\n\nXem tại: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} khong duoc giai quyet. Ly do: {ly_do}. Chi tiet: {lien_ket}",
             "motcua_tu_choi_giai_quyet"),
    Template("dong_ho_so", 1, "Hồ sơ {ma_ho_so} đã đóng vì quá hạn bổ sung",
             "Kính gửi {ten},\n\nHồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) đã đóng vì không được "
             "bổ sung trong thời hạn. Nếu vẫn cần giải quyết, xin nộp hồ sơ mới.\n\n"
             "Xem tại: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} da dong vi qua han bo sung. Chi tiet: {lien_ket}",
             "motcua_dong_ho_so"),
    Template("co_ket_qua", 1, "Hồ sơ {ma_ho_so} đã có kết quả",
             "Kính gửi {ten},\n\nHồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) đã có kết quả.\n\n"
             "Nhận kết quả: {noi_nhan}\n\nXem tại: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} da co ket qua. Nhan tai: {noi_nhan}. Tra cuu: {lien_ket}",
             "motcua_co_ket_qua"),
    Template("da_tra_ket_qua", 1, "Đã trả kết quả hồ sơ {ma_ho_so}",
             "Kính gửi {ten},\n\nKết quả hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) đã được trả.\n\n"
             "Xem tại: {lien_ket}" + _SIGN,
             "Da tra ket qua ho so {ma_ho_so}. Tra cuu: {lien_ket}", "motcua_da_tra_ket_qua"),
    Template("moi_danh_gia", 1, "Mời đánh giá mức độ hài lòng: hồ sơ {ma_ho_so}",
             "Kính gửi {ten},\n\nXin mời ông/bà đánh giá việc giải quyết hồ sơ {ma_ho_so} "
             "(thủ tục: {thu_tuc}) tại: {lien_ket}\n\nKhông muốn nhận thư mời này nữa: "
             "{huy_dang_ky}" + _SIGN,
             "Moi danh gia muc do hai long ho so {ma_ho_so}: {lien_ket}",
             "motcua_moi_danh_gia"),
    Template("gui_buu_chinh", 1, "Kết quả hồ sơ {ma_ho_so} đã gửi qua bưu chính",
             "Kính gửi {ten},\n\nKết quả hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) đã được bàn "
             "giao cho {don_vi_buu_chinh}, số hiệu bưu gửi {so_buu_gui}. Bưu tá sẽ phát tận tay "
             "và kiểm tra giấy tờ tùy thân người nhận.\n\nTheo dõi tại: {lien_ket}" + _SIGN,
             "Ket qua ho so {ma_ho_so} da gui buu chinh, so {so_buu_gui}. Theo doi: {lien_ket}",
             "motcua_gui_buu_chinh"),
    Template("buu_chinh_khong_phat_duoc", 1,
             "Bưu điện chưa phát được kết quả hồ sơ {ma_ho_so}",
             "Kính gửi {ten},\n\nBưu điện đã không phát được kết quả hồ sơ {ma_ho_so} (bưu gửi "
             "{so_buu_gui}): {ly_do}. Bưu gửi sẽ được chuyển hoàn về {co_quan}; ông/bà vui "
             "lòng đến bộ phận một cửa nhận kết quả, mang theo giấy tờ tùy thân.\n\n"
             "Theo dõi tại: {lien_ket}" + _SIGN,
             "Buu dien chua phat duoc ket qua ho so {ma_ho_so}. Vui long den bo phan mot cua "
             "nhan. {lien_ket}", "motcua_buu_chinh_khong_phat_duoc"),
    Template("buu_gui_cham", 1, "Bưu gửi kết quả hồ sơ {ma_ho_so} đang được kiểm tra",
             "Kính gửi {ten},\n\nBưu gửi kết quả hồ sơ {ma_ho_so} (số {so_buu_gui}) chưa có "
             "thông tin mới từ bưu điện. {co_quan} đang làm việc với bưu điện và sẽ báo lại "
             "ông/bà.\n\nTheo dõi tại: {lien_ket}" + _SIGN,
             "Buu gui ket qua ho so {ma_ho_so} chua co tin moi; co quan dang kiem tra. "
             "{lien_ket}", "motcua_buu_gui_cham"),
    Template("buu_gui_that_lac", 1, "Bưu gửi {so_buu_gui} của hồ sơ {ma_ho_so} có thể thất lạc",
             "Kính gửi {ten},\n\nBưu gửi {so_buu_gui} (kết quả hồ sơ {ma_ho_so}, thủ tục: "
             "{thu_tuc}) không có thông tin mới từ bưu điện: có thể thất lạc. Đề nghị liên hệ "
             "bưu điện và báo người dân.\n\nMở hồ sơ: {lien_ket}" + _SIGN,
             "Buu gui {so_buu_gui} ho so {ma_ho_so} co the that lac. {lien_ket}"),
    Template("giao_xu_ly", 1, "Hồ sơ {ma_ho_so} chờ anh/chị xử lý: {buoc}",
             "Kính gửi {ten},\n\nHồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) chờ anh/chị xử lý "
             "bước “{buoc}”, hạn {han_buoc}.\n\nMở hồ sơ: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} cho xu ly buoc {buoc}, han {han_buoc}. {lien_ket}"),
    Template("sap_den_han", 1, "Sắp đến hạn: hồ sơ {ma_ho_so}, bước {buoc}",
             "Kính gửi {ten},\n\nBước “{buoc}” của hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) sắp "
             "đến hạn: {han_buoc}.\n\nMở hồ sơ: {lien_ket}" + _SIGN,
             "Sap den han: ho so {ma_ho_so}, buoc {buoc}, han {han_buoc}. {lien_ket}"),
    Template("qua_han", 1, "Quá hạn: hồ sơ {ma_ho_so}, bước {buoc}",
             "Kính gửi {ten},\n\nBước “{buoc}” của hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) đã "
             "quá thời gian được giao ({qua_han}); hạn {han_buoc}.\n\nMở hồ sơ: {lien_ket}"
             + _SIGN,
             "Qua han: ho so {ma_ho_so}, buoc {buoc} ({qua_han}). {lien_ket}"),
    Template("chuyen_cap", 1, "Chuyển cấp xử lý: hồ sơ {ma_ho_so} quá hạn {qua_han}",
             "Kính gửi {ten},\n\nBước “{buoc}” của hồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) đã "
             "quá thời gian được giao {qua_han} mà chưa hoàn thành; đề nghị anh/chị chỉ đạo "
             "xử lý.\n\nMở hồ sơ: {lien_ket}" + _SIGN,
             "Chuyen cap: ho so {ma_ho_so}, buoc {buoc} qua han {qua_han}. {lien_ket}"),
    Template("nhac_mau_04", 1, "Hồ sơ {ma_ho_so} có nguy cơ trễ hẹn {ngay_hen}: lập Mẫu 04",
             "Kính gửi {ten},\n\nHồ sơ {ma_ho_so} (thủ tục: {thu_tuc}) có nguy cơ không trả "
             "kết quả đúng hẹn {ngay_hen}. Theo quy định, phiếu xin lỗi và hẹn lại ngày trả "
             "(Mẫu 04) phải gửi người dân chậm nhất một ngày làm việc trước ngày hẹn.\n\n"
             "Mở hồ sơ: {lien_ket}" + _SIGN,
             "Ho so {ma_ho_so} co nguy co tre hen {ngay_hen}: lap Mau 04. {lien_ket}"),
)}
CITIZEN_TEMPLATES = ("cho_tiep_nhan", "tu_choi_tiep_nhan", "da_tiep_nhan", "yeu_cau_bo_sung",
                     "da_nhan_bo_sung", "xin_loi_gia_han", "dung_giai_quyet", "tu_choi_giai_quyet", "dong_ho_so",
                     "co_ket_qua", "da_tra_ket_qua", "moi_danh_gia", "gui_buu_chinh",
                     "buu_chinh_khong_phat_duoc", "buu_gui_cham")
# messages a citizen may decline; every other one is a notice the law requires
OPTIONAL_TEMPLATES = frozenset({"moi_danh_gia"})
TEMPLATE_LABELS = {
    "cho_tiep_nhan": "Đã nhận hồ sơ trực tuyến, chờ tiếp nhận",
    "tu_choi_tiep_nhan": "Từ chối tiếp nhận (Mẫu 03)", "da_tiep_nhan": "Đã tiếp nhận, hẹn trả",
    "yeu_cau_bo_sung": "Yêu cầu bổ sung hồ sơ", "da_nhan_bo_sung": "Đã nhận bổ sung, hẹn mới",
    "xin_loi_gia_han": "Xin lỗi, hẹn lại (Mẫu 04)",
    "dung_giai_quyet": "Dừng giải quyết (Mẫu 05)", "tu_choi_giai_quyet": "Từ chối giải quyết",
    "dong_ho_so": "Đóng hồ sơ quá hạn bổ sung", "co_ket_qua": "Đã có kết quả",
    "da_tra_ket_qua": "Đã trả kết quả", "moi_danh_gia": "Mời đánh giá hài lòng",
    "giao_xu_ly": "Cán bộ: hồ sơ chờ xử lý", "sap_den_han": "Cán bộ: bước sắp đến hạn",
    "qua_han": "Cán bộ: bước quá hạn", "chuyen_cap": "Lãnh đạo: chuyển cấp xử lý",
    "nhac_mau_04": "Lãnh đạo: nhắc lập Mẫu 04", "gui_buu_chinh": "Đã gửi kết quả qua bưu chính",
    "buu_chinh_khong_phat_duoc": "Bưu điện không phát được",
    "buu_gui_cham": "Bưu gửi chưa có tin mới", "buu_gui_that_lac": "Lãnh đạo: bưu gửi có thể thất lạc",
}


def citizen_channels(chosen: list[str] | tuple[str, ...], phone: str,
                     email: str) -> list[Channel]:
    """The citizen's channels in their order, those they have an address for, then print."""
    order = [Channel(c) for c in chosen if c in {ch.value for ch in CITIZEN_CHANNELS}]
    usable = [c for c in dict.fromkeys(order or CITIZEN_CHANNELS)
              if (c is Channel.EMAIL and valid_email(email))
              or (c in (Channel.ZNS, Channel.SMS) and _PHONE.fullmatch(
                  re.sub(r"[\s.\-()]", "", phone or "")))]
    return [*usable, Channel.PRINT]

"""The 29 document types of Decree 30/2020 (Phụ lục III), 27 with abbreviations."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


@dataclass(frozen=True)
class DocType:
    code: str  # stable identifier used in the database and the API
    name: str  # Vietnamese name, as printed (documents, registers, edXML)
    abbreviation: str  # "" for công văn and thư công

    @property
    def label(self) -> str:
        """The name in the reader's language, for the pages (printed documents keep ``name``)."""
        return str(lazy_pgettext("doc type", self.name))


def type_label(code: str) -> str:
    return BY_CODE[code].label if code in BY_CODE else code


DOC_TYPES: tuple[DocType, ...] = (
    DocType("nghi_quyet", "Nghị quyết", "NQ"),
    DocType("quyet_dinh", "Quyết định", "QĐ"),
    DocType("chi_thi", "Chỉ thị", "CT"),
    DocType("quy_che", "Quy chế", "QC"),
    DocType("quy_dinh", "Quy định", "QyĐ"),
    DocType("thong_cao", "Thông cáo", "TC"),
    DocType("thong_bao", "Thông báo", "TB"),
    DocType("huong_dan", "Hướng dẫn", "HD"),
    DocType("chuong_trinh", "Chương trình", "CTr"),
    DocType("ke_hoach", "Kế hoạch", "KH"),
    DocType("phuong_an", "Phương án", "PA"),
    DocType("de_an", "Đề án", "ĐA"),
    DocType("du_an", "Dự án", "DA"),
    DocType("bao_cao", "Báo cáo", "BC"),
    DocType("bien_ban", "Biên bản", "BB"),
    DocType("to_trinh", "Tờ trình", "TTr"),
    DocType("hop_dong", "Hợp đồng", "HĐ"),
    DocType("cong_dien", "Công điện", "CĐ"),
    DocType("ban_ghi_nho", "Bản ghi nhớ", "BGN"),
    DocType("ban_thoa_thuan", "Bản thỏa thuận", "BTT"),
    DocType("giay_uy_quyen", "Giấy ủy quyền", "GUQ"),
    DocType("giay_moi", "Giấy mời", "GM"),
    DocType("giay_gioi_thieu", "Giấy giới thiệu", "GGT"),
    DocType("giay_nghi_phep", "Giấy nghỉ phép", "GNP"),
    DocType("phieu_gui", "Phiếu gửi", "PG"),
    DocType("phieu_chuyen", "Phiếu chuyển", "PC"),
    DocType("phieu_bao", "Phiếu báo", "PB"),
    DocType("cong_van", "Công văn", ""),
    DocType("thu_cong", "Thư công", ""),
)

BY_CODE = {t.code: t for t in DOC_TYPES}
BY_ABBREVIATION = {t.abbreviation: t for t in DOC_TYPES if t.abbreviation}
TYPE_CODES = tuple(BY_CODE)


def doc_type(code: str) -> DocType:
    return BY_CODE[code]


class Urgency(enum.StrEnum):
    """Độ khẩn."""

    NORMAL = "thuong"
    KHAN = "khan"
    THUONG_KHAN = "thuong_khan"
    HOA_TOC = "hoa_toc"

    @property
    def label(self) -> str:
        return str(URGENCY_LABELS[self])


URGENCY_LABELS = {
    Urgency.NORMAL: _l("Thường"),
    Urgency.KHAN: _l("Khẩn"),
    Urgency.THUONG_KHAN: _l("Thượng khẩn"),
    Urgency.HOA_TOC: _l("Hỏa tốc"),
}


class Confidentiality(enum.StrEnum):
    """Độ mật. Anything but NONE stays on paper: the system keeps a tracking entry only."""

    NONE = "thuong"
    MAT = "mat"
    TOI_MAT = "toi_mat"
    TUYET_MAT = "tuyet_mat"

    @property
    def label(self) -> str:
        return str(CONFIDENTIALITY_LABELS[self])

    @property
    def is_confidential(self) -> bool:
        return self is not Confidentiality.NONE


CONFIDENTIALITY_LABELS = {
    Confidentiality.NONE: _l("Thường"),
    Confidentiality.MAT: _l("Mật"),
    Confidentiality.TOI_MAT: _l("Tối mật"),
    Confidentiality.TUYET_MAT: _l("Tuyệt mật"),
}

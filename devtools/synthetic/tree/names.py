"""What synthetic units are called and how big their committees are: level codes, place
names, agencies, companies, departments and cells (shared with the demo province)."""

from __future__ import annotations

import random

from ktgs.models import Organization


class L:
    """Level codes as plain str: COPY hands them to psycopg, which wants str, not the enum."""

    CENTRAL = Organization.Level.CENTRAL.value
    PROVINCIAL = Organization.Level.PROVINCIAL.value
    UPPER_GRASSROOTS = Organization.Level.UPPER_GRASSROOTS.value
    GRASSROOTS = Organization.Level.GRASSROOTS.value
    PARTIAL = Organization.Level.PARTIAL.value
    CELL = Organization.Level.CELL.value


# Syllables for synthetic place names; pairs of them look Vietnamese without being an
# actual province (the real province names are excluded below).
PLACE_SYLLABLES = (
    "An", "Bình", "Hòa", "Phú", "Tân", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Long",
    "Mỹ", "Phước", "Thuận", "Vĩnh", "Xuân", "Yên", "Hải", "Sơn", "Lâm", "Hà", "Trung",
    "Quang", "Minh", "Thịnh", "Lộc", "Phong", "Thái", "Cẩm", "Kim", "Ngọc", "Đức", "Hồng",
    "Lạc", "Thanh", "Hiệp", "Gia", "Tiên", "Đại", "Hiếu", "Nghĩa", "Tường", "Khánh",
)  # fmt: skip

REAL_PROVINCES = frozenset(
    (
        "An Giang", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
        "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng",
        "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
        "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình",
        "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai",
        "Lâm Đồng", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
        "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng",
        "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Tiền Giang", "Trà Vinh",
        "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Huế", "Hồ Chí Minh",
    )
)  # fmt: skip


def place_name(rng: random.Random) -> str:
    while True:
        first, second = rng.sample(PLACE_SYLLABLES, 2)
        name = f"{first} {second}"
        if name not in REAL_PROVINCES:
            return name


def province_name(rng: random.Random) -> str:
    return place_name(rng)


AGENCIES = (
    "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nội vụ",
    "Sở Tư pháp", "Sở Công Thương", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng",
    "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo",
    "Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường", "Sở Lao động - Thương binh và Xã hội",
    "Sở Thông tin và Truyền thông", "Sở Ngoại vụ", "Thanh tra tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh", "Văn phòng Tỉnh ủy", "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
    "Ban Tổ chức Tỉnh ủy", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ban Nội chính Tỉnh ủy",
    "Cơ quan Ủy ban Kiểm tra Tỉnh ủy", "Báo tỉnh", "Đài Phát thanh và Truyền hình tỉnh",
    "Bệnh viện Đa khoa tỉnh", "Bệnh viện Y học cổ truyền tỉnh", "Bệnh viện Sản - Nhi tỉnh",
    "Bệnh viện Phục hồi chức năng tỉnh", "Trung tâm Kiểm soát bệnh tật tỉnh",
    "Trường Chính trị tỉnh", "Trường Cao đẳng Sư phạm", "Trường Cao đẳng Y tế",
    "Trường Cao đẳng Kỹ thuật Công nghiệp", "Thuế tỉnh", "Kho bạc Nhà nước khu vực",
    "Thống kê tỉnh", "Bảo hiểm xã hội tỉnh", "Ngân hàng Nhà nước chi nhánh tỉnh",
    "Hải quan tỉnh", "Liên đoàn Lao động tỉnh", "Hội Nông dân tỉnh",
    "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh đoàn", "Cơ quan Ủy ban MTTQ Việt Nam tỉnh",
    "Hội Cựu chiến binh tỉnh", "Liên minh Hợp tác xã tỉnh", "Ban Quản lý các khu công nghiệp",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh", "Quỹ Đầu tư phát triển tỉnh",
    "Trung tâm Xúc tiến đầu tư tỉnh", "Thư viện tỉnh", "Bảo tàng tỉnh",
    "Hội Chữ thập đỏ tỉnh", "Hội Văn học Nghệ thuật tỉnh",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh", "Hội Luật gia tỉnh",
    "Trung tâm Lưu trữ lịch sử tỉnh", "Viện Kiểm sát nhân dân tỉnh", "Tòa án nhân dân tỉnh",
    "Thi hành án dân sự tỉnh", "Trường THPT Chuyên tỉnh", "Trung tâm Công nghệ thông tin tỉnh",
    "Vườn Quốc gia Mẫu Sơn Lâm", "Trung tâm Phục vụ hành chính công tỉnh",
)  # fmt: skip

OFFICE_DEPARTMENTS = (
    "Văn phòng", "Phòng Kế hoạch - Tài chính", "Phòng Tổ chức - Cán bộ", "Thanh tra",
    "Phòng Pháp chế", "Phòng Tổng hợp", "Phòng Nghiệp vụ", "Phòng Chính sách",
    "Phòng Kiểm tra", "Trung tâm Thông tin", "Phòng Quản lý chất lượng", "Phòng Kỹ thuật",
    "Phòng Hành chính - Quản trị", "Phòng Đầu tư", "Phòng Quản lý ngân sách",
    "Trung tâm Dịch vụ công", "Phòng Hợp tác quốc tế", "Phòng Thống kê",
)  # fmt: skip
HOSPITAL_DEPARTMENTS = (
    "Khoa Nội", "Khoa Ngoại", "Khoa Khám bệnh", "Khoa Dược", "Khoa Hồi sức cấp cứu",
    "Khoa Nhi", "Khoa Sản", "Khoa Xét nghiệm", "Khoa Chẩn đoán hình ảnh",
    "Phòng Kế hoạch tổng hợp", "Phòng Điều dưỡng", "Phòng Tổ chức - Hành chính",
    "Khoa Truyền nhiễm", "Khoa Y học dự phòng",
)  # fmt: skip
SCHOOL_DEPARTMENTS = (
    "Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Ngoại ngữ", "Tổ Khoa học tự nhiên",
    "Tổ Khoa học xã hội", "Khoa Lý luận cơ sở", "Phòng Đào tạo", "Khoa Cơ bản",
    "Phòng Công tác học sinh - sinh viên", "Khoa Kỹ thuật", "Phòng Hành chính - Tổng hợp",
    "Khoa Ngoại ngữ",
)  # fmt: skip
COMPANY_DEPARTMENTS = (
    "Phòng Kinh doanh", "Phòng Thị trường", "Phòng Kỹ thuật", "Phòng Kế toán",
    "Phân xưởng số 1", "Phân xưởng số 2", "Phân xưởng số 3", "Đội Sản xuất số 1",
    "Đội Sản xuất số 2", "Văn phòng Công ty", "Phòng Vật tư", "Xí nghiệp số 1",
)  # fmt: skip


def departments_for(unit_name: str) -> tuple[str, ...]:
    """Plausible sub-units (for cell names) of an agency, hospital, school or company."""
    if "Bệnh viện" in unit_name or "bệnh tật" in unit_name:
        return HOSPITAL_DEPARTMENTS
    if "Trường" in unit_name:
        return SCHOOL_DEPARTMENTS
    if any(word in unit_name for word in ("Công ty", "Ngân hàng", "Viễn thông", "Bưu điện")):
        return COMPANY_DEPARTMENTS
    return OFFICE_DEPARTMENTS


COMPANIES = (
    "Công ty Cổ phần Cấp nước", "Công ty Cổ phần Môi trường đô thị", "Công ty Điện lực tỉnh",
    "Công ty TNHH MTV Xổ số kiến thiết", "Công ty Cổ phần Xây dựng", "Công ty Cổ phần Dược",
    "Công ty TNHH MTV Lâm nghiệp", "Công ty Cổ phần Vận tải", "Công ty Cổ phần Khoáng sản",
    "Ngân hàng Nông nghiệp chi nhánh tỉnh", "Ngân hàng Công thương chi nhánh tỉnh",
    "Viễn thông tỉnh",
    "Bưu điện tỉnh", "Công ty Cổ phần Thủy lợi", "Công ty Cổ phần Cao su", "Công ty Cổ phần Chè",
)  # fmt: skip

VILLAGE_CELLS = ("Chi bộ thôn {place}", "Chi bộ bản {place}", "Chi bộ xóm {place}")
STREET_CELLS = ("Chi bộ tổ dân phố số {n}", "Chi bộ khu phố {n}", "Chi bộ khu dân cư {place}")
COMMUNE_SERVICE_CELLS = (
    "Chi bộ Trường Tiểu học {place}", "Chi bộ Trường THCS {place}", "Chi bộ Trường Mầm non {place}",
    "Chi bộ Trạm Y tế", "Chi bộ Quân sự", "Chi bộ Công an", "Chi bộ Cơ quan",
)  # fmt: skip


COMMITTEE = Organization.GrassrootsForm.COMMITTEE.value
CELL = Organization.GrassrootsForm.CELL.value


def has_cell_committee(level: str, form: str, committee_members: int) -> bool:
    """A cell (or grassroots cell) has a chi ủy when it has at least 3 committee members
    (as committee_size draws them: a secretary alone below 9 members, else a chi ủy)."""
    is_cell = level == L.CELL or (level == L.GRASSROOTS and form == CELL)
    return is_cell and committee_members >= 3


def committee_size(level: str, members: int, rng: random.Random) -> int:
    """A plausible committee-member count for a unit of `members` members (never more)."""
    if level in (L.CELL, L.GRASSROOTS) and members < 30:
        wanted = 1 if members < 9 else 3  # a secretary alone below 9 members, else a chi ủy
    elif level == L.CELL:
        wanted = 5
    elif level == L.PARTIAL:
        wanted = rng.randint(5, 7)
    elif level == L.GRASSROOTS:
        wanted = rng.randint(7, 9) if members < 100 else rng.randint(9, 15)
    elif level == L.UPPER_GRASSROOTS:
        wanted = rng.randint(15, 33)
    elif level == L.PROVINCIAL:
        wanted = rng.randint(45, 61)
    else:
        wanted = 180
    return min(wanted, members)

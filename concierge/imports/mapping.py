"""Canonical import headers per kind, their common aliases (English and Chinese), and header mapping.

A file's headers are compared after normalising (lower case; spaces, underscores, dashes, dots,
slashes and brackets removed), so "Date of Birth", "date_of_birth" and "DATE-OF-BIRTH" are the same.
The UI's mapping step (and `mapping=` of `import_run`) can override any column: {file header:
canonical field, or "" to ignore the column}. docs/import.md lists every field and alias.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concierge.imports.choices import ImportKind

_NORMALISE_RE = re.compile(r"[\s_\-./\\()（）:：#＃\[\]【】*]+")


def normalise_header(text: str) -> str:
    return _NORMALISE_RE.sub("", (text or "").strip().lstrip("\ufeff").lower())


# canonical field -> aliases. The canonical name itself always matches.
_GUEST_NAME_ALIASES: dict[str, tuple[str, ...]] = {
    "family_name": ("surname", "last name", "lastname", "family name", "姓", "姓氏"),
    "given_name": ("first name", "firstname", "given name", "forename", "名", "名字"),
    "full_name": ("name", "full name", "guest name", "customer name", "contact name", "姓名", "客人姓名", "宾客姓名",
                  "客户姓名", "联系人", "联系人姓名"),
    "family_name_latin": ("family name latin", "surname pinyin", "surname latin", "last name latin", "姓拼音",
                          "姓 拼音", "英文姓"),
    "given_name_latin": ("given name latin", "first name pinyin", "first name latin", "名拼音", "名 拼音", "英文名"),
}
_CONTACT_ALIASES: dict[str, tuple[str, ...]] = {
    "phone": ("mobile", "mobile phone", "mobile number", "cell", "cellphone", "telephone", "tel", "phone number",
              "手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "移动电话"),
    "email": ("e-mail", "mail", "email address", "e-mail address", "邮箱", "电子邮件", "电子邮箱", "邮件"),
}

GUEST_FIELDS: dict[str, tuple[str, ...]] = {
    "external_ref": ("ref", "reference", "external reference", "external id", "guest id", "profile id",
                     "profile number", "guest number", "customer id", "customer number", "rec id", "客户编号",
                     "客人编号", "档案号", "档案编号", "会员号", "外部编号"),
    **_GUEST_NAME_ALIASES,
    "gender": ("sex", "性别"),
    "birthday": ("birth date", "date of birth", "dob", "birthdate", "birth day", "生日", "出生日期", "出生年月日"),
    "nationality": ("nation", "citizenship", "国籍"),
    "id_type": ("document type", "doc type", "id document type", "证件类型", "证件种类"),
    "id_number": ("id no", "id number", "document number", "document no", "passport number", "passport no",
                  "soc sec id", "证件号", "证件号码", "身份证", "身份证号", "身份证号码", "护照号", "护照号码"),
    **_CONTACT_ALIASES,
    "address_1": ("address", "street", "address line 1", "address1", "地址", "住址", "联系地址", "家庭地址"),
    "address_2": ("address line 2", "address2", "地址2", "地址 2"),
    "city": ("town", "suburb", "城市", "市"),
    "province": ("state", "region", "province state", "省", "省份", "州"),
    "postcode": ("zip", "zip code", "zipcode", "postal code", "post code", "邮编", "邮政编码"),
    "country": ("country code", "country of residence", "国家", "国家地区", "居住国"),
    "company": ("company name", "employer", "organisation", "organization", "公司", "单位", "公司名称", "工作单位"),
    "tags": ("tag", "labels", "label", "标签"),
    "notes": ("note", "remarks", "remark", "comment", "comments", "备注"),
}

COMPANY_FIELDS: dict[str, tuple[str, ...]] = {
    "external_ref": ("ref", "reference", "external reference", "company id", "account id", "公司编号", "客户编号",
                     "外部编号"),
    # "name" goes to name_zh when it has Chinese characters, else to name_en.
    "name": ("company", "company name", "公司", "公司名称", "单位名称", "名称", "客户名称"),
    "name_zh": ("chinese name", "name chinese", "name zh", "中文名", "中文名称", "公司中文名"),
    "name_en": ("english name", "name english", "name en", "英文名", "英文名称", "公司英文名"),
    "account_number": ("account no", "account number", "account", "ar number", "协议号", "协议编号", "账号",
                       "挂账号", "挂账账号"),
    "industry": ("sector", "行业"),
    "province": ("state", "region", "省", "省份"),
    "city": ("town", "城市", "市"),
    "country": ("国家",),
    "address": ("street", "address 1", "address line 1", "地址", "公司地址"),
    "postcode": ("zip", "zip code", "postal code", "邮编", "邮政编码"),
    "phone": ("telephone", "tel", "phone number", "电话", "联系电话", "总机"),
    "fax": ("传真",),
    "email": ("e-mail", "mail", "email address", "邮箱", "电子邮件"),
    "homepage": ("website", "web", "url", "网址", "主页", "官网"),
    "channel": ("source channel", "渠道"),
    "payment_method": ("payment", "付款方式", "结算方式"),
    "status": ("状态",),
    "tags": ("tag", "labels", "标签"),
    "notes": ("note", "remarks", "comment", "备注"),
}

STAY_FIELDS: dict[str, tuple[str, ...]] = {
    "external_ref": ("reservation number", "reservation no", "reservation id", "confirmation number",
                     "confirmation no", "booking id", "booking number", "booking reference", "folio", "预订号",
                     "预订编号", "订单号", "确认号", "账单号"),
    "guest_ref": ("guest id", "guest number", "profile id", "profile number", "guest reference", "customer id",
                  "客户编号", "客人编号", "档案号"),
    "property": ("hotel", "hotel code", "property code", "酒店", "酒店代码", "门店"),
    "arrival": ("arrival date", "check in", "checkin", "check in date", "到店日期", "入住日期", "抵店日期", "到达日期"),
    "departure": ("departure date", "check out", "checkout", "check out date", "离店日期", "退房日期"),
    "nights": ("room nights", "los", "length of stay", "间夜", "间夜数", "晚数", "入住天数"),
    "status": ("reservation status", "booking status", "状态", "预订状态"),
    "room_type": ("room category", "房型", "房间类型"),
    "room_number": ("room", "room no", "房号", "房间号"),
    "rate_code": ("rate plan", "房价代码", "价格代码"),
    "adr": ("average daily rate", "average rate", "daily rate", "rate", "平均房价", "房价"),
    "room_revenue": ("room revenue", "rooms revenue", "客房收入", "房费"),
    "fnb_revenue": ("f&b revenue", "fnb", "f&b", "food and beverage", "food beverage revenue", "餐饮收入", "餐饮"),
    "other_revenue": ("other revenue", "misc revenue", "其他收入"),
    "currency": ("currency code", "币种", "货币"),
    "channel": ("distribution channel", "source", "booking channel", "渠道", "预订渠道"),
    "market_segment": ("segment", "market", "市场细分", "市场"),
    "country": ("guest country", "国家", "客源国"),
    "adults": ("adult", "成人", "成人数"),
    "children": ("child", "kids", "儿童", "儿童数"),
    "company": ("billing company", "company name", "公司", "协议单位"),
    "items": ("packages", "package", "products", "product codes", "套餐", "产品"),
    # The guest, when the stay file carries it (PMS exports usually do): created when guest_ref finds nobody.
    "guest_name": ("guest", "guest full name", "客人姓名", "姓名", "宾客姓名"),
    "guest_family_name": ("guest surname", "guest last name", "姓"),
    "guest_given_name": ("guest first name", "名"),
    "guest_phone": ("guest mobile", "mobile", "phone", "手机", "手机号", "电话"),
    "guest_email": ("email", "e-mail", "邮箱"),
    "guest_id_type": ("id type", "document type", "证件类型"),
    "guest_id_number": ("id number", "document number", "证件号码", "证件号", "身份证号"),
    "guest_birthday": ("birthday", "date of birth", "生日", "出生日期"),
    "guest_gender": ("gender", "sex", "性别"),
}

LEAD_FIELDS: dict[str, tuple[str, ...]] = {
    "external_ref": ("ref", "reference", "card id", "lead id", "编号"),
    **_GUEST_NAME_ALIASES,
    "company": ("company name", "organisation", "organization", "employer", "公司", "单位", "公司名称"),
    "title": ("job title", "position", "role", "职位", "职务", "头衔"),
    "department": ("dept", "部门"),
    **_CONTACT_ALIASES,
    "city": ("城市",),
    "country": ("国家",),
    "tags": ("tag", "labels", "标签"),
    "notes": ("note", "remarks", "comment", "备注"),
}

FIELDS_BY_KIND: dict[str, dict[str, tuple[str, ...]]] = {
    ImportKind.GUESTS: GUEST_FIELDS,
    ImportKind.COMPANIES: COMPANY_FIELDS,
    ImportKind.STAYS: STAY_FIELDS,
    ImportKind.LEADS: LEAD_FIELDS,
}

# The documented canonical headers, in the order of docs/import.md (extras follow).
CANONICAL_HEADERS: dict[str, tuple[str, ...]] = {
    ImportKind.GUESTS: (
        "external_ref", "family_name", "given_name", "full_name", "gender", "birthday", "nationality", "id_type",
        "id_number", "phone", "email", "address_1", "address_2", "city", "province", "postcode", "country",
        "company", "tags",
    ),
    ImportKind.COMPANIES: (
        "external_ref", "name_zh", "name_en", "account_number", "industry", "province", "city", "country",
        "address", "postcode", "phone", "fax", "email", "homepage", "channel", "payment_method", "status", "tags",
        "notes",
    ),
    ImportKind.STAYS: (
        "external_ref", "guest_ref", "property", "arrival", "departure", "nights", "status", "room_type", "adr",
        "room_revenue", "fnb_revenue", "other_revenue", "currency", "channel", "market_segment", "country", "items",
    ),
    ImportKind.LEADS: ("external_ref", "full_name", "company", "title", "phone", "email", "tags", "notes"),
}

_NAME_FIELDS = {
    ImportKind.GUESTS: ("full_name", "family_name", "given_name", "family_name_latin", "given_name_latin"),
    ImportKind.LEADS: ("full_name", "family_name", "given_name", "family_name_latin", "given_name_latin"),
    ImportKind.COMPANIES: ("name", "name_zh", "name_en"),
}
_REQUIRED = {ImportKind.STAYS: ("external_ref", "property", "arrival")}


def _alias_table(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, aliases in FIELDS_BY_KIND[kind].items():
        for alias in aliases:
            table.setdefault(normalise_header(alias), canonical)
    for canonical in FIELDS_BY_KIND[kind]:  # a canonical name beats any alias
        table[normalise_header(canonical)] = canonical
    return table


@dataclass
class ColumnMapping:
    """Which file column feeds which canonical field."""

    headers: list[str]
    columns: dict[int, str] = field(default_factory=dict)  # column index -> canonical field
    ignored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # columns mapped to a field another column took

    def as_dict(self) -> dict[str, str]:
        """{file header: canonical field or ""} for every column, in file order."""
        return {h: self.columns.get(i, "") for i, h in enumerate(self.headers)}

    @property
    def fields(self) -> set[str]:
        return set(self.columns.values())

    def row_values(self, cells: list[object]) -> dict[str, object]:
        return {name: cells[i] if i < len(cells) else "" for i, name in self.columns.items()}


def field_choices(kind: str) -> list[str]:
    return list(FIELDS_BY_KIND[kind])


def build_mapping(
    headers: list[str], *, kind: str, override: Mapping[str, str] | None = None, strict: bool = True,
) -> ColumnMapping:
    """Map file headers to canonical fields; `override` wins.

    Raises ValidationError when a required column is missing (unless `strict=False`, for the preview page,
    which shows the mapping so the user can fix it; `missing_columns_error` then says what is missing).
    """
    known = FIELDS_BY_KIND[kind]
    override = dict(override or {})
    bad = sorted(v for v in override.values() if v and v not in known)
    if bad:
        raise ValidationError(_("Unknown field in the column mapping: %(fields)s.") % {"fields": ", ".join(bad)},
                              code="bad_mapping")
    aliases = _alias_table(kind)
    mapping = ColumnMapping(headers=list(headers))
    taken: set[str] = set()
    for index, header in enumerate(headers):
        target = override[header] if header in override else aliases.get(normalise_header(header), "")
        if not target:
            mapping.ignored.append(header)
            continue
        if target in taken:
            mapping.duplicates.append(header)
            continue
        taken.add(target)
        mapping.columns[index] = target
    if strict:
        error = missing_columns_error(kind, taken)
        if error:
            raise error
    return mapping


def missing_columns_error(kind: str, taken: set[str]) -> ValidationError | None:
    """The error for a mapping that leaves required fields without a column, or None."""
    missing = [name for name in _REQUIRED.get(kind, ()) if name not in taken]
    if missing:
        return ValidationError(
            _("The file has no column for: %(fields)s. Rename the column or choose it in the mapping step.")
            % {"fields": ", ".join(missing)}, code="missing_columns")
    names = _NAME_FIELDS.get(kind)
    if names and not taken & set(names):
        return ValidationError(
            _("The file has no name column (one of %(fields)s).") % {"fields": ", ".join(names)},
            code="missing_columns")
    if kind == ImportKind.STAYS and not taken & {"departure", "nights"}:
        return ValidationError(_("The file needs a departure or a nights column."), code="missing_columns")
    return None

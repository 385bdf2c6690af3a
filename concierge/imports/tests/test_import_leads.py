"""import_run(kind="leads") / import_leads: business cards become tagged prospects, deduplicated."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from concierge.guests.models import Company, Contact, Guest
from concierge.guests.services import guest_create
from concierge.imports.tests.factories import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Company", "Title", "Mobile", "E-mail"]
CARDS = [
    HEADER,
    ["陈静", "华为技术有限公司", "差旅经理", "135 0000 1111", "chen.jing@huawei.example"],
    ["Tom Baker", "Acme Travel GmbH", "Director", "+49 89 1234 5678", "tom@acme.example"],
    ["张伟", "", "", "138 0013 8000", ""],           # already a guest (same phone, same name)
    ["", "Nameless Co", "CEO", "", "ceo@nameless.example"],  # no name: rejected
]


def test_cards_become_prospects_tagged_with_the_campaign(run_import, guest_a, property_a):
    summary = run_import("leads", csv_bytes(CARDS), source="ITB Berlin", campaign_tag="ITB 2026",
                         property=property_a)

    data = summary.as_dict()
    assert (data["new"], data["matched_existing"], data["rejected_count"]) == (2, 1, 1)
    assert data["rejected"][0]["row"] == 5
    chen = Guest.objects.get(family_name="陈")
    assert (chen.status, chen.source_channel, chen.source) == ("prospect", "event", "ITB Berlin")
    assert list(chen.tags.values_list("name", flat=True)) == ["ITB 2026"]
    assert list(guest_a.tags.values_list("name", flat=True)) == ["ITB 2026"]
    huawei = Company.objects.get(name_zh="华为技术有限公司")
    assert huawei.status == "prospect"
    contact = Contact.objects.get(company=huawei)
    assert (contact.guest, contact.position, contact.phone) == (chen, "差旅经理", "+8613500001111")


def test_importing_the_same_cards_again_matches_instead_of_duplicating(run_import, property_a):
    run_import("leads", csv_bytes(CARDS), source="ITB Berlin", campaign_tag="ITB 2026", property=property_a)
    guests, contacts = Guest.objects.count(), Contact.objects.count()

    summary = run_import("leads", csv_bytes(CARDS), source="ITB Berlin", campaign_tag="ITB 2026",
                         property=property_a)

    assert (summary.created, summary.attached) == (0, 3)
    assert (Guest.objects.count(), Contact.objects.count()) == (guests, contacts)


def test_a_card_sharing_only_an_office_phone_is_not_merged_into_a_stranger(run_import, frontdesk_a, property_a):
    guest_create(actor=frontdesk_a, property=property_a, family_name="刘", given_name="强", phone="021 6321 0000")

    summary = run_import("leads", csv_bytes([HEADER, ["Maria Rossi", "", "", "021 6321 0000", ""]]),
                         campaign_tag="ITB 2026")

    assert (summary.created, summary.attached) == (1, 0)


def test_leads_need_a_campaign_tag(run_import):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        run_import("leads", csv_bytes(CARDS))


def test_import_leads_command_prints_new_matched_and_rejected(tmp_path, capsys, guest_a):
    path = tmp_path / "cards.csv"
    path.write_bytes(csv_bytes(CARDS))

    call_command("import_leads", str(path), "--campaign", "ITB 2026", "--source", "ITB Berlin", "--json")

    data = json.loads(capsys.readouterr().out)
    assert (data["new"], data["matched_existing"], data["rejected_count"]) == (2, 1, 1)

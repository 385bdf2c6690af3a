"""The trade-show case through the product: a campaign with a cost → a cards file (with duplicates of existing
guests and bad rows) uploaded on the page → import of the good rows → later stays → refresh → ROI figures."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concierge.attribution.choices import LeadImportStatus
from concierge.attribution.models import CampaignLead, LeadImport
from concierge.attribution.tests.conftest import card, cards_csv
from concierge.guests.models import Guest

pytestmark = pytest.mark.django_db
SHOW = dt.date(2025, 11, 14)


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_trade_show_roi_end_to_end(client, marketing, trade_show, guest_a, frontdesk_a, property_a,
                                   django_capture_on_commit_callbacks):
    from concierge.guests.services import guest_create
    from concierge.stays.services import stay_create

    def add_stay(guest, days_after: int, nights: int, room: str, fnb: str = "0"):
        arrival = SHOW + dt.timedelta(days=days_after)
        stay_create(actor=frontdesk_a, guest=guest, property=property_a, arrival=arrival,
                    departure=arrival + dt.timedelta(days=nights), room_revenue=Decimal(room),
                    fnb_revenue=Decimal(fnb), status="checked_out")

    li_na = guest_create(actor=frontdesk_a, property=property_a, family_name="李", given_name="娜",
                         email="li.na@example.cn")
    wang = guest_create(actor=frontdesk_a, property=property_a, family_name="王", given_name="芳",
                        phone="13911112222")
    add_stay(guest_a, -500, 1, "900")  # guest_a stayed before the show: not a new customer later

    rows = [card(n) for n in range(1, 291)]
    rows += [card(291, name="张伟", mobile="13800138000", email=""),  # existing guest, same mobile
             card(292, name="李娜", mobile="", email="LI.NA@example.cn"),  # existing guest, same email
             card(293, name="王芳", mobile="+86 139-1111-2222", email="")]  # existing guest, same mobile
    rows += [card(294, name=""), card(295, email="broken@"), card(296, **{"card id": ""})]
    client.force_login(marketing)
    guests_before = Guest.objects.count()

    upload = SimpleUploadedFile("citm-2025.csv", cards_csv(rows), content_type="text/csv")
    response = client.post(reverse("attribution:lead_upload", args=[trade_show.pk]), {"file": upload})
    lead_import = LeadImport.objects.get(campaign=trade_show)
    assert response.status_code == 302 and lead_import.status == LeadImportStatus.INVALID
    assert Guest.objects.count() == guests_before  # the validation pass wrote nothing
    page = client.get(reverse("attribution:lead_import_detail", args=[lead_import.pk])).content.decode()
    for row, label in ((295, "name"), (296, "email"), (297, "card id")):
        assert f"<td>{row}</td><td>{label}</td>" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("attribution:lead_import_start", args=[lead_import.pk]))
    lead_import.refresh_from_db()
    assert lead_import.status == LeadImportStatus.SUCCEEDED, lead_import.error
    assert (lead_import.created_count, lead_import.matched_count, lead_import.skipped_count,
            lead_import.error_count) == (290, 3, 0, 3)
    assert Guest.objects.count() == guests_before + 290
    assert set(CampaignLead.objects.filter(outcome="matched").values_list("guest_id", flat=True)) == {
        guest_a.pk, li_na.pk, wang.pk}
    status = client.get(reverse("attribution:lead_import_status", args=[lead_import.pk])).content.decode()
    assert "290 new guests, 3 matched existing guests, 0 skipped, 3 with errors" in status

    lead = {n: CampaignLead.objects.get(campaign=trade_show, card_id=f"CITM-{n:05d}").guest for n in range(1, 17)}
    for n in range(1, 11):
        add_stay(lead[n], 30, 2, "1200", "300")  # guest rule (the lead touch, 90-day window): 10 × 1,500
    for n in range(11, 16):
        add_stay(lead[n], 400, 3, "2000")  # lead-source rule (730 days): 5 × 2,000
    add_stay(lead[16], 800, 1, "999")  # beyond the lead window: not credited
    add_stay(lead[1], 60, 1, "500")  # a second stay: credited, not a new customer
    add_stay(guest_a, 20, 1, "800")  # matched existing guest with an older stay
    add_stay(li_na, 10, 2, "1000")  # matched existing guest, first stay ever: a new customer

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("attribution:refresh")).status_code == 302

    expected = {"cost": "1000000.00", "reached": 293, "responded": 293, "leads": 293, "stays": 18,
                "room_nights": 39, "revenue": "27300.00", "new_customers": 16, "roi": "-0.9727",
                "cost_per_new_customer": "62500.00", "contracts": 0}
    data = client.get(reverse("api:attribution-campaign-detail", args=[trade_show.pk])).json()
    assert {k: data[k] for k in expected} == expected

    html = client.get(reverse("attribution:roi_list")).content.decode()
    assert "27,300.00" in html and "-97.3%" in html and "62,500.00" in html
    detail = client.get(reverse("attribution:campaign_detail", args=[trade_show.pk])).content.decode()
    assert 'data-testid="panel-roi">-97.3%' in detail and "citm-2025.csv" in detail

    csv_text = b"".join(client.get(reverse("attribution:roi_list") + "?format=csv").streaming_content).decode()
    assert "China International Travel Mart 2025" in csv_text and "27300.00" in csv_text

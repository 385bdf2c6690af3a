"""Pages: kanban move (with a stale version), list, forecast, scorecards with CSV, targets, stages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from concierge.pipeline.models import Opportunity, SalesTarget, Stage
from concierge.pipeline.tests.factories import make_opportunity


@pytest.fixture
def opp(stages, rep_a, company_a, property_a):
    return make_opportunity(owner=rep_a, company=company_a, property=property_a, value=1200,
                            expected_close=dt.date.today(), title="Conference block")


def test_kanban_shows_the_reps_cards_in_their_columns(client, opp, rep_a):
    client.force_login(rep_a)
    response = client.get(reverse("pipeline:kanban"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="column-lead"' in html and f'data-testid="card-{opp.pk}"' in html
    assert "Conference block" in html


def test_dropping_a_card_moves_it_and_a_stale_drop_says_why(client, opp, rep_a, stages):
    client.force_login(rep_a)
    url = reverse("pipeline:opportunity_move", args=[opp.pk])
    response = client.post(url, {"stage": stages["Proposal"].pk, "version": opp.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "move-error" not in response.content.decode()
    opp.refresh_from_db()
    assert opp.stage == stages["Proposal"] and opp.version == 2
    stale = client.post(url, {"stage": stages["Negotiation"].pk, "version": 1}, HTTP_HX_REQUEST="true")
    assert 'data-testid="move-error"' in stale.content.decode()
    assert "Reload the page" in stale.content.decode()
    opp.refresh_from_db()
    assert opp.stage == stages["Proposal"]


def test_dropping_on_lost_needs_a_reason(client, opp, rep_a, stages):
    client.force_login(rep_a)
    url = reverse("pipeline:opportunity_move", args=[opp.pk])
    response = client.post(url, {"stage": stages["Lost"].pk, "version": opp.version}, HTTP_HX_REQUEST="true")
    assert "Choose why the opportunity was lost" in response.content.decode()
    client.post(url, {"stage": stages["Lost"].pk, "version": opp.version, "lost_reason": "price"},
                HTTP_HX_REQUEST="true")
    opp.refresh_from_db()
    assert (opp.status, opp.lost_reason) == ("lost", "price")


def test_other_reps_and_other_properties_cannot_reach_it(client, opp, rep_a2, rep_b, sales_manager_a, frontdesk_a):
    for user, expected in [(rep_a2, 404), (rep_b, 404), (sales_manager_a, 200)]:
        client.force_login(user)
        assert client.get(reverse("pipeline:opportunity_detail", args=[opp.pk])).status_code == expected
    client.force_login(frontdesk_a)
    assert client.get(reverse("pipeline:kanban")).status_code == 403


def test_list_filters_and_paginates(client, stages, rep_a, company_a):
    for i in range(30):
        make_opportunity(owner=rep_a, company=company_a, title=f"Deal {i:02d}")
    client.force_login(rep_a)
    page1 = client.get(reverse("pipeline:opportunity_list")).content.decode()
    assert page1.count("/pipeline/") >= 25 and "Page 1 of 2" in page1
    filtered = client.get(reverse("pipeline:opportunity_list"), {"q": "Deal 07"}).content.decode()
    assert "Deal 07" in filtered and "Deal 08" not in filtered


def test_create_and_win_from_the_detail_page(client, stages, rep_a, company_a, property_a):
    client.force_login(rep_a)
    response = client.post(reverse("pipeline:opportunity_create"), {
        "title": "Annual rate", "company": company_a.pk, "property": property_a.pk, "value": "5000",
        "currency": "CNY", "expected_close": "2026-12-20", "owner": rep_a.pk})
    opp = Opportunity.objects.get(title="Annual rate")
    assert response.status_code == 302 and opp.probability == 10 and opp.owner == rep_a
    client.post(reverse("pipeline:opportunity_detail", args=[opp.pk]), {"action": "win", "version": opp.version})
    opp.refresh_from_db()
    assert opp.status == "won" and opp.stage == stages["Won"]


def test_forecast_page_shows_the_weighted_total(client, opp, rep_a):
    client.force_login(rep_a)
    html = client.get(reverse("pipeline:forecast")).content.decode()
    assert 'data-testid="forecast-weighted">120<' in html  # 1,200 × 10 %
    assert 'id="forecast-data"' in html and "funnel-table" in html


def test_scorecards_rep_sees_own_manager_sees_all_and_downloads_csv(client, rep_a, rep_a2, sales_manager_a, stages):
    client.force_login(rep_a)
    html = client.get(reverse("pipeline:scorecards")).content.decode()
    assert 'data-rep="rita"' in html and 'data-rep="ray"' not in html
    assert "How the figures are computed" in html
    assert client.get(reverse("pipeline:scorecards"), {"format": "csv"}).get("Content-Type", "").startswith("text/html")
    client.force_login(sales_manager_a)
    html = client.get(reverse("pipeline:scorecards")).content.decode()
    assert 'data-rep="rita"' in html and 'data-rep="ray"' in html
    response = client.get(reverse("pipeline:scorecards"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv") and "Rita" in body and "Revenue target" in body


def test_sales_manager_sets_targets_and_edits_stages(client, rep_a, sales_manager_a, stages):
    client.force_login(rep_a)
    assert client.get(reverse("pipeline:targets")).status_code == 403
    client.force_login(sales_manager_a)
    response = client.post(reverse("pipeline:targets"), {
        "user": rep_a.pk, "month": "2026-11", "revenue": "10000", "room_nights": 20, "new_accounts": 1,
        "contracts_signed": 1, "visits": 8, "pipeline_added": "5000", "won_value": "2000"})
    assert response.status_code == 302
    target = SalesTarget.objects.get(user=rep_a, month=dt.date(2026, 11, 1))
    assert target.revenue == Decimal("10000") and target.visits == 8
    formset = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 0, "form-0-name_zh": "意向", "form-0-name_en": "Interest",
               "form-0-order": 15, "form-0-default_probability": 15, "form-0-is_active": "on"}
    client.post(reverse("pipeline:stages"), formset)
    assert Stage.objects.filter(name_en="Interest", default_probability=15).exists()


def test_board_and_list_queries_do_not_grow_with_the_cards(client, stages, rep_a, company_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(rep_a)
    make_opportunity(owner=rep_a, company=company_a)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("pipeline:kanban")).status_code == 200
            assert client.get(reverse("pipeline:opportunity_list")).status_code == 200
        counts.append(len(ctx.captured_queries))
        for i in range(10):
            make_opportunity(owner=rep_a, company=company_a, stage=stages["Proposal"] if i % 2 else None)
    assert counts[0] == counts[1]

"""The segment pages: permissions, the htmx builder, the live count, saving, detail, export and snapshots."""
from __future__ import annotations

import pytest
from django.urls import reverse

from concierge.segments.models import Segment, SegmentSnapshotMember
from concierge.segments.services import segment_create

pytestmark = pytest.mark.django_db

EAST = {"op": "and", "items": [{"field": "region", "operator": "in", "value": ["east"]}]}


@pytest.fixture
def segment(cast, marketing):
    return segment_create(actor=marketing, name="East coast", definition=EAST)


def test_front_desk_and_service_cannot_open_segments(client, frontdesk_a, service_a, segment):
    for user in (frontdesk_a, service_a):
        client.force_login(user)
        assert client.get(reverse("segments:segment_list")).status_code == 403
        assert client.get(reverse("segments:segment_detail", args=[segment.pk])).status_code == 403
        assert client.post(reverse("segments:count"), {"c-1-field": "region"}).status_code == 403
        assert b"/segments/" not in client.get(reverse("web:home")).content


def test_sales_may_view_but_not_change(client, sales_a, segment):
    client.force_login(sales_a)
    response = client.get(reverse("segments:segment_list"))
    assert response.status_code == 200 and b"East coast" in response.content
    assert b'href="/segments/"' in client.get(reverse("web:home")).content  # in the sidebar
    assert client.get(reverse("segments:segment_detail", args=[segment.pk])).status_code == 200
    assert client.get(reverse("segments:segment_create")).status_code == 403
    assert client.get(reverse("segments:segment_edit", args=[segment.pk])).status_code == 403
    assert client.post(reverse("segments:segment_snapshot", args=[segment.pk])).status_code == 403


def test_private_segments_are_only_seen_by_their_owner(client, cast, marketing, manager):
    private = segment_create(actor=marketing, name="Mine", definition=EAST, shared=False)
    client.force_login(manager)
    assert client.get(reverse("segments:segment_detail", args=[private.pk])).status_code == 404
    client.force_login(marketing)
    assert client.get(reverse("segments:segment_detail", args=[private.pk])).status_code == 200


def test_builder_adds_and_removes_rows_and_groups(client, marketing):
    client.force_login(marketing)
    url = reverse("segments:builder")
    response = client.post(url, {"g--op": "and", "c-1-field": "region", "c-1-operator": "in", "action": "add:"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="condition-1"' in html and 'data-testid="condition-2"' in html
    assert 'hx-swap-oob="innerHTML"' in html  # the count comes along
    response = client.post(url, {"g--op": "and", "c-1-field": "region", "action": "group:"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="group-2"' in html and 'data-testid="condition-2.1"' in html
    response = client.post(url, {"g--op": "and", "c-1-field": "region", "g-2-op": "or", "c-2.1-field": "tier",
                                 "action": "remove:2"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="group-2"' not in response.content.decode()


def test_changing_the_field_shows_its_widget(client, marketing):
    client.force_login(marketing)
    response = client.post(reverse("segments:builder"), {"c-1-field": "stays", "c-1-operator": "in",
                                                          "action": "field:1"})
    html = response.content.decode()
    assert 'name="c-1-amount"' in html and 'name="c-1-last_days"' in html
    assert 'value="gte" selected' in html


def test_live_count_equals_the_database_count(client, cast, marketing):
    client.force_login(marketing)
    data = {"g--op": "or", "c-1-field": "region", "c-1-operator": "in", "c-1-value": ["east", "north"],
            "c-2-field": "stays", "c-2-operator": "eq", "c-2-amount": "0"}
    response = client.post(reverse("segments:count"), data)
    assert 'data-count="4"' in response.content.decode()  # one, two (regions), three (no stays), only_b (east)


def test_live_count_explains_what_is_missing(client, cast, marketing):
    client.force_login(marketing)
    response = client.post(reverse("segments:count"), {"c-1-field": "birthday_month", "c-1-operator": "in",
                                                       "c-2-field": ""})
    html = response.content.decode()
    assert "condition 1: choose at least one month" in html and "condition 2: choose a field" in html


def test_create_and_edit_a_segment(client, cast, marketing):
    client.force_login(marketing)
    response = client.post(reverse("segments:segment_create"), {
        "name": "Golfers", "description": "", "shared": "on", "g--op": "and",
        "c-1-field": "tags", "c-1-operator": "in", "c-1-value": "golf"})
    segment = Segment.objects.get(name="Golfers")
    assert response.status_code == 302 and response["Location"] == reverse("segments:segment_detail",
                                                                           args=[segment.pk])
    assert segment.definition == {"op": "and", "items": [{"field": "tags", "operator": "in", "value": ["golf"]}]}
    assert segment.last_count == 2 and segment.created_by == marketing
    page = client.get(reverse("segments:segment_edit", args=[segment.pk])).content.decode()
    assert 'value="golf" autocomplete="off" checked' in page
    response = client.post(reverse("segments:segment_edit", args=[segment.pk]), {
        "name": "Golfers", "version": "1", "g--op": "and", "c-1-field": "tags", "c-1-operator": "all",
        "c-1-value": ["golf", "VIP"]})
    segment.refresh_from_db()
    assert response.status_code == 302 and segment.version == 2 and segment.last_count == 1
    stale = client.post(reverse("segments:segment_edit", args=[segment.pk]), {
        "name": "Old tab", "version": "1", "c-1-field": "tags", "c-1-operator": "in", "c-1-value": "golf"})
    assert stale.status_code == 200 and "changed by someone else" in stale.content.decode()


def test_saving_an_invalid_definition_shows_the_numbered_error(client, cast, marketing):
    client.force_login(marketing)
    response = client.post(reverse("segments:segment_create"), {
        "name": "Bad", "c-1-field": "region", "c-1-operator": "in", "c-2-field": "country", "c-2-operator": "in",
        "c-2-value": "China"})
    assert response.status_code == 200
    assert "condition 1: choose at least one value" in response.content.decode()
    assert not Segment.objects.filter(name="Bad").exists()


def test_detail_lists_members_in_words_with_a_breakdown(client, segment, manager, cast):
    client.force_login(manager)
    response = client.get(reverse("segments:segment_detail", args=[segment.pk]))
    html = response.content.decode()
    assert "Region is any of East China" in html
    assert cast.one.display_name in html and cast.only_b.display_name in html and cast.two.display_name not in html
    assert response.context["chart"]["regions"] == [{"name": "East China", "value": 2}]
    partial = client.get(reverse("segments:segment_detail", args=[segment.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="member-table"')


def test_detail_in_chinese(client, segment, manager):
    client.force_login(manager)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("segments:segment_detail", args=[segment.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and '<html lang="zh-hans">' in response.content.decode()


def test_export_is_audited_and_scoped(client, segment, sales_a, cast):
    from concierge.core.models import AuditEvent

    client.force_login(sales_a)
    response = client.get(reverse("segments:segment_export", args=[segment.pk, "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and response["X-Export-Rows"] == "1"
    assert cast.one.given_name in body and cast.only_b.given_name not in body  # only_b is at property B
    assert body.splitlines()[0].startswith("external_ref,family_name")
    event = AuditEvent.objects.get(actor=sales_a, action="export")
    assert f"segment {segment.pk}" in event.detail
    xlsx = client.get(reverse("segments:segment_export", args=[segment.pk, "xlsx"]))
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert client.get(reverse("segments:segment_export", args=[segment.pk, "pdf"])).status_code == 404


def test_snapshot_freezes_the_members(client, segment, manager, cast):
    client.force_login(manager)
    response = client.post(reverse("segments:segment_snapshot", args=[segment.pk]), {"reason": "spring mailing"})
    assert response.status_code == 302
    snapshot = segment.snapshots.get()
    assert snapshot.count == 2 and snapshot.reason == "spring mailing" and snapshot.taken_by == manager
    assert set(SegmentSnapshotMember.objects.filter(snapshot=snapshot).values_list("guest_id", flat=True)) == {
        cast.one.pk, cast.only_b.pk}
    html = client.get(reverse("segments:segment_detail", args=[segment.pk])).content.decode()
    assert "spring mailing" in html


def test_recount_and_delete(client, segment, marketing, sales_a):
    client.force_login(sales_a)
    client.post(reverse("segments:segment_recount", args=[segment.pk]))
    segment.refresh_from_db()
    assert segment.last_count == 1 and segment.version == 1  # as sales_a sees it; recount is not an edit
    assert client.post(reverse("segments:segment_delete", args=[segment.pk])).status_code == 403
    client.force_login(marketing)
    client.post(reverse("segments:segment_delete", args=[segment.pk]))
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_list_is_paginated(client, marketing, cast):
    for i in range(30):
        Segment.objects.create(name=f"S{i:02d}", definition={"op": "and", "items": []}, created_by=marketing)
    client.force_login(marketing)
    page = client.get(reverse("segments:segment_list")).content.decode()
    assert "S00" in page and "S29" not in page and "Page 1 of 2" in page

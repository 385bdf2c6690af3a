"""Web UI through the test client: pages, scoping, check-in search, guest forms, htmx actions, audit."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concierge.core.models import Activity, AuditEvent
from concierge.guests.models import Guest, Preference

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_a(client, frontdesk_a):
    client.force_login(frontdesk_a)
    return client


@pytest.fixture
def stay_a(guest_a, property_a, frontdesk_a):
    from concierge.stays.services import stay_create

    today = timezone.localdate()
    return stay_create(
        actor=frontdesk_a, guest=guest_a, property=property_a, arrival=today, departure=today + dt.timedelta(days=2),
        room_nights=2, room_number="1808", room_type="Deluxe King", adr=Decimal("880"), status="reserved",
    )


def test_login_page_renders(client):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b"concierge-demo" in response.content  # demo logins are allowed in test settings


def test_login_page_hides_demo_logins_when_not_allowed(client, settings):
    settings.DEMO_LOGINS_ALLOWED = False
    response = client.get(reverse("web:login"))
    assert b"concierge-demo" not in response.content


def test_pages_require_login(client, guest_a):
    for url in (reverse("web:home"), reverse("web:search"), reverse("web:guest_list"),
                reverse("web:guest_detail", args=[guest_a.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("web:login") in response["Location"]


def test_logout_is_a_post(client_a):
    response = client_a.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client_a.get(reverse("web:home")).status_code == 302


@pytest.mark.parametrize("tab", ["timeline", "stays", "preferences", "audit"])
def test_every_page_renders_for_front_desk(client_a, guest_a, stay_a, tab):
    urls = [
        reverse("web:home"), reverse("web:search"), reverse("web:search") + "?q=zw", reverse("web:guest_list"),
        reverse("web:guest_create"), reverse("web:guest_edit", args=[guest_a.pk]),
        reverse("web:guest_detail", args=[guest_a.pk]) + f"?tab={tab}",
    ]
    for url in urls:
        response = client_a.get(url)
        assert response.status_code == 200, url
        assert b"https://" not in response.content.split(b"<body")[0], "no CDN links in <head>"
    tab_partial = client_a.get(reverse("web:guest_detail", args=[guest_a.pk]) + f"?tab={tab}",
                               HTTP_HX_TARGET="guest-tab", **HTMX)
    assert tab_partial.status_code == 200
    assert b"<html" not in tab_partial.content


def test_home_shows_todays_arrival_with_critical_alert(client_a, guest_a, stay_a, frontdesk_a):
    from concierge.guests.services import alert_add

    alert_add(actor=frontdesk_a, guest=guest_a, text="Severe peanut allergy", severity="critical", category="allergy")
    response = client_a.get(reverse("web:home"))
    body = response.content.decode()
    assert "张伟" in body and "1808" in body
    assert "Severe peanut allergy" in body
    assert response.context["arrivals_count"] == 1


def test_front_desk_at_other_property_gets_404(client, frontdesk_b, guest_a):
    client.force_login(frontdesk_b)
    for name in ("web:guest_detail", "web:guest_edit"):
        assert client.get(reverse(name, args=[guest_a.pk])).status_code == 404
    doc = guest_a.documents.get()
    assert client.post(reverse("web:document_reveal", args=[doc.pk])).status_code == 404
    assert client.post(reverse("web:preference_add", args=[guest_a.pk]),
                       {"category": "pillow", "value": "soft"}).status_code == 404
    assert not Preference.objects.exists()
    assert "张伟".encode() not in client.get(reverse("web:guest_list")).content
    assert client.get(reverse("web:search"), {"q": "张伟"}).context["hits"] == []
    assert client.get(reverse("web:search"), {"q": "11010519491231002X"}).status_code == 200  # no redirect


@pytest.mark.parametrize("query", ["zw", "zhang wei", "Wei Zhang", "张伟", "13800138000", "138 0013 8000",
                                   "+86 138-0013-8000", "0086 13800138000"])
def test_search_finds_guest(client_a, guest_a, query):
    response = client_a.get(reverse("web:search"), {"q": query}, **HTMX)
    assert response.status_code == 200
    hits = response.context["hits"]
    assert [h.id for h in hits if h.kind == "guest"] == [guest_a.pk]
    body = response.content.decode()
    assert reverse("web:guest_detail", args=[guest_a.pk]) in body
    assert hits[0].matched in body  # the reason badge
    assert "<html" not in body  # htmx gets the partial


def test_search_by_id_number_goes_straight_to_card(client_a, guest_a):
    response = client_a.get(reverse("web:search"), {"q": "11010519491231002x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:guest_detail", args=[guest_a.pk])
    live = client_a.get(reverse("web:search"), {"q": "110105 19491231 002X"}, **HTMX)
    assert live["HX-Redirect"] == reverse("web:guest_detail", args=[guest_a.pk])


def test_search_without_match_offers_to_create(client_a, guest_a):
    response = client_a.get(reverse("web:search"), {"q": "nobody here"})
    assert response.status_code == 200
    assert reverse("web:guest_create").encode() in response.content


def _create_payload(property_a, **overrides):
    data = {
        "property": property_a.pk, "family_name": "李", "given_name": "娜", "family_name_latin": "LI",
        "given_name_latin": "NA", "language": "zh-hans", "status": "active", "source_channel": "direct",
        "phone": "139 1234 5678", "doc_type": "cn_id", "id_number": "", "tags": "golf, VIP",
    }
    data.update(overrides)
    return data


def test_create_guest(client_a, property_a):
    response = client_a.post(reverse("web:guest_create"), _create_payload(property_a, id_number="11010519491231002X"))
    guest = Guest.objects.get(family_name="李")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:guest_detail", args=[guest.pk])
    assert guest.phone == "+8613912345678"
    assert sorted(t.name for t in guest.tags.all()) == ["VIP", "golf"]
    assert guest.documents.get().number_masked.startswith("1101")


def test_create_guest_with_bad_phone_shows_field_error_and_creates_nothing(client_a, property_a):
    response = client_a.post(reverse("web:guest_create"), _create_payload(property_a, phone="12ab"))
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert 'id="error_1_id_phone"' in response.content.decode() or "invalid-feedback" in response.content.decode()
    assert not Guest.objects.exists()


def test_create_guest_with_bad_id_checksum_shows_field_error_and_creates_nothing(client_a, property_a):
    response = client_a.post(reverse("web:guest_create"), _create_payload(property_a, id_number="110105194912310021"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "id_number" in errors
    assert "check digit" in str(errors["id_number"])
    assert not Guest.objects.exists()
    assert not Activity.objects.exists()


def test_create_guest_needs_a_reason_when_unsuitable(client_a, property_a):
    response = client_a.post(reverse("web:guest_create"), _create_payload(property_a, status="unsuitable"))
    assert "status_reason" in response.context["form"].errors
    assert not Guest.objects.exists()


def test_create_guest_from_full_name(client_a, property_a):
    data = _create_payload(property_a, family_name="", given_name="", family_name_latin="", given_name_latin="",
                           full_name="欧阳娜娜")
    client_a.post(reverse("web:guest_create"), data)
    guest = Guest.objects.get()
    assert (guest.family_name, guest.given_name) == ("欧阳", "娜娜")


def test_edit_guest(client_a, guest_a):
    url = reverse("web:guest_edit", args=[guest_a.pk])
    form = client_a.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "existing_tags"}
    data.update(given_name="伟伟", version=guest_a.version, tags="")
    response = client_a.post(url, data)
    assert response.status_code == 302
    guest_a.refresh_from_db()
    assert guest_a.given_name == "伟伟"
    assert guest_a.version == 2


def test_stale_version_edit_shows_the_conflict(client_a, guest_a, frontdesk_a):
    from concierge.guests.services import guest_update

    url = reverse("web:guest_edit", args=[guest_a.pk])
    data = {k: v for k, v in client_a.get(url).context["form"].initial.items()
            if v is not None and k != "existing_tags"}
    guest_update(actor=frontdesk_a, guest=guest_a, email="someone.else@example.cn")  # a colleague saves first
    data.update(given_name="Stale", version=1)
    response = client_a.post(url, data)
    assert response.status_code == 200
    assert response.context["conflict"] is True
    assert "changed by someone else" in response.content.decode()
    guest_a.refresh_from_db()
    assert guest_a.given_name == "伟"


def test_adding_a_preference_via_htmx_updates_the_card(client_a, guest_a):
    response = client_a.post(
        reverse("web:preference_add", args=[guest_a.pk]),
        {"category": "pillow", "value": "Buckwheat pillow", "note": ""},
        HTTP_HX_TARGET="guest-prefs-panel", **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="guest-card"' in body and 'hx-swap-oob="true"' in body
    assert body.count("Buckwheat pillow") >= 2  # in the panel list and on the card
    card = client_a.get(reverse("web:guest_detail", args=[guest_a.pk]))
    assert "Buckwheat pillow" in card.content.decode()


def test_adding_a_preference_from_a_stay_records_the_stay(client_a, guest_a, stay_a):
    response = client_a.post(
        reverse("web:preference_add", args=[guest_a.pk]),
        {"category": "floor", "value": "High floor", "stay": stay_a.pk}, **HTMX,
    )
    assert response.status_code == 200
    assert "High floor" in response.content.decode()
    pref = Preference.objects.get()
    assert (pref.stay_id, pref.source) == (stay_a.pk, "stay")


def test_empty_preference_shows_an_error(client_a, guest_a):
    response = client_a.post(reverse("web:preference_add", args=[guest_a.pk]), {"category": "pillow", "value": ""},
                             HTTP_HX_TARGET="guest-prefs-panel", **HTMX)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not Preference.objects.exists()


def test_removing_a_preference(client_a, guest_a, frontdesk_a):
    from concierge.guests.services import preference_add

    pref = preference_add(actor=frontdesk_a, guest=guest_a, category="pillow", value="Soft")
    response = client_a.post(reverse("web:preference_remove", args=[pref.pk]))
    assert response.status_code == 302
    pref.refresh_from_db()
    assert pref.is_active is False


def test_alert_add_and_clear(client_a, guest_a):
    client_a.post(reverse("web:alert_add", args=[guest_a.pk]),
                  {"severity": "critical", "category": "allergy", "text": "Shellfish allergy"},
                  HTTP_HX_TARGET="guest-prefs-panel", **HTMX)
    alert = guest_a.alerts.get()
    card = client_a.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert "Shellfish allergy" in card and "badge-severity-critical" in card
    client_a.post(reverse("web:alert_remove", args=[alert.pk]))
    alert.refresh_from_db()
    assert not alert.is_active


def test_reveal_writes_an_audit_event_and_shows_the_number_once(client_a, guest_a, frontdesk_a):
    detail = client_a.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert "11010519491231002X" not in detail
    assert not AuditEvent.objects.exists()  # viewing records nothing special
    doc = guest_a.documents.get()
    response = client_a.post(reverse("web:document_reveal", args=[doc.pk]), **HTMX)
    assert response.status_code == 200
    assert "11010519491231002X" in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.action, event.field, event.actor, event.guest_id) == ("reveal", "id_number", frontdesk_a, guest_a.pk)
    assert "11010519491231002X" not in client_a.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    audit_tab = client_a.get(reverse("web:guest_detail", args=[guest_a.pk]) + "?tab=audit").content.decode()
    assert "Revealed" in audit_tab


def test_reveal_requires_post(client_a, guest_a):
    doc = guest_a.documents.get()
    assert client_a.get(reverse("web:document_reveal", args=[doc.pk])).status_code == 405
    assert not AuditEvent.objects.exists()


def test_logging_a_call_shows_on_the_timeline_and_warns_next_time(client_a, guest_a):
    url = reverse("web:interaction_add", args=[guest_a.pk])
    response = client_a.post(url, {"kind": "call", "summary": "Confirmed airport pickup"},
                             HTTP_HX_TARGET="guest-tab", **HTMX)
    body = response.content.decode()
    assert "Confirmed airport pickup" in body
    assert 'data-testid="last-contact-warning"' in body  # the form now warns before the next save
    assert Activity.objects.filter(kind="call", guest=guest_a).count() == 1


def test_guest_list_filters_and_htmx_partial(client_a, guest_a, property_a, frontdesk_a):
    from concierge.guests.services import guest_create, guest_tags_set

    guest_create(actor=frontdesk_a, property=property_a, family_name="王", given_name="芳", status="prospect",
                 nationality="US")
    response = client_a.get(reverse("web:guest_list"), {"status": "prospect"})
    body = response.content.decode()
    assert "王芳" in body and "张伟" not in body
    response = client_a.get(reverse("web:guest_list"), {"search": "zw"}, **HTMX)
    body = response.content.decode()
    assert "张伟" in body and "王芳" not in body and "<html" not in body
    response = client_a.get(reverse("web:guest_list"), {"nationality": "us", "sort": "name"})
    assert "王芳" in response.content.decode() and "张伟" not in response.content.decode()
    guest_tags_set(guest=guest_a, names=["VIP"])
    response = client_a.get(reverse("web:guest_list"), {"tag": "VIP", "property": property_a.pk})
    assert "张伟" in response.content.decode() and "王芳" not in response.content.decode()


def test_guest_list_query_count_does_not_grow_with_rows(client_a, property_a, frontdesk_a,
                                                         django_assert_max_num_queries):
    from concierge.guests.services import guest_create

    for i in range(30):
        guest_create(actor=frontdesk_a, property=property_a, family_name_latin=f"Test{i}", given_name_latin="Guest")
    with django_assert_max_num_queries(14):
        assert client_a.get(reverse("web:guest_list")).status_code == 200


def test_language_switch_to_chinese(client_a):
    response = client_a.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("web:home")})
    assert response.status_code == 302
    page = client_a.get(reverse("web:home"))
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()


def test_guest_profile_query_count_does_not_grow_with_entries(client_a, guest_a, frontdesk_a,
                                                               django_assert_max_num_queries):
    from concierge.guests.services import alert_add, interaction_log, preference_add

    for i in range(15):
        preference_add(actor=frontdesk_a, guest=guest_a, category="pillow", value=f"Pillow {i}")
        interaction_log(actor=frontdesk_a, guest=guest_a, kind="call", summary=f"Call {i}")
        alert_add(actor=frontdesk_a, guest=guest_a, text=f"Alert {i}")
    url = reverse("web:guest_detail", args=[guest_a.pk])
    # The card's insight providers (customer value, lifetime value, next-best offers, loyalty) cost a constant
    # handful of queries on top; what must not happen is a query per entry.
    for tab, limit in (("timeline", 25), ("preferences", 23), ("audit", 30)):
        with django_assert_max_num_queries(limit):
            assert client_a.get(f"{url}?tab={tab}").status_code == 200


def test_unsuitable_guest_is_flagged_red_with_the_reason(client_a, guest_a, frontdesk_a):
    from concierge.guests.services import guest_update

    guest_update(actor=frontdesk_a, guest=guest_a, status="unsuitable", status_reason="Damaged room 1203 in 2025")
    body = client_a.get(reverse("web:guest_detail", args=[guest_a.pk])).content.decode()
    assert "is-unsuitable" in body and "badge-status-unsuitable" in body
    assert "Damaged room 1203 in 2025" in body


def test_preference_partial_can_be_included_on_other_pages(rf, frontdesk_a, guest_a, stay_a):
    from django.template.loader import render_to_string

    request = rf.get("/stays/1/")
    request.user = frontdesk_a
    html = render_to_string("web/partials/preference_form.html", {"guest": guest_a, "stay": stay_a}, request=request)
    assert reverse("web:preference_add", args=[guest_a.pk]) in html
    assert f'name="stay" value="{stay_a.pk}"' in html

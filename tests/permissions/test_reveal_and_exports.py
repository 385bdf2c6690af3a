"""ID-number reveals by role (UI and API) and the audit of every file download, on the walker's world."""
from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from concierge.core.choices import AuditAction
from concierge.core.models import AuditEvent
from tests.permissions.conftest import ROLES

pytestmark = pytest.mark.django_db

FULL = "11010519491231002X"
MAY_REVEAL = {"front_desk", "service_agent", "manager", "admin"}


def _client(world: Any, who: str, api: bool = False) -> Any:
    client = APIClient() if api else Client()
    client.force_login(world.users[who])
    return client


@pytest.mark.parametrize("who", ROLES)
def test_only_desk_roles_and_managers_reveal_id_numbers_in_the_ui(world: Any, who: str) -> None:
    client = _client(world, who)
    document, guest = world.objects["document"], world.objects["guest"]
    card = client.get(reverse("web:guest_detail", args=[guest.pk])).content.decode()
    assert FULL not in card and document.number_masked in card
    assert (reverse("web:document_reveal", args=[document.pk]) in card) == (who in MAY_REVEAL)
    response = client.post(reverse("web:document_reveal", args=[document.pk]), HTTP_HX_REQUEST="true")
    reveals = AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=world.users[who], guest=guest)
    if who in MAY_REVEAL:
        assert response.status_code == 200 and FULL in response.content.decode()
        assert reveals.count() == 1
    else:
        assert response.status_code == 403 and FULL not in response.content.decode()
        assert not reveals.exists()
        assert AuditEvent.objects.filter(action=AuditAction.REVEAL_DENIED, actor=world.users[who]).count() == 1


@pytest.mark.parametrize("who", ROLES)
def test_the_api_masks_id_numbers_for_everyone_and_reveals_them_only_to_the_same_roles(world: Any, who: str) -> None:
    api = _client(world, who, api=True)
    guest, document = world.objects["guest"], world.objects["document"]
    detail = api.get(reverse("api:guest-detail", args=[guest.pk]))
    assert detail.status_code == 200 and FULL not in detail.content.decode()
    response = api.post(reverse("api:guest-reveal-id", args=[guest.pk]), {"document": document.pk}, format="json")
    reveals = AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=world.users[who], guest=guest)
    if who in MAY_REVEAL:
        assert response.status_code == 200
        assert response.json()["documents"] == [{"id": document.pk, "doc_type": "cn_id", "number": FULL,
                                                 "number_masked": document.number_masked}]
        assert reveals.count() == 1
    else:
        assert response.status_code == 403 and FULL not in response.content.decode()
        assert not reveals.exists()


def test_the_api_reveal_is_scoped_and_post_only(world: Any) -> None:
    guest = world.objects["guest"]
    other = _client(world, "other_front_desk", api=True)
    assert other.post(reverse("api:guest-reveal-id", args=[guest.pk]), {}, format="json").status_code == 404
    mine = _client(world, "front_desk", api=True)
    assert mine.get(reverse("api:guest-reveal-id", args=[guest.pk])).status_code == 405
    assert mine.post(reverse("api:guest-reveal-id", args=[guest.pk]), {"document": 999999},
                     format="json").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def _download(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("name", "kwargs", "api", "field"), [
    ("contracts:contract_document", {"pk": "@contract", "lang": "en"}, False, "contract_document"),
    ("api:contract-document", {"pk": "@contract"}, True, "contract_document"),
    ("tours:tour_order_document", {"pk": "@tour_order"}, False, "tour_order_confirmation"),
    ("surveys:results_csv", {"pk": "@survey"}, False, "survey_results"),
])
def test_document_and_results_downloads_are_audited_as_exports(world: Any, name: str, kwargs: dict[str, str],
                                                              api: bool, field: str) -> None:
    client = _client(world, "front_desk", api=api)
    args = {k: world.objects[v[1:]].pk if v.startswith("@") else v for k, v in kwargs.items()}
    response = client.get(reverse(name, kwargs=args))
    assert response.status_code == 200
    assert len(_download(response)) > 0
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, field=field)
    assert event.actor == world.users["front_desk"]

"""One world for the permission walker: a user per role at property A, two users of property B, and one object
of every module at property A. Built once per test module (inside an outer transaction rolled back at the end);
each test runs in its own savepoint, so nothing a request changes leaks into the next test.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

ROLES = ("front_desk", "service_agent", "sales_rep", "sales_manager", "marketing", "quality", "manager", "admin")
# Users of property B only. A group-wide role would see property A anyway, so both are property-scoped roles:
# front desk (reads what staff may read) and sales manager (the widest property-scoped role).
OTHER = ("other_front_desk", "other_sales_manager")


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def pk(self, key: str) -> int:
        return self.objects[key].pk


def _user(username: str, role: str, properties: list[Any]) -> Any:
    from concierge.accounts.models import User

    user = User.objects.create_user(username=username, password="x-test-password-123", role=role)
    user.properties.set(properties)
    return user


def build_world() -> World:  # noqa: PLR0915  (one object per module, on purpose in one place)
    from concierge.accounts.models import StaffDeactivation
    from concierge.attribution.models import LeadImport
    from concierge.campaigns.models import Campaign, CampaignVariant
    from concierge.cases.models import Article, ArticleCategory, ArticleTranslation, Case, LostItem
    from concierge.contracts.models import Contract
    from concierge.dedupe.models import DuplicateCandidate, MergeRecord
    from concierge.guests.models import Alert, Company, Contact, IdentityDocument, Preference
    from concierge.guests.services import guest_create
    from concierge.imports.models import ImportBatch
    from concierge.journeys.models import Journey, JourneyStep
    from concierge.loyalty.models import Membership, Programme, Reward, Tier
    from concierge.messaging.models import Message, MessageTemplate
    from concierge.pipeline.models import Opportunity, Stage
    from concierge.properties.models import HotelGroup, Property
    from concierge.sales.models import Handover
    from concierge.segments.models import Segment
    from concierge.stays.models import Product, Stay
    from concierge.surveys.models import Answer, Invitation, Question, Response, Survey, SurveyMarker, SurveyTrigger
    from concierge.tours.models import Departure, Order, TourProduct
    from concierge.worklist.models import Task

    w = World()
    o = w.objects
    group = HotelGroup.objects.create(name_zh="礼宾酒店集团", name_en="Concierge Hotels")
    pa = Property.objects.create(group=group, code="SHA", name_zh="上海外滩酒店", name_en="Shanghai Bund Hotel")
    pb = Property.objects.create(group=group, code="HGH", name_zh="杭州西湖酒店", name_en="Hangzhou West Lake Hotel")
    o["property"], o["property_b"] = pa, pb
    for role in ROLES:
        w.users[role] = _user(f"perm_{role}", role, [pa])
    w.users["other_front_desk"] = _user("perm_other_fd", "front_desk", [pb])
    w.users["other_sales_manager"] = _user("perm_other_sm", "sales_manager", [pb])
    rep, fd = w.users["sales_rep"], w.users["front_desk"]
    admin = w.users["admin"]

    guest = guest_create(
        actor=fd, property=pa, family_name="司马", given_name="懿然", family_name_latin="SIMA", given_name_latin="YIRAN",
        phone="139 2468 1357", email="sima.yiran@example.cn",
        id_documents=[{"doc_type": "cn_id", "number": "11010519491231002X"}],
    )
    twin = guest_create(actor=fd, property=pa, family_name="司马", given_name="懿", phone="139 2468 1358")
    erased = guest_create(actor=fd, property=pa, family_name="李", given_name="四")
    o["guest"], o["twin"] = guest, twin
    o["document"] = IdentityDocument.objects.get(guest=guest)
    o["preference"] = Preference.objects.create(guest=guest, category="room", value="high floor")
    o["alert"] = Alert.objects.create(guest=guest, text="VIP")
    company = Company.objects.create(name_zh="上海贸易公司", name_en="Shanghai Trading", owner=rep)
    company.properties.set([pa])
    o["company"] = company
    o["contact"] = Contact.objects.create(company=company, name="王经理", guest=guest)
    today = timezone.localdate()
    o["stay"] = Stay.objects.create(guest=guest, company=company, property=pa, arrival=today - dt.timedelta(days=3),
                                    departure=today - dt.timedelta(days=1), status="checked_out", room_nights=2)
    o["case"] = Case.objects.create(property=pa, subject="Noisy room", guest=guest, created_by=fd)
    category = ArticleCategory.objects.create(code="rooms", name_zh="客房", name_en="Rooms")
    article = Article.objects.create(property=pa, category=category, status="published", is_public=True)
    ArticleTranslation.objects.create(article=article, language="en", title="Wi-Fi", body="Ask the desk")
    o["article"] = article
    o["lost_item"] = LostItem.objects.create(property=pa, found_on=today, description="Umbrella", storage_location="B1")

    survey = Survey.objects.create(name="Post-stay", title_zh="问卷", title_en="Survey", property=pa, created_by=admin)
    question = Question.objects.create(survey=survey, kind="text", text_zh="意见", text_en="Comments")
    invitation = Invitation.objects.create(survey=survey, guest=guest, property=pa, source="manual",
                                           public_id=uuid.uuid4().hex, expires_at=timezone.now() + dt.timedelta(days=9))
    response = Response.objects.create(invitation=invitation, survey=survey, guest=guest, property=pa, language="en",
                                       submitted_at=timezone.now())
    o["survey"], o["question"], o["invitation"], o["response"] = survey, question, invitation, response
    o["answer"] = Answer.objects.create(response=response, question=question, survey=survey, property=pa,
                                        submitted_at=timezone.now(), text="Quiet please")
    o["survey_trigger"] = SurveyTrigger.objects.create(survey=survey, property=pa)
    o["survey_marker"] = SurveyMarker.objects.create(label="New beds", date=today, property=pa)

    o["segment"] = Segment.objects.create(name="Repeat guests", definition={"op": "and", "items": []},
                                          created_by=w.users["marketing"])
    programme = Programme.objects.create(group=group, name_zh="礼宾会", name_en="Concierge Club")
    tier = Tier.objects.create(programme=programme, code="silver", name_zh="银卡", name_en="Silver", order=1)
    o["membership"] = Membership.objects.create(guest=guest, programme=programme, number="M0001", tier=tier)
    o["reward"] = Reward.objects.create(programme=programme, code="breakfast", kind="voucher", name_zh="早餐",
                                        name_en="Breakfast", points_cost=100)
    o["product"] = Product.objects.create(code="spa", name_zh="水疗", name_en="Spa")

    template = MessageTemplate.objects.create(code="perm-offer", channel="email", name="Offer", body_zh="你好",
                                              body_en="Hello", subject_zh="优惠", subject_en="Offer")
    o["template"] = template
    o["message"] = Message.objects.create(guest=guest, property=pa, channel="email", language="en", template=template,
                                          recipient="sima.yiran@example.cn", subject="Offer", body="Hello",
                                          idempotency_key=uuid.uuid4().hex)
    campaign = Campaign.objects.create(name="Spring", property=pa, channel="email", segment=o["segment"],
                                       created_by=w.users["marketing"], owner=w.users["marketing"])
    CampaignVariant.objects.create(campaign=campaign, template=template)
    o["campaign"] = campaign
    o["lead_import"] = LeadImport.objects.create(campaign=campaign, status="uploaded", created_by=w.users["marketing"])
    journey = Journey.objects.create(name="Birthday", trigger_kind="birthday", property=pa,
                                     created_by=w.users["marketing"])
    o["journey"] = journey
    o["journey_step"] = JourneyStep.objects.create(journey=journey, kind="wait", **_step_extra())
    o["task"] = Task.objects.create(title="Call back", assignee=fd, guest=guest, property=pa, created_by=fd,
                                    due_on=today)
    stage = Stage.objects.create(name_zh="洽谈", name_en="Negotiation")
    o["opportunity"] = Opportunity.objects.create(title="Annual deal", company=company, owner=rep, property=pa,
                                                  stage=stage, value=Decimal("10000"), created_by=rep)
    o["contract"] = Contract.objects.create(number="C-0001", title="Corporate rate", company=company, owner=rep,
                                            start_date=today, end_date=today + dt.timedelta(days=365), created_by=rep)
    o["handover"] = Handover.objects.create(from_user=w.users["quality"], default_to=rep, effective_on=today,
                                            actor=admin)
    tour = TourProduct.objects.create(code="west-lake", name_zh="西湖一日游", name_en="West Lake day", property=pa)
    departure = Departure.objects.create(product=tour, departs_on=today + dt.timedelta(days=30), capacity=10,
                                         price=Decimal("300"))
    o["tour_product"], o["departure"] = tour, departure
    o["tour_order"] = Order.objects.create(number="T-0001", departure=departure, contact_name="司马懿然", seats=2,
                                           unit_price=Decimal("300"), amount=Decimal("600"), guest=guest)
    o["import_batch"] = ImportBatch.objects.create(kind="guests", source="csv", property=pa,
                                                   created_by=w.users["manager"],
                                                   file_name="guests.csv")
    o["staff_user"] = rep  # the staff screen's "deactivate" page opens on the sales rep of property A
    left = _user("perm_left_rep", "sales_rep", [pa])
    left.is_active = False
    left.save(update_fields=["is_active"])
    o["staff_deactivation"] = StaffDeactivation.objects.create(user=left, successor=rep, actor=admin, status="done")
    o["duplicate"] = DuplicateCandidate.objects.create(left=guest, right=twin, score=0.9)
    o["merge"] = MergeRecord.objects.create(survivor=guest, merged=erased, actor=admin)
    return w


def _step_extra() -> dict[str, Any]:
    from concierge.journeys.models import JourneyStep

    names = {f.name for f in JourneyStep._meta.concrete_fields}
    return {"order": 1} if "order" in names else {}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Built once per module inside a transaction that is rolled back afterwards (tests nest savepoints in it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

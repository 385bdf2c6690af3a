"""Survey fixtures: a survey at property A with every question type, a guest who agreed to email, eager Celery."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from concierge.surveys.tests.factories import make_guest, make_survey


@pytest.fixture
def quality_a(property_a: Any) -> Any:
    """A quality manager at property A: builds and sends surveys there."""
    from concierge.accounts.models import User

    user = User.objects.create_user(username="quinn", password="test-password-123", role="quality",
                                    first_name="Quinn", email="quinn@example.com")
    user.properties.set([property_a])
    return user


@pytest.fixture
def survey_a(quality_a: Any, property_a: Any) -> Any:
    survey, _questions = make_survey(quality_a, property=property_a)
    return survey


@pytest.fixture
def questions_a(survey_a: Any) -> dict[str, Any]:
    q = {x.text_en: x for x in survey_a.questions.prefetch_related("choices")}
    return {"nps": q["How likely are you to recommend us to a friend?"],
            "overall": q["Overall, how satisfied were you?"],
            "clean": q["Room cleanliness"], "wrong": q["What went wrong?"], "reason": q["Purpose of your trip"],
            "extras": q["Which services did you use?"], "comments": q["Anything else?"]}


@pytest.fixture
def guest_zh(frontdesk_a: Any, property_a: Any) -> Any:
    """王芳, Chinese-speaking, agreed to email."""
    return make_guest(frontdesk_a, property_a, email="wang.fang@example.cn")


@pytest.fixture
def guest_en(frontdesk_a: Any, property_a: Any) -> Any:
    """John Smith, English-speaking, agreed to email."""
    return make_guest(frontdesk_a, property_a, language="en", family_name="", given_name="",
                      family_name_latin="SMITH", given_name_latin="John", email="john.smith@example.com")


@pytest.fixture(autouse=True)
def eager_celery(eager_celery: Any) -> Iterator[None]:
    """Every survey test runs `.delay()` inline (on-commit hooks still decide when), so none publishes to a real
    broker: the project-wide fixture, made automatic here. The worker test switches it off again through its broker
    fixture."""
    yield

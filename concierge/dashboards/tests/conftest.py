from __future__ import annotations

import pytest


@pytest.fixture
def sales_manager_a(property_a):
    from concierge.accounts.models import User

    user = User.objects.create_user(username="sally", password="test-password-123", role="sales_manager",
                                    first_name="Sally")
    user.properties.set([property_a])
    return user


@pytest.fixture
def marketing(property_a, property_b):
    from concierge.accounts.models import User

    return User.objects.create_user(username="mia", password="test-password-123", role="marketing",
                                    first_name="Mia")

"""CLV against the CDNOW figures, through the product: import as stays, fit with `clv_fit`.

Published: BG/NBD r 0.243, α 4.414, a 0.793, b 2.426, LL −9,582.4 (Fader, Hardie & Lee 2005); Gamma-Gamma
p 6.25, q 3.74, γ 15.44 (Fader & Hardie note), over 2,357 customers of whom 946 repeat in 39 weeks.
The import is the slow part, so one test imports once and checks everything that needs the full data set.
"""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from concierge.clv.models import ClvFit, GuestClv
from concierge.guests.models import Guest
from concierge.stays.models import Stay

pytest.importorskip("lifetimes")

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4,
             "p": 6.25, "q": 3.74, "gamma": 15.44}


def _fit(*args: str) -> dict:
    out = io.StringIO()
    call_command("clv_fit", "--property", "CDNOW", "--calibration-end", "1997-09-30", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_clv_fit_reproduces_the_published_cdnow_figures(db):
    out = io.StringIO()
    call_command("import_cdnow", stdout=out)
    assert "2357 guests and 6919 stays" in out.getvalue()
    assert Guest.objects.filter(source="cdnow").count() == 2357
    assert Stay.objects.filter(property__code="CDNOW").count() == 6919

    result = _fit("--time-unit", "week")
    assert result["customers"] == 2357
    assert result["repeat_customers"] == 946
    for name, published in PUBLISHED.items():
        assert result[name] == pytest.approx(published, rel=0.01), name
    assert GuestClv.objects.filter(property__code="CDNOW").count() == 2357
    assert ClvFit.objects.get().error == ""

    # Daily units: the same shape parameters, α scaled by 7.
    daily = _fit("--time-unit", "day", "--no-scores")
    assert daily["r"] == pytest.approx(0.243, rel=0.01)
    assert daily["alpha"] == pytest.approx(4.414 * 7, rel=0.01)
    assert daily["a"] == pytest.approx(0.793, rel=0.01)
    assert daily["b"] == pytest.approx(2.426, rel=0.01)

    # The human table names every parameter.
    table = io.StringIO()
    call_command("clv_fit", "--property", "CDNOW", "--calibration-end", "1997-09-30", "--no-scores", stdout=table)
    lines = table.getvalue().splitlines()
    for name in ("r", "alpha", "a", "b", "log_likelihood", "p", "q", "gamma", "customers", "repeat_customers"):
        assert any(line.split()[0] == name for line in lines if line.strip()), name


def test_importing_twice_is_refused(property_a):
    guest = Guest.objects.create(family_name_latin="CDNOW", given_name_latin="00001", source="cdnow")
    Stay.objects.create(guest=guest, property=property_a, arrival=dt.date(1997, 1, 1),
                        departure=dt.date(1997, 1, 2), source="cdnow", status="checked_out")
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_cdnow", "--property-code", property_a.code, stdout=io.StringIO())


def test_a_missing_file_is_reported(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_cdnow", "--path", str(tmp_path / "nope.txt"), stdout=io.StringIO())


def test_an_unknown_property_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("clv_fit", "--property", "NOPE", stdout=io.StringIO())

"""Locust users of the load benchmark (run by bench/load.py in var/load-venv; never imported by the app).

Each simulated user is one bench staff account (front desk, service agent, sales, quality) and signs in once.
Three in five work in the browser: the web sign-in form (session + CSRF), web pages, and the JSON API with the same
session and the CSRF token, as the pages' scripts do. Two in five are a desk integration with an API token
(POST /api/v1/auth/token/) and use the API only. Then, with 1-5 s of think time between actions, they recognise
guests (search by Chinese name, pinyin, phone or ID number), open guest cards (API card or web guest page), read
timelines, open complaint cases and edit profiles (GET for the version, then PATCH with it). Every request is
appended to requests.jsonl; every acknowledged write to writes.jsonl, which bench/load.py checks afterwards.

Environment: LOAD_PROBES (probes.json written by bench/load.py), LOAD_OUT_DIR, LOAD_RUN_ID.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path

from locust import HttpUser, between, events, task

PROBES = json.loads(Path(os.environ["LOAD_PROBES"]).read_text())
OUT = Path(os.environ["LOAD_OUT_DIR"])
RUN_ID = os.environ.get("LOAD_RUN_ID", "load")
SEARCH_KINDS = ("hanzi", "pinyin", "phone", "id_number")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_lock = threading.Lock()
_requests_log = (OUT / "requests.jsonl").open("a", buffering=1)
_writes_log = (OUT / "writes.jsonl").open("a", buffering=1)
_user_numbers = itertools.count()


def _append(handle, record: dict) -> None:
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _lock:
        handle.write(line)


@events.request.add_listener
def log_request(request_type, name, response_time, response_length, response=None, exception=None,
                start_time=None, **kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    failure = None
    if exception is not None:
        failure = f"{type(exception).__name__}" + (f" {status}" if status else "")
    started = start_time if start_time is not None else time.time() - response_time / 1000
    _append(_requests_log, {"t": started, "name": name, "ms": response_time, "status": status, "failure": failure})


def acknowledge(record: dict) -> None:
    """Remember a write the server acknowledged (2xx with the object's id and version)."""
    _append(_writes_log, record)


class StaffUser(HttpUser):
    wait_time = between(1, 5)

    def on_start(self) -> None:
        number = next(_user_numbers)
        self.account = PROBES["users"][number % len(PROBES["users"])]
        self.number = number
        self.guests = [g for prop in self.account["properties"] for g in PROBES["guests"][str(prop)]]
        self.edit_guests = list(self.account["edit_guests"]) or [g["id"] for g in self.guests]
        random.shuffle(self.edit_guests)
        self.edits = itertools.cycle(self.edit_guests)
        self.writes = 0
        self.api_headers: dict[str, str] = {}
        self.browser = number % 5 not in (1, 3)  # 3 in 5 use the browser (session), 2 in 5 an API token
        if self.browser:
            self._sign_in_web()
        else:
            self._sign_in_api()

    # --- sign-in ---------------------------------------------------------------------------------------------

    def _sign_in_web(self) -> None:
        page = self.client.get("/login/", name="login web (form)")
        token = CSRF_INPUT.search(page.text or "")
        with self.client.post(
            "/login/", name="login web (post)", allow_redirects=False, catch_response=True,
            data={"username": self.account["username"], "password": PROBES["password"],
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": f"{self.host}/login/"},
        ) as response:
            if response.status_code != 302:
                response.failure(f"web sign-in refused ({response.status_code})")

    def _sign_in_api(self) -> None:
        with self.client.post("/api/v1/auth/token/", name="login api (token)", catch_response=True,
                              json={"username": self.account["username"], "password": PROBES["password"]}) as response:
            if response.status_code == 200:
                self.api_headers = {"Authorization": f"Token {response.json()['token']}"}
            else:
                response.failure(f"token refused ({response.status_code})")

    # --- helpers ---------------------------------------------------------------------------------------------

    def _guest(self) -> dict:
        return random.choice(self.guests)

    def _query(self) -> tuple[str, str]:
        guest = self._guest()
        kinds = [k for k in SEARCH_KINDS if k in guest["queries"]]
        kind = random.choice(kinds)
        return kind, guest["queries"][kind]

    def _api(self, method: str, path: str, name: str, **kwargs):
        headers = dict(self.api_headers)
        if self.browser and method not in ("GET", "HEAD"):
            headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")  # session auth: CSRF as the pages send it
        return self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs)

    # --- reads -----------------------------------------------------------------------------------------------

    @task(6)
    def search_api(self) -> None:
        kind, query = self._query()
        with self._api("GET", "/api/v1/search/", f"api search ({kind})", params={"q": query}) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(1)
    def search_web(self) -> None:
        if not self.browser:
            return self.search_api()
        kind, query = self._query()
        # The web search answers an ID number held by one guest with a redirect to that guest's page.
        with self.client.get("/search/", params={"q": query}, name="web search page", allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code not in (200, 302):
                response.failure(f"HTTP {response.status_code}")

    @task(3)
    def guest_card_api(self) -> None:
        with self._api("GET", f"/api/v1/guests/{self._guest()['id']}/card/", "api guest card") as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def guest_page_web(self) -> None:
        if not self.browser:
            return self.guest_card_api()
        with self.client.get(f"/guests/{self._guest()['id']}/", name="web guest page", catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def timeline_api(self) -> None:
        with self._api("GET", "/api/v1/timeline/", "api guest timeline",
                       params={"guest": self._guest()["id"]}) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    # --- writes ----------------------------------------------------------------------------------------------

    @task(1)
    def complaint_case(self) -> None:
        self.writes += 1
        guest = self._guest()
        subject = f"[{RUN_ID}] u{self.number} #{self.writes}: room too noisy at night"
        body = {"subject": subject, "guest": guest["id"], "case_type": "complaint", "priority": "normal",
                "channel": "phone", "property": self.account["properties"][0],
                "description": "Guest called the front desk: noise from the corridor after midnight."}
        with self._api("POST", "/api/v1/cases/", "api create case", json=body) as response:
            if response.status_code == 201 and response.json().get("id"):
                acknowledge({"kind": "case", "id": response.json()["id"], "subject": subject})
            else:
                response.failure(f"HTTP {response.status_code}")

    @task(1)
    def profile_update(self) -> None:
        guest_id = next(self.edits)
        with self._api("GET", f"/api/v1/guests/{guest_id}/", "api guest profile (for edit)") as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            version = response.json()["version"]
        self.writes += 1
        value = f"[{RUN_ID}] u{self.number} #{self.writes}: prefers a quiet room, high floor"
        with self._api("PATCH", f"/api/v1/guests/{guest_id}/", "api update profile",
                       json={"version": version, "notes": value}) as response:
            if response.status_code == 200:
                data = response.json()
                acknowledge({"kind": "profile", "id": data["id"], "version": data["version"], "field": "notes",
                             "value": value})
            elif response.status_code == 409:
                response.success()  # someone else saved the profile first: a refused stale edit, not an error
            else:
                response.failure(f"HTTP {response.status_code}")

"""The simulated users of `make loadtest` (run by locust, started by
crm_site.devtools.loadtest.driver; never imported by the app).

Staff add daily-report entries and submit their report; supervisors review
submitted reports and raise urgent reports; managers acknowledge the urgent
reports assigned to them; everyone lists and searches customers. Every form
is sent with the idempotency token its page carries, and a request whose
connection dropped (a web worker killed under it) is sent again once with
the same token, as a browser or a user would. Each answered request and each
submission is one JSON line in the journal (LOADTEST_JOURNAL), which the
driver checks against the database afterwards.

Environment: LOADTEST_ACCOUNTS (a JSON file: usernames per role, staff's
customer labels), LOADTEST_PASSWORD, LOADTEST_JOURNAL, LOADTEST_MAX_REQUESTS
(the whole run stops after that many requests).
"""

import json
import os
import random
import re
import time
import uuid
from itertools import cycle

from locust import HttpUser, between, events, task
from locust.exception import StopUser

ACCOUNTS = json.loads(open(os.environ["LOADTEST_ACCOUNTS"], encoding="utf-8").read())  # noqa: SIM115
PASSWORD = os.environ["LOADTEST_PASSWORD"]
JOURNAL = open(os.environ["LOADTEST_JOURNAL"], "a", encoding="utf-8")  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("LOADTEST_MAX_REQUESTS", "0") or 0)
SEARCH_TERMS = ["客户", "C", "上海", "LT", "电子", "物流", "1", "138"]
# A request sent again with the same token after its connection dropped.
RETRIES = 2

_accounts = {role: cycle(names) for role, names in ACCOUNTS["users"].items()}
_sent = 0


def write(record: dict) -> None:
    JOURNAL.write(json.dumps(record, ensure_ascii=False) + "\n")
    JOURNAL.flush()


def hidden(body: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    if not tag:
        return ""
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def problem(response) -> str:
    """What a failed answer says: where it redirects, or a form's first error."""
    if response.status_code in (301, 302, 303):
        return "-> " + response.headers.get("Location", "")
    error = re.search(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</', response.text or "", re.S)
    return re.sub(r"<[^>]+>|\s+", " ", error.group(1)).strip()[:200] if error else ""


class CrmUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.username = next(_accounts[self.role])
        page = self.send("GET", "/accounts/login/", "login page")
        if page is None:
            raise StopUser()
        answer = self.send(
            "POST",
            "/accounts/login/",
            "login",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken"),
            },
            expect=(302,),
        )
        if answer is None:
            raise StopUser()

    # --- one request ------------------------------------------------------

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def send(self, method, path, name, *, data=None, params=None, expect=(200,)):
        """One request, sent again (same body, same token) if the connection
        dropped; journaled once with its outcome. The response, or None."""
        global _sent
        _sent += 1
        if MAX_REQUESTS and _sent > MAX_REQUESTS:
            self.environment.runner.quit()
            raise StopUser()
        headers = {"Referer": self.host + path}
        started = time.time()
        attempts = 0
        while True:
            attempts += 1
            sent_at = time.time()
            with self.client.request(
                method,
                path,
                name=name,
                data=data,
                params=params,
                headers=headers,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                dropped = response.status_code == 0
                ok = response.status_code in expect
                if ok:
                    response.success()
                else:
                    response.failure(f"status {response.status_code}")
            answered_at = time.time()
            if not dropped or attempts > RETRIES:
                break
        write(
            {
                "type": "request",
                "name": name,
                "start": started,
                "end": answered_at,
                # Until the whole body was read (the last attempt).
                "ms": round((answered_at - sent_at) * 1000, 1) if response.status_code else None,
                "status": response.status_code,
                "ok": ok,
                "attempts": attempts,
                "user": self.username,
                **({} if ok else {"detail": problem(response)}),
            }
        )
        return response if ok else None

    # --- everyone ---------------------------------------------------------

    @task(3)
    def customers_list(self) -> None:
        # The list goes back to the filters last used (a redirect), as a
        # browser would follow.
        answer = self.send("GET", "/customers/", "customers list", expect=(200, 302))
        target = answer.headers.get("Location", "") if answer is not None else ""
        if answer is not None and answer.status_code == 302:
            if target.startswith("/customers/?"):
                self.send("GET", target, "customers list (last filters)")
            else:
                self.send("GET", target, "customers list (unexpected redirect)", expect=())

    @task(3)
    def customers_search(self) -> None:
        self.send(
            "GET", "/customers/", "customers search", params={"q": random.choice(SEARCH_TERMS)}
        )


class Staff(CrmUser):
    role = "staff"
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        # One entry per customer and kind of contact in a report (the rule):
        # each pair once, then this user only browses.
        self.pairs = [
            (c, k) for c in ACCOUNTS["customers"][self.username] for k in ("visit", "call")
        ]
        random.shuffle(self.pairs)
        self.report_path = ""
        self.editable = False
        self.entries_since_submit = 0
        self.cycle = 0
        self.send("GET", "/visits/reports/new/", "report new page", expect=(200, 302))
        answer = self.send(
            "POST",
            "/visits/reports/new/",
            "report start",
            data={"csrfmiddlewaretoken": self.csrf()},
            expect=(302,),
        )
        if answer is not None:
            match = re.search(r"/visits/reports/(\d+)/", answer.headers.get("Location", ""))
            if match:
                self.report_path = match.group(0)
                self.editable = True

    @task(8)
    def add_entry(self) -> None:
        if not self.report_path or not self.pairs:
            return
        if not self.editable:
            page = self.send("GET", self.report_path, "report detail")
            self.editable = page is not None and f"{self.report_path}entries/new/" in page.text
            return
        page = self.send("GET", f"{self.report_path}entries/new/", "entry form")
        if page is None:
            return
        token = hidden(page.text, "form_token")
        if not token:  # the report is no longer editable (reviewed meanwhile)
            self.editable = False
            return
        customer, kind = self.pairs.pop()
        flagged = random.random() < 0.15
        marker = f"[lt:{uuid.uuid4().hex}]"
        data = {
            "csrfmiddlewaretoken": self.csrf(),
            "form_token": token,
            "customer": customer,
            "kind": kind,
            # The time the form offers (now on today's report): a later one is refused.
            "time": hidden(page.text, "time") or "00:00",
            "opinions": f"客户反馈时效稳定 {marker}",
            "market": "同行近期调整报价",
            "competitors": "",
            "effect": "良好",
            "handling": "已记录并跟进",
            "other": "",
        }
        if flagged:
            data |= {"needs_escalation": "on", "escalation_reason": "竞争对手大幅降价"}
        answer = self.send(
            "POST", f"{self.report_path}entries/new/", "entry save", data=data, expect=(302,)
        )
        write(
            {
                "type": "submission",
                "kind": "entry",
                "token": token,
                "marker": marker,
                "accepted": answer is not None,
                "user": self.username,
            }
        )
        if answer is not None:
            self.entries_since_submit += 1

    @task(2)
    def submit_report(self) -> None:
        if not (self.report_path and self.editable and self.entries_since_submit >= 2):
            return
        self.cycle += 1
        answer = self.send(
            "POST",
            f"{self.report_path}submit/",
            "report submit",
            data={"csrfmiddlewaretoken": self.csrf(), "note": "今日工作已完成"},
            expect=(302,),
        )
        write(
            {
                "type": "submission",
                "kind": "submit",
                "report": int(self.report_path.strip("/").rsplit("/", 1)[1]),
                "cycle": self.cycle,
                "accepted": answer is not None,
                "user": self.username,
            }
        )
        self.editable = False
        self.entries_since_submit = 0

    @task(2)
    def my_reports(self) -> None:
        self.send("GET", "/visits/reports/", "reports list")


class Supervisor(CrmUser):
    role = "supervisor"
    fixed_count = len(ACCOUNTS["users"]["supervisor"])

    @task(4)
    def review(self) -> None:
        page = self.send("GET", "/visits/reports/review/", "review queue")
        if page is None:
            return
        ids = re.findall(r'action="/visits/reports/(\d+)/review/"', page.text)
        if not ids:
            return
        pk = random.choice(ids)
        action = "return" if random.random() < 0.3 else "review"
        self.send(
            "POST",
            f"/visits/reports/{pk}/review/",
            "report review",
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "action": action,
                "comment": "请补充客户反馈" if action == "return" else "",
                "next": "/visits/reports/review/",
            },
            expect=(302,),
        )

    @task(2)
    def raise_urgent(self) -> None:
        page = self.send("GET", "/visits/urgent/new/", "urgent form")
        if page is None:
            return
        token = hidden(page.text, "form_token")
        marker = f"[lt:{uuid.uuid4().hex}]"
        answer = self.send(
            "POST",
            "/visits/urgent/new/",
            "urgent raise",
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "form_token": token,
                "unit": hidden(page.text, "unit"),
                "category": random.choice(
                    ["competitor_policy", "competitor_service", "own_service", "other"]
                ),
                "customer": "",
                "title": "竞争对手降价",
                "details": f"多家客户反映同行大幅降价 {marker}",
                "proposal": "建议调整报价",
                "source_entry": "",
            },
            expect=(302,),
        )
        write(
            {
                "type": "submission",
                "kind": "urgent",
                "token": token,
                "marker": marker,
                "accepted": answer is not None,
                "user": self.username,
            }
        )

    @task(1)
    def urgent_queue(self) -> None:
        self.send("GET", "/visits/urgent/", "urgent list")


class Manager(CrmUser):
    role = "manager"
    fixed_count = len(ACCOUNTS["users"]["manager"])

    @task(5)
    def acknowledge(self) -> None:
        page = self.send("GET", "/visits/urgent/", "urgent list")
        if page is None:
            return
        ids = sorted(set(re.findall(r'href="/visits/urgent/(\d+)/"', page.text)))
        if not ids:
            return
        pk = random.choice(ids)
        detail = self.send("GET", f"/visits/urgent/{pk}/", "urgent detail")
        if detail is None or f'action="/visits/urgent/{pk}/acknowledge/"' not in detail.text:
            return
        answer = self.send(
            "POST",
            f"/visits/urgent/{pk}/acknowledge/",
            "urgent acknowledge",
            data={"csrfmiddlewaretoken": self.csrf(), "comment": "已收到，马上处理"},
            expect=(302,),
        )
        write(
            {
                "type": "submission",
                "kind": "acknowledge",
                "report": int(pk),
                "accepted": answer is not None,
                "user": self.username,
            }
        )


@events.quitting.add_listener
def _close_journal(environment, **_kwargs) -> None:
    JOURNAL.flush()

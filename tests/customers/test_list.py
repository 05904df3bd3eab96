"""The customer list: filters, search, sorting, pagination at a fixed query count, empty states."""

import pytest
from django.urls import reverse

from crm_site.core import listing
from tests.factories import make_contact, make_customer

pytestmark = pytest.mark.django_db

# session, user, role groups, unit memberships (with their units: the navbar's
# unit and, for a supervisor, the unit filter's choices), in one round trip the
# current rule, the people in scope (visiting-person filter and bulk
# reassignment) and the region filter's choices, in one more the capped count,
# the page (unit, region, visiting person and primary contact in the one
# query) and the navigation's counts (unread notifications, submitted daily
# reports, open urgent reports), and the session save (savepoint, update,
# release).
LIST_QUERIES = 9


def codes(response):
    return [c.code for c in response.context["page_obj"]]


@pytest.fixture
def many(unit_a, staff_a, region_sh):
    customers = [
        make_customer(unit_a, code=f"M-{i:03d}", visiting_person=staff_a, region=region_sh)
        for i in range(120)
    ]
    for c in customers[:60]:
        make_contact(c, is_primary=True)
    return customers


@pytest.mark.parametrize("per_page", [10, 100])
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, supervisor_a, many, per_page, django_assert_num_queries
):
    client.force_login(supervisor_a)
    client.get(reverse("customers:list"))  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("customers:list"), {"per_page": per_page})
    assert len(response.context["page_obj"]) == per_page


def test_the_page_shows_grade_contact_and_visiting_person(client, supervisor_a, book):
    make_contact(book["mine"], name="刘丽华", mobile="13912345678", is_primary=True)
    client.force_login(supervisor_a)
    html = client.get(reverse("customers:list")).content.decode()
    assert "上海远航物流" in html and "刘丽华" in html and "13912345678" in html
    assert "grade-tone-1" in html  # grade A badge
    assert "张三" in html  # staff_a visits it


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grade": "A"}, ["A-001"]),
        ({"status": "active"}, ["A-001", "A-002"]),
        ({"nature": "retailer"}, ["A-002"]),
        ({"trend": "growing"}, ["A-001"]),
        ({"q": "A-00"}, ["A-001", "A-002"]),
        ({"q": "恒通"}, ["A-002"]),
    ],
)
def test_filters_narrow_the_list(client, supervisor_a, book, params, expected):
    client.force_login(supervisor_a)
    assert codes(client.get(reverse("customers:list"), params)) == expected


def test_filter_by_unit_region_and_visiting_person(client, admin_user, book, staff_a2):
    client.force_login(admin_user)
    url = reverse("customers:list")
    assert codes(client.get(url, {"unit": book["other_unit"].unit_id})) == ["B-001"]
    assert codes(client.get(url, {"region": book["mine"].region_id})) == ["A-001", "A-002"]
    assert codes(client.get(url, {"visiting_person": staff_a2.pk})) == ["A-002"]


def test_search_finds_a_customer_by_a_contacts_phone(client, supervisor_a, book):
    make_contact(book["colleague"], mobile="13800138000", phone="021-66668888")
    client.force_login(supervisor_a)
    url = reverse("customers:list")
    assert codes(client.get(url, {"q": "13800138000"})) == ["A-002"]
    assert codes(client.get(url, {"q": "021-6666"})) == ["A-002"]


def test_columns_sort_both_ways(client, supervisor_a, book):
    client.force_login(supervisor_a)
    url = reverse("customers:list")
    assert codes(client.get(url, {"sort": "-revenue"})) == ["A-001", "A-002"]
    assert codes(client.get(url, {"sort": "revenue"})) == ["A-002", "A-001"]
    assert codes(client.get(url, {"sort": "grade"})) == ["A-001", "A-002"]
    assert codes(client.get(url, {"sort": "-grade"})) == ["A-002", "A-001"]
    assert codes(client.get(url, {"sort": "nonsense"})) == ["A-001", "A-002"]


def test_filters_stick_to_sorting_paging_and_the_export_link(client, supervisor_a, many):
    client.force_login(supervisor_a)
    response = client.get(reverse("customers:list"), {"grade": "C", "q": "M-0"})
    html = response.content.decode()
    assert 'href="/customers/export/?grade=C&amp;q=M-0"' in html
    assert "?grade=C&amp;q=M-0&amp;page=2" in html
    assert response.context["sort_links"]["revenue"]["url"] == "?grade=C&q=M-0&sort=revenue"


def test_a_huge_result_says_how_far_it_counted(client, supervisor_a, many, monkeypatch):
    monkeypatch.setattr(listing.CappedPaginator, "cap", 50)
    client.force_login(supervisor_a)
    response = client.get(reverse("customers:list"))
    assert response.context["capped"]
    assert response.context["page_obj"].paginator.num_pages == 3
    assert "50" in response.content.decode()


def test_staff_without_customers_see_a_helpful_empty_state(client, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("customers:list")).content.decode()
    assert "还没有分配给您的客户" in html


def test_no_match_offers_to_clear_the_filters(client, supervisor_a, book):
    client.force_login(supervisor_a)
    html = client.get(reverse("customers:list"), {"q": "不存在的客户"}).content.decode()
    assert "没有符合筛选条件的客户" in html
    assert "清除全部筛选" in html


# Sort key -> the expected order of (code, name, grade, revenue) rows, computed here.
EXPECTED_ORDER = {
    "code": lambda rows: sorted(rows),
    "-code": lambda rows: sorted(rows, reverse=True),
    "grade": lambda rows: sorted(rows, key=lambda r: (r[2], r[0])),
    "-revenue": lambda rows: sorted(rows, key=lambda r: (r[3], r[0]), reverse=True),
    "name": lambda rows: sorted(rows, key=lambda r: (r[1], r[0])),
}


@pytest.mark.parametrize("sort", list(EXPECTED_ORDER))
def test_reading_every_page_shows_each_customer_once_in_the_chosen_order(
    client, supervisor_a, unit_a, staff_a, sort
):
    # Revenues and grades repeat, so the order also rests on the tie-breakers.
    rows = []
    for i in range(37):
        row = (f"P-{i:03d}", f"客户{(i * 7) % 37:02d}", "ABCD"[i % 4], 100 * (i % 5))
        make_customer(
            unit_a,
            code=row[0],
            name=row[1],
            grade=row[2],
            annual_revenue=row[3],
            visiting_person=staff_a,
        )
        rows.append(row)
    client.force_login(supervisor_a)
    pages = []
    for number in range(1, 5):
        response = client.get(
            reverse("customers:list"), {"sort": sort, "per_page": 10, "page": number}
        )
        pages.append([c.code for c in response.context["page_obj"]])
    assert [len(p) for p in pages] == [10, 10, 10, 7]
    assert [code for page in pages for code in page] == [r[0] for r in EXPECTED_ORDER[sort](rows)]

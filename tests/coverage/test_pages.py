"""The coverage page through its routes: each level as page and htmx fragment, filters kept in
links, bad input answered 4xx in Vietnamese, scope (404) and role (403), no household name for
staff, the leader's gap link, and a fixed number of statements whatever the data size."""

import re
from datetime import date

import pytest

from app.areas.models import AreaKind
from app.catalog.models import Service
from app.coverage.models import Target
from app.extensions import db
from tests.conftest import count_queries, make_area, make_household, make_team, sign_in
from tests.coverage.small_world import build, log

FEB = "period=custom&start=2025-02-01&end=2025-02-28"
NAMES = ("Nguyễn Văn Đức", "Lê Thị Hai", "Phạm Văn Ba", "Hoàng Thị Bốn", "Vũ Văn Năm", "Trần Thị Lan")


@pytest.fixture()
def w(world):
    return build(world)


def get(client, path, status=200, htmx=False):
    response = client.get(path, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def url(area, query=""):
    return f"/coverage/{area.id}" + (f"?{query}" if query else "")


# Levels, page and fragment ---------------------------------------------------------------------

def test_staff_start_at_the_province(client, w):
    sign_in(client, w["staff"])
    html = get(client, f"/coverage?{FEB}")
    assert "<h1>Tỉnh Hà Tĩnh</h1>" in html and "<html" in html
    assert "Xã Thạch Hà" in html and "Xã Can Lộc" in html
    assert f'href="/coverage/{w["commune_a"].id}?period=custom&amp;start=2025-02-01&amp;end=2025-02-28"' in html
    assert "Mức độ bao phủ" in html and "Hộ đã được hỗ trợ" in html


def test_the_fragment_is_the_section_alone_and_varies_on_hx_request(client, w):
    sign_in(client, w["staff"])
    response = client.get(url(w["commune_a"], FEB), headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and html.lstrip().startswith("<title>")
    assert 'id="coverage"' in html and 'hx-push-url="true"' in html
    full = client.get(url(w["commune_a"], FEB))
    assert "HX-Request" in full.headers["Vary"] and "<html" in full.get_data(as_text=True)
    # A history restore or a boosted request gets the whole page.
    restored = get(client, url(w["commune_a"], FEB), htmx=False)
    assert "<html" in restored


@pytest.mark.parametrize("area_key,h1", [
    ("commune_a", "Xã Thạch Hà"), ("village_a1", "Thôn 1 (Xã Thạch Sơn)"),
])
def test_each_level_has_its_breadcrumb(client, w, area_key, h1):
    sign_in(client, w["staff"])
    html = get(client, url(w[area_key], FEB))
    assert f"<h1>{h1}</h1>" in html
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    assert "Tỉnh Hà Tĩnh" in crumbs and 'aria-current="page"' in crumbs


def test_commune_table_shows_the_known_figures(client, w):
    sign_in(client, w["staff"])
    html = get(client, url(w["commune_a"], FEB))
    row = re.search(rf'<tr id="area-{w["village_a1"].id}".*?</tr>', html, re.S).group(0)
    assert re.search(r"<strong>2</strong><span class=\"of\"> / 10</span>", row)
    assert "20%" in row and "20/02/2025" in row
    never = re.search(rf'<tr id="area-{w["village_a3"].id}".*?</tr>', html, re.S).group(0)
    assert never.count("—") >= 6  # no data: "—", not 0


def test_village_level_shows_services_gaps_and_trend(client, w):
    sign_in(client, w["staff"])
    html = get(client, url(w["village_a1"], FEB))
    assert "Định danh điện tử VNeID" in html and "Hộ chưa được hỗ trợ" in html
    assert "<svg" in html and "<title id=\"chart-visits-title\">" in html
    assert 'class="visually-hidden"' in html  # the charts' figures as a table
    assert "tasks/new" not in html  # staff set no tasks


def test_matrix_tab_and_sorting_keep_the_other_filters(client, w):
    sign_in(client, w["staff"])
    service = w["services"]["VNEID"].id
    html = get(client, url(w["province"], f"{FEB}&service={service}&view=matrix"))
    assert 'class="matrix"' in html and "shade-" in html
    assert re.search(rf'href="/coverage/{w["province"].id}\?period=custom[^"]*service={service}"[^>]*>Bảng<', html)
    html = get(client, url(w["province"], f"{FEB}&service={service}&sort=visits"))
    assert 'aria-sort="ascending"' in html
    assert f"service={service}&amp;sort=visits&amp;dir=desc" in html


def test_the_former_district_filter_narrows_the_rows_and_the_total(client, w):
    sign_in(client, w["staff"])
    html = get(client, url(w["province"], f"{FEB}&district=Huyện Can Lộc"))
    rows = re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)
    assert "Xã Can Lộc" in rows and "Xã Thạch Hà" not in rows
    total = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group(0)
    assert "<strong>0</strong><span class=\"of\"> / 20</span>" in total
    assert '<option value="Huyện Can Lộc" selected>' in html


def test_leader_starts_at_their_commune_and_sees_their_villages(client, w):
    sign_in(client, w["leader"])
    html = get(client, f"/coverage?{FEB}")
    assert "<h1>Xã Thạch Hà</h1>" in html
    assert f'id="area-{w["village_a1"].id}"' in html and f'id="area-{w["village_a2"].id}"' not in html


def test_a_user_without_an_area_is_told_so(client, w, db):
    w["staff"].home_area = None
    db.session.commit()
    sign_in(client, w["staff"])
    assert "Bạn chưa có địa bàn" in get(client, "/coverage")


# The leader's gap link ---------------------------------------------------------------------

def test_a_leader_gets_a_set_a_task_link_on_a_gap_in_their_village(client, w):
    sign_in(client, w["leader"])
    html = get(client, url(w["village_a1"]))
    service = w["services"]["VNEID"].id
    link = (f'/tasks/new?team={w["team_a"].id}&amp;village={w["village_a1"].id}&amp;service={service}'
            "&amp;choose=unreached")
    assert link in html
    form = get(client, link.replace("&amp;", "&"))
    assert f'<option selected value="{w["village_a1"].id}">' in form
    assert re.search(rf'<input[^>]*checked[^>]*value="{service}"|<input[^>]*value="{service}"[^>]*checked', form)
    assert re.search(r'<input[^>]*checked[^>]*value="unreached"|<input[^>]*value="unreached"[^>]*checked', form)


def test_an_admin_in_scope_gets_the_task_link_and_staff_do_not(client, w):
    sign_in(client, w["admin"])
    assert "/tasks/new?" in get(client, url(w["village_a1"]))
    sign_in(client, w["staff"])
    assert "/tasks/new?" not in get(client, url(w["village_a1"]))


# Bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("query,message", [
    ("period=custom&start=2025-03-01&end=2025-02-01", "Kỳ báo cáo kết thúc trước khi bắt đầu."),
    ("period=custom&start=01/02/2025&end=2025-02-28", "Nhập ngày theo dạng ngày/tháng/năm"),
    ("period=custom&start=2025-02-01", "Nhập ngày theo dạng ngày/tháng/năm"),
    ("period=custom&start=2015-01-01&end=2025-02-28", "Kỳ báo cáo dài tối đa 5 năm."),
    ("period=week", "Chọn kỳ báo cáo trong danh sách."),
    ("service=999999", "Chọn nội dung hỗ trợ trong danh sách."),
    ("service=abc", "Chọn nội dung hỗ trợ trong danh sách."),
    ("district=Huyện Không Có", "Chọn huyện cũ trong danh sách."),
])
def test_bad_filters_are_a_400_in_vietnamese(client, w, query, message):
    sign_in(client, w["staff"])
    html = get(client, url(w["province"], query), status=400)
    assert message in html and "<h1>Tỉnh Hà Tĩnh</h1>" in html
    fragment = get(client, url(w["province"], query), status=400, htmx=True)
    assert message in fragment and "<html" not in fragment


def test_a_refused_period_keeps_the_other_filters(client, w):
    sign_in(client, w["staff"])
    service = w["services"]["VNEID"].id
    html = get(client, url(w["province"], f"period=custom&start=2025-03-01&end=2025-02-01&service={service}"
                                          "&sort=visits&view=matrix"), status=400)
    dates = re.search(r'<form class="dates".*?</form>', html, re.S).group(0)
    for hidden in (f'name="service" value="{service}"', 'name="sort" value="visits"', 'name="view" value="matrix"'):
        assert hidden in dates
    assert 'value="2025-03-01"' in dates and 'aria-invalid="true"' in dates
    presets = re.search(r'<nav class="tabs period-tabs".*?</nav>', html, re.S).group(0)
    year = re.search(r'href="([^"]*period=year[^"]*)"', presets).group(1)
    assert f"service={service}" in year and "sort=visits" in year and "start=" not in year


def test_an_inactive_service_is_refused(client, w, db):
    w["services"]["CKS"].is_active = False
    db.session.commit()
    sign_in(client, w["staff"])
    html = get(client, url(w["province"], f"service={w['services']['CKS'].id}"), status=400)
    assert "Chọn nội dung hỗ trợ trong danh sách." in html


def test_bad_filters_in_english(client, w):
    sign_in(client, w["staff"])
    html = get(client, url(w["province"], "period=custom&start=2025-03-01&end=2025-02-01&lang=en"), status=400)
    assert "The period ends before it starts." in html


@pytest.mark.parametrize("username,area_key", [
    ("staff_b", "commune_a"), ("staff_b", "province"), ("leader", "village_a2"), ("leader", "commune_b"),
    ("admin_a", "province"), ("admin_a", "village_b1"),
])
def test_out_of_scope_is_a_404(client, w, commune_admin, username, area_key):
    w["admin_a"] = commune_admin
    sign_in(client, w[username])
    get(client, url(w[area_key]), status=404)


def test_unknown_area_is_a_404_and_volunteers_are_refused(client, w):
    sign_in(client, w["admin"])
    get(client, "/coverage/999999", status=404)
    get(client, "/coverage/99999999999", status=404)
    sign_in(client, w["volunteer"])
    get(client, "/coverage", status=403)
    get(client, url(w["village_a1"]), status=403)


def test_district_outside_the_province_level_is_ignored(client, w):
    sign_in(client, w["staff"])
    get(client, url(w["commune_a"], "district=anything"))


# Personal data ---------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["staff", "leader", "admin"])
def test_no_household_name_on_any_coverage_page(client, w, username):
    sign_in(client, w[username])
    paths = [f"/coverage?{FEB}"]
    for key in ("province", "commune_a", "village_a1", "village_a2", "commune_b", "village_b1"):
        for query in (FEB, f"{FEB}&view=matrix", "period=year"):
            paths.append(url(w[key], query))
    for path in paths:
        response = client.get(path)
        if response.status_code == 404:
            continue  # out of the leader's scope
        html = response.get_data(as_text=True)
        for name in NAMES:
            assert name not in html, (username, path, name)


# Statements per page -------------------------------------------------------------------------------

def grow(w, n=4):
    """More communes, villages, households, teams, logs and targets."""
    s = w["services"]
    for i in range(n):
        commune = make_area(AreaKind.COMMUNE, f"Xã Mới {i}", w["province"], former_district=f"Huyện {i}")
        villages = [make_area(AreaKind.VILLAGE, f"Thôn {j}", commune, declared_households=50) for j in range(3)]
        extra = make_area(AreaKind.VILLAGE, f"Thôn thêm {i}", w["commune_a"])
        team = make_team(commune, villages, name=f"Tổ mới {i}")
        a_team = make_team(w["commune_a"], [extra], leaders=[w["leader"]], members=[w["volunteer"]],
                           name=f"Tổ A {i}")
        for village in [*villages, extra]:
            household = make_household(village, f"Hộ {i}")
            for day in (date(2025, 2, 3 + i), date(2025, 3, 9)):
                log(w["volunteer"], a_team if village is extra else team, village, household,
                    [s["VNEID"], s["ATTT"]], day, 2)
        db.session.add(Target(area_id=commune.id, year=2025, key=0, households=100))
    for i in range(n):
        log(w["volunteer"], w["team_a"], w["village_a1"], make_household(w["village_a1"], f"Hộ a1 {i}"),
            [s["DVC"]], date(2025, 2, 14), 1)
    db.session.commit()
    from app.coverage import summaries

    summaries.rebuild()
    db.session.commit()


LEVELS = [("staff", "province"), ("staff", "commune_a"), ("staff", "village_a1"),
          ("leader", "province"), ("leader", "commune_a"), ("leader", "village_a1"),
          ("admin", "province"), ("admin", "commune_a"), ("admin", "village_a1")]


@pytest.mark.parametrize("username,area_key", LEVELS)
@pytest.mark.parametrize("query", [FEB, FEB + "&view=matrix&service={vneid}"])
def test_each_level_runs_a_fixed_number_of_statements(client, w, username, area_key, query):
    sign_in(client, w[username])
    path = url(w[area_key], query.format(vneid=w["services"]["VNEID"].id))
    with count_queries() as small:
        get(client, path)
    grow(w)
    with count_queries() as large:
        get(client, path)
    assert large() == small(), (small(), large())
    # Staff and administrators' pages include training's figures (two statements at a province,
    # three at a commune: tests/training/test_coverage.py); a leader's read their teams' villages.
    # PostgreSQL has one more: the page's reads are told not to start parallel workers.
    serial = 1 if db.engine.dialect.name == "postgresql" else 0
    assert small() <= {"staff": 17, "admin": 18, "leader": 22}[username] + serial


@pytest.mark.parametrize("lang,shares", [
    ("vi", ["—", "0%", "< 0,1%", "5,5%", "12%", "150%"]),
    ("en", ["—", "0%", "< 0.1%", "5.5%", "12%", "150%"]),
])
def test_shares_read_in_the_locale(app, lang, shares):
    from app.core.i18n import format_share

    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        assert [format_share(v) for v in (None, 0, 0.0003, 0.0553, 0.12, 1.5)] == shares


def test_the_export_links_carry_the_pages_filters(client, w):
    """Each file holds what the page shows: the same period, kind of help and order."""
    sign_in(client, w["staff"])
    html = get(client, url(w["province"], FEB + "&sort=visits&dir=desc"))
    for name in ("table.csv", "table.xlsx", "matrix.csv", "matrix.xlsx", "logs.csv"):
        link = re.search(rf'href="(/coverage/{w["province"].id}/export/{re.escape(name)}[^"]*)"', html).group(1)
        assert "period=custom&amp;start=2025-02-01" in link and "sort=visits&amp;dir=desc" in link
    sign_in(client, w["leader"])
    assert "/export/logs.csv" not in get(client, url(w["village_a1"], FEB))  # staff and administrators only


@pytest.mark.parametrize("username,home", [("leader", ">Today"), ("admin", ">Home<"), ("staff", None)])
def test_coverage_in_the_navigation(client, w, username, home):
    sign_in(client, w[username])
    html = get(client, url(w["village_a1"], "lang=en"))
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    assert '<a href="/coverage" aria-current="page">Coverage</a>' in nav  # any area's coverage
    assert (home in nav) if home else (">Home<" not in nav and ">Today" not in nav)
    if username != "staff":
        assert '<a href="/coverage" >Coverage</a>' in get(client, "/?lang=en")
    sign_in(client, w["volunteer"])
    assert 'href="/coverage"' not in get(client, "/")


def test_staff_land_on_coverage(client, w):
    sign_in(client, w["staff"])
    response = client.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/coverage"


def test_place_keepers_reach_the_targets_from_the_page(client, w):
    sign_in(client, w["staff"])
    html = get(client, url(w["commune_a"], "period=year"))
    assert f'href="/coverage/targets/?area={w["commune_a"].id}&amp;year=' in html
    sign_in(client, w["leader"])
    assert "/coverage/targets/" not in get(client, url(w["commune_a"], "period=year"))


@pytest.mark.parametrize("query", ["", "?service=1&period=custom&start=2025-01-01&end=2025-02-28&sort=visits&dir=desc",
                                   "?district=Huyện Can Lộc&view=matrix&period=quarter"])
def test_area_links_read_as_url_for_writes_them(app, query):
    """The page builds its area links once, from a template: the same text url_for writes."""
    from flask import url_for

    from app.coverage.page import _filters
    from app.coverage.periods import period_from

    with app.test_request_context(f"/coverage/1{query}"):
        from flask import request

        args = request.args
        filters = _filters(period_from(args, date(2025, 3, 20)), None, args.get("district"), args)
        link = filters.area_link()
        for area_id in (1, 42, 987_654_320, 2**31 - 1):
            assert link(area_id) == url_for("coverage.show", area_id=area_id, **filters.drill())


def matrix_row(matrix: str, village) -> str:
    return re.search(rf'<tr>\s*<th scope="row"><a [^>]*/coverage/{village.id}\?.*?</tr>', matrix, re.S).group(0)


def test_matrix_cells_print_reached_share_and_shade_and_dashes_without_data(client, w):
    sign_in(client, w["staff"])
    html = get(client, url(w["commune_a"], f"{FEB}&view=matrix"))
    matrix = re.search(r'<table class="matrix">.*?</table>', html, re.S).group(0)
    cells = re.findall(r"<td class=\"(shade-[^\"]+)\">(.*?)</td>", matrix_row(matrix, w["village_a1"]))
    assert len(cells) == len(re.findall(r'<th scope="col"><span class="service-name">', matrix))
    figures = [re.fullmatch(r'<strong>(\d+)</strong><span class="visually-hidden"> / 10</span> '
                            r'<span class="sub">([\d,]+%)</span>', body).groups() for _, body in cells]
    assert ("1", "10%") in figures and ("0", "0%") in figures
    shades = [shade for shade, _ in cells]
    assert shades == ["shade-1" if share == "10%" else "shade-0" for _, share in figures]
    never = matrix_row(matrix, w["village_a3"])
    assert re.findall(r"<td class=\"shade-[^\"]+\">(.*?)</td>", never) == ["—"] * len(cells)
    total = re.search(r"<tfoot>.*?</tfoot>", matrix, re.S).group(0)
    figure = r'<td class="shade-\d"><strong>\d+</strong><span class="visually-hidden"> / \d+</span>'
    assert len(re.findall(figure, total)) == len(cells)


def test_matrix_cells_escape_what_a_figure_may_hold(app):
    """A share too small to round is written "< 0,1%": the "<" is escaped in the cell."""
    from app.coverage.page import MatrixRow, matrix_rows
    from app.coverage.queries import Matrix

    service = Service(id=1, code="VNEID", name_vi="Định danh", name_en="e-ID", skill=1, sort_order=1)
    with app.test_request_context("/?lang=vi"):
        rows, _ = matrix_rows(Matrix([service], [(None, 5000, {1: 1})]))
    assert isinstance(rows[0], MatrixRow)
    assert '<span class="sub">&lt; 0,1%</span>' in rows[0].cells_html


def test_on_postgresql_the_page_reads_start_no_parallel_workers(client, w):
    """A province's reads are a few thousand index entries each: parallel workers cost more to
    start than they save, so the page's transaction turns them off first (PostgreSQL only)."""
    from sqlalchemy import event

    sent = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    sign_in(client, w["staff"])
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        get(client, url(w["province"], FEB))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    turned_off = [n for n, statement in enumerate(sent) if statement == "SET LOCAL max_parallel_workers_per_gather = 0"]
    if db.engine.dialect.name == "postgresql":
        buckets = next(n for n, statement in enumerate(sent) if "coverage_buckets" in statement)
        assert len(turned_off) == 1 and turned_off[0] < buckets
    else:
        assert turned_off == []

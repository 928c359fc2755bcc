"""One URL, page or fragment: the render helper, and the base template every page shares."""

from app.core.rendering import render
from tests.conftest import html_of, sign_in


def test_render_gives_the_page_or_the_fragment_and_varies_on_hx_request(app, tmp_path):
    app.jinja_loader.searchpath.append(str(tmp_path))
    (tmp_path / "_frag.html").write_text("<p>fragment</p>")
    (tmp_path / "page.html").write_text("<html>{% include '_frag.html' %}</html>")
    with app.test_request_context("/"):
        full = render("page.html", "_frag.html")
        assert full.get_data(as_text=True) == "<html><p>fragment</p></html>"
        assert "HX-Request" in full.headers["Vary"]
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        assert render("page.html", "_frag.html").get_data(as_text=True) == "<p>fragment</p>"
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-Boosted": "true"}):
        assert "<html>" in render("page.html", "_frag.html").get_data(as_text=True)
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        assert "<html>" in render("page.html", "_frag.html").get_data(as_text=True)
    app.jinja_loader.searchpath.remove(str(tmp_path))


def test_base_template_sends_csrf_header_for_htmx_and_loads_vendored_htmx(client, world):
    sign_in(client, world["volunteer"])
    html = html_of(client, "/")
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200

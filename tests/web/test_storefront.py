"""Storefront pages over a real (SQLite and PostgreSQL) shop: grid, search, categories,
pagination, product pages, SVG images, validation and the demo sign-in."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from store_fixtures import HOSTILE_NAME, TOKEN_SECRET

from bot.safety.customer_token import verify_customer_token
from bot.web.storefront import TOKEN_COOKIE, format_money, product_initials


def product_links(html: str) -> list[str]:
    return re.findall(r'<a href="/products/([^"]+)">', html)


def test_home_lists_products_with_widget_tag(client: TestClient) -> None:
    res = client.get("/")
    assert res.status_code == 200
    html = res.text
    assert "33 products" in html
    assert "page 1 of 2" in html
    assert len(product_links(html)) == 24
    assert html.count('src="/static/widget/widget.js"') == 1
    assert 'data-server="http://127.0.0.1:5999"' in html
    assert "data-customer-token" not in html
    # Category navigation with counts.
    assert '<a href="/?category=shoes"' in html
    assert "Kitchen &amp; Home" in html


def test_everything_from_the_database_is_escaped(client: TestClient) -> None:
    html = client.get("/?category=kitchen").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Mug" in html
    page = client.get("/products/SB-P0002").text
    assert "<script>alert" not in page
    assert "<b>bold?</b>" not in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page


def test_pagination_second_page_and_out_of_range(client: TestClient) -> None:
    first = set(product_links(client.get("/").text))
    second_page = client.get("/?page=2")
    assert second_page.status_code == 200
    second = set(product_links(second_page.text))
    assert len(second) == 9
    assert not first & second
    assert 'rel="prev" href="/?page=1"' in second_page.text
    assert client.get("/?page=3").status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3", "99999999", "2.5"])
def test_bad_page_numbers_get_a_friendly_400(client: TestClient, page: str) -> None:
    res = client.get("/", params={"page": page})
    assert res.status_code == 400
    assert "No such page" in res.text
    assert "Traceback" not in res.text


def test_category_filter_and_unknown_category(client: TestClient) -> None:
    html = client.get("/?category=kitchen").text
    assert sorted(product_links(html)) == ["SB-P0002", "SB-P0003"]
    assert 'aria-current="page">Kitchen &amp; Home' in html
    for bad in ["nope", "../etc", "<x>", "A" * 200]:
        res = client.get("/", params={"category": bad})
        assert res.status_code == 404
        assert "Category not found" in res.text


def test_search_finds_by_name(client: TestClient) -> None:
    res = client.get("/", params={"q": "trail shoe"})
    assert res.status_code == 200
    links = product_links(res.text)
    assert links[0] == "SB-P0001"
    assert "Results for “trail shoe”" in res.text


def test_search_falls_back_to_a_name_filter_without_the_catalog_service(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.web import storefront

    monkeypatch.setattr(storefront, "_catalog_search_ids", lambda database, query: None)
    assert product_links(client.get("/", params={"q": "TRAIL shoe"}).text) == ["SB-P0001"]
    assert product_links(client.get("/", params={"q": "acme"}).text) == ["SB-P0001"]
    assert product_links(client.get("/", params={"q": "100%"}).text) == []
    assert "Nothing matches that search" in client.get("/", params={"q": "trail kettle"}).text


def test_search_inside_a_category(client: TestClient) -> None:
    res = client.get("/", params={"q": "kettle", "category": "kitchen"})
    assert "SB-P0003" in product_links(res.text)
    assert "SB-P0001" not in product_links(res.text)
    # The search form keeps the category.
    assert '<input type="hidden" name="category" value="kitchen">' in res.text


def test_search_text_is_escaped_and_limited(client: TestClient) -> None:
    res = client.get("/", params={"q": '"><img src=x onerror=alert(1)>'})
    assert res.status_code == 200
    assert "<img src=x" not in res.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in res.text
    too_long = client.get("/", params={"q": "a" * 101})
    assert too_long.status_code == 400
    assert "too long" in too_long.text
    control = client.get("/", params={"q": "a\x00b"})
    assert control.status_code == 400


def test_search_with_no_match_says_so(client: TestClient) -> None:
    res = client.get("/", params={"q": "zzqxj"})
    assert res.status_code == 200
    # Semantic ranking always finds a nearest neighbour; the page must still render sanely.
    assert "Results for “zzqxj”" in res.text


def test_product_page_shows_variants_price_and_availability(client: TestClient) -> None:
    res = client.get("/products/SB-P0001")
    assert res.status_code == 200
    html = res.text
    assert "<h1>Trail Running Shoe</h1>" in html
    assert "from $89.50" in html
    assert "colour: blue, size: 42" in html
    assert "$99.00" in html
    assert re.search(r"SB-V000101</td>.*?In stock", html, re.S)
    assert re.search(r"SB-V000102</td>.*?Out of stock", html, re.S)
    assert 'data-shopbot-ask="Tell me about Trail Running Shoe (SB-P0001)"' in html
    assert '<img class="hero" src="/img/products/SB-P0001.svg"' in html
    assert "<dt>material</dt><dd>mesh</dd>" in html


def test_sold_out_product(client: TestClient) -> None:
    html = client.get("/products/SB-P0003").text
    assert "Out of stock" in html
    assert "In stock" not in html


@pytest.mark.parametrize(
    "pid", ["SB-P9999", "x" * 41, "a b", "%3Cscript%3E", "x%27%3B%20DROP%20TABLE%20products"]
)
def test_unknown_product_is_a_friendly_404(client: TestClient, pid: str) -> None:
    res = client.get(f"/products/{pid}")
    assert res.status_code == 404
    assert "Product not found" in res.text
    assert "<script>" not in res.text
    assert 'src="/static/widget/widget.js"' in res.text


def test_product_svg_is_deterministic_and_escaped(client: TestClient) -> None:
    first = client.get("/img/products/SB-P0001.svg")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("image/svg+xml")
    assert first.text == client.get("/img/products/SB-P0001.svg").text
    tree = ElementTree.fromstring(first.text)
    texts = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["TR", "Shoes"]
    hostile = client.get("/img/products/SB-P0002.svg").text
    ElementTree.fromstring(hostile)  # still well-formed XML
    assert "<script>" not in hostile
    # Same category, same colour; another category, another colour.
    fill = re.compile(r'<circle[^>]*fill="([^"]+)"')
    kitchen_a = fill.search(client.get("/img/products/SB-P0002.svg").text).group(1)
    kitchen_b = fill.search(client.get("/img/products/SB-P0003.svg").text).group(1)
    shoes = fill.search(first.text).group(1)
    assert kitchen_a == kitchen_b != shoes
    assert client.get("/img/products/NOPE.svg").status_code == 404
    assert client.get("/img/products/a%20b.svg").status_code == 404


def test_demo_sign_in_sets_a_verifiable_token_and_passes_it_to_the_widget(
    client: TestClient,
) -> None:
    form = client.get("/sign-in")
    assert form.status_code == 200
    assert 'name="email"' in form.text
    res = client.post(
        "/sign-in", data={"email": "Noah.Brown7922@example.com"}, follow_redirects=False
    )
    assert res.status_code == 303
    token = res.cookies.get(TOKEN_COOKIE) or client.cookies.get(TOKEN_COOKIE)
    assert verify_customer_token(token, TOKEN_SECRET) == "noah_brown_6181"
    home = client.get("/").text
    assert f'data-customer-token="{token}"' in home
    assert "Hi, Noah" in home
    client.post("/sign-out", follow_redirects=False)
    client.cookies.clear()
    assert "data-customer-token" not in client.get("/").text


def test_sign_in_with_unknown_email_or_forged_cookie(client: TestClient) -> None:
    res = client.post("/sign-in", data={"email": "nobody@example.com"})
    assert res.status_code == 400
    assert "No demo shopper has that email address." in res.text
    client.cookies.set(TOKEN_COOKIE, "bm9haF9icm93bl82MTgxfDk5OTk5OTk5OTk.forged")
    home = client.get("/").text
    assert "data-customer-token" not in home
    assert "Hi, Noah" not in home


def test_sign_in_is_off_without_a_secret(store_config, shop_db) -> None:  # noqa: ANN001
    from dataclasses import replace

    from store_fixtures import build_store_app

    app = build_store_app(replace(store_config, customer_token_secret=None))
    with TestClient(app) as c:
        assert c.get("/sign-in").status_code == 404
        assert c.post("/sign-in", data={"email": "noah.brown7922@example.com"}).status_code == 404
        assert "Sign in as demo shopper" not in c.get("/").text


def test_widget_assets_are_served(client: TestClient) -> None:
    js = client.get("/static/widget/widget.js")
    assert js.status_code == 200
    assert "innerHTML" not in js.text
    assert client.get("/static/widget/vendor/socket.io.min.js").status_code == 200
    assert client.get("/static/store/store.css").status_code == 200


def test_presentation_helpers() -> None:
    from decimal import Decimal

    assert format_money(Decimal("1234.5")) == "$1,234.50"
    assert format_money(Decimal("3"), "eur") == "3.00 EUR"
    assert product_initials("trail running shoe") == "TR"
    assert product_initials("!!!") == "?"
    assert HOSTILE_NAME.startswith("<script>")

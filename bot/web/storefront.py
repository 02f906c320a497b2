"""The demo store: a product grid with search and categories, product pages, product images.

It exists so the chat widget has a real shop around it: product cards in the chat link to these
pages, and every page carries the widget (one script tag). Pages are server-rendered Jinja with
autoescaping; every query and path parameter is validated here and bad input gets a friendly
page, never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import SecretStr

from bot.catalog.repository import CatalogRepository
from bot.db.models import Category, Customer, Product
from bot.db.session import Database, Session, get_database
from bot.orders.money import money, usd
from bot.orders.repository import OrderRepository
from bot.safety.customer_token import sign_customer_token, verify_customer_token

log = logging.getLogger(__name__)

router = APIRouter()
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

PAGE_SIZE = 24
MAX_PAGE = 10_000
MAX_QUERY_CHARS = 100
SEARCH_LIMIT = 50
PRODUCT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CATEGORY_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,100}@[^@\s]{1,100}$")
TOKEN_COOKIE = "shopbot_customer_token"


@dataclass(frozen=True)
class StoreConfig:
    """What the store needs from the outside world; tests override the dependency."""

    database: Database
    widget_server: str
    customer_token_secret: SecretStr | None = None
    customer_token_ttl_s: int = 8 * 3600
    shop_name: str = "Shopbot demo store"
    secure_cookies: bool = False
    # The password-less demo sign-in: it signs a token for any known email, so it exists only
    # in an explicit demo mode (SHOPBOT_DEMO_SIGN_IN, on by default only when embedded).
    demo_sign_in: bool = False

    @property
    def sign_in_enabled(self) -> bool:
        return self.demo_sign_in and self.customer_token_secret is not None


def get_store_config() -> StoreConfig:
    """Store config from the process settings (the lead's app uses this default)."""
    from bot.settings import get_settings

    settings = get_settings()
    secret = settings.customer_token_secret
    return StoreConfig(
        database=get_database(),
        widget_server=settings.public_rasa_url or settings.rasa_url,
        customer_token_secret=secret if secret and secret.get_secret_value() else None,
        customer_token_ttl_s=settings.session_ttl_s,
        secure_cookies=settings.secure_cookies,
        demo_sign_in=settings.demo_sign_in_enabled,
    )


Config = Annotated[StoreConfig, Depends(get_store_config)]


# ---------------------------------------------------------------------------------------------
# Presentation helpers (pure)


def format_money(amount: Decimal | None, currency: str = "USD") -> str:
    """``$12.34`` for dollars, ``12.34 EUR`` otherwise (the widget's convention, docs/widget.md)."""
    if amount is None:
        return ""
    if currency.upper() == "USD":
        return usd(amount)
    return f"{money(amount):,} {currency.upper()}"


def format_options(options: dict[str, Any]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in sorted(options.items()))


def product_initials(name: str) -> str:
    words = [w for w in re.split(r"[^\w]+", name) if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def category_hue(slug: str) -> int:
    """A stable hue per category so products of one category share a colour."""
    return int(hashlib.sha256(slug.encode("utf-8")).hexdigest()[:8], 16) % 360


def product_svg(name: str, category_slug: str, category_name: str) -> str:
    """A deterministic product picture: category colour and the product's initials."""
    hue = category_hue(category_slug or "uncategorised")
    initials = escape(product_initials(name))
    label = escape(category_name or "")
    title = escape(name)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400"'
        f' role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<rect width="400" height="400" fill="hsl({hue},45%,88%)"/>'
        f'<circle cx="200" cy="180" r="110" fill="hsl({hue},50%,42%)"/>'
        '<text x="200" y="212" text-anchor="middle" font-family="Helvetica,Arial,sans-serif"'
        f' font-size="96" font-weight="700" fill="#fff">{initials}</text>'
        '<text x="200" y="350" text-anchor="middle" font-family="Helvetica,Arial,sans-serif"'
        f' font-size="26" fill="hsl({hue},40%,25%)">{label}</text>'
        "</svg>"
    )


@dataclass(frozen=True)
class ProductSummary:
    id: str
    name: str
    brand: str
    category: str
    price_label: str
    available: bool
    url: str
    image: str


def summarise(product: Product) -> ProductSummary:
    prices = sorted((v.price, v.currency) for v in product.variants if v.price is not None)
    if not prices:
        price_label = "Price on request"
    elif prices[0][0] == prices[-1][0]:
        price_label = format_money(prices[0][0], prices[0][1])
    else:
        price_label = "from " + format_money(prices[0][0], prices[0][1])
    return ProductSummary(
        id=product.id,
        name=product.name,
        brand=product.brand or "",
        category=product.category.name if product.category else "",
        price_label=price_label,
        available=any(v.in_stock for v in product.variants),
        url=f"/products/{product.id}",
        image=f"/img/products/{product.id}.svg",
    )


# ---------------------------------------------------------------------------------------------
# Queries (ORM only)


def _catalog_search_ids(database: Database, query: str) -> list[str] | None:
    """Ranked product ids from the catalog search service, or None when it is unavailable.

    The service ranks by keyword + semantic similarity and parses filters such as "under $50"
    from the text; it returns at most 50 products, which is plenty for a results page.
    """
    try:
        from bot.catalog.search import search_products
    except ImportError:
        return None
    try:
        hits = search_products(database, query, limit=SEARCH_LIMIT)
    except Exception:
        log.exception("catalog search failed for a storefront query; using the name filter")
        return None
    ids: list[str] = []
    for hit in hits:
        if hit.product_id not in ids:
            ids.append(hit.product_id)
    return ids


@dataclass(frozen=True)
class GridPage:
    products: list[ProductSummary]
    total: int
    page: int
    pages: int


def load_grid(
    database: Database,
    session: Session,
    query: str | None,
    category: Category | None,
    page: int,
) -> GridPage:
    """One page of products matching the search and category, in a stable order."""
    catalog = CatalogRepository(session)
    ranked_ids = _catalog_search_ids(database, query) if query else None
    if ranked_ids is not None:
        by_id = {p.id: p for p in catalog.products(ranked_ids, category=category)}
        ordered = [by_id[pid] for pid in ranked_ids if pid in by_id]
        total = len(ordered)
        chunk = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    else:
        # Without the search service: every word in the name or brand.
        found = catalog.product_page(
            category=category, name_words=query, page=page, page_size=PAGE_SIZE
        )
        total, chunk = found.total, found.products
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return GridPage([summarise(p) for p in chunk], total, page, pages)


def load_categories(session: Session) -> list[tuple[Category, int]]:
    return CatalogRepository(session).categories_with_counts()


# ---------------------------------------------------------------------------------------------
# Page rendering


def _signed_in_customer(request: Request, config: StoreConfig, session: Session) -> Customer | None:
    token = request.cookies.get(TOKEN_COOKIE)
    if not token or not config.sign_in_enabled or config.customer_token_secret is None:
        return None
    customer_id = verify_customer_token(token, config.customer_token_secret)
    return OrderRepository(session).customer(customer_id) if customer_id else None


def _render(
    request: Request,
    config: StoreConfig,
    session: Session,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    customer = _signed_in_customer(request, config, session)
    context.setdefault("query", "")
    context.setdefault("active_category", None)
    base = {
        "shop_name": config.shop_name,
        "widget_server": config.widget_server,
        "categories": load_categories(session),
        "customer": customer,
        "customer_token": request.cookies.get(TOKEN_COOKIE) if customer else None,
        "sign_in_enabled": config.sign_in_enabled,
    }
    return TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def _error_page(
    request: Request, config: StoreConfig, session: Session, status: int, title: str, message: str
) -> HTMLResponse:
    return _render(
        request, config, session, "store/error.html", status, title=title, message=message
    )


def _parse_page(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or len(raw) > 6:
        return None
    page = int(raw)
    return page if 1 <= page <= MAX_PAGE else None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def store_index(
    request: Request,
    config: Config,
    q: str | None = None,
    category: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """The product grid: optional search text, category and page number."""
    with config.database.session() as session:
        query = (q or "").strip()
        if len(query) > MAX_QUERY_CHARS or any(ord(ch) < 32 for ch in query):
            log.info("storefront: rejected a search query of %d characters", len(query))
            return _error_page(
                request,
                config,
                session,
                400,
                "That search is too long",
                f"Please search with at most {MAX_QUERY_CHARS} characters.",
            )
        page_number = _parse_page(page)
        if page_number is None:
            return _error_page(
                request, config, session, 400, "No such page", "That page number is not valid."
            )
        active: Category | None = None
        if category:
            if CATEGORY_SLUG_RE.match(category):
                active = CatalogRepository(session).category_by_slug(category)
            if active is None:
                return _error_page(
                    request,
                    config,
                    session,
                    404,
                    "Category not found",
                    "We could not find that category. Browse all products instead.",
                )
        grid = load_grid(config.database, session, query or None, active, page_number)
        if page_number > grid.pages:
            return _error_page(
                request, config, session, 404, "No such page", "There are fewer pages than that."
            )
        return _render(
            request,
            config,
            session,
            "store/index.html",
            grid=grid,
            query=query,
            active_category=active,
        )


@router.get("/products/{product_id}", response_class=HTMLResponse, include_in_schema=False)
def product_page(request: Request, config: Config, product_id: str) -> HTMLResponse:
    """One product with its variants (options, price, availability)."""
    with config.database.session() as session:
        product = None
        if PRODUCT_ID_RE.match(product_id):
            product = CatalogRepository(session).product(product_id)
        if product is None:
            log.info("storefront: unknown product id requested (%d chars)", len(product_id))
            return _error_page(
                request,
                config,
                session,
                404,
                "Product not found",
                "We could not find that product. It may have been removed from the shop.",
            )
        variants = [
            {
                "id": v.id,
                "options": format_options(v.options or {}),
                "price": format_money(v.price, v.currency),
                "in_stock": v.in_stock,
                "stock": v.stock,
            }
            for v in product.variants
        ]
        return _render(
            request,
            config,
            session,
            "store/product.html",
            product=product,
            summary=summarise(product),
            variants=variants,
            attributes=sorted((product.attributes or {}).items()),
            active_category=product.category,
        )


@router.get("/img/products/{product_id}.svg", include_in_schema=False)
def product_image(config: Config, product_id: str) -> Response:
    """The product's picture, drawn on the fly so the demo needs no image files."""
    headers = {"Cache-Control": "public, max-age=3600"}
    if not PRODUCT_ID_RE.match(product_id):
        return Response(product_svg("?", "", ""), 404, media_type="image/svg+xml")
    with config.database.session() as session:
        product = CatalogRepository(session).product(product_id, variants=False)
        if product is None:
            return Response(product_svg("?", "", ""), 404, media_type="image/svg+xml")
        slug = product.category.slug if product.category else ""
        name = product.category.name if product.category else ""
        svg = product_svg(product.name, slug, name)
    return Response(svg, media_type="image/svg+xml", headers=headers)


# ---------------------------------------------------------------------------------------------
# Demo sign-in: shows the signed customer token flow (only in demo mode, with a token secret)


@router.get("/sign-in", response_class=HTMLResponse, include_in_schema=False)
def sign_in_form(request: Request, config: Config) -> HTMLResponse:
    """The demo shopper sign-in form (email only: it demonstrates the token, not passwords)."""
    with config.database.session() as session:
        if not config.sign_in_enabled:
            return _error_page(
                request, config, session, 404, "Sign-in is off", "This shop has no sign-in."
            )
        return _render(request, config, session, "store/signin.html", error=None, email="")


@router.post("/sign-in", response_class=HTMLResponse, include_in_schema=False)
def sign_in(
    request: Request, config: Config, email: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Sign a customer token for the demo shopper with this email and keep it in a cookie."""
    with config.database.session() as session:
        if not config.sign_in_enabled or config.customer_token_secret is None:
            log.info("storefront: demo sign-in refused (not in demo mode)")
            return _error_page(
                request, config, session, 404, "Sign-in is off", "This shop has no sign-in."
            )
        email = email.strip().lower()
        customer = None
        if EMAIL_RE.match(email):
            customer = OrderRepository(session).customer_by_email(email)
        if customer is None:
            log.info("storefront: demo sign-in for an unknown email")
            return _render(
                request,
                config,
                session,
                "store/signin.html",
                400,
                error="No demo shopper has that email address.",
                email=email,
            )
        token = sign_customer_token(
            customer.id, config.customer_token_secret, config.customer_token_ttl_s
        )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=config.customer_token_ttl_s,
        httponly=True,
        samesite="lax",
        secure=config.secure_cookies or _is_https(request),
    )
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request, config: Config) -> Response:
    """Forget the demo shopper."""
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(
        TOKEN_COOKIE,
        httponly=True,
        samesite="lax",
        secure=config.secure_cookies or _is_https(request),
    )
    return response


def _is_https(request: Request) -> bool:
    """Served over https (directly or behind a proxy that says so): cookies must be Secure."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"

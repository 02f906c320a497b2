"""The shop's category list, shared by every importer so one slug always means one row.

The demo shop and the τ-bench import both use these slugs; if both are loaded into the same
database they share categories instead of fighting over names.
"""

from __future__ import annotations

import re

CATEGORIES: dict[str, tuple[str, str]] = {
    "footwear": ("Footwear", "Running shoes, hiking boots, sneakers and sandals."),
    "outdoor-apparel": (
        "Outdoor & Hiking Apparel",
        "Rain jackets, fleeces, insulated layers and trail clothing.",
    ),
    "casual-clothing": ("Casual Clothing", "T-shirts, hoodies, shirts and trousers for every day."),
    "bags-backpacks": ("Bags & Backpacks", "Daypacks, travel bags, luggage and everyday carry."),
    "home-kitchen": ("Home & Kitchen", "Cookware, drinkware, small appliances and home comfort."),
    "electronics-accessories": (
        "Electronics Accessories",
        "Headphones, speakers, chargers, keyboards and mice.",
    ),
    "electronics": ("Electronics", "Laptops, phones, tablets, cameras and smart home devices."),
    "sports-fitness": ("Sports & Fitness", "Training gear, yoga, weights, cycling and skating."),
    "beauty-care": ("Beauty & Care", "Skin care, hair care, fragrance and personal care."),
    "kids-toys": ("Kids & Toys", "Toys, puzzles, games and gear for children."),
    "camping-gear": ("Camping Gear", "Tents, sleeping bags, stoves, lights and trail tools."),
    "home-office": ("Home Office", "Chairs, desks, lamps, shelves and paper goods."),
    "garden-patio": ("Garden & Patio", "Grills, hoses, umbrellas and outdoor living."),
    "watches-eyewear": ("Watches & Eyewear", "Wristwatches and sunglasses."),
}


def slugify(name: str) -> str:
    """A category name from a feed as a stable slug ("Bags & Backpacks" -> "bags-backpacks")."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "uncategorised"


def category_row(slug: str, name: str | None = None) -> dict[str, str]:
    """The row for a slug: the shop's own wording when known, else the given name."""
    if slug in CATEGORIES:
        known_name, description = CATEGORIES[slug]
        return {"slug": slug, "name": known_name, "description": description}
    return {"slug": slug, "name": name or slug.replace("-", " ").title(), "description": ""}

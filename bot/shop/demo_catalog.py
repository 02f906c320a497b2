"""The demo shop's product kinds: how each kind is named, described and varied.

Every text here is the project's own. A kind function draws concrete facts (materials,
weights, capacities, features) from the random generator and returns them as attributes,
a 2–4 sentence description stating those same facts, and the option axes its variants span.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import Any

EU_SIZES = [str(s) for s in range(38, 47)]
KIDS_SIZES = [str(s) for s in range(24, 34)]
APPAREL_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
COLOURS = [
    "black", "white", "grey", "navy", "red", "blue", "green", "olive", "orange",
    "yellow", "purple", "teal", "brown", "beige", "charcoal", "burgundy",
]  # fmt: skip


@dataclass
class Drawn:
    """What a kind function returns for one product."""

    attributes: dict[str, Any]
    description: str
    axes: dict[str, list[str]]
    # Price surcharge per option value (e.g. bigger capacity costs more).
    surcharge: dict[str, float] | None = None


@dataclass(frozen=True)
class Kind:
    category: str
    noun: str
    count: int
    price: tuple[int, int]
    brands: tuple[str, ...]
    draw: Callable[[Random], Drawn]


def colours(rng: Random, low: int = 1, high: int = 3) -> list[str]:
    return rng.sample(COLOURS, rng.randint(low, high))


def features(rng: Random, pool: list[str], low: int = 2, high: int = 4) -> list[str]:
    return rng.sample(pool, rng.randint(low, min(high, len(pool))))


def sizes(rng: Random, pool: list[str], min_len: int) -> list[str]:
    start = rng.randint(0, len(pool) - min_len)
    return pool[start:]


def listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- footwear -------------------------------------------------------------------------------

SHOE_FEATURES = [
    "reflective heel tab", "gusseted tongue", "removable insole", "rock plate",
    "toe bumper", "quick-lace system", "gaiter attachment point",
]  # fmt: skip


def trail_shoe(rng: Random) -> Drawn:
    waterproof = rng.random() < 0.5
    weight = rng.randrange(260, 360, 5)
    drop = rng.choice([4, 6, 8, 10])
    lug = rng.choice([3.5, 4, 5, 6])
    feats = features(rng, SHOE_FEATURES)
    upper = "a waterproof membrane bonded to ripstop mesh" if waterproof else "breathable mesh"
    text = (
        f"A trail running shoe with {upper} and a {lug} mm lugged rubber outsole for loose dirt "
        f"and wet rock. Each shoe weighs about {weight} g (EU 42) with a {drop} mm heel-to-toe "
        f"drop and a cushioned EVA midsole. Details: {listing(feats)}."
    )
    if waterproof:
        text += " Waterproof for puddles and stream crossings, so feet stay dry on long runs."
    return Drawn(
        {"material": "waterproof mesh" if waterproof else "mesh", "waterproof": waterproof,
         "weight_g": weight, "drop_mm": drop, "lug_depth_mm": lug, "features": feats},
        text,
        {"colour": colours(rng, 1, 3), "size": sizes(rng, EU_SIZES, 7)},
    )  # fmt: skip


def road_shoe(rng: Random) -> Drawn:
    weight = rng.randrange(210, 300, 5)
    drop = rng.choice([6, 8, 10, 12])
    stack = rng.randint(28, 40)
    feats = features(rng, ["knit upper", "reflective details", "wide toe box", "carbon-free "
                           "nylon plate", "padded collar", "recycled laces"])  # fmt: skip
    text = (
        f"A road running shoe with a {stack} mm stack of responsive foam and a {drop} mm drop. "
        f"It weighs {weight} g in EU 42 and has {listing(feats)}. "
        "Not waterproof: the upper is built to breathe on warm tempo runs."
    )
    return Drawn(
        {"material": "engineered knit", "waterproof": False, "weight_g": weight,
         "drop_mm": drop, "stack_mm": stack, "features": feats},
        text,
        {"colour": colours(rng, 1, 3), "size": sizes(rng, EU_SIZES, 7)},
    )  # fmt: skip


def hiking_boot(rng: Random) -> Drawn:
    material = rng.choice(["full-grain leather", "suede and nylon", "nubuck leather"])
    waterproof = rng.random() < 0.75
    weight = rng.randrange(480, 760, 10)
    height = rng.choice(["mid", "high"])
    feats = features(rng, ["lugged rubber outsole", "padded ankle collar", "metal lace hooks",
                           "TPU shank", "rubber toe cap", "antimicrobial lining"])  # fmt: skip
    text = (
        f"A {height}-cut hiking boot in {material} with {listing(feats)}. "
        f"A pair of EU 42 weighs about {weight * 2} g. "
        + ("A waterproof, breathable membrane keeps water out on wet trails."
           if waterproof else "Unlined and not waterproof, it suits dry summer hikes.")
    )  # fmt: skip
    return Drawn(
        {"material": material, "waterproof": waterproof, "weight_g": weight, "cut": height,
         "features": feats},
        text,
        {"colour": rng.sample(["brown", "grey", "black", "olive", "beige"], rng.randint(1, 2)),
         "size": sizes(rng, EU_SIZES, 8)},
    )  # fmt: skip


def sneaker(rng: Random) -> Drawn:
    material = rng.choice(["canvas", "leather", "suede", "recycled knit"])
    sole = rng.choice(["vulcanised rubber", "cupsole", "natural crepe"])
    washable = material in ("canvas", "recycled knit")
    text = (
        f"An everyday low-top sneaker with a {material} upper and a {sole} sole. "
        f"The cotton lining and cushioned footbed are made for all-day wear. "
        + ("Machine washable at 30 °C." if washable else "Wipe clean with a damp cloth.")
    )
    return Drawn(
        {"material": material, "sole": sole, "waterproof": False, "machine_washable": washable,
         "features": ["cushioned footbed", "cotton lining"]},
        text,
        {"colour": colours(rng, 1, 3), "size": sizes(rng, EU_SIZES, 7)},
    )  # fmt: skip


def sandal(rng: Random) -> Drawn:
    strap = rng.choice(["nylon webbing", "leather", "recycled polyester"])
    weight = rng.randrange(180, 320, 10)
    text = (
        f"A sport sandal with adjustable {strap} straps and a grippy rubber outsole. "
        f"Quick-drying and water-friendly, it weighs {weight} g per sandal (EU 42). "
        "The contoured footbed is treated against odour."
    )
    return Drawn(
        {"material": strap, "waterproof": True, "weight_g": weight,
         "features": ["adjustable straps", "quick-drying", "odour-resistant footbed"]},
        text,
        {"colour": colours(rng, 1, 2), "size": sizes(rng, EU_SIZES, 7)},
    )  # fmt: skip


# --- outdoor apparel ------------------------------------------------------------------------


def rain_jacket(rng: Random) -> Drawn:
    rating = rng.choice([10000, 15000, 20000, 28000])
    layers = rng.choice(["2-layer", "2.5-layer", "3-layer"])
    weight = rng.randrange(180, 460, 10)
    packable = weight < 320
    pool = ["fully taped seams", "adjustable hood", "pit zips", "two zipped hand pockets",
            "Velcro cuffs", "hem drawcord"]  # fmt: skip
    feats = features(rng, pool, 3, 4)
    text = (
        f"A waterproof {layers} rain jacket rated to {rating:,} mm of water column, with "
        f"{listing(feats)}. It weighs {weight} g in size M"
        + (" and packs into its own pocket." if packable else ".")
        + " Machine washable; reproof now and then to keep water beading."
    )
    return Drawn(
        {"material": "recycled nylon", "waterproof": True, "waterproof_rating_mm": rating,
         "weight_g": weight, "packable": packable, "machine_washable": True, "features": feats},
        text,
        {"colour": colours(rng, 1, 3), "size": sizes(rng, APPAREL_SIZES, 4)},
    )  # fmt: skip


def down_jacket(rng: Random) -> Drawn:
    fill = rng.choice([600, 650, 700, 800])
    grams = rng.randrange(90, 220, 10)
    text = (
        f"An insulated jacket filled with {grams} g of responsibly sourced {fill}-fill down. "
        "The ripstop shell sheds light snow and drizzle but is not waterproof. "
        "It compresses into a stuff sack the size of a water bottle."
    )
    return Drawn(
        {"material": "nylon ripstop, down fill", "waterproof": False, "fill_power": fill,
         "fill_weight_g": grams, "features": ["stuff sack", "water-repellent finish"]},
        text,
        {"colour": colours(rng, 1, 3), "size": sizes(rng, APPAREL_SIZES, 4)},
    )  # fmt: skip


def fleece(rng: Random) -> Drawn:
    weight = rng.choice([100, 200, 300])
    zip_kind = rng.choice(["full-zip", "half-zip", "quarter-zip"])
    text = (
        f"A {zip_kind} fleece in {weight}-weight recycled polyester, warm when damp and quick "
        "to dry. It has two zipped hand pockets and a stretch-bound hem. "
        "Machine washable at 30 °C."
    )
    return Drawn(
        {"material": "recycled polyester fleece", "waterproof": False, "fleece_weight": weight,
         "zip": zip_kind, "machine_washable": True, "features": ["zipped hand pockets"]},
        text,
        {"colour": colours(rng, 2, 3), "size": sizes(rng, APPAREL_SIZES, 5)},
    )  # fmt: skip


def softshell(rng: Random) -> Drawn:
    stretch = rng.choice([4, 8, 12])
    text = (
        f"A softshell jacket with {stretch}% elastane for freedom of movement on scrambles. "
        "The windproof face fabric and water-repellent finish handle showers, though it is not "
        "fully waterproof. Helmet-compatible hood and two chest pockets."
    )
    return Drawn(
        {"material": "polyamide-elastane softshell", "waterproof": False, "windproof": True,
         "stretch_pct": stretch, "features": ["helmet-compatible hood", "chest pockets"]},
        text,
        {"colour": colours(rng, 1, 3), "size": sizes(rng, APPAREL_SIZES, 5)},
    )  # fmt: skip


def hiking_trousers(rng: Random) -> Drawn:
    zip_off = rng.random() < 0.4
    upf = rng.choice([30, 40, 50])
    text = (
        f"Lightweight hiking trousers in stretch nylon with UPF {upf} sun protection. "
        + ("The legs zip off at the knee to make shorts. " if zip_off else "")
        + "Five pockets including a zipped thigh pocket for a phone. Machine washable."
    )
    return Drawn(
        {"material": "stretch nylon", "waterproof": False, "upf": upf, "zip_off": zip_off,
         "machine_washable": True, "features": ["zipped thigh pocket"]},
        text,
        {"colour": rng.sample(["black", "grey", "olive", "beige", "navy"], 2),
         "size": sizes(rng, APPAREL_SIZES, 5)},
    )  # fmt: skip


# --- casual clothing ------------------------------------------------------------------------


def tshirt(rng: Random) -> Drawn:
    gsm = rng.choice([140, 160, 180, 220])
    material = rng.choice(["organic cotton", "cotton-linen blend", "merino wool"])
    neck = rng.choice(["crew neck", "v-neck"])
    text = (
        f"A {neck} T-shirt in {gsm} g/m² {material} with a relaxed fit. "
        + ("Merino resists odour, so it can be worn several days between washes. "
           if material == "merino wool" else "Pre-shrunk, so it keeps its size after washing. ")
        + ("Hand wash or wool cycle." if material == "merino wool" else "Machine washable.")
    )  # fmt: skip
    return Drawn(
        {"material": material, "fabric_weight_gsm": gsm, "neck": neck,
         "machine_washable": material != "merino wool"},
        text,
        {"colour": colours(rng, 2, 3), "size": sizes(rng, APPAREL_SIZES, 5)},
    )  # fmt: skip


def hoodie(rng: Random) -> Drawn:
    gsm = rng.choice([300, 340, 380, 420])
    text = (
        f"A heavyweight hoodie in {gsm} g/m² brushed-back cotton fleece with a lined hood and "
        "a kangaroo pocket. Ribbed cuffs and hem hold their shape. Machine washable at 30 °C."
    )
    return Drawn(
        {"material": "cotton fleece", "fabric_weight_gsm": gsm, "machine_washable": True,
         "features": ["lined hood", "kangaroo pocket"]},
        text,
        {"colour": colours(rng, 2, 3), "size": sizes(rng, APPAREL_SIZES, 5)},
    )  # fmt: skip


def jeans(rng: Random) -> Drawn:
    oz = rng.choice([11, 12.5, 13, 14])
    fit = rng.choice(["slim", "straight", "relaxed", "tapered"])
    stretch = rng.random() < 0.5
    text = (
        f"{fit.title()}-fit jeans in {oz} oz "
        + ("stretch denim (2% elastane). " if stretch else "rigid 100% cotton denim. ")
        + "Five pockets, a button fly and bar-tacked stress points. Wash inside out, cold."
    )
    return Drawn(
        {"material": "denim", "denim_oz": oz, "fit": fit, "stretch": stretch,
         "machine_washable": True},
        text,
        {"wash": rng.sample(["indigo", "black", "light blue", "mid blue"], 2),
         "waist": [str(w) for w in range(28, 40, 2)]},
    )  # fmt: skip


def flannel(rng: Random) -> Drawn:
    gsm = rng.choice([170, 200, 240])
    text = (
        f"A brushed flannel shirt in {gsm} g/m² cotton with a classic check, two chest pockets "
        "and a curved hem. Soft from the first wear and machine washable."
    )
    return Drawn(
        {"material": "cotton flannel", "fabric_weight_gsm": gsm, "machine_washable": True},
        text,
        {"colour": rng.sample(["red check", "green check", "blue check", "grey check"], 2),
         "size": sizes(rng, APPAREL_SIZES, 5)},
    )  # fmt: skip


def sweater(rng: Random) -> Drawn:
    material = rng.choice(["lambswool", "merino wool", "cotton cable-knit", "recycled wool"])
    text = (
        f"A crew-neck sweater knitted from {material}, warm without bulk. "
        "Ribbed collar, cuffs and hem. "
        + ("Hand wash cold and dry flat." if "wool" in material else "Machine washable at 30 °C.")
    )
    return Drawn(
        {"material": material, "machine_washable": "wool" not in material},
        text,
        {"colour": colours(rng, 2, 3), "size": sizes(rng, APPAREL_SIZES, 5)},
    )  # fmt: skip


# --- bags and backpacks ---------------------------------------------------------------------


def daypack(rng: Random) -> Drawn:
    litres = rng.choice([18, 20, 22, 25, 28, 30])
    weight = rng.randrange(450, 950, 10)
    waterproof = rng.random() < 0.3
    pool = ["hip belt", "hydration sleeve", "rain cover", "trekking pole loops",
            "ventilated back panel", "sternum strap with whistle"]  # fmt: skip
    feats = features(rng, pool, 2, 4)
    text = (
        f"A {litres} L hiking daypack weighing {weight} g, with {listing(feats)}. "
        + ("Roll-top and welded seams make it fully waterproof. " if waterproof
           else "The coated fabric is water-resistant, not waterproof. ")
        + "Fits a 2 L water bladder."
    )  # fmt: skip
    return Drawn(
        {"capacity_l": litres, "weight_g": weight, "waterproof": waterproof, "features": feats,
         "material": "recycled polyester"},
        text,
        {"colour": colours(rng, 1, 3)},
    )  # fmt: skip


def travel_pack(rng: Random) -> Drawn:
    litres = rng.choice([35, 40, 45])
    text = (
        f"A {litres} L travel backpack that opens like a suitcase and meets most cabin "
        "baggage limits. Stowable harness, lockable zips and a padded 16-inch laptop "
        "compartment. Water-resistant 600D polyester."
    )
    return Drawn(
        {"capacity_l": litres, "laptop_inches": 16, "waterproof": False,
         "material": "600D polyester", "features": ["lockable zips", "stowable harness"]},
        text,
        {"colour": colours(rng, 1, 3)},
    )  # fmt: skip


def laptop_backpack(rng: Random) -> Drawn:
    inches = rng.choice([13, 14, 15, 16, 17])
    litres = rng.choice([18, 20, 24, 26])
    text = (
        f"A {litres} L commuter backpack with a suspended sleeve for laptops up to {inches} "
        "inches, a luggage pass-through strap and a quick-access top pocket. "
        "Water-resistant recycled nylon; reflective strips for dark evenings."
    )
    return Drawn(
        {"capacity_l": litres, "laptop_inches": inches, "waterproof": False,
         "material": "recycled nylon", "features": ["luggage pass-through", "reflective strips"]},
        text,
        {"colour": colours(rng, 1, 3)},
    )  # fmt: skip


def duffel(rng: Random) -> Drawn:
    text = (
        "A rugged duffel in TPU-laminated polyester that shrugs off rain and dust. "
        "Padded shoulder straps turn it into a backpack; the end pocket holds shoes. "
        "Folds into its own side pocket when empty."
    )
    return Drawn(
        {"material": "TPU-laminated polyester", "waterproof": False, "water_resistant": True,
         "features": ["backpack straps", "shoe pocket", "packs into pocket"]},
        text,
        {"colour": colours(rng, 1, 2), "capacity": rng.sample(["40 L", "60 L", "90 L"], 2)},
        {"60 L": 20.0, "90 L": 40.0},
    )  # fmt: skip


def tote(rng: Random) -> Drawn:
    material = rng.choice(["waxed canvas", "heavy cotton canvas", "recycled PET"])
    text = (
        f"A roomy tote in {material} with leather-reinforced handles, an inner zip pocket and "
        "a magnetic closure. Holds a 15-inch laptop and the day's groceries."
    )
    return Drawn(
        {"material": material, "laptop_inches": 15, "waterproof": False},
        text,
        {"colour": colours(rng, 1, 3)},
    )  # fmt: skip


# --- home and kitchen -----------------------------------------------------------------------


def bottle(rng: Random) -> Drawn:
    cold = rng.choice([24, 36, 48])
    text = (
        f"A double-wall vacuum-insulated stainless steel bottle that keeps drinks cold for "
        f"{cold} hours and hot for {cold // 2}. Leak-proof lid with a carry loop; BPA-free. "
        "Lid is dishwasher safe, the bottle is hand wash only."
    )
    return Drawn(
        {"material": "18/8 stainless steel", "insulated": True, "cold_hours": cold,
         "dishwasher_safe": False, "features": ["leak-proof lid", "BPA-free"]},
        text,
        {"colour": colours(rng, 2, 3), "capacity": ["500 ml", "750 ml", "1000 ml"]},
        {"750 ml": 4.0, "1000 ml": 8.0},
    )  # fmt: skip


def skillet(rng: Random) -> Drawn:
    weight = rng.choice([2.3, 2.7, 3.2, 3.6])
    text = (
        f"A pre-seasoned cast-iron skillet weighing {weight} kg, ready for the stove, oven, "
        "grill or campfire. Works on induction. Hand wash, dry and oil lightly."
    )
    return Drawn(
        {"material": "cast iron", "weight_kg": weight, "induction": True,
         "dishwasher_safe": False},
        text,
        {"diameter": ["20 cm", "26 cm", "30 cm"]},
        {"26 cm": 12.0, "30 cm": 22.0},
    )  # fmt: skip


def french_press(rng: Random) -> Drawn:
    material = rng.choice(["borosilicate glass", "double-wall stainless steel"])
    text = (
        f"A French press in {material} with a four-layer mesh filter that keeps grounds out of "
        "the cup. "
        + ("Keeps coffee hot for an hour. " if "steel" in material else "")
        + "All parts are dishwasher safe."
    )
    return Drawn(
        {"material": material, "dishwasher_safe": True},
        text,
        {"capacity": ["350 ml", "1 L"]},
        {"1 L": 10.0},
    )  # fmt: skip


def knife(rng: Random) -> Drawn:
    blade = rng.choice([16, 18, 20, 21])
    steel = rng.choice(["German X50CrMoV15 steel", "Damascus-clad VG10 steel", "high-carbon steel"])
    text = (
        f"A {blade} cm chef's knife forged from {steel}, hardened for a lasting edge. "
        "The full-tang handle is balanced at the bolster. Hand wash only; never the dishwasher."
    )
    return Drawn(
        {"material": steel, "blade_cm": blade, "dishwasher_safe": False},
        text,
        {"handle": rng.sample(["walnut", "olive wood", "black composite"], 2)},
    )  # fmt: skip


def kettle(rng: Random) -> Drawn:
    litres = rng.choice([1.0, 1.2, 1.5, 1.7])
    watts = rng.choice([1800, 2200, 3000])
    variable = rng.random() < 0.5
    text = (
        f"A {litres} L electric kettle rated at {watts} W, with automatic shut-off. "
        + ("Five temperature presets from 70 °C to 100 °C suit green tea and coffee. "
           if variable else "Boils a full cup in under a minute. ")
        + "Limescale filter and a cordless 360° base."
    )  # fmt: skip
    return Drawn(
        {"capacity_l": litres, "power_w": watts, "variable_temperature": variable,
         "material": "stainless steel"},
        text,
        {"colour": rng.sample(["black", "white", "grey", "red", "green"], 2)},
    )  # fmt: skip


def bowls(rng: Random) -> Drawn:
    count = rng.choice([3, 5, 6])
    material = rng.choice(["stainless steel", "melamine", "borosilicate glass"])
    text = (
        f"A nesting set of {count} mixing bowls in {material}, from 1 L to {count + 1} L. "
        "Non-slip bases and pouring spouts. Dishwasher safe."
    )
    return Drawn(
        {"material": material, "pieces": count, "dishwasher_safe": True},
        text,
        {"colour": rng.sample(["white", "sage", "grey", "blue"], 2)},
    )  # fmt: skip


# --- electronics accessories ----------------------------------------------------------------


def earbuds(rng: Random) -> Drawn:
    hours = rng.choice([5, 6, 8, 10])
    case = hours * rng.choice([3, 4])
    ipx = rng.choice(["IPX4", "IPX5", "IPX7"])
    anc = rng.random() < 0.6
    text = (
        f"True wireless earbuds with {hours} h of playback and {case} h more from the charging "
        f"case. Rated {ipx} against sweat and rain"
        + (", with active noise cancelling. " if anc else ". ")
        + "Bluetooth 5.3 and USB-C charging."
    )
    return Drawn(
        {"battery_hours": hours, "case_hours": case, "water_resistance": ipx,
         "noise_cancelling": anc, "connectivity": "Bluetooth 5.3"},
        text,
        {"colour": rng.sample(["black", "white", "navy", "green"], 2)},
    )  # fmt: skip


def speaker(rng: Random) -> Drawn:
    hours = rng.choice([10, 12, 16, 20, 24])
    watts = rng.choice([5, 10, 20, 30])
    ipx = rng.choice(["IPX5", "IP67"])
    text = (
        f"A portable Bluetooth speaker with {watts} W output and {hours} h of battery. "
        f"{ipx}-rated, so it survives rain"
        + (" and a dunk in the pool." if ipx == "IP67" else ".")
        + " Pair two for stereo."
    )
    return Drawn(
        {"battery_hours": hours, "power_w": watts, "water_resistance": ipx,
         "waterproof": ipx == "IP67"},
        text,
        {"colour": colours(rng, 2, 3)},
    )  # fmt: skip


def power_bank(rng: Random) -> Drawn:
    watts = rng.choice([20, 30, 45, 65])
    text = (
        f"A power bank with {watts} W USB-C Power Delivery, enough to fast-charge a phone "
        + ("or a laptop. " if watts >= 45 else "or a tablet. ")
        + "Two USB-C ports and one USB-A; the display shows remaining charge in percent."
    )
    return Drawn(
        {"output_w": watts, "ports": ["USB-C", "USB-C", "USB-A"]},
        text,
        {"capacity": ["10000 mAh", "20000 mAh"], "colour": rng.sample(["black", "white"], 1)},
        {"20000 mAh": 15.0},
    )  # fmt: skip


def charger(rng: Random) -> Drawn:
    watts = rng.choice([30, 65, 100, 140])
    ports = rng.choice([1, 2, 3])
    text = (
        f"A compact GaN wall charger with {watts} W total output over {ports} USB-C "
        f"port{'s' if ports > 1 else ''}. Folding plug; charges laptops, tablets and phones."
    )
    return Drawn(
        {"output_w": watts, "usb_c_ports": ports, "technology": "GaN"},
        text,
        {"colour": ["white", "black"]},
    )  # fmt: skip


def mouse(rng: Random) -> Drawn:
    dpi = rng.choice([1600, 4000, 8000, 16000])
    months = rng.choice([3, 6, 12, 18])
    text = (
        f"A wireless mouse with quiet clicks and a sensor that tracks at up to {dpi} DPI. "
        "Connects by Bluetooth or the USB receiver and runs about "
        f"{months} months on one AA battery."
    )
    return Drawn(
        {"dpi": dpi, "battery_months": months, "connectivity": "Bluetooth and 2.4 GHz"},
        text,
        {"colour": rng.sample(["black", "grey", "white", "pink"], 2)},
    )  # fmt: skip


# --- sports and fitness ---------------------------------------------------------------------


def yoga_mat(rng: Random) -> Drawn:
    material = rng.choice(["natural rubber", "TPE", "cork and rubber", "PVC-free PU"])
    length = rng.choice([173, 183, 190])
    text = (
        f"A non-slip yoga mat in {material}, {length} × 61 cm. "
        "The textured top grips even in hot classes; wipe clean with a damp cloth. "
        "Comes with a carrying strap."
    )
    return Drawn(
        {"material": material, "length_cm": length, "features": ["carrying strap", "non-slip"]},
        text,
        {"thickness": rng.sample(["3 mm", "4 mm", "6 mm"], 2), "colour": colours(rng, 2, 2)},
    )  # fmt: skip


def dumbbell(rng: Random) -> Drawn:
    top = rng.choice([20, 24, 32])
    text = (
        f"An adjustable dumbbell that replaces a rack: turn the dial to select 2 to {top} kg "
        "in 2 kg steps. Steel plates with a moulded cradle; sold singly."
    )
    return Drawn(
        {"material": "steel", "max_weight_kg": top, "step_kg": 2},
        text,
        {"colour": ["black"]},
    )  # fmt: skip


def bands(rng: Random) -> Drawn:
    count = rng.choice([3, 5])
    text = (
        f"A set of {count} latex-free resistance bands from light to heavy, with a door "
        "anchor, handles and ankle straps. Packs into a mesh bag for travel."
    )
    return Drawn(
        {"material": "TPE", "pieces": count, "latex_free": True},
        text,
        {"colour": ["multicolour"]},
    )  # fmt: skip


def foam_roller(rng: Random) -> Drawn:
    length = rng.choice([33, 45, 60, 90])
    text = (
        f"A {length} cm foam roller with a grid surface for sore calves and a stiff back. "
        "Hollow core; supports up to 150 kg."
    )
    return Drawn(
        {"material": "EVA foam", "length_cm": length, "max_load_kg": 150},
        text,
        {"firmness": rng.sample(["medium", "firm", "extra firm"], 2)},
    )  # fmt: skip


def helmet(rng: Random) -> Drawn:
    vents = rng.randint(12, 24)
    weight = rng.randrange(230, 340, 10)
    text = (
        f"A road and gravel cycling helmet with {vents} vents and a rotational-impact liner. "
        f"It weighs {weight} g in size M; the dial fit adjusts with one hand."
    )
    return Drawn(
        {"vents": vents, "weight_g": weight, "features": ["rotational-impact liner", "dial fit"]},
        text,
        {"colour": colours(rng, 1, 2), "size": ["S", "M", "L"]},
    )  # fmt: skip


# --- beauty and care ------------------------------------------------------------------------


def moisturiser(rng: Random) -> Drawn:
    active = rng.choice(["hyaluronic acid", "niacinamide", "ceramides", "squalane"])
    spf = rng.choice([0, 15, 30])
    text = (
        f"A lightweight daily face moisturiser with {active}, fragrance-free and suited to "
        "sensitive skin. "
        + (f"Includes SPF {spf} for daytime. " if spf else "")
        + "Vegan and not tested on animals."
    )
    return Drawn(
        {"active": active, "spf": spf, "fragrance_free": True, "vegan": True},
        text,
        {"size": ["50 ml", "100 ml"]},
        {"100 ml": 9.0},
    )  # fmt: skip


def shampoo(rng: Random) -> Drawn:
    hair = rng.choice(["dry", "fine", "curly", "oily", "all"])
    text = (
        f"A sulphate-free shampoo for {'all hair types' if hair == 'all' else hair + ' hair'} "
        "with oat protein and a light herbal scent. "
        "Colour-safe; the bottle is made from recycled plastic."
    )
    return Drawn(
        {"hair_type": hair, "sulphate_free": True},
        text,
        {"size": ["250 ml", "500 ml"]},
        {"500 ml": 6.0},
    )  # fmt: skip


def sunscreen(rng: Random) -> Drawn:
    spf = rng.choice([30, 50])
    minutes = rng.choice([40, 80])
    text = (
        f"A mineral sunscreen with SPF {spf} and broad-spectrum UVA/UVB protection. "
        f"Water resistant for {minutes} minutes and reef-friendly (zinc oxide, no oxybenzone)."
    )
    return Drawn(
        {"spf": spf, "water_resistant_minutes": minutes, "mineral": True},
        text,
        {"size": ["50 ml", "150 ml"]},
        {"150 ml": 10.0},
    )  # fmt: skip


def toothbrush(rng: Random) -> Drawn:
    days = rng.choice([14, 21, 30, 40])
    modes = rng.choice([2, 3, 5])
    text = (
        f"A sonic electric toothbrush with {modes} cleaning modes, a two-minute timer and a "
        f"battery that lasts {days} days per charge. Includes two brush heads and a travel case."
    )
    return Drawn(
        {"battery_days": days, "modes": modes, "features": ["two-minute timer", "travel case"]},
        text,
        {"colour": rng.sample(["white", "black", "pink", "blue"], 2)},
    )  # fmt: skip


def lip_balm(rng: Random) -> Drawn:
    count = rng.choice([3, 4])
    text = (
        f"A set of {count} lip balms made with beeswax and shea butter. "
        "Flavours rotate through mint, vanilla and berry; SPF 15 in every stick."
    )
    return Drawn(
        {"pieces": count, "spf": 15, "ingredients": ["beeswax", "shea butter"]},
        text,
        {"flavour": ["mixed"]},
    )  # fmt: skip


# --- kids and toys --------------------------------------------------------------------------


def blocks(rng: Random) -> Drawn:
    pieces = rng.choice([120, 250, 400, 650, 1000])
    age = 4 if pieces < 400 else 8
    text = (
        f"A building set of {pieces} interlocking bricks for ages {age}+, with an illustrated "
        "instruction booklet for three models. Compatible with the common brick standard."
    )
    return Drawn(
        {"pieces": pieces, "min_age": age, "material": "ABS plastic"},
        text,
        {"theme": rng.sample(["castle", "space station", "harbour", "farm", "city"], 2)},
    )  # fmt: skip


def puzzle(rng: Random) -> Drawn:
    pieces = rng.choice([24, 48, 100, 200])
    text = (
        f"A wooden jigsaw puzzle with {pieces} thick, rounded pieces printed with plant-based "
        "inks. Comes in a cotton storage bag."
    )
    return Drawn(
        {"pieces": pieces, "material": "birch plywood", "min_age": 3 if pieces < 100 else 6},
        text,
        {"theme": rng.sample(["forest animals", "world map", "ocean", "dinosaurs"], 2)},
    )  # fmt: skip


def plush(rng: Random) -> Drawn:
    height = rng.choice([20, 30, 40])
    text = (
        f"A {height} cm plush toy in soft recycled polyester with embroidered eyes, safe from "
        "birth. Machine washable at 30 °C in a laundry bag."
    )
    return Drawn(
        {"height_cm": height, "machine_washable": True, "material": "recycled polyester"},
        text,
        {"animal": rng.sample(["bear", "fox", "rabbit", "owl", "whale"], 2)},
    )  # fmt: skip


def kids_boots(rng: Random) -> Drawn:
    text = (
        "Waterproof kids' rain boots in natural rubber with pull-on handles and a reflective "
        "strip. The lined footbed keeps feet warm down to about 5 °C."
    )
    return Drawn(
        {"material": "natural rubber", "waterproof": True, "features": ["pull-on handles"]},
        text,
        {"colour": rng.sample(["yellow", "red", "navy", "green", "pink"], 2),
         "size": KIDS_SIZES},
    )  # fmt: skip


def art_set(rng: Random) -> Drawn:
    pieces = rng.choice([36, 60, 90])
    text = (
        f"An art set of {pieces} pieces: washable markers, crayons, coloured pencils and a "
        "sketch pad, in a wooden case with a handle. Non-toxic and washable from skin and "
        "most fabrics."
    )
    return Drawn(
        {"pieces": pieces, "washable": True, "min_age": 4},
        text,
        {"case": ["natural wood"]},
    )  # fmt: skip


# --- camping gear ---------------------------------------------------------------------------


def tent(rng: Random) -> Drawn:
    people = rng.choice([1, 2, 3, 4])
    weight = 900 + people * rng.randrange(350, 600, 10)
    rating = rng.choice([2000, 3000, 5000])
    text = (
        f"A {people}-person backpacking tent weighing {weight / 1000:.2f} kg packed, with a "
        f"{rating} mm waterproof flysheet and taped seams. Pitches in under five minutes with "
        "colour-coded poles."
    )
    return Drawn(
        {"capacity_people": people, "weight_g": weight, "waterproof": True,
         "waterproof_rating_mm": rating},
        text,
        {"colour": rng.sample(["green", "orange", "grey"], 1)},
    )  # fmt: skip


def sleeping_bag(rng: Random) -> Drawn:
    comfort = rng.choice([-5, 0, 5, 10])
    fill = rng.choice(["duck down", "synthetic insulation"])
    text = (
        f"A mummy sleeping bag with {fill}, comfortable down to {comfort} °C. "
        "Two-way zip and a draught collar; packs into the included compression sack."
    )
    return Drawn(
        {"comfort_c": comfort, "fill": fill, "features": ["compression sack", "draught collar"]},
        text,
        {"length": ["regular", "long"]},
        {"long": 15.0},
    )  # fmt: skip


def headlamp(rng: Random) -> Drawn:
    lumens = rng.choice([200, 350, 450, 600])
    text = (
        f"A rechargeable headlamp with {lumens} lumens, a red night mode and a lock against "
        "switching on in a pack. IPX4 splash-proof; charges by USB-C."
    )
    return Drawn(
        {"lumens": lumens, "water_resistance": "IPX4", "rechargeable": True},
        text,
        {"colour": rng.sample(["black", "orange", "blue"], 2)},
    )  # fmt: skip


def stove(rng: Random) -> Drawn:
    minutes = rng.choice([3, 4])
    weight = rng.randrange(70, 400, 10)
    text = (
        f"A canister camping stove weighing {weight} g that boils 1 L of water in about "
        f"{minutes} minutes. Piezo ignition and a folding pot support."
    )
    return Drawn(
        {"weight_g": weight, "boil_minutes": minutes, "fuel": "gas canister"},
        text,
        {"colour": ["silver"]},
    )  # fmt: skip


def poles(rng: Random) -> Drawn:
    material = rng.choice(["aluminium", "carbon fibre"])
    weight = 480 if material == "aluminium" else 390
    text = (
        f"A pair of folding trekking poles in {material}, {weight} g the pair, adjustable "
        "from 110 to 135 cm. Cork grips and tungsten tips with rubber caps."
    )
    return Drawn(
        {"material": material, "weight_g": weight, "features": ["cork grips", "tungsten tips"]},
        text,
        {"colour": ["black"]},
    )  # fmt: skip


B = {
    "footwear": ("Northpeak", "Stridewell", "Trailmark", "Fernfoot", "Cobblestone & Co"),
    "outdoor-apparel": ("Northpeak", "Cairnline", "Highmoor", "Skyelight"),
    "casual-clothing": ("Plainweave", "Harbor Lane", "Loomhouse", "Everyday Goods"),
    "bags-backpacks": ("Packhaus", "Roamwell", "Carryall Works", "Tidewater"),
    "home-kitchen": ("Hearthstone", "Copperleaf", "Kettleby", "Brightcup"),
    "electronics-accessories": ("Voltwise", "Sonara", "Pixelbay", "Ampere & Oak"),
    "sports-fitness": ("Pulseform", "Ironbark", "Flexline", "Ridgeback"),
    "beauty-care": ("Mossbloom", "Clearleaf", "Saltmarsh", "Aurelle"),
    "kids-toys": ("Tumbletown", "Little Maple", "Brickbright", "Puddlejump"),
    "camping-gear": ("Campfinch", "Northpeak", "Starlodge", "Emberline"),
}

KINDS: list[Kind] = [
    Kind("footwear", "Trail Running Shoe", 9, (89, 169), B["footwear"], trail_shoe),
    Kind("footwear", "Road Running Shoe", 8, (79, 159), B["footwear"], road_shoe),
    Kind("footwear", "Hiking Boot", 8, (119, 229), B["footwear"], hiking_boot),
    Kind("footwear", "Sneaker", 6, (59, 119), B["footwear"], sneaker),
    Kind("footwear", "Sport Sandal", 5, (39, 89), B["footwear"], sandal),
    Kind("outdoor-apparel", "Rain Jacket", 10, (59, 199), B["outdoor-apparel"], rain_jacket),
    Kind("outdoor-apparel", "Down Jacket", 6, (149, 289), B["outdoor-apparel"], down_jacket),
    Kind("outdoor-apparel", "Fleece Jacket", 7, (49, 119), B["outdoor-apparel"], fleece),
    Kind("outdoor-apparel", "Softshell Jacket", 5, (99, 179), B["outdoor-apparel"], softshell),
    Kind(
        "outdoor-apparel", "Hiking Trousers", 7, (59, 119), B["outdoor-apparel"], hiking_trousers
    ),  # fmt: skip
    Kind("casual-clothing", "T-Shirt", 9, (19, 59), B["casual-clothing"], tshirt),
    Kind("casual-clothing", "Hoodie", 7, (49, 99), B["casual-clothing"], hoodie),
    Kind("casual-clothing", "Jeans", 6, (59, 129), B["casual-clothing"], jeans),
    Kind("casual-clothing", "Flannel Shirt", 5, (39, 79), B["casual-clothing"], flannel),
    Kind("casual-clothing", "Sweater", 5, (59, 139), B["casual-clothing"], sweater),
    Kind("bags-backpacks", "Daypack", 8, (49, 149), B["bags-backpacks"], daypack),
    Kind("bags-backpacks", "Travel Backpack", 6, (119, 229), B["bags-backpacks"], travel_pack),
    Kind(
        "bags-backpacks", "Laptop Backpack", 7, (59, 149), B["bags-backpacks"], laptop_backpack
    ),  # fmt: skip
    Kind("bags-backpacks", "Duffel Bag", 6, (69, 139), B["bags-backpacks"], duffel),
    Kind("bags-backpacks", "Tote Bag", 5, (29, 89), B["bags-backpacks"], tote),
    Kind("home-kitchen", "Insulated Bottle", 8, (19, 45), B["home-kitchen"], bottle),
    Kind("home-kitchen", "Cast-Iron Skillet", 5, (29, 69), B["home-kitchen"], skillet),
    Kind("home-kitchen", "French Press", 5, (25, 59), B["home-kitchen"], french_press),
    Kind("home-kitchen", "Chef's Knife", 5, (39, 189), B["home-kitchen"], knife),
    Kind("home-kitchen", "Electric Kettle", 6, (29, 99), B["home-kitchen"], kettle),
    Kind("home-kitchen", "Mixing Bowl Set", 5, (24, 69), B["home-kitchen"], bowls),
    Kind(
        "electronics-accessories",
        "Wireless Earbuds",
        7,
        (39, 199),
        B["electronics-accessories"],
        earbuds,
    ),  # fmt: skip
    Kind(
        "electronics-accessories",
        "Bluetooth Speaker",
        7,
        (29, 179),
        B["electronics-accessories"],
        speaker,
    ),  # fmt: skip
    Kind(
        "electronics-accessories",
        "Power Bank",
        7,
        (25, 79),
        B["electronics-accessories"],
        power_bank,
    ),  # fmt: skip
    Kind(
        "electronics-accessories",
        "USB-C Charger",
        6,
        (19, 89),
        B["electronics-accessories"],
        charger,
    ),  # fmt: skip
    Kind(
        "electronics-accessories",
        "Wireless Mouse",
        7,
        (19, 89),
        B["electronics-accessories"],
        mouse,
    ),  # fmt: skip
    Kind("sports-fitness", "Yoga Mat", 8, (25, 99), B["sports-fitness"], yoga_mat),
    Kind("sports-fitness", "Adjustable Dumbbell", 5, (129, 349), B["sports-fitness"], dumbbell),
    Kind("sports-fitness", "Resistance Band Set", 6, (15, 45), B["sports-fitness"], bands),
    Kind("sports-fitness", "Foam Roller", 6, (15, 49), B["sports-fitness"], foam_roller),
    Kind("sports-fitness", "Cycling Helmet", 7, (49, 179), B["sports-fitness"], helmet),
    Kind("beauty-care", "Face Moisturiser", 7, (14, 48), B["beauty-care"], moisturiser),
    Kind("beauty-care", "Shampoo", 7, (9, 29), B["beauty-care"], shampoo),
    Kind("beauty-care", "Mineral Sunscreen", 6, (12, 34), B["beauty-care"], sunscreen),
    Kind("beauty-care", "Electric Toothbrush", 6, (39, 149), B["beauty-care"], toothbrush),
    Kind("beauty-care", "Lip Balm Set", 6, (8, 19), B["beauty-care"], lip_balm),
    Kind("kids-toys", "Building Set", 8, (19, 129), B["kids-toys"], blocks),
    Kind("kids-toys", "Wooden Puzzle", 6, (14, 39), B["kids-toys"], puzzle),
    Kind("kids-toys", "Plush Toy", 6, (12, 39), B["kids-toys"], plush),
    Kind("kids-toys", "Kids' Rain Boots", 6, (24, 49), B["kids-toys"], kids_boots),
    Kind("kids-toys", "Art Set", 6, (19, 59), B["kids-toys"], art_set),
    Kind("camping-gear", "Backpacking Tent", 7, (149, 499), B["camping-gear"], tent),
    Kind("camping-gear", "Sleeping Bag", 7, (89, 329), B["camping-gear"], sleeping_bag),
    Kind("camping-gear", "Headlamp", 7, (19, 79), B["camping-gear"], headlamp),
    Kind("camping-gear", "Camp Stove", 5, (29, 99), B["camping-gear"], stove),
    Kind("camping-gear", "Trekking Poles", 6, (49, 169), B["camping-gear"], poles),
]

MODEL_NAMES = [
    "Ridgeline", "Cascade", "Alder", "Summit", "Tamarack", "Juniper", "Granite", "Bramble",
    "Kestrel", "Harbor", "Meadow", "Quarry", "Solstice", "Drift", "Ember", "Fjord", "Larch",
    "Orbit", "Pioneer", "Sable", "Tundra", "Vista", "Willow", "Zephyr", "Basalt", "Cirrus",
    "Dune", "Flint", "Glacier", "Heath", "Lumen", "Mesa", "Nova", "Onyx", "Pike", "Quill",
    "Rook", "Sierra", "Tor", "Umber", "Vale", "Wren", "Yarrow", "Aspen", "Birch", "Canyon",
    "Delta", "Echo", "Falcon", "Grove",
]  # fmt: skip

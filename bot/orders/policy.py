"""The shop's order policy as data, and its customer-facing passages.

The rules the order services enforce (which statuses allow what, cancellation reasons, refund
timing, gift-card rules, ...) live in ``data/shop/policy.yml`` so another shop can run the bot
under its own rules by pointing ``SHOPBOT_POLICY_FILE`` at another file. The wording shoppers
read lives in ``data/shop/policy.md``: one ``## Title`` section per passage, tagged with a
``<!-- topic: ... -->`` line, which the retrieval importer stores in ``policy_passages``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.texts import t

if TYPE_CHECKING:
    from bot.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POLICY_FILE = PROJECT_ROOT / "data" / "shop" / "policy.yml"
DEFAULT_PASSAGES_FILE = PROJECT_ROOT / "data" / "shop" / "policy.md"
# The same passages in Chinese: same sections, topics and numbers (tests/orders/test_policy.py).
PASSAGES_FILES = {
    "en": DEFAULT_PASSAGES_FILE,
    "zh": PROJECT_ROOT / "data" / "shop" / "policy.zh.md",
}


class _Strict(BaseModel):
    # A typo in policy.yml must fail loudly instead of silently keeping a default rule.
    model_config = ConfigDict(extra="forbid", frozen=True)


class IdentificationRules(_Strict):
    mode: Literal["standard", "strict"] = "standard"
    one_shopper_per_conversation: bool = True


class StatusRules(_Strict):
    cancel: tuple[str, ...] = ("pending",)
    modify: tuple[str, ...] = ("pending",)
    # "return" is a keyword, hence the alias.
    return_: tuple[str, ...] = Field(default=("delivered",), alias="return")
    exchange: tuple[str, ...] = ("delivered",)


class CancellationRules(_Strict):
    reasons: tuple[str, ...] = ("no longer needed", "ordered by mistake")
    fee: Decimal = Decimal("0.00")

    @field_validator("reasons")
    @classmethod
    def _lower(cls, reasons: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(r.strip().lower() for r in reasons)


class ModificationRules(_Strict):
    items_once: bool = True


class VariantChangeRules(_Strict):
    same_product_only: bool = True
    require_available: bool = True


class RefundRules(_Strict):
    gift_card_days: int = 0
    # The money of a return or an exchange moves once the items are back with the shop (a
    # gift card's balance changes then, not at the request); cancellations and changes of a
    # pending order settle at once.
    returns_settle_on_receipt: bool = True
    other_min_business_days: int = 5
    other_max_business_days: int = 7
    return_destinations: tuple[Literal["original_method", "gift_card"], ...] = (
        "original_method",
        "gift_card",
    )


class GiftCardRules(_Strict):
    must_cover_full_amount: bool = True
    refund_restores_balance: bool = True


class ReturnRules(_Strict):
    window_days: int = 30
    enforce_window: bool = False


class ExchangeRules(_Strict):
    window_days: int = 30
    enforce_window: bool = False


class DeliveryOption(_Strict):
    id: str
    name: str
    price: Decimal
    min_business_days: int
    max_business_days: int

    @model_validator(mode="after")
    def _range(self) -> DeliveryOption:
        if self.min_business_days > self.max_business_days:
            raise ValueError(f"delivery option {self.id}: min_business_days > max_business_days")
        return self


class PaymentRules(_Strict):
    accepted: tuple[str, ...] = ("credit_card", "gift_card", "paypal")
    card_brands: tuple[str, ...] = ("visa", "mastercard", "amex", "discover")


class AddressRules(_Strict):
    countries: tuple[str, ...] = ("USA",)
    zip_pattern: str = r"^\d{5}(-\d{4})?$"

    @field_validator("zip_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"zip_pattern is not a valid regular expression: {exc}") from exc
        return pattern


class ContactInfo(_Strict):
    email: str = "help@shopbot.example"
    hours: str = ""


class ShopPolicy(_Strict):
    """Every rule and number the order services and policy answers rely on."""

    identification: IdentificationRules = IdentificationRules()
    statuses: StatusRules = StatusRules()
    cancellation: CancellationRules = CancellationRules()
    modification: ModificationRules = ModificationRules()
    variant_change: VariantChangeRules = VariantChangeRules()
    refunds: RefundRules = RefundRules()
    gift_cards: GiftCardRules = GiftCardRules()
    returns: ReturnRules = ReturnRules()
    exchanges: ExchangeRules = ExchangeRules()
    delivery_options: tuple[DeliveryOption, ...] = ()
    free_standard_delivery_from: Decimal | None = None
    processing_business_days: int = 1
    payment_methods: PaymentRules = PaymentRules()
    address: AddressRules = AddressRules()
    contact: ContactInfo = ContactInfo()

    # -- helpers the services and answers share -------------------------------------------

    def refund_is_immediate(self, payment_kind: str) -> bool:
        """A refund to a method of this kind is there at once (gift cards, by default)."""
        return payment_kind == "gift_card" and self.refunds.gift_card_days == 0

    def refund_timing(self, payment_kind: str) -> str:
        """When a refund to a method of this kind reaches the shopper, in the shopper's words."""
        if self.refund_is_immediate(payment_kind):
            return t("money.timing.immediately")
        if payment_kind == "gift_card":
            return t("money.timing.within_days", days=self.refunds.gift_card_days)
        lo, hi = self.refunds.other_min_business_days, self.refunds.other_max_business_days
        if lo != hi:
            return t("money.timing.business_days_range", low=lo, high=hi)
        return t("money.timing.business_days", days=lo)

    def allows(
        self, action: Literal["cancel", "modify", "return", "exchange"], status: str
    ) -> bool:
        allowed = {
            "cancel": self.statuses.cancel,
            "modify": self.statuses.modify,
            "return": self.statuses.return_,
            "exchange": self.statuses.exchange,
        }[action]
        return status in allowed

    def numbers_for_topic(self, topic: str) -> set[Decimal] | None:
        """Numbers (days, dollars) a passage of this topic may quote; None = no config values.

        Used by the consistency test of policy.md and by answer checkers: a policy answer that
        quotes a number outside this set contradicts the configuration.
        """
        refund_days = {
            Decimal(self.refunds.gift_card_days),
            Decimal(self.refunds.other_min_business_days),
            Decimal(self.refunds.other_max_business_days),
        }
        delivery: set[Decimal] = {Decimal(self.processing_business_days)}
        for option in self.delivery_options:
            delivery |= {
                option.price,
                Decimal(option.min_business_days),
                Decimal(option.max_business_days),
            }
        if self.free_standard_delivery_from is not None:
            delivery.add(self.free_standard_delivery_from)
        table: dict[str, set[Decimal]] = {
            "refunds": refund_days | {Decimal(self.returns.window_days)},
            "returns": refund_days | {Decimal(self.returns.window_days)},
            "exchanges": refund_days | {Decimal(self.exchanges.window_days)},
            "cancellation": refund_days | {self.cancellation.fee},
            "cancellation_fee": refund_days | {self.cancellation.fee},
            "order_changes": refund_days,
            "delivery_options": delivery,
            "delivery_period": delivery,
        }
        found = table.get(topic)
        return {canonical_number(n) for n in found} if found is not None else None


def canonical_number(value: Decimal) -> Decimal:
    """One spelling per number so 30, 30.0 and 30.00 compare (and print) alike."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


_loaded: dict[Path, tuple[tuple[int, int], ShopPolicy]] = {}


def load_policy(path: str | Path | None = None) -> ShopPolicy:
    """Read a policy file (YAML); a missing or malformed file is a start-up error, said clearly.

    Every action call asks for the policy, and parsing the YAML cost ~40% of the action
    server's time under load (py-spy, docs/performance.md); the parsed (frozen) policy is
    reused until the file's modification time or size changes, so an edited policy still
    applies from the next message on.
    """
    file = Path(path) if path is not None else DEFAULT_POLICY_FILE
    try:
        stat = file.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = _loaded.get(file)
        if known is not None and known[0] == stamp:
            return known[1]
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ValueError(f"policy file not found: {file}") from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"policy file {file} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"policy file {file} must hold a mapping at the top level")
    try:
        policy = ShopPolicy.model_validate(raw)
    except ValueError as exc:
        raise ValueError(f"policy file {file} is invalid: {exc}") from exc
    _loaded[file] = (stamp, policy)
    return policy


def get_policy(settings: Settings) -> ShopPolicy:
    """The policy for these settings: ``SHOPBOT_POLICY_FILE`` or the shop's default file.

    ``SHOPBOT_IDENTIFICATION``, when set explicitly, overrides the file's identification mode
    so an operator can tighten identification without editing the policy.
    """
    return with_overrides(load_policy(settings.policy_file), settings)


def with_overrides(policy: ShopPolicy, settings: Settings) -> ShopPolicy:
    """The policy as it applies: the file's rules, with ``SHOPBOT_IDENTIFICATION`` if set.

    The one source of the identification mode: the order service and the dialogue both read
    ``policy.identification.mode`` of this object (they used to read the file and the setting
    separately, so ``mode: strict`` only in the file let nobody be identified).
    """
    if "identification" not in settings.model_fields_set:
        return policy
    if policy.identification.mode == settings.identification:
        return policy
    rules = policy.identification.model_copy(update={"mode": settings.identification})
    return policy.model_copy(update={"identification": rules})


# -- customer-facing passages ---------------------------------------------------------------


@dataclass(frozen=True)
class PolicyPassageIn:
    """One passage of policy.md, ready to be stored in ``policy_passages``."""

    id: str
    topic: str
    title: str
    body: str
    language: str = "en"


_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*$")
_TOPIC = re.compile(r"^<!--\s*topic:\s*(?P<topic>[a-z0-9_]+)\s*-->\s*$")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def load_all_policy_passages() -> list[PolicyPassageIn]:
    """The passages of every language the shop writes its policy in (policy.md, policy.zh.md)."""
    return [p for lang in PASSAGES_FILES for p in load_policy_passages(language=lang)]


def load_policy_passages(
    path: str | Path | None = None, language: str = "en"
) -> list[PolicyPassageIn]:
    """Split policy.md into passages; every ``## Title`` must be followed by a topic line.

    A Chinese title makes no slug, so passages of another language than English are named
    ``<language>-<topic>`` (each topic occurs once per file).
    """
    file = Path(path) if path is not None else PASSAGES_FILES[language]
    lines = file.read_text(encoding="utf-8").splitlines()
    passages: list[PolicyPassageIn] = []
    title: str | None = None
    topic: str | None = None
    body: list[str] = []
    heading_line = 0

    def flush() -> None:
        if title is None:
            return
        if topic is None:
            raise ValueError(f"{file}:{heading_line}: section '{title}' has no topic line")
        text = "\n".join(body).strip()
        if not text:
            raise ValueError(f"{file}:{heading_line}: section '{title}' is empty")
        passage_id = slugify(title) if language == "en" else f"{language}-{topic}"
        passages.append(PolicyPassageIn(passage_id, topic, title, text, language))

    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line)
        if heading:
            flush()
            title, topic, body, heading_line = heading.group("title"), None, [], number
            continue
        if title is None:
            continue  # preamble before the first passage
        tag = _TOPIC.match(line.strip())
        if tag and topic is None and not "".join(body).strip():
            topic = tag.group("topic")
            continue
        body.append(line)
    flush()
    ids = [p.id for p in passages]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"{file}: duplicate passage titles {sorted(duplicates)}")
    return passages

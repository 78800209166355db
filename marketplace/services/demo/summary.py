"""`DemoSummary`: what one `demo_seed` run did, with a count per kind of row."""

from dataclasses import dataclass, fields


@dataclass
class DemoSummary:
    """What `demo_seed` did: `created` is False (and every count 0) when it skipped."""

    created: bool = False
    message: str = ""
    storefronts: int = 0
    shipping_methods: int = 0
    categories: int = 0
    companies: int = 0
    seller_users: int = 0
    buyers: int = 0
    unconfirmed_buyers: int = 0
    buyer_and_seller_users: int = 0
    products: int = 0
    orders: int = 0
    order_lines: int = 0
    status_changes: int = 0
    carts: int = 0
    cart_lines: int = 0
    product_views: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type in (int, "int")}

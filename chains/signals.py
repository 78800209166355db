"""Model-signal receivers: business changes made by the marketplace services feed the chains,
the milestones and the warehouse flow, whichever code path makes them (dashboard, admin,
signed-link page, storefront).

`post_save` runs inside the service's transaction, so everything here is written (and every
message emitted) atomically with the change: a rolled-back change leaves nothing behind. The
marketplace app stays unaware of chains (it must not import them). Bulk inserts send no
signal (factories and fixtures that want the effects go through the services).

- a company is created (`seller_register`)          -> trigger `seller.registered`
- a product is created (`product_create`)            -> exit check, trigger `seller.product_added`
- `order_place` marks the cart ordered (its orders and lines exist by then)
                                                     -> stock-check request per order
- an order moves PLACED -> CONFIRMED with answered lines (`order_stock_check_answer`)
                                                     -> `order.stock_confirmed` to the buyer
- an order is delivered (`order_set_status`)         -> milestones, exit check (first sale)
- the assembly is confirmed (`order_assembly_confirm`) -> `order.labels_ready` with the PDF link
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from marketplace.models import Cart, Company, OrderStatus, OrderStatusChange, Product
from marketplace.services.stock_check import ASSEMBLY_NOTE

from . import registry, services


@receiver(post_save, sender=Company, dispatch_uid="chains.company_saved")
def company_saved(sender, instance: Company, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        services.chains_trigger(trigger=registry.SELLER_REGISTERED.code, company_id=instance.pk)


@receiver(post_save, sender=Product, dispatch_uid="chains.product_saved")
def product_saved(sender, instance: Product, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        services.recipient_exits_apply(company_id=instance.company_id)
        services.chains_trigger(trigger=registry.SELLER_PRODUCT_ADDED.code,
                                company_id=instance.company_id)


@receiver(post_save, sender=Cart, dispatch_uid="chains.cart_saved")
def cart_saved(sender, instance: Cart, created: bool, raw: bool = False, update_fields=None,
               **kwargs) -> None:
    if created or raw or instance.ordered_at is None or "ordered_at" not in (update_fields or ()):
        return
    services.stock_checks_for_placement(buyer_id=instance.buyer_id,
                                        storefront_id=instance.storefront_id,
                                        ordered_at=instance.ordered_at)


@receiver(post_save, sender=OrderStatusChange, dispatch_uid="chains.order_status_changed")
def order_status_changed(sender, instance: OrderStatusChange, created: bool, raw: bool = False,
                         **kwargs) -> None:
    if not created or raw:
        return
    order = instance.order
    delivered = OrderStatus.DELIVERED
    if instance.to_status == delivered and instance.from_status != delivered:
        services.milestones_record(order=order)
        services.recipient_exits_apply(company_id=order.company_id)
    elif instance.from_status == OrderStatus.PLACED and instance.to_status == OrderStatus.CONFIRMED:
        services.stock_confirmed_announce(order_id=order.pk)
    elif instance.note == ASSEMBLY_NOTE:
        services.labels_ready_announce(order_id=order.pk, company_id=order.company_id)

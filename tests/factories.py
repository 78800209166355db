"""factory-boy factories for the marketplace domain, shared by every test package."""

from decimal import Decimal

import factory
from django.utils import timezone

from marketplace import models


class StorefrontFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Storefront

    name = factory.Sequence(lambda n: f"Storefront {n}")
    domain = factory.Sequence(lambda n: f"shop{n}.example.ru")
    company_name = factory.Sequence(lambda n: f"Shop {n} LLC")
    company_email = factory.Sequence(lambda n: f"hello@shop{n}.example.ru")
    admin_email = factory.Sequence(lambda n: f"admin@shop{n}.example.ru")
    time_zone = "Europe/Moscow"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Ivan"
    last_name = "Petrov"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BuyerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BuyerProfile

    user = factory.SubFactory(UserFactory)
    storefront = factory.SubFactory(StorefrontFactory)
    email_confirmed_at = factory.LazyFunction(timezone.now)
    city = "Moscow"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Company

    storefront = factory.SubFactory(StorefrontFactory)
    name = factory.Sequence(lambda n: f"Seller {n}")
    email = factory.Sequence(lambda n: f"seller{n}@vendor.example.ru")
    warehouse_email = factory.Sequence(lambda n: f"warehouse{n}@vendor.example.ru")
    status = models.CompanyStatus.ACTIVE


class SellerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SellerProfile

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    is_owner = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    company = factory.SubFactory(CompanyFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    price = Decimal("100.00")
    stock = 10


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ShippingMethod
        django_get_or_create = ("code",)

    code = "courier"
    name = "Courier"
    price = Decimal("300.00")


class OrderFactory(factory.django.DjangoModelFactory):
    """An order row without lines; tests that need real totals go through `order_place`."""

    class Meta:
        model = models.Order

    company = factory.SubFactory(CompanyFactory)
    storefront = factory.SelfAttribute("company.storefront")
    buyer = factory.SubFactory(UserFactory)
    shipping_method = factory.SubFactory(ShippingMethodFactory)
    subtotal = Decimal("100.00")
    shipping_cost = Decimal("300.00")
    total = Decimal("400.00")


class CartFactory(factory.django.DjangoModelFactory):
    """An open cart of a new user on a new storefront."""

    class Meta:
        model = models.Cart

    buyer = factory.SubFactory(UserFactory)
    storefront = factory.SubFactory(StorefrontFactory)


class CartLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CartLine

    cart = factory.SubFactory(CartFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1


class OrderLineFactory(factory.django.DjangoModelFactory):
    """A line copying its product's name and price; totals of the order are not updated."""

    class Meta:
        model = models.OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory, company=factory.SelfAttribute("..order.company"))
    product_name = factory.SelfAttribute("product.name")
    unit_price = factory.SelfAttribute("product.price")
    quantity = 1

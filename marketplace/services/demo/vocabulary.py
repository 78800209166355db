"""The demo world's fixed data: its clock, names, cities, catalogue tree and weighted choices."""

from datetime import UTC, datetime
from itertools import accumulate
from zoneinfo import ZoneInfo

from marketplace.models import CompanyStatus, Gender, OrderStatus

#: "Now" for the demo world: every demo timestamp lies before it.
BASE_TIME = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Moscow"))
_BASE = BASE_TIME.astimezone(UTC)  # the same moment; UTC is cheaper to store
#: Every demo user (buyers and seller staff) logs in with this password.
DEMO_PASSWORD = "demo-password-123"

# fmt: off
# (name, domain, operator company): corporate addresses on a reserved TLD, never free mail.
STOREFRONTS = (
    ("Большой базар", "bazar.marketplace.example", "ООО «Большой базар»"),
    ("ТехноДом", "techno.marketplace.example", "ООО «ТехноДом»"),
    ("Модный квартал", "moda.marketplace.example", "ООО «Модный квартал»"),
)
DEMO_DOMAINS = tuple(domain for _name, domain, _company in STOREFRONTS)
SHIPPING = (("courier", "Курьер", "350.00"), ("pickup", "Пункт выдачи", "99.00"),
            ("post", "Почта России", "250.00"))
# root: (slug, name, (min, max) price), children: (slug, name, product nouns)
CATEGORY_TREE = (
    (("electronics", "Электроника", (990, 149_990)), (
        ("smartphones", "Смартфоны", ("Смартфон", "Защитное стекло")),
        ("laptops", "Ноутбуки", ("Ноутбук", "Сумка для ноутбука")),
        ("headphones", "Наушники", ("Наушники", "Гарнитура")),
        ("smartwatches", "Умные часы", ("Умные часы", "Фитнес-браслет")))),
    (("clothing", "Одежда и обувь", (490, 19_990)), (
        ("women", "Женская одежда", ("Платье", "Блузка")),
        ("men", "Мужская одежда", ("Рубашка", "Джинсы")),
        ("kids", "Детская одежда", ("Комбинезон", "Футболка детская")),
        ("shoes", "Обувь", ("Кроссовки", "Ботинки")))),
    (("home", "Дом и сад", (190, 59_990)), (
        ("furniture", "Мебель", ("Стул", "Стеллаж")),
        ("kitchen", "Посуда", ("Сковорода", "Набор кастрюль")),
        ("textile", "Текстиль", ("Плед", "Комплект постельного белья")),
        ("tools", "Инструменты", ("Дрель", "Набор отвёрток")))),
    (("beauty", "Красота и здоровье", (150, 9_990)), (
        ("skincare", "Уход за кожей", ("Крем для лица", "Сыворотка")),
        ("perfume", "Парфюмерия", ("Туалетная вода", "Парфюм")),
        ("vitamins", "Витамины", ("Витамин D3", "Омега-3")),
        ("makeup", "Макияж", ("Тушь для ресниц", "Помада")))),
    (("sport", "Спорт и отдых", (290, 89_990)), (
        ("fitness", "Фитнес", ("Гантели", "Коврик для йоги")),
        ("bicycles", "Велосипеды", ("Велосипед", "Велошлем")),
        ("camping", "Туризм", ("Палатка", "Рюкзак")),
        ("winter", "Зимний спорт", ("Лыжи", "Сноуборд")))),
)
BRANDS = ("Vektra", "Nord", "Altai", "Volna", "Sever", "Orion", "Taiga", "Polus", "Baikal", "Zenit")
FIRST_NAMES = {  # (Cyrillic, Latin)
    Gender.MALE: (("Иван", "ivan"), ("Алексей", "aleksei"), ("Дмитрий", "dmitry"),
                  ("Сергей", "sergei"), ("Андрей", "andrei"), ("Михаил", "mikhail"),
                  ("Никита", "nikita"), ("Артём", "artem"), ("Павел", "pavel")),
    Gender.FEMALE: (("Анна", "anna"), ("Мария", "maria"), ("Елена", "elena"),
                    ("Ольга", "olga"), ("Наталья", "natalia"), ("Татьяна", "tatiana"),
                    ("Екатерина", "ekaterina"), ("Дарья", "daria"), ("Ирина", "irina")),
}
LAST_NAMES = (("Иванов", "ivanov"), ("Смирнов", "smirnov"), ("Кузнецов", "kuznetsov"),
              ("Попов", "popov"), ("Соколов", "sokolov"), ("Лебедев", "lebedev"),
              ("Морозов", "morozov"), ("Волков", "volkov"), ("Фёдоров", "fedorov"),
              ("Орлов", "orlov"), ("Никитин", "nikitin"), ("Захаров", "zakharov"))
CITIES = ("Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань",
          "Нижний Новгород", "Самара", "Ростов-на-Дону", "Краснодар", "Воронеж", "Пермь", "Уфа")
STREETS = ("ул. Ленина", "ул. Мира", "ул. Садовая", "ул. Лесная", "пр. Победы",
           "ул. Центральная", "ул. Молодёжная", "Набережная ул.")
COMPANY_WORDS = (("Альфа", "alfa"), ("Вектор", "vektor"), ("Гранит", "granit"),
                 ("Дельта", "delta"), ("Европа", "evropa"), ("Заря", "zarya"),
                 ("Импульс", "impuls"), ("Кедр", "kedr"), ("Лидер", "lider"),
                 ("Меридиан", "meridian"), ("Новатор", "novator"), ("Ока", "oka"))
COMPANY_KINDS = (("Трейд", "trade"), ("Маркет", "market"), ("Снаб", "snab"),
                 ("Опт", "opt"), ("Торг", "torg"), ("Поставка", "postavka"))
BUYER_DOMAINS = ("example.com", "example.org", "example.net")
# fmt: on


class _Weights:
    """Items with relative weights, drawn like `random.choices` without rebuilding lists."""

    def __init__(self, weights: dict) -> None:
        self.items = tuple(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]


_COMPANY_STATUSES = _Weights(
    {
        CompanyStatus.ACTIVE: 70,
        CompanyStatus.PENDING: 10,
        CompanyStatus.NEW: 10,
        CompanyStatus.DISABLED: 10,
    }
)
# Order statuses as plain strings: the order loop runs millions of times at scale 50, and
# reading an enum member costs a descriptor call each time.
_PLACED = OrderStatus.PLACED.value
_CONFIRMED = OrderStatus.CONFIRMED.value
_HANDED_TO_CARRIER = OrderStatus.HANDED_TO_CARRIER.value
_ARRIVED_IN_CITY = OrderStatus.ARRIVED_IN_CITY.value
_AT_PICKUP_POINT = OrderStatus.AT_PICKUP_POINT.value
_DELIVERED = OrderStatus.DELIVERED.value
_CANCELLED = OrderStatus.CANCELLED.value
_ALL_ORDER_STATUSES = tuple(OrderStatus.values)
_FORWARD = (_PLACED, _CONFIRMED, _HANDED_TO_CARRIER, _ARRIVED_IN_CITY)
_RECENT_ORDER_STATUSES = _Weights(
    {
        _PLACED: 15,
        _CONFIRMED: 15,
        _HANDED_TO_CARRIER: 15,
        _ARRIVED_IN_CITY: 10,
        _AT_PICKUP_POINT: 10,
        _DELIVERED: 25,
        _CANCELLED: 10,
    }
)
_OLD_ORDER_STATUSES = _Weights({_DELIVERED: 85, _CANCELLED: 15})
_STOREFRONT_SHARES = _Weights({0: 50, 1: 30, 2: 20})
_SHIPPING_SHARES = _Weights({"courier": 45, "pickup": 35, "post": 20})
_LINES_PER_ORDER = _Weights({1: 50, 2: 30, 3: 20})
_ORDERED_QUANTITY = _Weights({1: 75, 2: 18, 3: 7})
_CART_QUANTITY = _Weights({1: 80, 2: 15, 3: 5})
_CANCEL_NOTES = ("Покупатель передумал", "Нет в наличии", "Не удалось связаться с покупателем")

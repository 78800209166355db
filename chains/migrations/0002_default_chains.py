"""Default seller chains with their steps, the sales-milestone thresholds, the milestones
existing sellers already passed (so nobody is congratulated on old sales), and the beat entry
running `chains.tasks.chains_advance` every minute (editable in the admin)."""

from django.db import migrations
from django.db.models import Count, Q
from django.utils import timezone

CHAINS = [
    {
        "code": "seller-onboarding", "name": "Seller onboarding", "trigger": "seller.registered",
        "exit_condition": "seller_has_products",
        # (letter event, variant, days after the previous step): days 1, 3 and 6.
        "steps": [("seller.onboarding", "profile", 1), ("seller.onboarding", "warehouse", 2),
                  ("seller.onboarding", "products", 3)],
    },
    {
        "code": "seller-training", "name": "Seller training (first sale)",
        "trigger": "seller.product_added", "exit_condition": "seller_has_sales",
        # Days 2, 5 and 9 after the first product.
        "steps": [("seller.training", "photos", 2), ("seller.training", "descriptions", 3),
                  ("seller.training", "prices", 4)],
    },
]
THRESHOLDS = (1, 100, 500, 1000)
TASK_NAME = "chains-advance"


def forward(apps, schema_editor):
    Chain = apps.get_model("chains", "Chain")
    ChainStep = apps.get_model("chains", "ChainStep")
    for spec in CHAINS:
        chain, created = Chain.objects.get_or_create(code=spec["code"], defaults={
            "name": spec["name"], "audience": "seller", "trigger": spec["trigger"],
            "exit_condition": spec["exit_condition"], "mode": "local",
        })
        if created:
            ChainStep.objects.bulk_create([
                ChainStep(chain=chain, position=position, delay_days=days, event=event,
                          variant=variant)
                for position, (event, variant, days) in enumerate(spec["steps"], start=1)
            ])
    _thresholds(apps)
    _beat(apps)


def _thresholds(apps):
    Threshold = apps.get_model("chains", "MilestoneThreshold")
    SellerMilestone = apps.get_model("chains", "SellerMilestone")
    Company = apps.get_model("marketplace", "Company")
    for sales in THRESHOLDS:
        Threshold.objects.get_or_create(sales=sales)
    now = timezone.now()
    sellers = Company.objects.annotate(
        sales=Count("orders", filter=Q(orders__status="delivered"))).filter(sales__gt=0)
    rows = [SellerMilestone(company_id=pk, milestone=threshold, reached_at=now)
            for pk, sales in sellers.values_list("pk", "sales")
            for threshold in THRESHOLDS if threshold <= sales]
    SellerMilestone.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def _beat(apps):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _created = Interval.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(name=TASK_NAME, defaults={
        "task": "chains.tasks.chains_advance", "interval": every_minute,
        "description": "Send due chain letters, hand over and stop Sendsay-run chains.",
    })


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()
    apps.get_model("chains", "Chain").objects.filter(
        code__in=[spec["code"] for spec in CHAINS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("chains", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]

"""The journey detectors' schedules as django-celery-beat rows, so admins can change them
(Periodic tasks in the admin). Rows that already exist (an admin renamed nothing, or the
migration ran before) are left as they are."""

import json

from django.db import migrations

TASK = "journeys.tasks.run_detector"
ZONE = "Europe/Moscow"

#: (detector, task name, description, schedule): ("every", minutes) or ("cron", minute, hour).
#: Marketing selections run hourly in the daytime only; a run sends at most
#: JourneySettings.max_per_run messages, so a backlog (the day the module goes live) drains
#: over several runs instead of one long one.
SCHEDULES = (
    ("confirmation_reminder", "Journeys: e-mail confirmation reminders",
     "Unconfirmed buyers: up to K reminders, N days apart.", ("cron", "5", "*")),
    ("first_purchase", "Journeys: popular products before the first purchase",
     "Confirmed, no address or phone, no order after N days.", ("cron", "0", "10-20")),
    ("browse", "Journeys: viewed products, nothing in the cart",
     "Viewed products, nothing added to the cart for N hours.", ("cron", "20", "*")),
    ("abandoned_cart", "Journeys: abandoned carts",
     "Carts unchanged for N hours without an order.", ("every", 15)),
    ("inactive", "Journeys: inactive buyers",
     "Ordered before, no visit for N days.", ("cron", "30", "10-20")),
    ("birthday", "Journeys: birthday greetings",
     "Birthdays today in each storefront's time zone.", ("cron", "0", "9")),
    ("delivery_survey", "Journeys: delivery survey",
     "Orders delivered N hours ago.", ("cron", "35", "*")),
)


def _schedule(apps, spec):
    if spec[0] == "every":
        interval, _created = apps.get_model("django_celery_beat", "IntervalSchedule") \
            .objects.get_or_create(every=spec[1], period="minutes")
        return {"interval": interval}
    crontab, _created = apps.get_model("django_celery_beat", "CrontabSchedule") \
        .objects.get_or_create(minute=spec[1], hour=spec[2], day_of_week="*",
                               day_of_month="*", month_of_year="*", timezone=ZONE)
    return {"crontab": crontab}


def create(apps, schema_editor):
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    for detector, name, description, spec in SCHEDULES:
        if periodic.objects.filter(name=name).exists():
            continue
        periodic.objects.create(
            name=name, task=TASK, args=json.dumps([detector]), kwargs="{}",
            description=description, enabled=True, **_schedule(apps, spec))


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task=TASK, name__in=[name for _detector, name, _d, _s in SCHEDULES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("journeys", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

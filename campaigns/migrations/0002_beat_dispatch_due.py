"""Beat's periodic task `campaigns.tasks.campaigns_dispatch_due`, every 30 seconds, as a
django-celery-beat row (administrators can change or disable it in the admin)."""

from django.db import migrations

TASK = "campaigns.tasks.campaigns_dispatch_due"
NAME = "campaigns-dispatch-due"


def create(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _created = interval_model.objects.get_or_create(every=30, period="seconds")
    task_model.objects.get_or_create(
        name=NAME, defaults={"task": TASK, "interval": every, "enabled": True,
                             "description": "Start due campaigns; restart idle ones."})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

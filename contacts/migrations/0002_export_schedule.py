"""The periodic export: a django-celery-beat task every hour, editable (or disabled) in the
admin under Periodic tasks."""

from django.db import migrations

TASK_NAME = "Export contacts to Sendsay"
TASK = "contacts.tasks.export_all"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_hour, _created = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={"task": TASK, "interval": every_hour, "enabled": True,
                  "description": "Exports buyers and sellers with their mapped fields to the "
                                 "company's Sendsay list (only contacts changed since the last "
                                 "export, within the upload budget)."},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("contacts", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

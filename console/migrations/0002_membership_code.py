import uuid

from django.db import migrations, models


def fill_codes(apps, schema_editor):
    Membership = apps.get_model("console", "Membership")
    for m in Membership.objects.filter(code__isnull=True).only("id"):
        m.code = uuid.uuid4()
        m.save(update_fields=["code"])


class Migration(migrations.Migration):
    """A public UUID for memberships (People page URLs), added in three steps so existing rows
    each get their own value."""

    dependencies = [("console", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]

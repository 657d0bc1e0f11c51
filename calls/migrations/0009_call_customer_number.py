# Call.customer_number: the customer's number in E.164 (customers/numbers.py), filled for the
# calls made before it existed, in batches, from what was sent (Call.called) read in the tenant's
# default region (CN unless set; console 0011).

from django.conf import settings
from django.db import migrations, models

BATCH = 2000


def fill_customer_numbers(apps, schema_editor):
    from customers.numbers import to_e164

    Call = apps.get_model("calls", "Call")
    Tenant = apps.get_model("console", "Tenant")
    regions = dict(Tenant.objects.values_list("pk", "default_region"))
    last = 0
    while True:
        rows = list(
            Call.objects.filter(pk__gt=last, customer_number="")
            .order_by("pk")
            .only("pk", "tenant_id", "called")[:BATCH]
        )
        if not rows:
            break
        last = rows[-1].pk
        changed = []
        for call in rows:
            number = to_e164(call.called, regions.get(call.tenant_id) or "CN")
            if number:
                call.customer_number = number
                changed.append(call)
        Call.objects.bulk_update(changed, ["customer_number"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0008_call_following'),
        ('console', '0011_tenant_customer_settings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='call',
            name='customer_number',
            field=models.CharField(blank=True, default='', max_length=20),
        ),
        migrations.RunPython(fill_customer_numbers, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='call',
            index=models.Index(fields=['tenant', 'customer_number', '-created_at', '-id'], name='call_tenant_customer_recent'),
        ),
    ]

"""Re-encrypt every stored secret (tenant app secrets, cached AICC tokens) with the newest key of
FIELD_ENCRYPTION_KEYS. Run it after putting a new key first in the list; afterwards the old key
can be removed."""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from console.crypto import rotate

# (app label, model, field) of every encrypted column.
ENCRYPTED = [("console", "Tenant", "app_secret"), ("calls", "AiccToken", "token")]


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the newest FIELD_ENCRYPTION_KEYS key."

    @transaction.atomic
    def handle(self, *args, **options):
        for app_label, model_name, field_name in ENCRYPTED:
            model = apps.get_model(app_label, model_name)
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(model._meta.get_field(field_name).column)
            pk = connection.ops.quote_name(model._meta.pk.column)
            count = 0
            with connection.cursor() as cursor:
                # Raw SQL: the ciphertext is rotated as it is, never decrypted into Python objects.
                cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
                rows = cursor.fetchall()
                for row_pk, token in rows:
                    try:
                        new = rotate(token)
                    except InvalidToken:
                        raise CommandError(
                            f"{model_name} {row_pk}: {field_name} cannot be decrypted with any "
                            "key in FIELD_ENCRYPTION_KEYS; nothing was changed."
                        ) from None
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [new, row_pk],
                    )
                    count += 1
            self.stdout.write(f"{model_name}.{field_name}: {count} re-encrypted")

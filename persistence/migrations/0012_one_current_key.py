from tortoise import migrations
from tortoise.migrations import operations as ops

# Exactly one current PUNCHOUT API Key a customer, whatever the race: the database says so.
# (Both SQLite and PostgreSQL have partial indexes.)


class Migration(migrations.Migration):
    dependencies = [('models', '0011_punchout_keys')]

    initial = False

    operations = [
        ops.RunSQL(
            "CREATE UNIQUE INDEX punchout_key_one_current ON punchout_key (customer_id) "
            "WHERE expires_at IS NULL",
            reverse_sql="DROP INDEX punchout_key_one_current",
        ),
    ]

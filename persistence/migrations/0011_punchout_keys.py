from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Keys already stored as the PUNCHOUT_API_KEY setting move into this table sealed, when the
# server next opens the database with its key-encryption key (models.punchout_keys.seal_legacy):
# a migration has no KEK to seal with.


class Migration(migrations.Migration):
    dependencies = [('models', '0010_login_attempts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PunchoutKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='punchout_keys', on_delete=OnDelete.CASCADE)),
                ('sealed', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'punchout_key', 'app': 'models', 'indexes': [Index(fields=['customer_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]

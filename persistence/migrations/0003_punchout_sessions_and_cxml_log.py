from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_search_keys_byte_order')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CxmlExchange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='cxml_exchanges', on_delete=OnDelete.CASCADE)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('route', fields.CharField(max_length=64)),
                ('request_type', fields.CharField(null=True, max_length=64)),
                ('payload_id', fields.CharField(null=True, max_length=255)),
                ('status_code', fields.IntField()),
                ('status_text', fields.CharField(max_length=64)),
                ('failure', fields.CharField(null=True, max_length=32)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('duration_ms', fields.FloatField()),
                ('request_body', fields.TextField(unique=False)),
                ('response_body', fields.TextField(unique=False)),
            ],
            options={'table': 'cxml_exchange', 'app': 'models', 'indexes': [Index(fields=['customer_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PunchoutSession',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='punchout_sessions', on_delete=OnDelete.CASCADE)),
                ('start_token_hash', fields.CharField(unique=True, max_length=64)),
                ('start_expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('operation', fields.CharField(max_length=16)),
                ('deployment_mode', fields.CharField(max_length=16)),
                ('payload_id', fields.CharField(max_length=255)),
                ('buyer_cookie', fields.TextField(unique=False)),
                ('browser_form_post', fields.TextField(null=True, unique=False)),
                ('identities', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('extrinsics', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('contacts', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('ship_to', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('items', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'punchout_session', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]

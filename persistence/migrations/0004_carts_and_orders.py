from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_punchout_sessions_and_cxml_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CartLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.PunchoutSession', source_field='session_id', db_constraint=True, to_field='id', related_name='cart_lines', on_delete=OnDelete.CASCADE)),
                ('supplier_part_id', fields.CharField(max_length=255)),
                ('supplier_part_auxiliary_id', fields.CharField(null=True, max_length=255)),
                ('description', fields.TextField(unique=False)),
                ('quantity', fields.DecimalField(max_digits=18, decimal_places=3)),
                ('unit_of_measure', fields.CharField(max_length=3)),
                ('unit_price', fields.DecimalField(max_digits=18, decimal_places=4)),
                ('currency', fields.CharField(max_length=3)),
                ('unspsc', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'cart_line', 'app': 'models', 'indexes': [Index(fields=['session_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CxmlReceipt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('payload_id', fields.CharField(max_length=255)),
                ('body_sha256', fields.CharField(max_length=64)),
                ('response_body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'cxml_receipt', 'app': 'models', 'unique_together': (('customer', 'payload_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('models.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.RESTRICT)),
                ('company_id', fields.IntField()),
                ('order_id', fields.CharField(max_length=255)),
                ('order_type', fields.CharField(max_length=16)),
                ('order_date', fields.CharField(null=True, max_length=64)),
                ('deployment_mode', fields.CharField(max_length=16)),
                ('payload_id', fields.CharField(max_length=255)),
                ('total', fields.DecimalField(null=True, max_digits=18, decimal_places=4)),
                ('currency', fields.CharField(null=True, max_length=3)),
                ('ship_to', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('bill_to', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('shipping', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('tax', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comments', fields.TextField(null=True, unique=False)),
                ('extrinsics', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'purchase_order', 'app': 'models', 'unique_together': (('customer', 'order_id'),), 'indexes': [Index(fields=['company_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('line_number', fields.IntField()),
                ('quantity', fields.DecimalField(max_digits=18, decimal_places=3)),
                ('supplier_part_id', fields.CharField(max_length=255)),
                ('supplier_part_auxiliary_id', fields.CharField(null=True, max_length=255)),
                ('description', fields.TextField(null=True, unique=False)),
                ('unit_price', fields.DecimalField(null=True, max_digits=18, decimal_places=4)),
                ('currency', fields.CharField(null=True, max_length=3)),
                ('unit_of_measure', fields.CharField(null=True, max_length=16)),
                ('classifications', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('requested_delivery_date', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'purchase_order_line', 'app': 'models', 'unique_together': (('order', 'line_number'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='PunchoutSession',
            name='ended_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PunchoutSession',
            name='session_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PunchoutSession',
            name='session_token_hash',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
    ]

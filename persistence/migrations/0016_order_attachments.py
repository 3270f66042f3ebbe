from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Issue 14, part 1: an OrderRequest's MIME attachments (multipart/related) stored with the
# order, bytes and all; the connection log lists each exchange's attachments (never bytes).


class Migration(migrations.Migration):
    dependencies = [('models', '0015_exact_numbers_and_line_details')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OrderAttachment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('payload_id', fields.CharField(max_length=255)),
                ('content_id', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=255)),
                ('file_name', fields.TextField(null=True, unique=False)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('data', fields.BinaryField()),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'purchase_order_attachment', 'app': 'models', 'indexes': [Index(fields=['order_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='CxmlExchange',
            name='attachments',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]

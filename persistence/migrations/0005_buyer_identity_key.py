from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_carts_and_orders')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Customer',
            name='buyer_identity_key',
            field=fields.CharField(null=True, db_index=True, max_length=254),
        ),
        ops.RunSQL(
            "UPDATE customer SET buyer_identity_key = LOWER(buyer_identity) "
            "WHERE buyer_identity IS NOT NULL",
            reverse_sql=ops.RunSQL.noop,
        ),
    ]

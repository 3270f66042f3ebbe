"""The identities a cXML exchange was sent with (From, To and Sender credentials without their
secrets, and the UserAgent), so that staff can read who sent a request no customer was
matched to. Null for exchanges logged before, and for bodies whose Header could not be read.

And an index of the unmatched exchanges (no customer) in id order, for their log (newest
first) and its retention (oldest first, a batch at a time). The index on (customer_id, id)
does not serve these on PostgreSQL: its planner takes `customer_id IS NULL` for no equality,
so it would sort every unmatched entry for each page or batch. (Both SQLite and PostgreSQL
have partial indexes.)"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_order_attachments')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CxmlExchange',
            name='identities',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.RunSQL(
            "CREATE INDEX cxml_exchange_unmatched ON cxml_exchange (id) WHERE customer_id IS NULL",
            reverse_sql="DROP INDEX cxml_exchange_unmatched",
        ),
    ]

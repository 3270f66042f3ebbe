"""The identities a cXML exchange was sent with (From, To and Sender credentials without their
secrets, and the UserAgent), so that staff can read who sent a request no customer was
matched to. Null for exchanges logged before, and for bodies whose Header could not be read."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_transliterated_search_keys')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CxmlExchange',
            name='identities',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]

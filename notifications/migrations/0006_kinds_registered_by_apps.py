# The kinds of notification are registered by the apps that send them (notifications.registry): the field's
# choices are read from the registry when used, so a new kind needs no migration.

import notifications.registry
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_outbox_wakeup_trigger"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(choices=notifications.registry.kind_choices, max_length=30, verbose_name="kind"),
        ),
    ]

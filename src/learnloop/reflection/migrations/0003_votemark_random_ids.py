"""The vote marks copied in random order with random ids (0002) replace the old table. A
migration of its own: PostgreSQL refuses to rename a table in the transaction that filled it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reflection", "0002_order_safe_anonymity"),
    ]

    operations = [
        migrations.DeleteModel(name="VoteMark"),
        migrations.RenameModel(old_name="ShuffledVoteMark", new_name="VoteMark"),
        migrations.AlterField(
            model_name="votemark", name="group",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="marks",
                                    to="reflection.group"),
        ),
    ]

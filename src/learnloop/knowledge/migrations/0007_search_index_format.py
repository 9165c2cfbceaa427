from django.db import migrations, models

# knowledge_search_stats (PostgreSQL only, unmanaged: see 0002) learns which format of the
# index its tables hold. Indexes written before this migration say 0, which no version writes,
# so the first `learnloop migrate` after the upgrade rebuilds them
# (knowledge.signals.rebuild_outdated_search_index).
FORWARD = "ALTER TABLE knowledge_search_stats ADD COLUMN IF NOT EXISTS format integer NOT NULL DEFAULT 0"
BACKWARD = "ALTER TABLE knowledge_search_stats DROP COLUMN IF EXISTS format"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('knowledge', '0006_daily_use'),
    ]

    operations = [
        migrations.AddField(  # the model is unmanaged: this records the column, the SQL below adds it
            model_name='searchstats',
            name='format',
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]

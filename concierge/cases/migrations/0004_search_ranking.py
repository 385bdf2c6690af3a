"""Title tokens (titles rank first in knowledge-base search) with a PostgreSQL GIN index, and the index that
lets PostgreSQL return the most helpful matches of a common word without sorting all of them."""
from django.conf import settings
from django.db import migrations, models

import concierge.cases.search
from concierge.cases.search import document_tokens

INDEX = "articletranslation_title_tokens_gin"


def fill_title_tokens(apps, schema_editor):
    ArticleTranslation = apps.get_model("cases", "ArticleTranslation")
    for row in ArticleTranslation.objects.only("pk", "title").iterator(chunk_size=2000):
        ArticleTranslation.objects.filter(pk=row.pk).update(title_tokens=document_tokens(row.title))


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_articletranslation USING gin (title_tokens)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_reference_data'),
        ('properties', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='articletranslation',
            name='title_tokens',
            field=concierge.cases.search.TokenListField(blank=True, default=list),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['-helpful_yes', '-id'], name='article_helpful'),
        ),
        migrations.RunPython(fill_title_tokens, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("clv", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="clvfit",
            options={"ordering": ["-fitted_at"], "verbose_name": "lifetime-value fit",
                     "verbose_name_plural": "lifetime-value fits"},
        ),
        migrations.AlterModelOptions(
            name="guestclv",
            options={"verbose_name": "lifetime value score", "verbose_name_plural": "lifetime value scores"},
        ),
        migrations.AddField(
            model_name="clvfit",
            name="annual_discount_rate",
            field=models.FloatField(default=0.1),
        ),
        migrations.AddField(
            model_name="clvfit",
            name="horizon_months",
            field=models.PositiveSmallIntegerField(default=36),
        ),
        migrations.AddField(
            model_name="clvfit",
            name="summary",
            field=models.JSONField(blank=True, default=dict, help_text="Chart data computed at fit time: p_alive histogram, CLV deciles, counts."),
        ),
        migrations.AddField(
            model_name="guestclv",
            name="last_stay_on",
            field=models.DateField(blank=True, null=True, verbose_name="last stay"),
        ),
        migrations.AddField(
            model_name="guestclv",
            name="total_value",
            field=models.FloatField(default=0, verbose_name="revenue to date"),
        ),
    ]

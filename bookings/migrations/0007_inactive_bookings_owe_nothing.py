from django.db import migrations, models


def owe_nothing(apps, schema_editor):
    """Cancelled and rejected bookings that were still marked unpaid owe nothing."""
    Booking = apps.get_model("bookings", "Booking")
    Booking.objects.filter(status__in=["cancelled", "rejected"], payment_status="unpaid").update(
        payment_status="not_required", payment_deadline=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_fewer_indexes_to_update_per_booking"),
        ("hall", "0005_payment_cutoff"),
    ]

    operations = [
        migrations.RunPython(owe_nothing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=~models.Q(status__in=["cancelled", "rejected"], payment_status="unpaid"),
                name="booking_inactive_not_unpaid",
            ),
        ),
    ]

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bookings.reductions import load_categories
from demo import layout
from hall import seed
from reports.services import build_usage
from reports.tasks import NIGHTLY_DAYS_BACK


class Command(BaseCommand):
    help = (
        "Load the hall's buildings and facilities; with --demo also the demo rooms, units and accounts, and a "
        "lively month of bookings around today."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also load the demo layout and demo accounts.")
        parser.add_argument(
            "--no-month", action="store_true", help="With --demo: the layout and accounts only, no bookings."
        )
        parser.add_argument(
            "--force", action="store_true", help="Allow --demo under production settings (demo passwords!)."
        )

    def handle(self, *args, **options):
        if options["demo"]:
            if settings.PRODUCTION and not options["force"]:
                raise CommandError(
                    "Refusing to load demo accounts with a known password under production settings; "
                    "pass --force if this really is a demo server."
                )
            result = layout.load_demo(password=settings.DEMO_PASSWORD, month=not options["no_month"])
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({result['created']} new rows)."))
            # After the demo's policies: the automatic categories follow the facilities' percents.
            self.stdout.write(f"Reduction categories: {load_categories()} new.")
            if result["created"]:
                # The reports read figures the worker's schedule builds; built now, the first visit has them.
                # Loading nothing new changes no figure, and writes nothing.
                today = timezone.localdate()
                days = build_usage(first=today - timedelta(days=NIGHTLY_DAYS_BACK), last=today + timedelta(days=92))
                self.stdout.write(f"Report figures built ({days} space-days).")
            self.stdout.write("Demo logins (password: DEMO_PASSWORD, default 'dongnam-demo'):")
            for account in layout.DEMO_ACCOUNTS:
                self.stdout.write(f"  {account.email:<34} {account.role}")
        else:
            result = seed.load_hall()
            self.stdout.write(self.style.SUCCESS(f"Hall loaded ({result['created']} new rows)."))
            self.stdout.write(f"Reduction categories: {load_categories()} new.")

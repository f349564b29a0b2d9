"""Alert both sides of referrals left unanswered or past their due date (run hourly)."""

from django.core.management.base import BaseCommand

from himaya.referrals.services import referrals_send_alerts


class Command(BaseCommand):
    help = "Notify providers and referring workers of unanswered and overdue referrals (once each)."

    def handle(self, *args, **options):
        counts = referrals_send_alerts()
        if options["verbosity"]:
            self.stdout.write(
                f"referral alerts: {counts['unanswered']} unanswered, {counts['overdue']} overdue"
            )

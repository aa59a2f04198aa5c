"""python manage.py create_user <username> --role recruiter|hr_lead|admin [--email ...]

Creates a user with one role and prints a random password once (or takes --password). The
role change is audited like any other (actor "manage.py create_user")."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.audit import audit_actor
from review import roles


class Command(BaseCommand):
    help = "Create a user of the review UI with a role: recruiter, hr_lead or admin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=roles.ROLES)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Use this password instead of a random one "
                            "(it ends up in your shell history: prefer the random one).")

    def handle(self, *args, username, role, email, password, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        user = user_model(username=username, email=email)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        with transaction.atomic(), audit_actor("manage.py create_user"):
            user.set_password(password)
            user.save()
            roles.user_role_set(user=user, role=role)
        self.stdout.write(f"Created {username} ({roles.ROLE_LABELS[role]}).")
        if generated:
            self.stdout.write(f"Password: {password}")
            self.stderr.write("The password is shown once; store it now.")

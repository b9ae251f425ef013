"""``flask --app app ...`` commands for user accounts: create-user, create-token, ensure-admin."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask
from sqlalchemy import select

from app.core.cli import fail
from app.core.extensions import db
from app.models import USER_ROLES, ApiToken, Municipality, Organisation, User


def register(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(USER_ROLES), default="city", show_default=True)
    @click.option("--name", default=None, help="Display name.")
    @click.option("--municipality", "refnis", default=None, help="Affiliation: REFNIS code.")
    @click.option("--organisation", default=None, help="Affiliation: organisation name.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create_user(email: str, role: str, name: str | None, refnis: str | None,
                    organisation: str | None, password_stdin: bool) -> None:
        """Create a user. Without --password-stdin a password is generated and printed once."""
        email = email.strip().lower()
        if "@" not in email or len(email) > 255:
            fail(f"'{email}' is not an e-mail address")
        if db.session.scalar(select(User).where(User.email == email)):
            fail(f"a user {email} already exists")
        if refnis and organisation:
            fail("give either --municipality or --organisation, not both")
        user = User(email=email, role=role, name=name)
        if refnis:
            m = db.session.scalar(select(Municipality).where(Municipality.refnis == refnis))
            if m is None:
                fail(f"unknown municipality REFNIS {refnis}")
            user.municipality = m.current()
        if organisation:
            o = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
            if o is None:
                fail(f"unknown organisation '{organisation}'")
            user.organisation = o
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if len(password) < 10:
                fail("the password must have at least 10 characters")
            generated = False
        else:
            password = secrets.token_urlsafe(12)
            generated = True
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"created {role} {email}")
        if generated:
            click.echo(f"password (shown once): {password}")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--name", default=None, help="A label for the token.")
    def create_token(email: str, name: str | None) -> None:
        """Create an API token for a user and print it once."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            fail(f"no user {email}; create it first with `flask --app app create-user {email}`")
        token, plain = ApiToken.issue(user, name)
        db.session.add(token)
        db.session.commit()
        click.echo(plain)

    @app.cli.command("ensure-admin")
    @click.option("--email", default="admin@vuurtoren.local", show_default=True)
    def ensure_admin(email: str) -> None:
        """On a database without an admin, create one and print its one-time password."""
        if db.session.scalar(select(User).where(User.role == "admin")):
            click.echo("admin account exists")
            return
        password = secrets.token_urlsafe(12)
        user = User(email=email, role="admin", name="Administrator")
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"created admin {email} with password (shown once): {password}")

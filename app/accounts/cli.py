"""``flask --app app ...`` commands for user accounts: create-user, ensure-admin, create-token,
list-tokens, revoke-token; personal-data list, erase, purge, export."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts import personal_data, service
from app.core.cli import fail
from app.core.extensions import db
from app.core.problems import Problem
from app.models import USER_ROLES, ApiToken, Municipality, Organisation, User
from app.models.users import MAX_TOKEN_DAYS, TOKEN_DAYS, password_problems


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
            problems = password_problems(password)
            if problems:
                fail("; ".join(problems) + " (docs/operations.md, Security)")
            generated = False
        else:
            password = service.generate_password()
            generated = True
        service.create_user(user, password, actor="cli")
        click.echo(f"created {role} {email}")
        if generated:
            click.echo(f"password (shown once): {password}")

    @app.cli.command("create-token")
    @click.argument("email")
    @click.option("--name", default=None, help="A label for the token.")
    @click.option("--days", type=click.IntRange(1, MAX_TOKEN_DAYS), default=TOKEN_DAYS,
                  show_default=True, help="Days until the token expires.")
    def create_token(email: str, name: str | None, days: int) -> None:
        """Create an API token for a user and print it once (first word), with its expiry."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            fail(f"no user {email}; create it first with `flask --app app create-user {email}`")
        token, plain = service.issue_token(user, name, days, actor="cli")
        click.echo(f"{plain}  (token {token.id}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC)")

    @app.cli.command("list-tokens")
    @click.argument("email")
    def list_tokens(email: str) -> None:
        """The API tokens of a user: id, name, created, last used, expires (never the token)."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            fail(f"no user {email}")
        click.echo(f"{'id':>6}  {'name':<20} {'created':<16} {'last used':<16} expires")
        for t in service.tokens_of(user):
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            click.echo(f"{t.id:>6}  {(t.name or '-'):<20} {t.created_at:%Y-%m-%d %H:%M} {used:<16} "
                       f"{t.expires_at:%Y-%m-%d}{' (expired)' if t.is_expired else ''}")

    @app.cli.command("revoke-token")
    @click.argument("token_id", type=int, required=False)
    @click.option("--all", "all_of", default=None, metavar="EMAIL",
                  help="Revoke every token of this user instead.")
    def revoke_token(token_id: int | None, all_of: str | None) -> None:
        """Revoke an API token by its id (see list-tokens), or every token of a user."""
        if all_of:
            user = db.session.scalar(select(User).where(User.email == all_of.strip().lower()))
            if user is None:
                fail(f"no user {all_of}")
            n = service.revoke_tokens(service.tokens_of(user), actor="cli")
            click.echo(f"revoked {n} token(s) of {user.email}")
            return
        if token_id is None:
            fail("give a token id (see `flask --app app list-tokens EMAIL`) or --all EMAIL")
        token = db.session.get(ApiToken, token_id)
        if token is None:
            fail(f"no token {token_id}")
        service.revoke_tokens([token], actor="cli")
        click.echo(f"revoked token {token_id}")

    @app.cli.command("ensure-admin")
    @click.option("--email", default="admin@vuurtoren.local", show_default=True)
    def ensure_admin(email: str) -> None:
        """On a database without an admin, create one and print its one-time password."""
        if db.session.scalar(select(User).where(User.role == "admin")):
            click.echo("admin account exists")
            return
        password = service.generate_password()
        service.create_user(User(email=email, role="admin", name="Administrator"), password,
                            actor="cli")
        click.echo(f"created admin {email} with password (shown once): {password}")

    personal = AppGroup("personal-data", help="Personal data: retention, erasure, export "
                                                  "(docs/privacy.md).")
    app.cli.add_command(personal)

    def _person(who: str):
        user = db.session.scalar(select(User).where(User.email == who.strip().lower()))
        person = personal_data.person_of_user(user) if user else db.session.get(
            personal_data.AuditPerson, who)
        if person is None:
            fail(f"no audit pseudonym for '{who}' (give an e-mail address or a pseudonym)")
        return person

    @personal.command("list")
    def personal_list() -> None:
        """Every pseudonym with the person it stands for and how long that stays known."""
        for p in map(personal_data.person_dict, personal_data.people()):
            state = f"erased {p['erased_at'][:10]}" if p["erased_at"] else (
                f"until {p['retained_until']}" if p["retained_until"] else "while a call is open")
            click.echo(f"{p['pseudonym']}  {p['email'] or '-':<32} {state}")

    @personal.command("erase")
    @click.argument("who")
    @click.option("--account", is_flag=True, help="Anonymise the user account as well.")
    def personal_erase(who: str, account: bool) -> None:
        """Erase who a pseudonym is (WHO: e-mail address or pseudonym), on the person's request."""
        person = _person(who)
        try:
            personal_data.erase(person, "cli", "request", account=account)
        except Problem as exc:
            fail(exc.detail or exc.title)
        click.echo(f"erased {person.pseudonym}" + (" and anonymised the account" if account else ""))

    @personal.command("purge")
    @click.option("--dry-run", is_flag=True, help="Only list what is due.")
    def personal_purge(dry_run: bool) -> None:
        """Erase every pseudonym whose retention period has ended (run daily, e.g. from cron)."""
        due = personal_data.purge("cli", dry_run=dry_run)
        verb = "due" if dry_run else "erased"
        click.echo(f"{len(due)} pseudonym(s) {verb}" + "".join(f"\n  {p}" for p in due))

    @personal.command("export")
    @click.argument("email")
    def personal_export(email: str) -> None:
        """Print everything the service holds about one user as JSON."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            fail(f"no user {email}")
        click.echo(json.dumps(personal_data.export_user(user), indent=2, ensure_ascii=False))

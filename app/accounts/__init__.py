"""User accounts: login, logout and the account commands."""

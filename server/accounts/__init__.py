"""Accounts: users, companies, tokens, passwords, roles and the guards that check them."""

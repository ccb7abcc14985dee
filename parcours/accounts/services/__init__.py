"""Writes of the accounts app, one module per flow: users, registration, login."""

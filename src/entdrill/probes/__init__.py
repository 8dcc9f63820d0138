"""Synthetic users: one real login, one real class join, measured."""

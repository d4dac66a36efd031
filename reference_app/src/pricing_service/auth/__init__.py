"""Authentication and authorization: users, JWT access and refresh tokens, roles, permissions.

Other domains use two things: :class:`permissions.Permission` and :func:`dependencies.require`.
"""

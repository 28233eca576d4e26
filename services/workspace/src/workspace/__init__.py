"""Sinergi workspace: the caseworker's web app, server-rendered, calling the services as the signed-in person."""

SERVICE = "workspace"

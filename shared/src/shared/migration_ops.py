"""Alembic operations for the tables every service has: the outbox and the inbox (``shared.outbox``,
``shared.inbox``). Called from each service's first migration."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def create_outbox(schema: str) -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("message_key", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("trace_context", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        schema=schema,
    )
    op.create_index(
        "outbox_unpublished", "outbox", ["id"], schema=schema, postgresql_where=sa.text("published_at IS NULL")
    )


def create_inbox(schema: str) -> None:
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text(), primary_key=True),
        sa.Column("event_id", sa.Uuid(), primary_key=True),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=schema,
    )


def create_access_functions(schema: str) -> None:
    """SQL functions the row-level security policies of ``schema`` read the transaction's actor with (the
    settings ``shared.access`` sets with SET LOCAL). Unset settings read as no role, no agency, no region."""
    op.execute(f"""
        CREATE FUNCTION {schema}.actor_has_role(wanted text) RETURNS boolean LANGUAGE sql STABLE AS $$
            SELECT coalesce(wanted = ANY (string_to_array(current_setting('sinergi.roles', true), ',')), false)
        $$""")
    for name in ("user_id", "agency_id", "province_code", "regency_code"):
        op.execute(f"""
            CREATE FUNCTION {schema}.actor_{name}() RETURNS text LANGUAGE sql STABLE AS $$
                SELECT nullif(current_setting('sinergi.{name}', true), '')
            $$""")
    # The same rule as ``shared.auth.Principal.supervises``.
    op.execute(f"""
        CREATE FUNCTION {schema}.actor_supervises(province text, regency text) RETURNS boolean LANGUAGE sql STABLE
        AS $$
            SELECT ({schema}.actor_has_role('district_supervisor') AND regency = {schema}.actor_regency_code())
                OR (({schema}.actor_has_role('province_admin') OR {schema}.actor_has_role('auditor'))
                    AND province = {schema}.actor_province_code())
        $$""")


def drop_access_functions(schema: str) -> None:
    op.execute(f"DROP FUNCTION {schema}.actor_supervises(text, text)")
    for name in ("user_id", "agency_id", "province_code", "regency_code"):
        op.execute(f"DROP FUNCTION {schema}.actor_{name}()")
    op.execute(f"DROP FUNCTION {schema}.actor_has_role(text)")


def protect_table(schema: str, table: str, *, read: str, insert: str = "false", update: str = "false") -> None:
    """Row-level security on ``table``, forced on its owner too: rows are visible where ``read`` holds, may be
    inserted where ``insert`` holds and updated where ``update`` holds. The service itself (role ``service``)
    may do anything; nobody else may delete."""
    qualified = f"{schema}.{table}"
    service = f"{schema}.actor_has_role('service')"
    op.execute(f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY {table}_read ON {qualified} FOR SELECT USING ({service} OR ({read}))")
    op.execute(f"CREATE POLICY {table}_insert ON {qualified} FOR INSERT WITH CHECK ({service} OR ({insert}))")
    op.execute(
        f"CREATE POLICY {table}_update ON {qualified} FOR UPDATE USING ({service} OR ({update}))"
        f" WITH CHECK ({service} OR ({update}))"
    )
    op.execute(f"CREATE POLICY {table}_delete ON {qualified} FOR DELETE USING ({service})")


def unprotect_table(schema: str, table: str) -> None:
    qualified = f"{schema}.{table}"
    for command in ("read", "insert", "update", "delete"):
        op.execute(f"DROP POLICY {table}_{command} ON {qualified}")
    op.execute(f"ALTER TABLE {qualified} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {qualified} DISABLE ROW LEVEL SECURITY")

"""attachments, API tokens, idempotency key of online submissions; report columns
(month of receipt, fee and payment, digitisation flags, satisfaction, handling time) and the
report counters (dossier_stats)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 14:46:20.790449
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('revoked', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_api_tokens_official_id_officials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_tokens_token_sha256'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_official_id'), ['official_id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_name', sa.String(length=255), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_attachments_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['officials.id'], name=op.f('fk_attachments_uploaded_by_id_officials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('search_text', sa.String(length=400), server_default='', nullable=False))
        batch_op.add_column(sa.Column('received_month', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('fee_amount', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('payment_method', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('paid_online', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('inputs_digitised', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('result_electronic', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('satisfaction', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('handling_seconds', sa.Integer(), nullable=True))
        batch_op.create_index('ix_dossiers_report', ['province_code', 'received_month', 'unit_id'], unique=False)
        batch_op.create_index('ix_dossiers_open', ['status', 'province_code', 'received_month'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_dossiers_submission_key'), ['submission_key'])

    _fill_search_text()
    for name, extra in (("unit_stats", []), ("dossier_stats", ["procedure_id", "channel"])):
        _create_stats(name, extra)


MEASURES = ("n", "handling_sum", "handling_n", "online_n", "fee_n", "paid_online_n",
            "digitised_n", "rated_n", "dislike_n")
SUMS = ("COUNT(*)", "COALESCE(SUM(handling_seconds), 0)", "COUNT(handling_seconds)",
        "SUM(CASE WHEN channel IN ('online', 'assisted') THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN fee_amount > 0 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN fee_amount > 0 AND paid_online THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN inputs_digitised AND result_electronic THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN COALESCE(satisfaction, 0) > 0 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN COALESCE(satisfaction, 0) BETWEEN 1 AND 2 THEN 1 ELSE 0 END)")


def _create_stats(name: str, extra: list[str]) -> None:
    """A report-counter table and its cells for the dossiers already there."""
    types = {"procedure_id": sa.Integer(), "channel": sa.String(length=16)}
    keys = ["province_code", "received_month", "unit_id", *extra, "status", "timeliness",
            "multi_supplement"]
    op.create_table(
        name,
        sa.Column('province_code', sa.Integer(), nullable=False),
        sa.Column('received_month', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        *(sa.Column(k, types[k], nullable=False) for k in extra),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('timeliness', sa.String(length=16), nullable=False),
        sa.Column('multi_supplement', sa.SmallInteger(), nullable=False),
        *(sa.Column(m, sa.BigInteger() if m == "handling_sum" else sa.Integer(), nullable=False)
          for m in MEASURES),
        sa.PrimaryKeyConstraint(*keys, name=op.f(f'pk_{name}')))
    expressions = {"timeliness": "COALESCE(timeliness, '')",
                   "multi_supplement": "CASE WHEN supplement_requests > 1 THEN 1 ELSE 0 END"}
    selected = [expressions.get(k, k) for k in keys]
    positions = ", ".join(str(i) for i in range(1, len(keys) + 1))
    op.execute(f"INSERT INTO {name} ({', '.join([*keys, *MEASURES])}) "
               f"SELECT {', '.join([*selected, *SUMS])} FROM dossiers GROUP BY {positions}")


def _fill_search_text() -> None:
    """Dossiers received before this revision get their folded search text and month.

    Their handling time stays empty (it needs the working calendar); reports
    average over the dossiers that have one.
    """
    from zoneinfo import ZoneInfo

    from motcua.domain.text import fold

    vn = ZoneInfo("Asia/Ho_Chi_Minh")

    conn = op.get_bind()
    d = sa.table("dossiers", sa.column("id"), sa.column("code"), sa.column("applicant_name"),
                 sa.column("applicant_id_number"), sa.column("applicant_phone"),
                 sa.column("search_text"), sa.column("received_at", sa.DateTime(timezone=True)),
                 sa.column("received_month"))
    rows = conn.execute(sa.select(d.c.id, d.c.code, d.c.applicant_name, d.c.received_at,
                                  d.c.applicant_id_number, d.c.applicant_phone)).all()
    for row in rows:
        at = row.received_at
        at = (at if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC"))).astimezone(vn)
        conn.execute(sa.update(d).where(d.c.id == row.id).values(
            received_month=at.year * 100 + at.month, search_text=fold(
                f"{row.code} {row.applicant_name} {row.applicant_id_number} "
                f"{row.applicant_phone}")))


def downgrade() -> None:
    raise NotImplementedError("forward-only history")

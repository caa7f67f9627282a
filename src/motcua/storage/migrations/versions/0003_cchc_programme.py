"""the administrative-reform (CCHC) programme: tasks, meetings, inspections,
regulations, outreach, staffing

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:58:32.246627
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cchc_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('inspecting_agency', sa.String(length=255), nullable=False),
    sa.Column('inspected_unit', sa.String(length=255), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('remedy_owner', sa.String(length=255), server_default='', nullable=False),
    sa.Column('remedy_due', sa.Date(), nullable=True),
    sa.Column('remedy_status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cchc_findings'))
    )
    with op.batch_alter_table('cchc_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cchc_findings_year'), ['year'], unique=False)

    op.create_table('cchc_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('presiding', sa.String(length=255), nullable=False),
    sa.Column('agenda', sa.Text(), server_default='', nullable=False),
    sa.Column('minutes', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cchc_meetings')),
    sa.UniqueConstraint('held_on', 'title', name='uq_cchc_meetings_held_on')
    )
    with op.batch_alter_table('cchc_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cchc_meetings_year'), ['year'], unique=False)

    op.create_table('cchc_outreach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('agency', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cchc_outreach'))
    )
    with op.batch_alter_table('cchc_outreach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cchc_outreach_year'), ['year'], unique=False)

    op.create_table('cchc_regulations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document', sa.String(length=255), nullable=False),
    sa.Column('agency', sa.String(length=255), nullable=False),
    sa.Column('regulation', sa.Text(), nullable=False),
    sa.Column('in_force_from', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), server_default='', nullable=False),
    sa.Column('action_year', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cchc_regulations'))
    )
    op.create_table('cchc_staffing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=255), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('positions', sa.Integer(), nullable=False),
    sa.Column('filled', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cchc_staffing')),
    sa.UniqueConstraint('year', 'unit', name='uq_cchc_staffing_year')
    )
    with op.batch_alter_table('cchc_staffing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cchc_staffing_year'), ['year'], unique=False)

    op.create_table('cchc_meeting_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('presiding', sa.String(length=255), server_default='', nullable=False),
    sa.Column('attendance', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['cchc_meetings.id'], name=op.f('fk_cchc_meeting_points_meeting_id_cchc_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cchc_meeting_points')),
    sa.UniqueConstraint('meeting_id', 'name', name='uq_cchc_meeting_points_meeting_id')
    )
    with op.batch_alter_table('cchc_meeting_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cchc_meeting_points_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('cchc_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('agency', sa.String(length=255), nullable=False),
    sa.Column('agency_kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner_unit', sa.String(length=255), server_default='', nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_date', sa.Date(), nullable=True),
    sa.Column('evidence', sa.Text(), server_default='', nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['cchc_meetings.id'], name=op.f('fk_cchc_tasks_meeting_id_cchc_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cchc_tasks'))
    )
    with op.batch_alter_table('cchc_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cchc_tasks_year'), ['year'], unique=False)


def downgrade() -> None:
    raise NotImplementedError("forward-only history")

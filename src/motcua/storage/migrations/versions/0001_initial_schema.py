"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 14:10:06.658290
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('calendar_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by', sa.String(length=64), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_overrides'))
    )
    with op.batch_alter_table('calendar_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_overrides_province_code'), ['province_code'], unique=False)

    op.create_table('dossier_counters',
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('day', sa.String(length=6), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('unit_code', 'day', name=op.f('pk_dossier_counters'))
    )
    op.create_table('officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officials')),
    sa.UniqueConstraint('username', name=op.f('uq_officials_username'))
    )
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officials_province_code'), ['province_code'], unique=False)

    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('search_text', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('field', sa.String(length=255), server_default='', nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=40), server_default='', nullable=False),
    sa.Column('deadline_amount', sa.Float(), nullable=False),
    sa.Column('deadline_unit', sa.Enum('working_days', 'working_hours', 'calendar_days', name='deadlineunit', native_enum=False, length=32), nullable=False),
    sa.Column('deadline_mode', sa.Enum('hours', 'end-of-day', name='countingmode', native_enum=False, length=32), nullable=False),
    sa.Column('cutoff', sa.String(length=5), nullable=True),
    sa.Column('fee', sa.String(length=500), server_default='', nullable=False),
    sa.Column('fee_amount', sa.Integer(), server_default='0', nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('result_type', sa.String(length=500), server_default='', nullable=False),
    sa.Column('online_level', sa.String(length=32), server_default='', nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('legal_basis', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('province_code', 'code', 'version', name='uq_procedures_version')
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_procedures_province_code'), ['province_code'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.Column('place_name', sa.String(length=120), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units')),
    sa.ForeignKeyConstraint(['successor_id'], ['units.id'], name=op.f('fk_units_successor_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_province_code'), ['province_code'], unique=False)

    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('desk', 'online', 'postal', 'assisted', name='channel', native_enum=False, length=32), nullable=False),
    sa.Column('applicant_kind', sa.Enum('person', 'business', name='applicantkind', native_enum=False, length=32), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=20), nullable=False),
    sa.Column('applicant_name', sa.String(length=255), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), server_default='', nullable=False),
    sa.Column('applicant_birth_year', sa.Integer(), nullable=True),
    sa.Column('applicant_address', sa.String(length=500), server_default='', nullable=False),
    sa.Column('applicant_email', sa.String(length=255), server_default='', nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'awaiting_supplement', 'result_ready', 'returned', 'refused', 'stopped', 'withdrawn', name='status', native_enum=False, length=32), nullable=False),
    sa.Column('current_step', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_receipt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('appointment_at_receipt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('appointment', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('pause_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result_ready_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('timeliness', sa.Enum('early', 'on_time', 'late', name='timeliness', native_enum=False, length=32), nullable=True),
    sa.Column('supplement_requests', sa.Integer(), nullable=False),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('pending_corrections', sa.Integer(), server_default='0', nullable=False),
    sa.Column('extension_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('close_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('last_action_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('audit_head', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['filed_by_id'], ['officials.id'], name=op.f('fk_dossiers_filed_by_id_officials')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossiers_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_dossiers_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('code', name=op.f('uq_dossiers_code'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_applicant_id_number'), ['applicant_id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_procedure_id'), ['procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_result_ready_at'), ['result_ready_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_unit_id'), ['unit_id'], unique=False)

    op.create_table('official_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['officials.id'], name=op.f('fk_official_roles_official_id_officials')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_official_roles_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_roles')),
    sa.UniqueConstraint('official_id', 'unit_id', 'role', name='uq_official_roles_triple')
    )
    with op.batch_alter_table('official_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_roles_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_official_roles_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_names_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_names'))
    )
    with op.batch_alter_table('unit_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_names_unit_id'), ['unit_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_audit_events_dossier_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('dossier_id', 'seq', name='uq_audit_events_seq')
    )
    op.create_table('dossier_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('allocated_seconds', sa.Integer(), nullable=False),
    sa.Column('planned_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_paused_seconds', sa.Integer(), nullable=False),
    sa.Column('worked_seconds', sa.Integer(), nullable=False),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('overran', sa.Boolean(), nullable=True),
    sa.Column('behind_schedule', sa.Boolean(), nullable=True),
    sa.Column('send_backs', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['officials.id'], name=op.f('fk_dossier_steps_assignee_id_officials')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['officials.id'], name=op.f('fk_dossier_steps_completed_by_id_officials')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_steps_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_dossier_steps_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_steps')),
    sa.UniqueConstraint('dossier_id', 'seq', name='uq_dossier_steps_seq')
    )
    with op.batch_alter_table('dossier_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_steps_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_steps_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_steps_unit_id'), ['unit_id'], unique=False)

    op.create_table('dossier_supplements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('step_seq', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('supplemented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_supplements_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['officials.id'], name=op.f('fk_dossier_supplements_requested_by_id_officials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_supplements')),
    sa.UniqueConstraint('dossier_id', 'seq', name='uq_dossier_supplements_seq')
    )
    with op.batch_alter_table('dossier_supplements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_supplements_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('time_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('target', sa.Enum('step_finished', 'returned', name='correctiontarget', native_enum=False, length=32), nullable=False),
    sa.Column('step_seq', sa.Integer(), nullable=True),
    sa.Column('old_value', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_value', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['officials.id'], name=op.f('fk_time_corrections_decided_by_id_officials')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_time_corrections_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['officials.id'], name=op.f('fk_time_corrections_requested_by_id_officials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_corrections')),
    sa.UniqueConstraint('dossier_id', 'seq', name='uq_time_corrections_seq')
    )
    with op.batch_alter_table('time_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_corrections_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_corrections_status'), ['status'], unique=False)




def downgrade() -> None:
    raise NotImplementedError("forward-only history")

"""upload jobs and leases

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Upload jobs' state, read by every worker and host (it was in the memory of the process running it).
    op.create_table(
        "upload_job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("courses_tagged", sa.Integer(), nullable=False),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", models.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_upload_job_institution_id", "upload_job", ["institution_id"])
    op.create_index("ix_upload_job_status_updated_at", "upload_job", ["status", "updated_at"])
    # One process of many does each piece of maintenance (re-tagging at start-up, deleting old events).
    op.create_table(
        "lease",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", models.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("lease")
    op.drop_index("ix_upload_job_status_updated_at", table_name="upload_job")
    op.drop_index("ix_upload_job_institution_id", table_name="upload_job")
    op.drop_table("upload_job")

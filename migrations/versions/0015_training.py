"""Training: question bank (versioned questions and their choices), quizzes, sessions with join codes,
attendees, attempts and answers, feedback, and the qualifications a passed post-test records

Revision ID: 0015_training
Revises: 0014_audit_area
Create Date: 2026-12-01 00:47:50.273208

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '0015_training'
down_revision = '0014_audit_area'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_questions_created_by_id_users')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_training_questions_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_questions'))
    )
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_questions_family_id'), ['family_id'], unique=False)
        batch_op.create_index('ix_training_questions_family_id_version', ['family_id', 'version'], unique=True)
        batch_op.create_index(batch_op.f('ix_training_questions_service_id'), ['service_id'], unique=False)

    op.create_table('training_quizzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pass_mark BETWEEN 1 AND 100', name=op.f('ck_training_quizzes_pass_mark_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_quizzes_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_quizzes'))
    )
    op.create_table('training_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('is_right', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['training_questions.id'], name=op.f('fk_training_choices_question_id_training_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_choices'))
    )
    with op.batch_alter_table('training_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_choices_question_id'), ['question_id'], unique=False)

    op.create_table('training_quiz_questions',
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['training_questions.id'], name=op.f('fk_training_quiz_questions_question_id_training_questions')),
    sa.ForeignKeyConstraint(['quiz_id'], ['training_quizzes.id'], name=op.f('fk_training_quiz_questions_quiz_id_training_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_id', 'question_id', name=op.f('pk_training_quiz_questions'))
    )
    with op.batch_alter_table('training_quiz_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_quiz_questions_question_id'), ['question_id'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=False),
    sa.Column('post_quiz_id', sa.Integer(), nullable=False),
    sa.Column('pre_quiz_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('pre_state', sa.String(length=8), nullable=False),
    sa.Column('post_state', sa.String(length=8), nullable=False),
    sa.Column('improvement', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['areas.id'], name=op.f('fk_training_sessions_commune_id_areas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['post_quiz_id'], ['training_quizzes.id'], name=op.f('fk_training_sessions_post_quiz_id_training_quizzes')),
    sa.ForeignKeyConstraint(['pre_quiz_id'], ['training_quizzes.id'], name=op.f('fk_training_sessions_pre_quiz_id_training_quizzes')),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_training_sessions_trainer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions')),
    sa.UniqueConstraint('code', name=op.f('uq_training_sessions_code'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_sessions_post_quiz_id'), ['post_quiz_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_sessions_trainer_id'), ['trainer_id'], unique=False)

    op.create_table('training_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('started_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('right_count', sa.Integer(), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['quiz_id'], ['training_quizzes.id'], name=op.f('fk_training_attempts_quiz_id_training_quizzes')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_attempts_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_attempts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attempts')),
    sa.UniqueConstraint('session_id', 'user_id', 'stage', name=op.f('uq_training_attempts_session_id'))
    )
    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_attempts_user_id'), ['user_id'], unique=False)

    op.create_table('training_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Boolean(), nullable=False),
    sa.Column('joined_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_attendees_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_attendees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attendees')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_training_attendees_session_id'))
    )
    with op.batch_alter_table('training_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_attendees_user_id'), ['user_id'], unique=False)

    op.create_table('training_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('usefulness', sa.Integer(), nullable=False),
    sa.Column('pace', sa.Integer(), nullable=False),
    sa.Column('clarity', sa.Integer(), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('usefulness BETWEEN 1 AND 5 AND pace BETWEEN 1 AND 5 AND clarity BETWEEN 1 AND 5', name=op.f('ck_training_feedback_ratings_range')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_feedback_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_feedback_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_feedback')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_training_feedback_session_id'))
    )
    with op.batch_alter_table('training_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_feedback_user_id'), ['user_id'], unique=False)

    op.create_table('training_qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('qualified_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_training_qualifications_service_id_services')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_qualifications_session_id_training_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_qualifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_qualifications')),
    sa.UniqueConstraint('user_id', 'service_id', name=op.f('uq_training_qualifications_user_id'))
    )
    with op.batch_alter_table('training_qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_qualifications_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_qualifications_session_id'), ['session_id'], unique=False)

    op.create_table('training_answers',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=False),
    sa.Column('is_right', sa.Boolean(), nullable=False),
    sa.Column('answered_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['training_attempts.id'], name=op.f('fk_training_answers_attempt_id_training_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['choice_id'], ['training_choices.id'], name=op.f('fk_training_answers_choice_id_training_choices')),
    sa.ForeignKeyConstraint(['question_id'], ['training_questions.id'], name=op.f('fk_training_answers_question_id_training_questions')),
    sa.PrimaryKeyConstraint('attempt_id', 'question_id', name=op.f('pk_training_answers'))
    )
    with op.batch_alter_table('training_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_answers_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('training_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_answers_question_id'))

    op.drop_table('training_answers')
    with op.batch_alter_table('training_qualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_qualifications_session_id'))
        batch_op.drop_index(batch_op.f('ix_training_qualifications_service_id'))

    op.drop_table('training_qualifications')
    with op.batch_alter_table('training_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_feedback_user_id'))

    op.drop_table('training_feedback')
    with op.batch_alter_table('training_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_attendees_user_id'))

    op.drop_table('training_attendees')
    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_attempts_user_id'))

    op.drop_table('training_attempts')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_trainer_id'))
        batch_op.drop_index(batch_op.f('ix_training_sessions_post_quiz_id'))
        batch_op.drop_index(batch_op.f('ix_training_sessions_commune_id'))

    op.drop_table('training_sessions')
    with op.batch_alter_table('training_quiz_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_quiz_questions_question_id'))

    op.drop_table('training_quiz_questions')
    with op.batch_alter_table('training_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_choices_question_id'))

    op.drop_table('training_choices')
    op.drop_table('training_quizzes')
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_questions_service_id'))
        batch_op.drop_index('ix_training_questions_family_id_version')
        batch_op.drop_index(batch_op.f('ix_training_questions_family_id'))

    op.drop_table('training_questions')

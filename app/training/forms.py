from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.core.forms import AT_MOST, AppForm, IdField, db_int, optional_id
from app.core.privacy import PrivacyGuard
from app.helplogs.forms import MultiCheckboxField
from app.training.models import (
    CHOICE_MAX,
    DEFAULT_PASS_MARK,
    EXPLANATION_MAX,
    IMPROVEMENT_MAX,
    MAX_CHOICES,
    PROPOSAL_MAX,
    QUESTION_MAX,
    TITLE_MAX,
)

CHOICE_FIELDS = tuple(f"choice_{letter}" for letter in "abcde"[:MAX_CHOICES])
RATINGS = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


def optional_position(value):
    """The right choice, as its position 0-4; anything else is none."""
    return int(value) if value in ("0", "1", "2", "3", "4") else None


class QuestionForm(AppForm):
    text = TextAreaField(_l("Question"), validators=[Optional(), Length(max=QUESTION_MAX, message=AT_MOST)])
    service_id = SelectField(_l("Kind of help"), coerce=optional_id, validate_choice=False)
    choice_a = StringField(_l("Choice A"), validators=[Optional(), Length(max=CHOICE_MAX, message=AT_MOST)])
    choice_b = StringField(_l("Choice B"), validators=[Optional(), Length(max=CHOICE_MAX, message=AT_MOST)])
    choice_c = StringField(_l("Choice C"), validators=[Optional(), Length(max=CHOICE_MAX, message=AT_MOST)])
    choice_d = StringField(_l("Choice D"), validators=[Optional(), Length(max=CHOICE_MAX, message=AT_MOST)])
    choice_e = StringField(_l("Choice E"), validators=[Optional(), Length(max=CHOICE_MAX, message=AT_MOST)])
    right = RadioField(_l("Right answer"), choices=[SelectChoice(str(i), "ABCDE"[i]) for i in range(MAX_CHOICES)],
                       coerce=optional_position, validate_choice=False)
    explanation = TextAreaField(_l("Explanation shown after the test"),
                                validators=[Optional(), Length(max=EXPLANATION_MAX, message=AT_MOST)])

    def choice_texts(self) -> list[str | None]:
        return [self[name].data for name in CHOICE_FIELDS]


class QuizForm(AppForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=TITLE_MAX, message=AT_MOST)])
    pass_mark = IntegerField(_l("Pass mark (%)"), default=DEFAULT_PASS_MARK,
                             validators=[InputRequired(_l("Enter the pass mark.")),
                                         NumberRange(1, 100, _l("The pass mark is a percentage from 1 to 100."))])
    question_ids = MultiCheckboxField(_l("Questions"), coerce=db_int, validate_choice=False)


class SessionForm(AppForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=TITLE_MAX, message=AT_MOST)])
    starts_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("Enter the date and time."))])
    commune_id = SelectField(_l("Commune"), coerce=optional_id, validate_choice=False)
    post_quiz_id = SelectField(_l("Post-test"), coerce=optional_id, validate_choice=False)
    pre_quiz_id = SelectField(_l("Pre-test (optional)"), coerce=optional_id, validate_choice=False)


class AttendeeForm(AppForm):
    user_id = IdField(message=_l("Choose someone from the search results."))


class NewAttendeeForm(AppForm):
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120, message=AT_MOST)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=20, message=AT_MOST)])


class StateForm(AppForm):
    stage = HiddenField()
    state = HiddenField()


class ImprovementForm(AppForm):
    improvement = TextAreaField(_l("Improvement for next time"),
                                validators=[Optional(), Length(max=IMPROVEMENT_MAX, message=AT_MOST), PrivacyGuard()])


class JoinForm(AppForm):
    code = StringField(_l("Session code"), validators=[Optional(), Length(max=20, message=AT_MOST)])


class AnswerForm(AppForm):
    question_id = IdField(message=_l("This question is not part of the test."))
    choice_id = IdField(message=_l("Choose one of the answers shown."))


class SubmitForm(AppForm):
    """The CSRF token only: submitting hands in the answers already saved."""


class FeedbackForm(AppForm):
    usefulness = RadioField(_l("How useful was the session?"), choices=RATINGS, coerce=optional_id,
                            validate_choice=False)
    pace = RadioField(_l("Was the pace right?"), choices=RATINGS, coerce=optional_id, validate_choice=False)
    clarity = RadioField(_l("How clear was it?"), choices=RATINGS, coerce=optional_id, validate_choice=False)
    # What the ends of each 1-5 scale mean, shown under its question (pace: 3 is right).
    SCALES = {"usefulness": _l("1 = not useful, 5 = very useful"),
              "pace": _l("1 = far too slow, 3 = about right, 5 = far too fast"),
              "clarity": _l("1 = not clear, 5 = very clear")}
    proposal = TextAreaField(_l("Your proposal (optional)"),
                             validators=[Optional(), Length(max=PROPOSAL_MAX, message=AT_MOST), PrivacyGuard()])

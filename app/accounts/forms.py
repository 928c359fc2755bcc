from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username or phone number"),
        validators=[DataRequired(_l("Enter your username or phone number.")),
                    Length(max=64, message=_l("At most %(max)d characters."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")),
                    Length(max=128, message=_l("At most %(max)d characters."))],
    )

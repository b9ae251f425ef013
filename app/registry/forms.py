"""Flask-WTF forms (CSRF on every form). Labels are Dutch msgids, translated to English."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.labels import LABELS
from app.core.limits import YEAR_MAX, YEAR_MIN
from app.models import PROGRAMMES, PROJECT_STATUSES


class ProjectForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(min=3, max=300)])
    title_en = StringField(_l("Titel (Engels)"), validators=[Optional(), Length(max=300)])
    summary = TextAreaField(_l("Samenvatting"), validators=[Optional(), Length(max=10000)])
    programme = SelectField(_l("Programma"), choices=[SelectChoice(p, LABELS["programme"].get(p, p)) for p in PROGRAMMES])
    year = IntegerField(_l("Jaar"), validators=[DataRequired(), NumberRange(min=YEAR_MIN, max=YEAR_MAX)])
    grant_euro = StringField(_l("Steun (euro)"), validators=[Optional(), Length(max=20)])
    total_budget_euro = StringField(_l("Totaal budget (euro)"), validators=[Optional(), Length(max=20)])
    status = SelectField(_l("Status"), choices=[SelectChoice(s, LABELS["project_status"][s]) for s in PROJECT_STATUSES])
    domains = SelectMultipleField(_l("Domeinen"), choices=[])
    lead = StringField(_l("Indiener (NIS-code)"), validators=[Optional(), Length(min=5, max=5)])
    partners = StringField(_l("Partners (NIS-codes, komma-gescheiden)"), validators=[Optional(), Length(max=2000)])
    playbook = BooleanField(_l("Draaiboek"))
    model_specification = BooleanField(_l("Voorbeeldbestek"))
    open_source = BooleanField(_l("Open source"))
    open_data = BooleanField(_l("Open data"))
    vloca = BooleanField(_l("VLOCA-conform"))
    source_ref = StringField(_l("Bron"), validators=[Optional(), Length(max=1000)])
    curated = BooleanField(_l("Eigen beoordeling (curated)"))

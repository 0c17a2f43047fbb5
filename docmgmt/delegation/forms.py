"""Forms for the delegation pages: labels, choices, widgets, dd/mm/yyyy dates. Fields
and limits live in ``schemas``; the operations decide."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import SchemaForm
from ..core.forms import date_field as _date
from ..core.text import clean
from ..core.timeutil import vn_today
from .schemas import DelegationCreateSchema, DelegationEndSchema
from .workflow import FORM_LABELS, Power


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DelegationForm(SchemaForm):
    schema = DelegationCreateSchema

    delegate_id = SelectField(_l("Người nhận ủy quyền"),
                              coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    powers = MultiCheckboxField(_l("Việc ủy quyền"), choices=lambda: [(p.value, p.label.capitalize())
                                                                       for p in Power],
                                default=[p.value for p in Power])
    start_date = _date(_l("Từ ngày"), default=vn_today)
    end_date = _date(_l("Đến ngày"))
    # Empty: the usual form for the two people (workflow.signing_forms).
    form = SelectField(_l("Hình thức ký khi ký thay"), coerce=lambda v: v or None, default="",
                       choices=lambda: [("", str(_l("Theo chức vụ của người nhận (KT., TUQ.…)")))]
                       + [(f.value, str(label)) for f, label in FORM_LABELS.items()])
    reason = TextAreaField(_l("Lý do"), filters=[clean],
                           render_kw={"rows": 2, "placeholder": _l("Đi công tác, dự hội nghị, nghỉ phép…")})


class EndForm(SchemaForm):
    schema = DelegationEndSchema

    reason = TextAreaField(_l("Lý do kết thúc sớm"), filters=[clean], render_kw={"rows": 2})

"""GOV.UK Frontend markup for Django forms, from templates/forms/."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Render every form and field with the GOV.UK templates in templates/forms/.

    TemplatesSetting lets project templates override Django's widget templates, so a plain
    `{{ form }}` gives GOV.UK labels, hints, inline errors and widgets.
    """

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"

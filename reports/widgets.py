"""GOV.UK widgets the journey needs beyond the shared renderer's: hinted and exclusive
checkboxes and the character count (which works without JavaScript: the limit is stated in
text and enforced on the server). The three-part date input is shared: harmsportal/forms.py."""

from __future__ import annotations

from django import forms


class HintedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes with a hint under each option, and an optional exclusive "none" option.

    `hints` maps an option's value (as a string) to its hint. The `exclusive` value is shown
    after an "or" divider; with JavaScript, ticking it clears the others (GOV.UK behaviour).
    `conditionals` maps an option's value to a bound field revealed under it when ticked (GOV.UK
    conditional reveal). Without JavaScript the field is always shown.
    """

    template_name = "reports/widgets/hinted_checkboxes.html"
    option_template_name = "reports/widgets/hinted_checkbox_option.html"

    def __init__(self, attrs=None, choices=(), *, hints=None, exclusive: str = "") -> None:
        super().__init__(attrs, choices)
        self.hints: dict[str, str] = dict(hints or {})
        self.exclusive = exclusive
        self.conditionals: dict[str, forms.BoundField] = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.hints = dict(self.hints)
        copy.conditionals = dict(self.conditionals)
        return copy

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        hint = self.hints.get(str(value), "")
        option["hint"] = hint
        option["exclusive"] = bool(self.exclusive) and str(value) == self.exclusive
        if hint and option["attrs"].get("id"):
            option["hint_id"] = f"{option['attrs']['id']}-hint"
            option["attrs"]["aria-describedby"] = option["hint_id"]
        if option["exclusive"]:
            option["attrs"]["data-behaviour"] = "exclusive"
        conditional = self.conditionals.get(str(value))
        option["conditional"] = conditional
        if conditional is not None and option["attrs"].get("id"):
            option["conditional_id"] = f"conditional-{option['attrs']['id']}"
            option["attrs"]["data-aria-controls"] = option["conditional_id"]
        return option

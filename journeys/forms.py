"""Forms of the signed-link pages: the interest survey and the delivery survey."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from journeys.services.surveys import COMMENT_MAX
from marketplace.models import Category


def category_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """The categories buyers choose from: the leaves of the tree grouped under their root
    (a root without children stands for itself). One query."""
    rows = list(Category.objects.order_by("name").values_list("pk", "name", "parent_id"))
    names = {pk: name for pk, name, _parent in rows}
    parents = {pk: parent for pk, _name, parent in rows}
    with_children = {parent for parent in parents.values() if parent is not None}

    def root(pk: int) -> int:
        seen = set()
        while parents.get(pk) is not None and pk not in seen:
            seen.add(pk)
            pk = parents[pk]
        return pk

    groups: dict[int, list[tuple[int, str]]] = {}
    for pk, name, _parent in rows:
        if pk not in with_children:
            groups.setdefault(root(pk), []).append((pk, name))
    return sorted(((names[top], leaves) for top, leaves in groups.items()),
                  key=lambda group: group[0])


class InterestsForm(forms.Form):
    categories = forms.TypedMultipleChoiceField(
        label=_("Categories"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one category.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = category_groups()


class DeliverySurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went well, what could be better?"),
    )

"""The list endpoint's filters (GET /api/v1/candidates/), as a django-filter FilterSet.

Like unknown fields in a payload, an unknown or empty filter is refused (400 naming it)
rather than ignored: django-filter reads `?status=` as no filter at all, and `?risk=high`
(a typo) would list every candidate, neither of which is what the client meant.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict, ErrorList
from rest_framework.settings import api_settings

from candidates.models import RiskLevel, RiskStatus

# Query parameters read elsewhere: the paginator's, and DRF's ?format=.
OTHER_PARAMETERS = frozenset({"cursor", "page_size", api_settings.URL_FORMAT_OVERRIDE})


class CandidateFilterSet(django_filters.FilterSet):
    # The level the integration sees (docs/tenancy.md): filtering on the full level would
    # tell it which of its candidates match another integration's applicants.
    risk_level = django_filters.ChoiceFilter(field_name="scoped_level",
                                             choices=RiskLevel.choices)
    status = django_filters.ChoiceFilter(field_name="risk_status", choices=RiskStatus.choices)
    external_id = django_filters.CharFilter(field_name="external_id", max_length=200)

    def _query_problems(self) -> dict[str, str]:
        data = self.data
        problems = {name: "Unknown query parameter; see the API schema for the filters."
                    for name in sorted(set(data) - set(self.filters) - OTHER_PARAMETERS)}
        problems.update({name: "Empty filter value: leave the parameter out instead."
                         for name in self.filters if "" in data.getlist(name)})
        return problems

    def is_valid(self) -> bool:
        return super().is_valid() and not self._query_problems()

    @property
    def errors(self) -> ErrorDict:
        errors = ErrorDict(self.form.errors)
        for name, message in self._query_problems().items():
            errors[name] = ErrorList([ValidationError(message, code="invalid")])
        return errors

"""Who may do what with a customer-voice record they can see.

- the department head's opinion on an enterprise survey: a supervisor or
  manager of the survey's unit, or an admin.

Rules of the `rules` package built from the predicates of
crm_site.accounts.scope; seeing a record at all is `visible_to(user)`.
"""

import rules

from crm_site.accounts.scope import is_admin_role, is_lead_of_unit

rules.add_rule("customers.survey_head_opinion", is_admin_role | is_lead_of_unit)


def may_give_head_opinion(user, survey) -> bool:
    return rules.test_rule("customers.survey_head_opinion", user, survey)

"""Knowledge (issue 20): deal summaries, stage playbooks, the FAQ, retrospectives and the case
library. Pure rules over stored records; the use cases are in core.services (summary, playbooks,
faq, cases)."""

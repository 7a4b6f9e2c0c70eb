"""Intake: from an article to candidate claims, with deadlines and targets parsed.

Pipeline (``extract.extract``): split the text into sentences (``sentences``), decide
for each whether it is a forward-looking claim and score it (``detection``), name
who makes it (``claimants``), read its deadline (``deadlines``) and any measurable
target (``targets``). The admin views (``views``) show the candidates, flag possible
duplicates of existing claims (``matching``) and save only what the editor keeps
(``keep``), through claims.services.

Everything runs offline and in-process: no network, no model, nothing downloaded after
``pip install``. Libraries were chosen where one does the job well:

- python-dateutil reads explicit calendar dates ("15 March 2027", "March 15, 2027").
  It is small, pure Python, maintained for over a decade, and already installed with
  Celery. dateparser was tried on the labelled development claims and passed over: it
  got 0.408 of the deadline ends right against 0.981 for deadlines.py, at 40 times the
  CPU (tests/intake_data/compare_libraries.py, docs/intake.md). quantulum3 was tried
  for targets the same way: 0.641 of the values against 0.961, at 200 times the CPU,
  and without the comparators or what is measured.
- price-parser reads amounts with any thousands/decimal separators ("20,000",
  "20.000", "20 000"), so money and quantities are parsed the same way everywhere.
- RapidFuzz scores the similarity of a candidate to existing claims (C++, fast).

Written here because no library covers it within the budget (a megabyte in under two
seconds on one core): resolving relative deadlines ("by the end of the decade",
"within three years", "Q3") against the publication date, units and comparators of
targets, sentence splitting (pySBD is ~50 times slower), and claim detection, which
is a set of commented rules with a score rather than a statistical model that would
need downloaded weights (spaCy models and NLTK data are fetched after install).
"""

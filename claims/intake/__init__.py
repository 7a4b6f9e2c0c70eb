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
  Celery. dateparser was passed over: it is several times slower per call and its
  relative-date handling ("in two years") resolves against the wall clock, not the
  article's publication date as the register requires.
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

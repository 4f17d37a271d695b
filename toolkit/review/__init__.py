"""``nktk review``: a local web app where a researcher corrects passages, and the model learns from it.

The package reads like the loop it serves:

- :mod:`toolkit.review.log`: the review file, an append-only log of ANNOTATION.md
  records and retractions (what ``nktk train --corpus`` and ``nktk evaluate`` read);
- :mod:`toolkit.review.queue`: the passages to review, in document or uncertainty order,
  each with its context and the model's answer;
- :mod:`toolkit.review.app`: the Starlette app (token, validation, the JSON API, the page);
- :mod:`toolkit.review.server`: binding, the one printed line, the browser, clean shutdown.
"""

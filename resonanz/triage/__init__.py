"""Triage of incoming messages: language, sentiment, offensive, spam, intent, urgency.

Entry points: `pipeline.get_triage()` (labels for the worker and inbox), `cli.main` (the
`resonanz triage train | predict | evaluate` commands). Models are trained by `training.py`
into `artifacts/` (model card: `artifacts/README.md`); the intent seed set and how it was
labelled are in `seed/`. Nothing is imported here so that importing the package stays cheap.
"""

"""Tabik's rasa-sdk actions: one module per feature (``rasa run actions --actions actions``).

What the features share, each in its own module: ``forms`` (the one base of
the form validators), ``tracker`` (reading the tracker), ``choices`` (numbered
lists and yes/no questions), ``formatting`` (money, dates, response
fragments), ``services`` (how an action reaches the services), ``answers``
(reading an answer before its intent), ``fields`` and ``places`` (questions
several forms ask), ``confirmation`` and ``form_endings`` (how a form ends).
"""

"""Briefings: records merged across articles into entries a reader scans, as Markdown or HTML.

Layers inside: ``countries``, ``people`` and ``events`` decide what is the same
(country, person, event); ``merge`` composes entries; ``sources`` gets records and
texts; ``diff`` and ``regen`` say what moved; ``highlight``, ``svg`` and the
``render_*`` modules draw; ``build`` ties them together for the command.
"""

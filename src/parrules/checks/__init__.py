"""The static checker's parts, one concern per module, all reporting into one `Context`.

`parrules.check` runs them in order. Each part reads the model and never raises for a user's
mistake: what it cannot understand (a name already reported as unknown, a condition it cannot
analyse) it leaves alone, so one mistake gives one diagnostic, not a cascade.
"""

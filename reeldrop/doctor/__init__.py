"""``reeldrop doctor``: the checks a person runs when uploads do not happen."""

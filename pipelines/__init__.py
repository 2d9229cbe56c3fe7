"""Siaga's processing: Beam transforms (validate, tag, index), the local streaming driver, alerting."""

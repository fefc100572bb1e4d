"""The clinician web interface: the consultation form, its pages and their presenters."""

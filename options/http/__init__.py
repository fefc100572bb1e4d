"""What the machine doors (the REST API, CDS Hooks) stand on side by side: the audited,
deny-by-default base view, the error shape, parsers, renderers, call counting and the
revocation of a client. Neither door imports the other; this package imports neither."""

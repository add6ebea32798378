"""Plain objects and rules: tickets, status lifecycle, identities, vocabularies."""

"""Finding services: filters, availability and (later) text search and ranking."""

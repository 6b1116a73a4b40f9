"""`find`: what the search index holds for a text, what a query asks of it, and the ranking."""

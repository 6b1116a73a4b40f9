"""The command language in English and Chinese: verbs, parsing, commands, every sentence, dates, periods."""

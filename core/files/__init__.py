"""Files: deals and customers as spreadsheet rows, tables of cells, a pipeline as TOML."""

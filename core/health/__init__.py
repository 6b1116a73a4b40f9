"""The health board (销售健康度): customer satisfaction, complaints, the board's figures, data quality."""

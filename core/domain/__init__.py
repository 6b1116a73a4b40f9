"""The domain: deals, pipelines, money, working time and the calendar; plain values, no I/O."""

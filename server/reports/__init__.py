"""The monthly health-check report (体检报告) of a site: facts, a safety score with its factors, and renderings."""

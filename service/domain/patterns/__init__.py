"""Cross-team patterns: groups of at least three failures from several teams, proposed by code, decided by people."""

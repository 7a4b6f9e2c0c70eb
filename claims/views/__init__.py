"""Public pages: what was promised, by whom, by when, and what became of it.

Every page shows published claims only, reads a constant number of queries whatever
the size of the register, and is cached for anonymous readers (claims.public_cache).
"""

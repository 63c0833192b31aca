"""Feed side of tradealert: fetching, parsing per source kind, and fact extraction.

Nothing in this package touches SQL or sends anything (see docs/ARCHITECTURE.md).
"""

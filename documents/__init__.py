"""Pure readers of identity documents and names.

Nothing here imports Django or the project beyond :mod:`apoc.exceptions`:
``mrz`` reads machine readable zones, ``foreign_ids`` checks foreign personal
ID numbers, ``names`` builds the keys that two spellings of one name share,
and ``numbers`` normalises document numbers.
"""

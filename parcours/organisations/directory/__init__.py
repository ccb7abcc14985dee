"""Reference directories: the Annuaire de l'éducation (schools by UAI) and SIRENE (establishments by SIRET).

Importers load the official open-data files into local tables; `lookup` answers from those tables or from
the public APIs, behind one interface.
"""

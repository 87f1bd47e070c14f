"""The whole-project view: an index of modules (index.py, tree.py), value flow across them (flow.py),
and the routes of every request (routes.py, sources.py), checked by checks/routes.py (stage.py runs it)."""

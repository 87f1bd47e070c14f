"""LibCST helpers with no knowledge of OpenAI, providers or plans: edits of call arguments and dict
entries in the code's own layout (arguments.py) and questions about a tree (tree.py).

Checks build the edit their finding carries with them and the fix planner builds its edits with
them, so they belong to neither: checks import them from here, not from offramp.fixes.
"""

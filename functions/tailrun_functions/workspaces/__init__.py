"""Workspaces (issue 14): who may read and do what with jobs, batches and artifacts.

A workspace (``workspaces/{workspace_id}``) has a name, an owner and members with roles (``model.Role``). Every
job, batch and upload belongs to one (``workspace_id``; a document without it belongs to ``personal-<owner>``).
The package, by concern: ``model`` (roles, what each may do, the document and its public view), ``access``
(``role_of``, ``require``, the personal workspace made on first use, the quotas), ``manage`` (the workspace
functions: create, list, rename, delete, members, transfer, leave). It imports the domain's ``store`` and
``services``, never the HTTP edge.
"""

"""tailrun's Cloud Functions logic: the job lifecycle on Firestore.

``functions/main.py`` holds only the functions-framework entrypoints; everything they do lives here, in modules
that never import Flask: ``edge`` turns a request into a response, ``jobs``/``callbacks``/``reaper`` are the
domain, ``store`` names the documents, ``launcher`` starts and stops sandboxes.
"""

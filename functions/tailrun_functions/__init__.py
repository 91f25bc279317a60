"""tailrun's Cloud Functions logic: the job lifecycle on Firestore, tokens, the reaper, launchers and artifacts.

Owns every HTTP entrypoint's work (``functions/main.py`` holds only the functions-framework entrypoints) and may
import the Google client libraries and pydantic, never Flask. The layers, each importing only those below it:

- the edge (``edge``): a request in, a JSON response out; parses bodies into models and maps errors to 4xx JSON;
- the domain (``jobs``, ``callbacks``, ``claim``, ``reaper``, ``attempts``, ``artifacts``): never imports the edge;
- the checks and shapes they share (``admission``: the one runner-token check; ``auth``, ``models``,
  ``documents``, ``states``, ``errors``);
- the ports and their wiring (``services``: the clients built from ``settings``; ``store``/``schema``: Firestore
  documents; ``storage``: the bucket; ``launcher``: sandboxes; ``clients``, ``clock``, ``logs``, ``defaults``).
"""

"""The local stack (``tailrun dev``): the whole of tailrun on one machine, with no cloud account.

``dev`` starts and stops the parts (the Firestore and storage emulators, the functions on one server, the
scheduler loop); ``functions_server`` serves every HTTP function of ``functions/main.py`` and answers only its
own names; ``access`` is who the WebChannel front (``firestore_emulator.webchannel``) admits (the development
token, as user ``dev``; the emulator's rules, ``infra/firestore.rules``, decide each target); ``jsonlog`` makes the
stack's log one JSON object per line. It may import ``tailrun.errors``, ``tailrun.settings``,
``firestore_emulator`` and ``tailrun_functions`` (the functions run in this process); never ``tailrun.cli``.
"""

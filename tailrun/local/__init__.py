"""The local stack (``tailrun dev``): the whole of tailrun on one machine, with no cloud account.

``dev`` starts and stops the parts (the Firestore and storage emulators, the functions on one server, the
scheduler loop); ``functions_server`` serves every HTTP function of ``functions/main.py`` and answers only its
own names; ``listen_rules`` is the access check the WebChannel front (``firestore_emulator.webchannel``) calls
for each Listen target (the development token and a mirror of ``infra/firestore.rules``); ``jsonlog`` makes the
stack's log one JSON object per line. It may import ``tailrun.errors``, ``tailrun.settings``,
``firestore_emulator`` and ``tailrun_functions`` (the functions run in this process); never ``tailrun.cli``.
"""
